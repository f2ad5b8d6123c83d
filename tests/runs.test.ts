// Managing runs over time, in memory with simulated processes: leases,
// sessions and status in run.json, listing, latest, pruning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import {
  EventLoopLogger,
  formatRunMetadata,
  latestRun,
  listRuns,
  MemoryHost,
  MemoryWorkspace,
  parseRunMetadata,
  pruneRuns,
  RunLogContext,
  type Workspace,
  WorkspaceError,
} from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";
import { withCommandLease } from "../src/cli/_command_lease.ts";

const RUST = new URL("./fixtures/ralph-rust/", import.meta.url);

/** A workspace seen by two processes of one machine. */
function twoProcesses() {
  const ws = new MemoryWorkspace();
  const other = ws.asProcess(new MemoryHost({ pid: 7, alive: ws.host.alive }));
  return { ws, other, host: ws.host, otherHost: other.host as MemoryHost };
}

test("RunLogContext.resume() refuses a run whose lease another live process holds, naming it", async () => {
  const { ws, other } = twoProcesses();
  const ctx = await RunLogContext.create(ws);
  const error = await throwsRunLog(() => RunLogContext.resume(other, ctx.runId), "lease-held");
  assert.match(error.message, /in use by pid 4242 on host 'memory-host' \(memory\), since \d{4}-/);
  assert.match(error.message, /\{ force: true \}/);
  await ctx.close();
  await (await RunLogContext.resume(other, ctx.runId)).close(); // Released: free again.
});

test("a crashed holder's lease is stale at once on its host, and a reused pid does not count", async () => {
  const { ws, other, host } = twoProcesses();
  const ctx = await RunLogContext.create(ws);
  host.alive.delete(host.pid); // The holder (pid 4242) was killed.
  await RunLogContext.resume(other, ctx.runId); // At once: pid 7 holds it now.
  // Pid 7 dies and a new process gets pid 7: alive, but started later.
  const observer = ws.asProcess(new MemoryHost({ pid: 8, alive: host.alive }));
  (observer.host as MemoryHost).processStart = (pid) => pid === 7 ? "a later start" : undefined;
  await (await RunLogContext.resume(observer, ctx.runId)).close();
});

test("a lease from another host stays live while its heartbeat is fresh, then goes stale", async () => {
  const ws = new MemoryWorkspace();
  const elsewhere = ws.asProcess(new MemoryHost({ pid: 4242, hostname: "other-machine" }));
  const ctx = await RunLogContext.create(ws, { heartbeatMs: 10 });
  await throwsRunLog(() => RunLogContext.resume(elsewhere, ctx.runId), "lease-held");
  await new Promise((resolve) => setTimeout(resolve, 60)); // No tick: the heartbeat stopped.
  const taken = await RunLogContext.resume(elsewhere, ctx.runId);
  await taken.close();
});

test("the heartbeat refreshes the lease, and tells a holder it was taken over", async () => {
  const { ws, other, host } = twoProcesses();
  const ctx = await RunLogContext.create(ws, { heartbeatMs: 200 });
  const log = await EventLoopLogger.open(ctx);
  await log.logEffect({ phase: "P", effect: "E", event: "V", durationMs: 1 });
  const before = (await ws.readDir(ctx.runDir)).find((e) => e.name.startsWith("lease."))!;
  const beforeText = await ws.read(before.path);
  // Ticks come twice a heartbeat; the heartbeat is rewritten once one is due.
  host.tick();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(await ws.read(before.path), beforeText, "rewritten before it was due");
  await new Promise((resolve) => setTimeout(resolve, 160)); // 3/4 of a heartbeat and more
  host.tick();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.notEqual(await ws.read(before.path), beforeText, "the heartbeat did not refresh");
  // Forced: the taker waits one heartbeat of the holder; the holder's tick comes first.
  const forced = RunLogContext.resume(other, ctx.runId, { force: true });
  await new Promise((resolve) => setTimeout(resolve, 5));
  host.tick();
  const taker = await forced;
  await new Promise((resolve) => setTimeout(resolve, 5));
  const lost = await throwsRunLog(
    () => log.logEffect({ phase: "P", effect: "E", event: "V", durationMs: 1 }),
    "lease-lost",
  );
  assert.match(lost.message, /pid 7 on host 'memory-host' .* took it over/);
  await throwsRunLog(() => EventLoopLogger.open(ctx), "lease-lost");
  await taker.close();
});

