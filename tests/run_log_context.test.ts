import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryWorkspace, RunId, RunLogContext, type RunMetadata, type Workspace } from "../mod.ts";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { nativeAdapter, tempDir } from "./_runtime.ts";
import { rejectsWorkspace, throwsRunLog } from "./_assert.ts";
import { spyWorkspace } from "./_spy.ts";

const FROZEN = new Date("2026-02-06T14:03:27.123Z");
const frozenClock = () => FROZEN;
const BASE = "2026-02-06_14-03-27.123Z";

function metadataFor(ctx: RunLogContext): RunMetadata {
  return {
    runId: ctx.runId.toString(),
    startedAtUtc: "2026-02-06T14:03:27.123Z",
    command: "ralph",
    resume: false,
    repoRoot: "/tmp/test",
    ralphVersion: "0.6.3",
    pid: 12345,
  };
}

async function assertLayout(ws: Workspace, ctx: RunLogContext): Promise<void> {
  for (const dir of ["agents", "provider", "debug"]) {
    assert.equal(await ws.isDir(`${ctx.runDir}/${dir}`), true, `${ctx.runDir}/${dir}`);
  }
}

test("RunLogContext.create() claims .agent/logs-<id> with agents/, provider/ and debug/", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws, { clock: frozenClock });
  assert.equal(ctx.runId.toString(), BASE);
  assert.equal(ctx.runDir, `.agent/logs-${BASE}`);
  assert.equal(ctx.workspace, ws);
  await assertLayout(ws, ctx);
});

test("RunLogContext.create() claims with the exclusive createDir, never exists-then-create", async () => {
  const { ws, calls } = spyWorkspace(new MemoryWorkspace());
  await RunLogContext.create(ws, { clock: frozenClock });
  assert.equal(calls.filter((c) => c.startsWith("exists")).length, 0);
  // The run directory is tried first; .agent is made only because it was missing.
  assert.deepEqual(calls.slice(0, 3), [
    `createDir(.agent/logs-${BASE})`,
    "createDirAll(.agent)",
    `createDir(.agent/logs-${BASE})`,
  ]);
  calls.length = 0;
  await RunLogContext.create(ws, { clock: () => new Date(FROZEN.getTime() + 1) });
  assert.deepEqual(calls.filter((c) => c.startsWith("createDir")), [
    "createDir(.agent/logs-2026-02-06_14-03-27.124Z)",
    ...["agents", "provider", "debug"].map((d) =>
      `createDirAll(.agent/logs-2026-02-06_14-03-27.124Z/${d})`
    ),
  ]);
});

test("RunLogContext.create() skips taken ids to the first free collision counter", async () => {
  const ws = new MemoryWorkspace();
  await ws.createDirAll(`.agent/logs-${BASE}/agents`);
  for (let i = 1; i <= 5; i++) {
    await ws.createDirAll(`.agent/logs-${BASE}-0${i}/agents`);
  }
  const ctx = await RunLogContext.create(ws, { baseRunId: RunId.parse(BASE) });
  assert.equal(ctx.runId.toString(), `${BASE}-06`);
  assert.equal(ctx.runDir, `.agent/logs-${BASE}-06`);
  await assertLayout(ws, ctx);
});

test("RunLogContext.create() treats a bare directory left by a crash as taken", async () => {
  const ws = new MemoryWorkspace();
  await ws.createDirAll(`.agent/logs-${BASE}`);
  const ctx = await RunLogContext.create(ws, { clock: frozenClock });
  assert.equal(ctx.runId.toString(), `${BASE}-01`);
  assert.deepEqual(await ws.readDir(`.agent/logs-${BASE}`), []);
});

test("RunLogContext.create() gives concurrent calls in one process distinct runs", async () => {
  const ws = new MemoryWorkspace();
  const runs = await Promise.all(
    Array.from({ length: 40 }, () => RunLogContext.create(ws, { clock: frozenClock })),
  );
  const ids = new Set(runs.map((r) => r.runId.toString()));
  assert.equal(ids.size, 40);
  assert.equal((await ws.readDir(".agent")).length, 40);
});

test("RunLogContext.create() moves to a fresh timestamp once all 99 counters are taken", async () => {
  const ws = new MemoryWorkspace();
  let now = FROZEN.getTime();
  const clock = () => new Date(now);
  for (let i = 0; i <= 99; i++) {
    await RunLogContext.create(ws, { clock });
  }
  now += 1;
  const ctx = await RunLogContext.create(ws, { clock, baseRunId: BASE });
  assert.equal(ctx.runId.toString(), "2026-02-06_14-03-27.124Z");
  await assertLayout(ws, ctx);
});

