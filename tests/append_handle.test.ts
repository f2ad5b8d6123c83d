import { test } from "node:test";
import assert from "node:assert/strict";
import { appendHandle, type AppendTarget, MemoryWorkspace, WorkspaceError } from "../mod.ts";
import { rejectsWorkspace } from "./_assert.ts";
import { sysError } from "./_fault_driver.ts";

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

test("appendHandle() reports an awaited failed write once, not again at close()", async () => {
  const cause = sysError("ENOSPC");
  const handle = appendHandle("logs/x.log", scriptedTarget({ failWrite: cause }).target);
  const error = await rejectsWorkspace(handle.write("line\n"), "no-space");
  assert.equal(error.path, "logs/x.log");
  assert.equal(error.operation, "write");
  assert.equal(error.cause, cause);
  assert.throws(() => handle.writeSync("again\n"), WorkspaceError);
  await handle.close(); // The caller has seen it: nothing left to report.
});

test("appendHandle() reports a failed write nobody awaited at the next write and at close()", async () => {
  const cause = sysError("ENOSPC");
  const options: { failWrite?: unknown } = { failWrite: cause };
  const scripted = scriptedTarget(options);
  const handle = appendHandle("logs/x.log", scripted.target);
  void handle.write("lost\n"); // Fire and forget: must not become an unhandled rejection.
  options.failWrite = undefined;
  const next = await rejectsWorkspace(handle.write("kept\n"), "no-space");
  assert.match(next.message, /an earlier call failed and nobody awaited it \(this one succeeded\)/);
  assert.equal((next.cause as WorkspaceError).cause, cause);
  assert.equal(scripted.text(), "kept\n");
  // Seen now: the following write and close() are clean.
  await handle.write("more\n");
  void handle.write(12 as unknown as string); // Refused, and nobody listens.
  const atClose = await rejectsWorkspace(handle.close(), "invalid-argument");
  assert.match(atClose.message, /string or a Uint8Array, got number 12/);
});

test("appendHandle() ends the fragment a failed write left before its next write", async () => {
  let room = 7; // The disk takes 7 more bytes, then is full.
  const written: number[] = [];
  const handle = appendHandle("x.log", {
    write(data) {
      if (room === 0) throw sysError("ENOSPC");
      const n = Math.min(room, data.length);
      room -= n;
      written.push(...data.subarray(0, n));
      return n;
    },
    close() {},
  });
  await handle.write("one\n");
  await rejectsWorkspace(handle.write("two two\n"), "no-space"); // "two" is written, then full.
  await rejectsWorkspace(handle.write("three\n"), "no-space"); // Nothing fits.
  room = 100; // Space was freed.
  await handle.write("four\n");
  await handle.write("five\n");
  assert.equal(new TextDecoder().decode(new Uint8Array(written)), "one\ntwo\nfour\nfive\n");
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