test("EventLoopLogger.open() refuses a closed context and one attached without the lease", async () => {
  const { ws, other } = twoProcesses();
  const ctx = await RunLogContext.create(ws);
  const attached = await RunLogContext.attach(other, ctx.runId);
  assert.equal(attached.holdsLease, false);
  await throwsRunLog(() => EventLoopLogger.open(attached), "lease-held");
  await ctx.close();
  await throwsRunLog(() => EventLoopLogger.open(ctx), "closed");
});

test("run.json after create, resume, resume and close holds every session and the status", async () => {
  const ws = new MemoryWorkspace("/repo");
  let time = Date.parse("2026-02-06T14:03:27.123Z");
  const clock = () => new Date(time += 1000);
  const ctx = await RunLogContext.create(ws, {
    clock,
    metadata: {
      command: "ralph --dev",
      version: "0.6.3",
      configSummary: { developerAgent: "claude" },
    },
  });
  await ctx.close({ status: "interrupted" });
  await (await RunLogContext.resume(ws, ctx.runId, { clock })).close({ status: "failed" });
  const last = await RunLogContext.resume(ws, ctx.runId, {
    clock,
    metadata: { command: "ralph --resume" },
  });
  await last.close({ status: "succeeded" });

  const text = await ws.read(ctx.runMetadata());
  const metadata = parseRunMetadata(text);
  // The first session's start, the very instant the run id names.
  assert.equal(metadata.startedAtUtc, "2026-02-06T14:03:28.123Z");
  assert.equal(ctx.runId.toString(), "2026-02-06_14-03-28.123Z");
  assert.equal(metadata.command, "ralph --dev");
  assert.equal(metadata.resume, false);
  assert.equal(metadata.status, "succeeded");
  assert.deepEqual(
    metadata.sessions!.map((s) => [s.resume, s.status, s.command, s.pid, s.host]),
    [
      [false, "interrupted", "ralph --dev", 4242, "memory-host"],
      [true, "failed", "runlog-test", 4242, "memory-host"],
      [true, "succeeded", "ralph --resume", 4242, "memory-host"],
    ],
  );
  assert.ok(metadata.sessions!.every((s) => s.endedAtUtc !== undefined));
  // Every key of the Rust format keeps its place and text: the file starts
  // with exactly what the Rust tool would write for these values.
  const { sessions: _, endedAtUtc: __, status: ___, ...rustOnly } = metadata;
  const rustText = formatRunMetadata(rustOnly);
  assert.ok(text.startsWith(rustText.slice(0, -2)), text);
  assert.deepEqual(Object.keys(JSON.parse(text)), [
    "run_id",
    "started_at_utc",
    "command",
    "resume",
    "repo_root",
    "ralph_version",
    "pid",
    "config_summary",
    "sessions",
    "ended_at_utc",
    "status",
  ]);
});

test("resuming a run the Rust tool wrote keeps its run.json byte for byte before the new keys", async () => {
  const fixture = await readFile(new URL("run.json", RUST), "utf8");
  const ws = new MemoryWorkspace();
  const id = JSON.parse(fixture).run_id;
  await ws.createDirAll(`.agent/logs-${id}`);
  await ws.write(`.agent/logs-${id}/run.json`, fixture);
  const ctx = await RunLogContext.resume(ws, id);
  await ctx.close({ status: "succeeded" });
  const text = await ws.read(ctx.runMetadata());
  assert.equal(text.slice(0, fixture.length - 2), fixture.slice(0, -2), "a Rust key changed");
  const metadata = parseRunMetadata(text);
  assert.equal(metadata.sessions!.length, 2);
  assert.equal(metadata.sessions![0].startedAtUtc, "2026-02-06T14:03:27.123456789+00:00");
  assert.equal(metadata.sessions![0].pid, 4294967295);
  // The fixtures themselves read and write back byte for byte.
  for (const name of ["run.json", "run_sparse.json"]) {
    const original = await readFile(new URL(name, RUST), "utf8");
    assert.equal(formatRunMetadata(parseRunMetadata(original)), original, name);
  }
});