test("RunLogContext.create() waits for a slow clock to leave an exhausted millisecond", async () => {
  const ws = new MemoryWorkspace();
  for (let i = 0; i <= 99; i++) await RunLogContext.create(ws, { clock: frozenClock });
  let calls = 0;
  // Frozen for the first few readings after exhaustion, then it moves.
  const clock = () => new Date(FROZEN.getTime() + (++calls > 5 ? 1 : 0));
  const ctx = await RunLogContext.create(ws, { clock });
  assert.equal(ctx.runId.toString(), "2026-02-06_14-03-27.124Z");
  assert.ok(calls > 5);
});

test("RunLogContext.create() fails clearly when the injected clock never moves", async () => {
  const ws = new MemoryWorkspace();
  for (let i = 0; i <= 99; i++) await RunLogContext.create(ws, { clock: frozenClock });
  const error = await throwsRunLog(
    () => RunLogContext.create(ws, { clock: frozenClock }),
    "collisions-exhausted",
  );
  assert.match(error.message, new RegExp(`\\.agent/logs-${BASE.replaceAll(".", "\\.")}`));
  assert.match(error.message, /clock/);
  assert.equal((await ws.readDir(".agent")).length, 100);
});

test("RunLogContext.create() and resume() refuse a clock returning anything but a valid Date, naming it", async () => {
  const readings: [unknown, RegExp][] = [
    [123, /the clock returned number 123; a clock must return a valid Date/],
    ["2026-02-06T14:03:27.123Z", /the clock returned the string "2026-02-06T14:03:27\.123Z"/],
    [new Date(Number.NaN), /the clock returned an object \(\[object Date\]\)/],
    [null, /the clock returned null/],
    [undefined, /the clock returned undefined undefined/],
  ];
  const ws = new MemoryWorkspace();
  const first = await RunLogContext.create(ws, { clock: frozenClock });
  await first.close();
  for (const [reading, message] of readings) {
    const clock = () => reading as Date;
    const created = await throwsRunLog(
      () => RunLogContext.create(ws, { clock }),
      "invalid-argument",
    );
    assert.match(created.message, message);
    const resumed = await throwsRunLog(
      () => RunLogContext.resume(ws, first.runId, { clock }),
      "invalid-argument",
    );
    assert.match(resumed.message, message);
  }
  // Nothing half-made, and the refused resumes released the run.
  assert.deepEqual((await ws.readDir(".agent")).map((e) => e.name), [`logs-${BASE}`]);
  const again = await RunLogContext.resume(ws, first.runId, { clock: frozenClock });
  await again.close();
});

test("RunLogContext.create() refuses an invalid baseRunId before touching the workspace", async () => {
  const { ws, calls } = spyWorkspace(new MemoryWorkspace());
  await throwsRunLog(() => RunLogContext.create(ws, { baseRunId: "../../etc" }), "invalid-run-id");
  assert.deepEqual(calls, []);
});

test("RunLogContext.create() reports a file standing where .agent should be", async () => {
  const ws = new MemoryWorkspace();
  await ws.write(".agent", "not a directory");
  const error = await rejectsWorkspace(RunLogContext.create(ws), "not-a-directory");
  assert.match(error.message, /'\.agent' is a regular file, not a directory; move it away/);
  assert.equal(await ws.read(".agent"), "not a directory");
});

test("RunLogContext.create() moves on past anything standing at a candidate name", async () => {
  const ws = new MemoryWorkspace();
  await ws.createDirAll(".agent");
  await ws.write(`.agent/logs-${BASE}`, "a stray file");
  ws.driver.symlink("/nowhere", `${ws.root}/.agent/logs-${BASE}-01`); // dangling
  ws.driver.mkspecial(`${ws.root}/.agent/logs-${BASE}-02`, "fifo");
  const ctx = await RunLogContext.create(ws, { clock: frozenClock });
  assert.equal(ctx.runId.toString(), `${BASE}-03`);
  assert.equal(await ws.read(`.agent/logs-${BASE}`), "a stray file");
});

test("RunLogContext.resume() of a missing run fails with not-found, naming the id and the directory", async () => {
  const ws = new MemoryWorkspace();
  const error = await throwsRunLog(() => RunLogContext.resume(ws, BASE), "not-found");
  assert.ok(error.message.includes(`'${BASE}'`), error.message);
  assert.ok(error.message.includes(`'.agent/logs-${BASE}'`), error.message);
  assert.match(error.message, /\{ create: true \}/);
  assert.equal(await ws.exists(".agent"), false);
});

