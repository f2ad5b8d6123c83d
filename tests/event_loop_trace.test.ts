import { test } from "node:test";
import assert from "node:assert/strict";
import { EventLoopTrace, MemoryWorkspace, RunLogContext } from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";
import { spyWorkspace } from "./_spy.ts";

test("EventLoopTrace keeps the newest entries up to its capacity, oldest first", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace());
  const trace = new EventLoopTrace(ctx, { capacity: 3 });
  assert.equal(new EventLoopTrace(ctx).capacity, 200);
  for (let iteration = 0; iteration < 7; iteration++) trace.push({ iteration });
  assert.equal(trace.size, 3);
  assert.deepEqual(trace.entries(), [{ iteration: 4 }, { iteration: 5 }, { iteration: 6 }]);
});

test("EventLoopTrace.dump() writes entries then the final state, atomically", async () => {
  const { ws, calls } = spyWorkspace(new MemoryWorkspace());
  const ctx = await RunLogContext.create(ws);
  const trace = new EventLoopTrace(ctx, { capacity: 2 });
  const entry = { iteration: 1, effect: "Invoke", event: "multi\nline" };
  trace.push(entry);
  entry.iteration = 99; // Later changes do not rewrite history.
  trace.push({ iteration: 2, effect: "Write", event: "Done" });
  const path = await trace.dump("unrecoverable_handler_error", { phase: "Development", retry: 2 });
  assert.equal(path, ctx.eventLoopTrace());
  assert.ok(calls.includes(`writeAtomic(${ctx.eventLoopTrace()})`));
  const text = await ws.read(path);
  assert.ok(text.endsWith("\n"));
  assert.deepEqual(text.trimEnd().split("\n").map((l) => JSON.parse(l)), [
    { iteration: 1, effect: "Invoke", event: "multi\nline" },
    { iteration: 2, effect: "Write", event: "Done" },
    {
      kind: "final_state",
      reason: "unrecoverable_handler_error",
      state: { phase: "Development", retry: 2 },
    },
  ]);
  await trace.dump("panic");
  const last = (await ws.read(path)).trimEnd().split("\n").at(-1)!;
  assert.equal(last, '{"kind":"final_state","reason":"panic"}');
});

test("EventLoopTrace.dump() with no entries writes only the final state", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace());
  await new EventLoopTrace(ctx).dump("max_iterations", null);
  assert.equal(
    await ctx.workspace.read(ctx.eventLoopTrace()),
    '{"kind":"final_state","reason":"max_iterations","state":null}\n',
  );
});

test("EventLoopTrace refuses entries that are not JSON, bad capacities and empty reasons", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace());
  const trace = new EventLoopTrace(ctx);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  for (const bad of [cyclic, undefined, () => 1, 10n]) {
    await throwsRunLog(() => trace.push(bad), "invalid-argument");
  }
  assert.equal(trace.size, 0);
  for (const capacity of [0, -1, 1.5]) {
    await throwsRunLog(() => new EventLoopTrace(ctx, { capacity }), "invalid-argument");
  }
  await throwsRunLog(() => trace.dump(""), "invalid-argument");
  assert.equal(await ctx.workspace.exists(ctx.eventLoopTrace()), false);
});

test("EventLoopTrace.dump() keeps each earlier session's dump beside the latest", async () => {
  const ws = new MemoryWorkspace();
  const first = await RunLogContext.create(ws);
  const trace = new EventLoopTrace(first);
  trace.push({ seq: 1, event: "first session" });
  await trace.dump("unrecoverable_handler_error");
  await first.close({ status: "failed" });
  for (const reason of ["panic", "max_iterations"]) {
    const resumed = await RunLogContext.resume(ws, first.runId);
    const again = new EventLoopTrace(resumed);
    again.push({ event: reason });
    assert.equal(await again.dump(reason), resumed.eventLoopTrace());
    await resumed.close({ status: "failed" });
  }
  const reasonOf = async (name: string) =>
    JSON.parse((await ws.read(`${first.runDir}/${name}`)).trim().split("\n").at(-1)!).reason;
  assert.equal(await reasonOf("event_loop_trace.1.jsonl"), "unrecoverable_handler_error");
  assert.equal(await reasonOf("event_loop_trace.2.jsonl"), "panic");
  assert.equal(await reasonOf("event_loop_trace.jsonl"), "max_iterations");
});