test("listRuns() reports every status, pins, sizes, holders and junk, newest first", async () => {
  const { ws, host } = twoProcesses();
  let time = Date.parse("2026-02-06T14:00:00Z");
  const clock = () => new Date(time += 60_000);
  const ids: Record<string, string> = {};
  for (const status of ["succeeded", "failed", "interrupted"] as const) {
    const ctx = await RunLogContext.create(ws, { clock });
    await ctx.close({ status });
    ids[status] = `${ctx.runId}`;
  }
  const crashed = await RunLogContext.create(
    ws.asProcess(new MemoryHost({ pid: 99, alive: host.alive })),
    { clock },
  );
  host.alive.delete(99);
  ids.crashed = `${crashed.runId}`;
  const closedWithout = await RunLogContext.create(ws, { clock });
  await closedWithout.close();
  ids.unknown = `${closedWithout.runId}`;
  const rustId = "2026-02-06_13-00-00.000Z"; // Before the others.
  await ws.write(
    `.agent/logs-${rustId}/run.json`,
    (await readFile(new URL("run_sparse.json", RUST), "utf8")).replace(
      "2026-02-06_14-03-27.123Z",
      rustId,
    ),
  );
  const running = await RunLogContext.create(ws, { clock });
  await ws.write(`${running.runDir}/debug/big.bin`, "x".repeat(1000));
  await ws.write(`${running.runDir}/.keep`, "");
  await ws.write(".agent/checkpoint.json", "{}");
  await ws.createDirAll(".agent/logs-not-an-id");

  const { runs, skipped } = await listRuns(ws, { sizes: true });
  const byId = new Map(runs.map((r) => [r.id, r]));
  assert.equal(byId.get(ids.succeeded)?.status, "succeeded");
  assert.equal(byId.get(ids.failed)?.status, "failed");
  assert.equal(byId.get(ids.interrupted)?.status, "interrupted");
  assert.equal(byId.get(ids.crashed)?.status, "crashed");
  assert.equal(byId.get(ids.unknown)?.status, "unknown");
  assert.equal(byId.get(rustId)?.status, "unknown");
  const live = byId.get(`${running.runId}`)!;
  assert.equal(live.status, "running");
  assert.equal(live.holder?.pid, 4242);
  assert.ok(live.bytes! > 1000, `${live.bytes}`);
  assert.deepEqual(runs.map((r) => r.id), [...runs.map((r) => r.id)].sort().reverse());
  assert.deepEqual(skipped.map((s) => [s.name, s.reason]), [
    ["checkpoint.json", "not a run directory"],
    ["logs-not-an-id", "named like a run, but not after a run id"],
  ]);
  assert.equal((await latestRun(ws))?.id, `${running.runId}`);
  assert.equal((await latestRun(ws, { finished: true }))?.id, ids.unknown);
  assert.equal(await latestRun(new MemoryWorkspace()), undefined);
});