test("RunLogContext.resume() with { create: true } recreates a deleted run directory, recorded", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.resume(ws, BASE, { create: true, clock: frozenClock });
  assert.equal(ctx.runId.toString(), BASE);
  assert.equal(ctx.runDir, `.agent/logs-${BASE}`);
  await assertLayout(ws, ctx);
  const metadata = await ctx.readRunMetadata();
  assert.equal(metadata.resume, true);
  assert.deepEqual(metadata.sessions?.map((s) => [s.resume, s.recreated]), [[true, true]]);
});

test("RunLogContext.resume() recreates missing parts of the layout and keeps existing logs", async () => {
  const ws = new MemoryWorkspace();
  const first = await RunLogContext.create(ws, { clock: frozenClock });
  await ws.write(first.pipelineLog(), "line 1\n");
  await ws.write(first.agentLog("dev", 1), "agent output\n");
  await ws.removeDirAll(`${first.runDir}/provider`);
  await ws.removeDirAll(`${first.runDir}/debug`);
  await first.close();
  const resumed = await RunLogContext.resume(ws, first.runId);
  assert.equal(resumed.runDir, first.runDir);
  await assertLayout(ws, resumed);
  assert.equal(await ws.read(resumed.pipelineLog()), "line 1\n");
  assert.equal(await ws.read(resumed.agentLog("dev", 1)), "agent output\n");
});

test("RunLogContext.resume() refuses a tampered checkpoint id before any filesystem call", async () => {
  for (
    const bad of ["x/../../etc", "../../../tmp/evil", "/etc", `${BASE}/../../x`, "", `${BASE}\0`]
  ) {
    const { ws, calls } = spyWorkspace(new MemoryWorkspace());
    const error = await throwsRunLog(() => RunLogContext.resume(ws, bad), "invalid-run-id");
    assert.ok(error.message.includes(JSON.stringify(bad)));
    assert.deepEqual(calls, [], `filesystem touched for ${JSON.stringify(bad)}`);
  }
});

test("RunLogContext path methods return the Rust layout", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace(), { baseRunId: BASE });
  const dir = `.agent/logs-${BASE}`;
  assert.equal(ctx.pipelineLog(), `${dir}/pipeline.log`);
  assert.equal(ctx.eventLoopLog(), `${dir}/event_loop.log`);
  assert.equal(ctx.eventLoopTrace(), `${dir}/event_loop_trace.jsonl`);
  assert.equal(ctx.runMetadata(), `${dir}/run.json`);
  assert.equal(ctx.agentLog("planning", 1), `${dir}/agents/planning_1.log`);
  assert.equal(ctx.agentLog("dev", 2, 3), `${dir}/agents/dev_2_a3.log`);
  assert.equal(ctx.agentLog("dev", 0, 0), `${dir}/agents/dev_0_a0.log`);
  assert.equal(ctx.providerLog("claude-stream.jsonl"), `${dir}/provider/claude-stream.jsonl`);
});

test("RunLogContext.agentLog() refuses phases and numbers that would leave agents/", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace(), { baseRunId: BASE });
  for (
    const phase of [
      "",
      ".",
      "..",
      "../x",
      "a/b",
      "a\\b",
      "x\0",
      "dev\n",
      "a:b",
      "dev.",
      "x".repeat(235), // With "_4294967295_a9999.log", over 255 bytes.
      "é".repeat(150), // 150 characters, 300 bytes.
    ]
  ) {
    const error = await throwsRunLog(() => ctx.agentLog(phase, 1), "invalid-name");
    assert.match(error.message, /phase/);
  }
  for (
    const [index, attempt] of [[-1, undefined], [1.5, undefined], [2 ** 32, undefined], [1, -1], [
      1,
      Number.NaN,
    ]]
  ) {
    await throwsRunLog(() => ctx.agentLog("dev", index as number, attempt), "invalid-name");
  }
});

test("RunLogContext.providerLog() refuses names that would leave provider/", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace(), { baseRunId: BASE });
  for (
    const name of ["", "..", "../run.json", "sub/file", "C:\\x", "a\u001b[31m", "p".repeat(250)]
  ) {
    await throwsRunLog(() => ctx.providerLog(name), "invalid-name");
  }
  // The longest name that still leaves room for "_a9999" works every time.
  const longest = "p".repeat(249);
  for (let i = 0; i < 3; i++) await (await ctx.openProviderLog(longest)).writer.close();
  assert.deepEqual(
    (await ctx.workspace.readDir(`${ctx.runDir}/provider`)).map((e) => e.name).sort(),
    [longest, `${longest}_a1`, `${longest}_a2`].sort(),
  );
});

