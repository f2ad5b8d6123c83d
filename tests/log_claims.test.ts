import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryWorkspace, RunLogContext } from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";

const BASE = "2026-02-06_14-03-27.123Z";

test("RunLogContext.claimAgentLog() takes the first free name and never truncates", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.resume(ws, BASE);
  await ws.write(ctx.agentLog("dev", 2, 1), "earlier retry\n");
  const first = await ctx.claimAgentLog("dev", 2);
  const second = await ctx.claimAgentLog("dev", 2);
  const third = await ctx.claimAgentLog("dev", 2);
  assert.deepEqual(
    [first, second, third].map((c) => [c.path, c.attempt]),
    [
      [ctx.agentLog("dev", 2), undefined],
      [ctx.agentLog("dev", 2, 2), 2],
      [ctx.agentLog("dev", 2, 3), 3],
    ],
  );
  await first.writer.write("header\n");
  await first.writer.write("output\n");
  for (const claim of [first, second, third]) await claim.writer.close();
  assert.equal(await ws.read(ctx.agentLog("dev", 2)), "header\noutput\n");
  assert.equal(await ws.read(ctx.agentLog("dev", 2, 1)), "earlier retry\n");
});

test("RunLogContext.claimAgentLog() gives concurrent claims distinct files", async () => {
  const ctx = await RunLogContext.resume(new MemoryWorkspace(), BASE);
  const claims = await Promise.all(
    Array.from({ length: 20 }, () => ctx.claimAgentLog("review", 1)),
  );
  assert.equal(new Set(claims.map((c) => c.path)).size, 20);
  for (const c of claims) await c.writer.close();
});

test("RunLogContext.openProviderLog() claims <stem>_a<N><ext> after the plain name", async () => {
  const ctx = await RunLogContext.resume(new MemoryWorkspace(), BASE);
  const a = await ctx.openProviderLog("claude-stream_dev_1.jsonl");
  const b = await ctx.openProviderLog("claude-stream_dev_1.jsonl");
  const c = await ctx.openProviderLog("noext");
  const d = await ctx.openProviderLog("noext");
  assert.deepEqual([a.path, b.path, c.path, d.path], [
    ctx.providerLog("claude-stream_dev_1.jsonl"),
    ctx.providerLog("claude-stream_dev_1_a1.jsonl"),
    ctx.providerLog("noext"),
    ctx.providerLog("noext_a1"),
  ]);
  await b.writer.write('{"type":"delta"}\n');
  for (const x of [a, b, c, d]) await x.writer.close();
  assert.equal(await ctx.workspace.read(b.path), '{"type":"delta"}\n');
});

test("RunLogContext log claims refuse names that would leave their folder, creating nothing", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.resume(ws, BASE);
  for (const phase of ["../x", "a/b", "..", ""]) {
    await throwsRunLog(() => ctx.claimAgentLog(phase, 1), "invalid-name");
  }
  await throwsRunLog(() => ctx.claimAgentLog("dev", -1), "invalid-name");
  for (const name of ["../run.json", "a/b.jsonl", ".."]) {
    await throwsRunLog(() => ctx.openProviderLog(name), "invalid-name");
  }
  assert.deepEqual(await ws.readDir(`${ctx.runDir}/agents`), []);
  assert.deepEqual(await ws.readDir(`${ctx.runDir}/provider`), []);
});