test("pruneRuns() deletes exactly what the policy says over live, pinned, old, large, junk and half-deleted runs", async () => {
  const ws = new MemoryWorkspace();
  const day = 24 * 3600_000;
  const now = Date.now();
  const made: string[] = [];
  for (let i = 9; i >= 0; i--) {
    const ctx = await RunLogContext.create(ws, { clock: () => new Date(now - i * day - 1000) });
    await ws.write(`${ctx.runDir}/debug/blob`, "x".repeat(10_000));
    await ws.write(`${ctx.runDir}/.run.json.0123456789abcdef.tmp`, "{ half");
    if (i !== 0) await ctx.close({ status: "succeeded" });
    made.push(`${ctx.runId}`); // made[9] is the newest and still running.
  }
  await ws.write(`.agent/logs-${made[1]}/.keep`, ""); // 8 days old, pinned.
  await ws.createDirAll(`.agent/.pruning-${made[0]}-abc/agents`); // Left by a killed prune.
  await ws.write(".agent/junk.txt", "junk");

  const dry = await pruneRuns(ws, { olderThan: 5 * day, dryRun: true });
  // made[4] started 5 days and a second ago; made[1] is pinned.
  assert.deepEqual(dry.deleted.map((r) => r.id), [made[4], made[3], made[2], made[0]]);
  assert.equal((await listRuns(ws)).runs.length, 10, "a dry run deleted something");

  const result = await pruneRuns(ws, { keep: 8, olderThan: 5 * day });
  assert.deepEqual(result.deleted.map((r) => r.id), [made[0]]);
  assert.match(result.deleted[0].reason, /^started .*, before /);
  const reasons = new Map(result.kept.map((r) => [r.id, r.reason]));
  assert.match(reasons.get(made[9])!, /^running \(lease held by pid 4242/);
  assert.equal(reasons.get(made[1]), "pinned by a .keep file");
  assert.equal(reasons.get(made[2]), "among the newest 8");
  assert.deepEqual(
    result.cleaned.sort(),
    [
      `.agent/.pruning-${made[0]}-abc`,
      ...made.slice(1, 9).map((id) => `.agent/logs-${id}/.run.json.0123456789abcdef.tmp`),
    ].sort(),
  );
  // The running run's temp file may still be renamed by its writer: kept.
  assert.ok(await ws.exists(`.agent/logs-${made[9]}/.run.json.0123456789abcdef.tmp`));
  assert.ok(await ws.exists(".agent/junk.txt"));

  const bySize = await pruneRuns(ws, { maxTotalBytes: 45_000 });
  const sizes = new Map(bySize.kept.map((r) => [r.id, r.bytes]));
  const total = [...sizes.values()].reduce((a, b) => a! + b!, 0)!;
  assert.ok(total <= 45_000 || bySize.kept.some((r) => r.reason !== "within the policy"));
  assert.ok(bySize.deleted.every((r) => /^over the size budget/.test(r.reason)));
  assert.ok(bySize.deleted.length >= 3, JSON.stringify(bySize.deleted));
  assert.ok(!bySize.deleted.some((r) => r.id === made[9] || r.id === made[1]));

  await throwsRunLog(() => pruneRuns(ws, {}), "invalid-argument");
  await throwsRunLog(() => pruneRuns(ws, { keep: -1 }), "invalid-argument");
  await throwsRunLog(() => pruneRuns(ws, { olderThan: new Date(Number.NaN) }), "invalid-argument");
});

// The same workspace, through a Workspace that has only the required methods.
function withoutBatchCalls(ws: Workspace, answers: Partial<Workspace> = {}): Workspace {
  return new Proxy(ws, {
    get(target, key) {
      if (key in answers) return answers[key as keyof Workspace];
      if (key === "readEach" || key === "existsEach") return undefined;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

test("listRuns() and pruneRuns() answer the same through a Workspace without readEach and existsEach", async () => {
  const { ws, host } = twoProcesses();
  let time = Date.parse("2026-02-06T14:00:00Z");
  const clock = () => new Date(time += 60_000);
  for (let i = 0; i < 12; i++) {
    const ctx = await RunLogContext.create(ws, { clock });
    if (i === 3) await ws.write(ctx.runMetadata(), "{ torn");
    else if (i === 5) {
      await ctx.close({ status: "succeeded" });
      await ws.write(`${ctx.runDir}/.keep`, "");
    } else if (i === 7) {
      await ctx.close({ status: "failed" });
      await ws.remove(ctx.runMetadata());
    } else if (i !== 11) await ctx.close({ status: "succeeded" });
  }
  const crashed = await RunLogContext.create(
    ws.asProcess(new MemoryHost({ pid: 99, alive: host.alive })),
    { clock },
  );
  host.alive.delete(99);
  await ws.createDirAll(`.agent/logs-2026-02-06_13-00-00.000Z/agents`); // a create cut short
  const plain = withoutBatchCalls(ws);
  const listing = await listRuns(ws);
  assert.deepEqual(await listRuns(plain), listing);
  assert.deepEqual(listing.runs.map((run) => run.status), [
    "crashed",
    "running", // 11, still open
    ...Array(6).fill("succeeded"),
    "running", // 3, whose run.json is torn: its lease tells
    ...Array(3).fill("succeeded"),
  ]);
  assert.equal(listing.runs[0].id, `${crashed.runId}`);
  assert.deepEqual(
    listing.runs.filter((run) => run.problem !== undefined).map((run) => run.status),
    ["running"],
  );
  // 7 lost its run.json and has no log: it looks like a create cut short.
  assert.deepEqual(listing.skipped.map((entry) => entry.incomplete !== undefined), [true, true]);
  const options = { keep: 2, dryRun: true } as const;
  const pruned = await pruneRuns(ws, options);
  assert.deepEqual(await pruneRuns(plain, options), pruned);
  assert.deepEqual(pruned.kept.map((run) => run.reason).filter((r) => r.startsWith("pinned")), [
    "pinned by a .keep file",
  ]);
  assert.equal(pruned.deleted.length, 12 - 2 - 1 - 1); // the newest 2, running 3, pinned 5
});

test("pruneRuns() leaves a run alone when it cannot tell whether a .keep file pins it", async () => {
  const ws = new MemoryWorkspace();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const ctx = await RunLogContext.create(ws);
    await ctx.close({ status: "succeeded" });
    ids.push(`${ctx.runId}`);
  }
  const blind = withoutBatchCalls(ws, {
    existsEach: (paths: readonly string[]) =>
      Promise.resolve(
        paths.map((path) =>
          path === `.agent/logs-${ids[0]}/.keep`
            ? new WorkspaceError("permission-denied", "exists", path)
            : false
        ),
      ),
  });
  const result = await pruneRuns(blind, { keep: 0 });
  assert.deepEqual(result.deleted.map((run) => run.id).sort(), ids.slice(1).sort());
  assert.match(
    result.kept.find((run) => run.id === ids[0])?.reason ?? "",
    /^left alone: whether a \.keep file pins it is unknown \(.*permission-denied/,
  );
  assert.ok(await ws.exists(`.agent/logs-${ids[0]}`));
});

test("runlog commands acting for one shell take its lease in turn, and hand it back", async () => {
  // A shell (pid 300) drives the run through short-lived commands acting for it.
  const ws = new MemoryWorkspace();
  const alive = ws.host.alive;
  const shell = new MemoryHost({ pid: 300, alive });
  const creator = await RunLogContext.create(ws.asProcess(shell), { heartbeatMs: 0 });
  const leaseOf = async () => {
    const lease = (await ws.readDir(creator.runDir)).find((e) => e.name.startsWith("lease."))!;
    return JSON.parse(await ws.read(lease.path));
  };
  assert.equal((await leaseOf()).heartbeat_ms, 0);
  // Eight commands at once (pids 400..407), as `runlog event … &` in a loop.
  const seqs = await Promise.all(Array.from({ length: 8 }, (_, i) => {
    const command = ws.asProcess(new MemoryHost({ pid: 400 + i, alive }));
    return withCommandLease(command, creator.runId, 300, "write", async (ctx) => {
      assert.equal(ctx.holdsLease, true);
      const holder = await leaseOf();
      assert.deepEqual([holder.pid, holder.for_pid], [400 + i, 300]);
      const log = await EventLoopLogger.open(ctx);
      try {
        return await log.logEffect({ phase: "P", effect: "E", event: "V", durationMs: i });
      } finally {
        await log.close();
      }
    });
  }));
  assert.deepEqual([...seqs].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
  // Each handed the lease back: the shell holds it again.
  assert.deepEqual([(await leaseOf()).pid, (await leaseOf()).for_pid], [300, undefined]);
  // An attached process only joins; a command for another process is refused.
  const other = await RunLogContext.attach(ws, creator.runId);
  assert.equal(other.holdsLease, false);
  await throwsRunLog(() => RunLogContext.resume(ws, creator.runId), "lease-held");
  const stranger = ws.asProcess(new MemoryHost({ pid: 500, alive }));
  const refused = await throwsRunLog(
    () => withCommandLease(stranger, creator.runId, 500, "close", async () => {}),
    "lease-held",
  );
  assert.match(refused.message, /pass --owner 300/);
  // Closing from a command ends the shell's session, and the run.
  const closer = ws.asProcess(new MemoryHost({ pid: 600, alive }));
  await withCommandLease(closer, creator.runId, 300, "close", async (ctx) => {
    await ctx.close({ status: "succeeded" });
  }, false);
  const metadata = await creator.readRunMetadata();
  assert.deepEqual(metadata.sessions!.map((s) => [s.pid, s.status]), [[300, "succeeded"]]);
  assert.equal((await latestRun(ws))?.status, "succeeded");
  // A later command of the same shell does not reopen the closed run.
  const late = ws.asProcess(new MemoryHost({ pid: 601, alive }));
  await throwsRunLog(
    () => withCommandLease(late, creator.runId, 300, "write", async () => {}),
    "closed",
  );
  // Once the shell has exited, its run is stale at once.
  const second = await RunLogContext.create(ws.asProcess(shell), { heartbeatMs: 0 });
  alive.delete(300);
  await (await RunLogContext.resume(ws, second.runId)).close();
});

test("pruneRuns() with maxTotalBytes keeps the newest runs whose sum fits, to the byte, pinned ones first", async () => {
  const ws = new MemoryWorkspace();
  let time = Date.parse("2026-02-06T14:00:00Z");
  const ids: string[] = [];
  for (const size of [2_000, 3_000, 1_000, 4_000]) { // oldest first
    const ctx = await RunLogContext.create(ws, { clock: () => new Date(time += 60_000) });
    await ws.write(`${ctx.runDir}/debug/blob`, "x".repeat(size));
    await ctx.close({ status: "succeeded" });
    ids.push(ctx.runId.toString());
  }
  const sizes = new Map((await listRuns(ws, { sizes: true })).runs.map((r) => [r.id, r.bytes!]));
  const [oldest, second, third, newest] = ids.map((id) => sizes.get(id)!);
  const plan = async (maxTotalBytes: number) => {
    const result = await pruneRuns(ws, { maxTotalBytes, dryRun: true });
    return result.deleted.map((r) => ids.indexOf(r.id)).sort();
  };
  // Exactly the three newest: they stay; one byte less, the third newest goes, and the oldest.
  assert.deepEqual(await plan(newest + third + second), [0]);
  assert.deepEqual(await plan(newest + third + second - 1), [0, 1]);
  assert.deepEqual(await plan(newest + third + second + oldest), []);
  assert.deepEqual(await plan(newest - 1), [0, 1, 2, 3]);
  // A pinned run stays and counts first, whatever its age: the newest
  // others are kept only while the total with it fits.
  await ws.write(`.agent/logs-${ids[0]}/.keep`, "");
  assert.deepEqual(await plan(oldest + newest + third), [1]);
  assert.deepEqual(await plan(oldest + newest + third - 1), [1, 2]);
  // The real prune deletes what the plan said.
  const done = await pruneRuns(ws, { maxTotalBytes: oldest + newest });
  assert.deepEqual(done.deleted.map((r) => ids.indexOf(r.id)).sort(), [1, 2]);
  assert.deepEqual((await listRuns(ws)).runs.map((r) => ids.indexOf(r.id)), [3, 0]);
});

test("pruneRuns() with maxTotalBytes deletes by age: once over budget, every older run goes", async () => {
  const ws = new MemoryWorkspace();
  const sizes = [1_000, 6_000, 1_000]; // oldest first
  let time = Date.parse("2026-02-06T14:00:00Z");
  const ids: string[] = [];
  for (const size of sizes) {
    const ctx = await RunLogContext.create(ws, { clock: () => new Date(time += 60_000) });
    await ws.write(`${ctx.runDir}/debug/blob`, "x".repeat(size));
    await ctx.close({ status: "succeeded" });
    ids.push(ctx.runId.toString());
  }
  const result = await pruneRuns(ws, { maxTotalBytes: 3_000, dryRun: true });
  // The newest fits; the middle one spends the budget; the oldest, small as it is, goes too.
  assert.deepEqual(result.kept.map((r) => r.id), [ids[2]]);
  assert.deepEqual(result.deleted.map((r) => r.id), [ids[1], ids[0]]);
});