test("RunLogContext.writeRunMetadata() writes atomically and readRunMetadata() reads it back", async () => {
  const { ws, calls } = spyWorkspace(new MemoryWorkspace());
  const ctx = await RunLogContext.create(ws, { clock: frozenClock });
  const metadata = metadataFor(ctx);
  await ctx.writeRunMetadata(metadata);
  assert.ok(calls.includes(`writeAtomic(${ctx.runMetadata()})`), calls.join("\n"));
  assert.deepEqual(await ctx.readRunMetadata(), metadata);
  assert.equal(JSON.parse(await ws.read(ctx.runMetadata())).run_id, BASE);
});

test("RunLogContext.readRunMetadata() keeps unknown keys through a rewrite", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws, { clock: frozenClock });
  const text = (await (async () => {
    await ctx.writeRunMetadata(metadataFor(ctx));
    return ws.read(ctx.runMetadata());
  })()).replace('"pid": 12345', '"pid": 12345,\n  "written_by": "ralph 0.7"');
  await ws.write(ctx.runMetadata(), text);
  const read = await ctx.readRunMetadata();
  await ctx.writeRunMetadata({ ...read, resume: true });
  const final = JSON.parse(await ws.read(ctx.runMetadata()));
  assert.equal(final.written_by, "ralph 0.7");
  assert.equal(final.resume, true);
});

test("RunLogContext.readRunMetadata() names the file when it is missing or invalid", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws, { clock: frozenClock });
  await ws.remove(ctx.runMetadata());
  const missing = await rejectsWorkspace(ctx.readRunMetadata(), "not-found");
  assert.equal(missing.path, ctx.runMetadata());
  await ws.write(ctx.runMetadata(), '{"run_id": 5}');
  const invalid = await throwsRunLog(() => ctx.readRunMetadata(), "invalid-metadata");
  assert.ok(invalid.message.includes(ctx.runMetadata()));
  assert.match(invalid.message, /"run_id" must be a string/);
});

test("RunLogContext works end to end on this runtime's real filesystem", async () => {
  const dir = await tempDir();
  try {
    const ws = (await nativeAdapter()).make(dir.path);
    const ctx = await RunLogContext.create(ws, { clock: frozenClock });
    const second = await RunLogContext.create(ws, { clock: frozenClock });
    assert.equal(second.runId.toString(), `${BASE}-01`);
    await ctx.writeRunMetadata(metadataFor(ctx));
    await ws.appendBytes(ctx.pipelineLog(), new TextEncoder().encode("hello\n"));
    await ws.removeDirAll(`${ctx.runDir}/agents`);
    await ctx.close({ status: "failed" });
    const resumed = await RunLogContext.resume(ws, ctx.runId.toString(), { clock: frozenClock });
    await assertLayout(ws, resumed);
    const { sessions, ...rest } = await resumed.readRunMetadata();
    // The first session is what the caller wrote; resuming only appended one.
    assert.deepEqual(rest, metadataFor(ctx));
    assert.deepEqual(sessions?.map((s) => [s.resume, s.pid, s.startedAtUtc]), [
      [false, 12345, "2026-02-06T14:03:27.123Z"],
      [true, ws.host!.pid, "2026-02-06T14:03:27.123Z"],
    ]);
    assert.equal(await ws.read(resumed.pipelineLog()), "hello\n");
    assert.deepEqual(
      (await ws.readDir(ctx.runDir)).map((e) => e.name),
      ["agents", "debug", "lease.2.json", "pipeline.log", "provider", "run.json"],
    );
    await resumed.close();
    await second.close();
    // Private by default: the run directory 0700, every file 0600.
    const modes = async (path: string): Promise<string[]> => {
      const out: string[] = [];
      for (const entry of await readdir(join(dir.path, path), { withFileTypes: true })) {
        const p = `${path}/${entry.name}`;
        out.push(`${p} ${((await stat(join(dir.path, p))).mode & 0o777).toString(8)}`);
        if (entry.isDirectory()) out.push(...await modes(p));
      }
      return out;
    };
    const umask = process.umask();
    for (
      const line of [
        `.agent ${((await stat(join(dir.path, ".agent"))).mode & 0o777).toString(8)}`,
        ...await modes(".agent"),
      ]
    ) {
      const isDir = !/\.(json|log)$/.test(line.split(" ")[0]);
      assert.equal(line.split(" ")[1], ((isDir ? 0o700 : 0o600) & ~umask).toString(8), line);
    }
  } finally {
    await dir.remove();
  }
});
