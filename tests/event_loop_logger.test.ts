import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type EventLoopEntry,
  EventLoopLogger,
  formatEventLoopLine,
  MemoryWorkspace,
  parseEventLoopLine,
  RunLogContext,
  type Workspace,
} from "../mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";
import { throwsRunLog } from "./_assert.ts";
import { spyWorkspace } from "./_spy.ts";

const FROZEN = new Date("2026-02-06T14:03:27.123Z");
const clock = () => FROZEN;
const effect = {
  phase: "Development",
  effect: "InvokePrompt",
  event: "PromptCompleted",
  durationMs: 7,
};

const entry: EventLoopEntry = {
  seq: 1,
  ts: FROZEN.toISOString(),
  ...effect,
  extra: [],
  context: [],
};

async function newRun(ws: Workspace = new MemoryWorkspace()): Promise<RunLogContext> {
  return await RunLogContext.create(ws, { clock });
}

async function lines(ctx: RunLogContext): Promise<string[]> {
  return (await ctx.workspace.read(ctx.eventLoopLog())).split("\n").filter((l) => l !== "");
}

test("EventLoopLogger.logEffect() numbers lines from 1 in the original's format", async () => {
  const ctx = await newRun();
  const log = await EventLoopLogger.open(ctx, { clock });
  assert.equal(await log.logEffect(effect), 1);
  assert.equal(
    await log.logEffect({
      ...effect,
      effect: "WriteFile",
      event: "FileWritten",
      extra: ["CheckpointSaved"],
      context: { file: "PLAN.md", iteration: 2 },
    }),
    2,
  );
  assert.equal(await log.logEffect({ ...effect, context: [["b", 1], ["a", true]] }), 3);
  await log.close();
  assert.deepEqual(await lines(ctx), [
    "1 ts=2026-02-06T14:03:27.123Z phase=Development effect=InvokePrompt event=PromptCompleted ms=7",
    "2 ts=2026-02-06T14:03:27.123Z phase=Development effect=WriteFile event=FileWritten extra=[CheckpointSaved] ctx=file=PLAN.md,iteration=2 ms=7",
    "3 ts=2026-02-06T14:03:27.123Z phase=Development effect=InvokePrompt event=PromptCompleted ctx=b=1,a=true ms=7",
  ]);
});

test("EventLoopLogger.open() continues the sequence of an earlier process", async () => {
  const ctx = await newRun();
  const first = await EventLoopLogger.open(ctx, { clock });
  for (let i = 0; i < 3; i++) await first.logEffect(effect);
  await first.close();
  const resumed = await EventLoopLogger.open(await RunLogContext.resume(ctx.workspace, ctx.runId), {
    clock,
  });
  assert.equal(resumed.nextSeq, 4);
  assert.equal(await resumed.logEffect(effect), 4);
  await resumed.close();
  assert.deepEqual((await lines(ctx)).map((l) => parseEventLoopLine(l).seq), [1, 2, 3, 4]);
});

test("EventLoopLogger.open() starts at 1 for a missing or empty log", async () => {
  const ctx = await newRun();
  const first = await EventLoopLogger.open(ctx);
  assert.equal(first.nextSeq, 1);
  await first.close();
  await ctx.workspace.write(ctx.eventLoopLog(), "");
  assert.equal((await EventLoopLogger.open(ctx)).nextSeq, 1);
});

test("EventLoopLogger.open() ends a torn last line and never uses its number again", async () => {
  const ctx = await newRun();
  await ctx.workspace.write(
    ctx.eventLoopLog(),
    "1 ts=a phase=P effect=E event=V ms=1\n2 ts=a phase=P effect=E event=V ms=2\n3 ts=a phase=P eff",
  );
  const log = await EventLoopLogger.open(ctx, { clock });
  assert.equal(log.nextSeq, 4);
  await log.logEffect(effect);
  await log.close();
  const all = await lines(ctx);
  assert.equal(all[2], "3 ts=a phase=P eff");
  assert.equal(parseEventLoopLine(all[3]).seq, 4);
  assert.equal(all.length, 4);
});

test("EventLoopLogger.open() skips the number of a line torn inside its digits", async () => {
  for (
    const [torn, next] of [
      ["1", 4], // "12 ts=…" or "1 ts=…" cut after its first digit: 3 is skipped
      ["3", 4],
      ["37 ", 38], // all the digits made it: a gap is kept as it is
      ["3 ts=2026-02-06T14:0", 4],
      ["not a line", 3], // foreign bytes took no number
    ] as const
  ) {
    const ctx = await newRun();
    const body = formatEventLoopLine({ ...entry, seq: 1 }) +
      formatEventLoopLine({ ...entry, seq: 2 }) + torn;
    await ctx.workspace.write(ctx.eventLoopLog(), body);
    const log = await EventLoopLogger.open(ctx);
    assert.equal(log.nextSeq, next, JSON.stringify(torn));
    await log.close();
  }
});

test("EventLoopLogger.open() continues after lines the Rust original wrote with unquoted spaces", async () => {
  const ctx = await newRun();
  await ctx.workspace.write(
    ctx.eventLoopLog(),
    "41 ts=2026-02-06T14:03:27.123456789+00:00 phase=Development effect=Invoke " +
      "event=PromptInput(HandlerError { phase: Development }) ms=3\n",
  );
  assert.equal((await EventLoopLogger.open(ctx)).nextSeq, 42);
});

