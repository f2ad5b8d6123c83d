// Every entry point that turns input into a path, fed hostile input on the
// real filesystem: each is refused and nothing appears outside the root.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { RunLogContext, RunLogError, WorkspaceError } from "../mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";

const HOSTILE = [
  "../escape",
  "../../escape",
  "x/../../escape",
  "/tmp/escape-absolute",
  "..\\escape",
  "a/../../../escape",
  "escape\0nul",
];

async function refused(call: () => unknown): Promise<void> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof WorkspaceError || error instanceof RunLogError, String(error));
    return;
  }
  assert.fail("hostile input was accepted");
}

test("hostile paths are refused by every entry point and nothing is created outside the root", async () => {
  const dir = await tempDir();
  try {
    const root = join(dir.path, "root");
    await mkdir(root);
    const ws = (await nativeAdapter()).make(root);
    const ctx = await RunLogContext.create(ws);
    for (const input of HOSTILE) {
      await refused(() => RunLogContext.resume(ws, input));
      await refused(() => RunLogContext.create(ws, { baseRunId: input }));
      await refused(() => ctx.agentLog(input, 1));
      await refused(() => ctx.providerLog(input));
      await refused(() => ws.write(input, "x"));
      await refused(() => ws.appendBytes(input, new Uint8Array([1])));
      await refused(() => ws.writeAtomic(input, "x"));
      await refused(() => ws.createDir(input));
      await refused(() => ws.createDirAll(`${input}/deeper`));
      await refused(() => ws.rename(ctx.runMetadata(), input));
      await refused(() => ws.removeDirAll(input));
    }
    assert.deepEqual(await readdir(dir.path), ["root"]);
    assert.deepEqual(await readdir(root), [".agent"]);
    assert.deepEqual(await readdir(join(root, ".agent")), [`logs-${ctx.runId}`]);
  } finally {
    await dir.remove();
  }
});
