// Per-line cost of the log writers and resume time on large logs, under the
// runtime that runs this file. Every figure is a ratio to a baseline
// measured in the same run. Prints one JSON object.
//
//   <runtime> bench/log_writers.ts <data dir> [lines]
//
// <data dir> holds .agent/logs-<id>/event_loop.log files made by scripts/bench.ts.
import { appendFileSync, closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { EventLoopLogger, PipelineLogger, RunLogContext, type Workspace } from "../mod.ts";
import { NodeWorkspace } from "../src/adapters/node.ts";

const [dataDir, linesArg] = process.argv.slice(2);
const LINES = Number(linesArg ?? 100_000);
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const encoder = new TextEncoder();

async function workspaceFor(root: string): Promise<Workspace> {
  if (runtime === "deno") return new (await import("../src/adapters/deno.ts")).DenoWorkspace(root);
  if (runtime === "bun") return new (await import("../src/adapters/bun.ts")).BunWorkspace(root);
  return new NodeWorkspace(root);
}

// The raw primitives of this runtime, for the baselines.
interface Raw {
  openAppend(path: string): { write(bytes: Uint8Array): void; close(): void };
  appendFile(path: string, bytes: Uint8Array): void;
}
// `Deno` is only touched when running under Deno.
const raw: Raw = runtime === "deno"
  ? {
    openAppend(path) {
      const file = Deno.openSync(path, { append: true, create: true });
      return { write: (bytes) => file.writeSync(bytes), close: () => file.close() };
    },
    appendFile: (path, bytes) => Deno.writeFileSync(path, bytes, { append: true }),
  }
  : {
    openAppend(path) {
      const fd = openSync(path, "a");
      return { write: (bytes) => writeSync(fd, bytes), close: () => closeSync(fd) };
    },
    appendFile: (path, bytes) => appendFileSync(path, bytes),
  };

const effect = {
  phase: "Development",
  effect: "InvokePrompt",
  event: "PromptCompleted",
  context: { iteration: 3, agent_index: 1 },
  durationMs: 1234,
};
const SAMPLE_TEXT =
  "12345 ts=2026-02-06T14:03:27.123Z phase=Development effect=InvokePrompt event=PromptCompleted ctx=iteration=3,agent_index=1 ms=1234\n";
const SAMPLE_LINE = encoder.encode(SAMPLE_TEXT);

/** Nanoseconds per call of `body`, best of 5 rounds after a warm-up. */
async function perCall(count: number, body: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(5000, count); i++) await body(i);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let i = 0; i < count; i++) await body(i);
    best = Math.min(best, ((performance.now() - start) * 1e6) / count);
  }
  return best;
}

async function perLine() {
  const dir = await mkdtemp(join(tmpdir(), "runlog-bench-"));
  try {
    const floorFile = raw.openAppend(join(dir, "floor.log"));
    const floor = await perCall(LINES, () => floorFile.write(SAMPLE_LINE));
    // The same line as text: what any logger of text must at least do.
    const textFloor = await perCall(LINES, () => floorFile.write(encoder.encode(SAMPLE_TEXT)));
    floorFile.close();
    const original = await perCall(
      Math.min(LINES, 20_000),
      () => raw.appendFile(join(dir, "original.log"), SAMPLE_LINE),
    );
    const ctx = await RunLogContext.create(await workspaceFor(dir));
    const eventLoop = await EventLoopLogger.open(ctx);
    const eventLoopNs = await perCall(LINES, () => eventLoop.logEffect(effect));
    await eventLoop.close();
    const pipeline = await PipelineLogger.open(ctx);
    const pipelineNs = await perCall(
      LINES,
      () => pipeline.info("agent dev_1 finished: 3 files changed"),
    );
    await pipeline.close();
    return {
      floorNs: floor,
      textFloorNs: textFloor,
      originalNs: original,
      eventLoopNs,
      pipelineNs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Rust original's resume: read the whole log, take the last line's number. */
function originalResume(path: string): number {
  const content = readFileSync(path, "utf8");
  const last = content.split("\n").reverse().find((line) => line.trim() !== "");
  return Number(last?.split(/\s+/)[0] ?? 0) + 1;
}

async function resume() {
  const ws = await workspaceFor(dataDir);
  const results: Record<string, unknown>[] = [];
  for (const name of (await readdir(join(dataDir, ".agent"))).sort()) {
    const runId = name.slice("logs-".length);
    const ctx = await RunLogContext.resume(ws, runId);
    const bytes = (await stat(join(dataDir, ctx.eventLoopLog()))).size;
    const times: number[] = [];
    let nextSeq = 0;
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      const log = await EventLoopLogger.open(ctx);
      times.push(performance.now() - start);
      nextSeq = log.nextSeq;
      await log.close();
    }
    times.sort((a, b) => a - b);
    let originalMs: number | string;
    try {
      const start = performance.now();
      const seq = originalResume(join(dataDir, ctx.eventLoopLog()));
      originalMs = performance.now() - start;
      if (seq !== nextSeq) originalMs = `disagrees: ${seq} vs ${nextSeq}`;
    } catch (error) {
      originalMs = `fails: ${(error as Error).message.split("\n")[0]}`;
    }
    results.push({ bytes, nextSeq, resumeMs: times[3], originalMs });
  }
  return results;
}

console.log(
  JSON.stringify({ runtime, lines: LINES, perLine: await perLine(), resume: await resume() }),
);
