import { test } from "node:test";
import assert from "node:assert/strict";
import { appendHandle, type AppendTarget, MemoryWorkspace, WorkspaceError } from "../mod.ts";
import { rejectsWorkspace } from "./_assert.ts";

/** A target that records what reaches it and can fail on demand. */
function scriptedTarget(
  options: { chunk?: number; failWrite?: unknown; failClose?: unknown } = {},
) {
  const written: number[] = [];
  let closes = 0;
  const target: AppendTarget = {
    write(data) {
      if (options.failWrite !== undefined) throw options.failWrite;
      const n = Math.min(data.length, options.chunk ?? data.length);
      written.push(...data.subarray(0, n));
      return n;
    },
    close() {
      closes++;
      if (options.failClose !== undefined) throw options.failClose;
    },
  };
  return {
    target,
    text: () => new TextDecoder().decode(new Uint8Array(written)),
    closes: () => closes,
  };
}

const sysError = (code: string) => Object.assign(new Error(code), { code });

test("appendHandle() finishes partial writes and encodes any text", async () => {
  const t = scriptedTarget({ chunk: 3 });
  const handle = appendHandle("x.log", t.target);
  const long = "é✓🚀".repeat(3000); // Past the scratch buffer, and not ASCII.
  await handle.write("ascii line\n");
  handle.writeSync("ünïcödé\n");
  await handle.write(long);
  await handle.close();
  assert.equal(t.text(), `ascii line\nünïcödé\n${long}`);
  assert.equal(t.closes(), 1);
});

test("appendHandle() reports a failed write, and close() reports it again", async () => {
  const cause = sysError("ENOSPC");
  const handle = appendHandle("logs/x.log", scriptedTarget({ failWrite: cause }).target);
  const error = await rejectsWorkspace(handle.write("line\n"), "no-space");
  assert.equal(error.path, "logs/x.log");
  assert.equal(error.operation, "write");
  assert.equal(error.cause, cause);
  assert.throws(() => handle.writeSync("again\n"), WorkspaceError);
  // The write nobody awaited is not lost: close() rejects with the first error.
  assert.equal(await rejectsWorkspace(handle.close(), "no-space"), error);
});

test("appendHandle() reports a failed close", async () => {
  const handle = appendHandle("x.log", scriptedTarget({ failClose: sysError("EIO") }).target);
  await handle.write("ok\n");
  const error = await rejectsWorkspace(handle.close(), "io");
  assert.equal(error.operation, "close");
  await handle.close(); // Once closed, closing again is quiet.
});

test("appendHandle() refuses a target that makes no progress", async () => {
  const handle = appendHandle("x.log", { write: () => 0, close() {} });
  const error = await rejectsWorkspace(handle.write("line\n"), "io");
  assert.match(error.message, /no progress/);
});

test("AppendHandle.writeSync() writes before returning and refuses a closed handle", async () => {
  const ws = new MemoryWorkspace();
  const log = await ws.openAppend("sync.log");
  log.writeSync("now\n");
  assert.equal(await ws.read("sync.log"), "now\n");
  await log.close();
  assert.throws(
    () => log.writeSync("late\n"),
    (e) => e instanceof WorkspaceError && e.code === "closed",
  );
});
