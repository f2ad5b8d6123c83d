// The loggers the benchmark compares, each set up on a file in a fresh
// directory: a floor (raw writes of pre-encoded bytes), runlog's two
// loggers, and the peers a user weighs them against. The same subjects are
// timed (bench/log_writers.ts) and killed with SIGKILL (bench/durability.ts).
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { EventLoopLogger, PipelineLogger, RunLogContext } from "../mod.ts";
import { workspaceFor } from "./_workspace.ts";

/** One logger under test: `line(i)` logs the i-th line; awaited when it returns a promise. */
export interface Subject {
  /** The file its lines land in. */
  path: string;
  line(i: number): unknown;
  close(): Promise<void> | void;
}

export interface SubjectKind {
  name: string;
  /** Whether an awaited call's line is meant to be on disk when it returns. */
  durable: boolean;
  /** Lines to time it with, when it cannot do the full count in reasonable time. */
  maxLines?: number;
  open(dir: string): Promise<Subject>;
}

const encoder = new TextEncoder();
const isDeno = "Deno" in globalThis;

// What every logger writes: about 130 bytes of text per line.
export const SAMPLE_TEXT =
  "12345 ts=2026-02-06T14:03:27.123Z phase=Development effect=InvokePrompt event=PromptCompleted ctx=iteration=3,agent_index=1 ms=1234\n";
const SAMPLE_LINE = encoder.encode(SAMPLE_TEXT);
const MESSAGE = "agent dev_1 finished: 3 files changed, 2 tests added, review next";
const effect = {
  phase: "Development",
  effect: "InvokePrompt",
  event: "PromptCompleted",
  context: { iteration: 3, agent_index: 1 },
  durationMs: 1234,
};

// A raw append-only file of this runtime: what the floor writes to.
function rawFile(path: string): { write(bytes: Uint8Array): void; close(): void } {
  if (isDeno) {
    const file = Deno.openSync(path, { append: true, create: true });
    return { write: (bytes) => file.writeSync(bytes), close: () => file.close() };
  }
  const fd = openSync(path, "a");
  return { write: (bytes) => writeSync(fd, bytes), close: () => closeSync(fd) };
}

async function runlogContext(dir: string): Promise<RunLogContext> {
  return await RunLogContext.create(await workspaceFor(dir));
}

// runlog's two loggers. A line is written before the call returns, so it is
// as durable when the caller does not await the promise (which only reports).
function runlogSubjects(awaited: boolean): SubjectKind[] {
  const how = awaited ? "awaited" : "not awaited";
  const kind = (
    name: string,
    open: (
      ctx: RunLogContext,
    ) => Promise<{ path: string; line(): Promise<unknown>; close(): Promise<void> }>,
  ): SubjectKind => ({
    name: `runlog ${name}, ${how}`,
    durable: true,
    async open(dir) {
      const ctx = await runlogContext(dir);
      const log = await open(ctx);
      return {
        path: join(dir, log.path),
        line: awaited ? () => log.line() : () => void log.line(),
        close: async () => {
          await log.close();
          await ctx.close();
        },
      };
    },
  });
  return [
    kind("EventLoopLogger.logEffect", async (ctx) => {
      const log = await EventLoopLogger.open(ctx);
      return {
        path: ctx.eventLoopLog(),
        line: () => log.logEffect(effect),
        close: () => log.close(),
      };
    }),
    kind("PipelineLogger.info", async (ctx) => {
      const log = await PipelineLogger.open(ctx);
      return { path: ctx.pipelineLog(), line: () => log.info(MESSAGE), close: () => log.close() };
    }),
  ];
}

// LogTape's configuration is global: one configuration serves both of its
// subjects, each through a category of its own, in the first one's directory.
let logtapeDir: string | undefined;
let logtapeUsers = 0;
let closeLogtapeSync: (() => void) | undefined;