test("EventLoopLogger.open() reads a bounded tail, whatever the log's size", async () => {
  const line =
    "1 ts=2026-02-06T14:03:27.123Z phase=Development effect=InvokePrompt event=PromptCompleted ms=1\n";
  for (const megabytes of [1, 8, 32]) {
    const { ws, bytesRead } = spyWorkspace(new MemoryWorkspace());
    const ctx = await newRun(ws);
    const count = Math.ceil((megabytes * 1024 * 1024) / line.length);
    const body = line.repeat(count - 1) + line.replace(/^1 /, `${count} `);
    await ws.write(ctx.eventLoopLog(), body);
    const before = bytesRead();
    const log = await EventLoopLogger.open(ctx);
    assert.equal(log.nextSeq, count + 1);
    assert.ok(
      bytesRead() - before <= 64 * 1024,
      `${megabytes} MB log: read ${bytesRead() - before} bytes`,
    );
  }
});

test("EventLoopLogger.open() searches back past a long torn tail, within 1 MiB", async () => {
  const ctx = await newRun();
  const torn = "x".repeat(300 * 1024);
  await ctx.workspace.write(ctx.eventLoopLog(), `5 ts=a phase=P effect=E event=V ms=1\n${torn}`);
  assert.equal((await EventLoopLogger.open(ctx)).nextSeq, 6);
});

test("EventLoopLogger.open() finds the last sequence line behind any amount of other lines", async () => {
  const ctx = await newRun();
  await ctx.workspace.write(
    ctx.eventLoopLog(),
    formatEventLoopLine({ ...entry, seq: 41 }) + "garbage line\n".repeat(200_000),
  );
  const log = await EventLoopLogger.open(ctx);
  assert.equal(log.nextSeq, 42);
  await log.close();
  // A file of foreign lines only has no sequence to continue: start at 1.
  await ctx.workspace.write(ctx.eventLoopLog(), "not an event loop line\n");
  assert.equal((await EventLoopLogger.open(ctx)).nextSeq, 1);
});

test("EventLoopLogger.open() skips a torn tail of any size, ends it, and never reuses its number", async () => {
  const ctx = await newRun();
  const torn = "9 ts=2026".padEnd(10 * 1024 * 1024, "x"); // 10 MB cut without a newline
  await ctx.workspace.write(ctx.eventLoopLog(), formatEventLoopLine({ ...entry, seq: 8 }) + torn);
  const log = await EventLoopLogger.open(ctx);
  assert.equal(log.nextSeq, 10);
  assert.equal(await log.logEffect(effect), 10);
  await log.close();
  const lines = (await ctx.workspace.read(ctx.eventLoopLog())).split("\n");
  assert.deepEqual([lines.length, lines[1].length, lines[2].slice(0, 6)], [
    4,
    torn.length,
    "10 ts=",
  ]);
});

test("EventLoopLogger.logEffect() refuses a line over 1 MiB, so the run stays resumable", async () => {
  const ctx = await newRun();
  const log = await EventLoopLogger.open(ctx);
  assert.equal(await log.logEffect(effect), 1);
  const error = await throwsRunLog(
    () => log.logEffect({ ...effect, context: { payload: "x".repeat(2 * 1024 * 1024) } }),
    "invalid-argument",
  );
  assert.match(error.message, /a log line may have at most 1048576 bytes/);
  assert.equal(await log.logEffect(effect), 2); // The refused line used no number.
  await log.close();
  assert.equal((await EventLoopLogger.open(ctx)).nextSeq, 3);
});

test("EventLoopLogger.open() refuses a last sequence number beyond 2^53, naming the file and line", async () => {
  const ctx = await newRun();
  for (const seq of ["9007199254740993", "12345678901234567890"]) {
    const line = `${seq} ts=2026-02-06T14:03:27.123Z phase=P effect=E event=V ms=1`;
    await ctx.workspace.write(ctx.eventLoopLog(), `${line}\n`);
    const error = await throwsRunLog(() => EventLoopLogger.open(ctx), "invalid-log-line");
    assert.ok(error.message.includes(ctx.eventLoopLog()), error.message);
    assert.ok(error.message.includes(line), error.message);
  }
});

test("EventLoopLogger.logEffect() that fails unawaited is reported by the next call and close()", async () => {
  const ctx = await newRun();
  const log = await EventLoopLogger.open(ctx);
  // Fire and forget, refused: must not become an unhandled rejection.
  void log.logEffect({ ...effect, durationMs: -1 });
  const next = await throwsRunLog(() => log.logEffect(effect), "invalid-argument");
  assert.match(next.message, /earlier call failed and nobody awaited it \(this one succeeded\)/);
  assert.equal(log.nextSeq, 2); // The refused line used no number; the next one was written.
  void log.logEffect({ ...effect, phase: 7 as unknown as string });
  await throwsRunLog(() => log.close(), "invalid-argument");
  assert.equal((await ctx.workspace.read(ctx.eventLoopLog())).split("\n").length, 2);
});

test("EventLoopLogger.logEffect() refuses a fractional duration without using a number", async () => {
  const ctx = await newRun();
  const log = await EventLoopLogger.open(ctx);
  await throwsRunLog(() => log.logEffect({ ...effect, durationMs: 1.5 }), "invalid-argument");
  assert.equal(await log.logEffect(effect), 1);
  await log.close();
});

test("EventLoopLogger resumes on this runtime's real filesystem", async () => {
  const dir = await tempDir();
  try {
    const ws = (await nativeAdapter()).make(dir.path);
    const ctx = await newRun(ws);
    {
      await using log = await EventLoopLogger.open(ctx);
      for (let i = 0; i < 5; i++) await log.logEffect(effect);
    }
    await ws.appendBytes(ctx.eventLoopLog(), new TextEncoder().encode("6 ts=torn"));
    await using resumed = await EventLoopLogger.open(ctx);
    assert.equal(await resumed.logEffect(effect), 7);
    const seqs = (await lines(ctx)).filter((l) => !l.endsWith("torn")).map((l) =>
      parseEventLoopLine(l).seq
    );
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 7]);
  } finally {
    await dir.remove();
  }
});
