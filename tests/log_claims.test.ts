import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryWorkspace, RunLogContext } from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";

const BASE = "2026-02-06_14-03-27.123Z";

test("RunLogContext.claimAgentLog() numbers like Rust: the highest attempt plus one, never truncating", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws, { baseRunId: BASE });
  const first = await ctx.claimAgentLog("dev", 2);
  assert.deepEqual([first.path, first.attempt], [ctx.agentLog("dev", 2), undefined]);
  await first.writer.write("output\n");
  await first.writer.close();
  // With dev_2 and dev_2_a2 there, the next is _a3: the gap at _a1 is never filled.
  await ws.write(ctx.agentLog("dev", 2, 2), "earlier retry\n");
  const claims = [];
  for (let i = 0; i < 3; i++) claims.push(await ctx.claimAgentLog("dev", 2));
  assert.deepEqual(claims.map((c) => [c.path, c.attempt]), [
    [ctx.agentLog("dev", 2, 3), 3],
    [ctx.agentLog("dev", 2, 4), 4],
    [ctx.agentLog("dev", 2, 5), 5],
  ]);
  for (const claim of claims) await claim.writer.close();
  assert.equal(await ws.exists(ctx.agentLog("dev", 2, 1)), false);
  assert.equal(await ws.read(ctx.agentLog("dev", 2)), "output\n");
  assert.equal(await ws.read(ctx.agentLog("dev", 2, 2)), "earlier retry\n");
  // Other invocations and phases do not count.
  await ws.write(ctx.agentLog("dev", 3, 7), "");
  await ws.write(ctx.agentLog("dev_2", 1), "");
  assert.equal((await ctx.claimAgentLog("dev", 2)).attempt, 6);
  assert.equal((await ctx.claimAgentLog("dev", 1)).attempt, undefined);
});

test("RunLogContext.claimAgentLog() writes the Rust header as the file's first bytes", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws, { baseRunId: BASE });
  const at = new Date("2026-02-06T14:03:27Z");
  const header = { role: "Reviewer", agent: "claude", phase: "Review", timestamp: at };
  const first = await ctx.claimAgentLog("reviewer", 1, { header });
  const retry = await ctx.claimAgentLog("reviewer", 1, {
    header: { ...header, modelIndex: 2, resumedFrom: BASE },
  });
  await first.writer.write("agent output\n");
  for (const c of [first, retry]) await c.writer.close();
  assert.equal(
    await ws.read(first.path),
    "# Ralph Agent Invocation Log\n# Role: Reviewer\n# Agent: claude\n# Model Index: 0\n" +
      "# Attempt: 0\n# Phase: Review\n# Timestamp: 2026-02-06T14:03:27+00:00\n\nagent output\n",
  );
  assert.equal(
    await ws.read(retry.path),
    "# Ralph Agent Invocation Log\n# Role: Reviewer\n# Agent: claude\n# Model Index: 2\n" +
      "# Attempt: 1\n# Phase: Review\n# Timestamp: 2026-02-06T14:03:27+00:00\n" +
      `# Resume: true (Original Run ID: ${BASE})\n\n`,
  );
  // A value cannot add a line of its own.
  const forged = await ctx.claimAgentLog("reviewer", 1, {
    header: { ...header, agent: "claude\n# Role: Admin" },
  });
  await forged.writer.close();
  assert.match(await ws.read(forged.path), /^# Agent: claude # Role: Admin$/m);
  await throwsRunLog(
    () => ctx.claimAgentLog("reviewer", 1, { header: { ...header, role: 5 as unknown as string } }),
    "invalid-argument",
  );
});

test("RunLogContext.claimAgentLog() gives concurrent claims distinct files", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace(), { baseRunId: BASE });
  const claims = await Promise.all(
    Array.from({ length: 20 }, () => ctx.claimAgentLog("review", 1)),
  );
  assert.equal(new Set(claims.map((c) => c.path)).size, 20);
  for (const c of claims) await c.writer.close();
});

test("RunLogContext.openProviderLog() claims <stem>_a<N><ext> after the plain name", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace(), { baseRunId: BASE });
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
  const ctx = await RunLogContext.create(ws, { baseRunId: BASE });
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