async function logtapeFor(dir: string) {
  const logtape = await import("@logtape/logtape");
  logtapeUsers++;
  if (logtapeDir !== undefined) return logtape;
  logtapeDir = dir;
  const { getFileSink } = await import("@logtape/file");
  const file = rawFile(join(dir, "logtape-sync.log"));
  closeLogtapeSync = () => file.close();
  const format = logtape.getTextFormatter();
  await logtape.configure({
    reset: true,
    sinks: {
      sync: (record) => file.write(encoder.encode(format(record))),
      file: getFileSink(join(dir, "logtape-file.log")),
    },
    loggers: [
      { category: "bench-sync", sinks: ["sync"], lowestLevel: "info" },
      { category: "bench-file", sinks: ["file"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  return logtape;
}

async function logtapeDone(): Promise<void> {
  if (--logtapeUsers > 0) return;
  const logtape = await import("@logtape/logtape");
  await logtape.reset();
  closeLogtapeSync?.();
  logtapeDir = undefined;
}

export const SUBJECTS: SubjectKind[] = [
  {
    name: "floor: write of pre-encoded bytes",
    durable: true,
    open(dir) {
      const path = join(dir, "floor.log");
      const file = rawFile(path);
      return Promise.resolve({
        path,
        line: () => file.write(SAMPLE_LINE),
        close: () => file.close(),
      });
    },
  },
  {
    name: "floor + TextEncoder.encode",
    durable: true,
    open(dir) {
      const path = join(dir, "text-floor.log");
      const file = rawFile(path);
      return Promise.resolve({
        path,
        line: () => file.write(encoder.encode(SAMPLE_TEXT)),
        close: () => file.close(),
      });
    },
  },
  ...runlogSubjects(true),
  ...runlogSubjects(false),
  {
    name: "pino, destination({ sync: true })",
    durable: true,
    async open(dir) {
      const { default: pino } = await import("pino");
      const path = join(dir, "pino-sync.log");
      const destination = pino.destination({ dest: path, sync: true });
      const logger = pino(
        { base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
        destination,
      );
      return {
        path,
        line: () => logger.info(effect, MESSAGE),
        close: () => destination.end(),
      };
    },
  },
  {
    name: "pino, destination({ sync: false })",
    durable: false,
    async open(dir) {
      const { default: pino } = await import("pino");
      const path = join(dir, "pino-async.log");
      const destination = pino.destination({ dest: path, sync: false });
      await new Promise((resolve) => destination.once("ready", resolve));
      const logger = pino(
        { base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
        destination,
      );
      return {
        path,
        line: () => logger.info(effect, MESSAGE),
        close: () =>
          new Promise<void>((resolve) => {
            destination.once("close", () => resolve());
            destination.end();
          }),
      };
    },
  },
  {
    name: "LogTape, text formatter + a writeSync sink",
    durable: true,
    async open(dir) {
      const logtape = await logtapeFor(dir);
      const logger = logtape.getLogger("bench-sync");
      return {
        path: join(logtapeDir!, "logtape-sync.log"),
        line: () => logger.info(`${MESSAGE} {phase} {durationMs}`, effect),
        close: () => logtapeDone(),
      };
    },
  },
  {
    name: "LogTape, getFileSink",
    durable: true,
    maxLines: 5_000,
    async open(dir) {
      const logtape = await logtapeFor(dir);
      const logger = logtape.getLogger("bench-file");
      return {
        path: join(logtapeDir!, "logtape-file.log"),
        line: () => logger.info(`${MESSAGE} {phase} {durationMs}`, effect),
        close: () => logtapeDone(),
      };
    },
  },
  {
    name: "winston, File transport",
    durable: false,
    async open(dir) {
      const { default: winston } = await import("winston");
      const path = join(dir, "winston.log");
      const transport = new winston.transports.File({ filename: path });
      const logger = winston.createLogger({
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
        transports: [transport],
      });
      return {
        path,
        line: () => logger.info(MESSAGE, effect),
        close: () =>
          new Promise<void>((resolve) => {
            logger.on("finish", () => resolve());
            logger.end();
          }),
      };
    },
  },
];
