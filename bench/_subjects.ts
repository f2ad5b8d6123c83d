// The loggers the benchmark compares, each set up on a file in a fresh
// directory: a floor (raw writes of pre-encoded bytes), runlog's two
// loggers, and the peers a user weighs them against. The same subjects are
// timed (bench/log_writers.ts) and killed with SIGKILL (bench/durability.ts).
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { EventLoopLogger, PipelineLogger, RunLogContext } from "../mod.ts";
import { runtime } from "../tests/_runtime.ts";
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
const RESOLVED = Promise.resolve();

/** The floor plus an `await` of a resolved promise: the baseline of awaited calls. */
export const AWAITED_FLOOR = "floor + await of a resolved promise";

// What every logger writes: about 130 bytes of text per line.
const SAMPLE_TEXT =
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

/** A raw append-only file of this runtime: what the floor writes to. */
interface RawFile {
  write(bytes: Uint8Array): void;
  close(): void;
}

function rawFile(path: string): RawFile {
  if (runtime === "deno") {
    const file = Deno.openSync(path, { append: true, create: true });
    return { write: (bytes) => file.writeSync(bytes), close: () => file.close() };
  }
  const fd = openSync(path, "a");
  return { write: (bytes) => writeSync(fd, bytes), close: () => closeSync(fd) };
}

// The floor: raw writes to a file of its own; `line` makes the timed call.
function floorSubject(
  name: string,
  fileName: string,
  line: (file: RawFile) => () => void,
): SubjectKind {
  return {
    name,
    durable: true,
    open(dir) {
      const path = join(dir, fileName);
      const file = rawFile(path);
      return Promise.resolve({ path, line: line(file), close: () => file.close() });
    },
  };
}

async function runlogContext(dir: string): Promise<RunLogContext> {
  return await RunLogContext.create(await workspaceFor(dir));
}

// runlog's two loggers. A line is written before the call returns, so it is
// as durable when the caller does not await the promise (which only reports).
// Each subject's `line` calls the logger itself, as the peers' do: a shared
// wrapper would add a call that none of them pays.
function runlogSubject<Log extends { path: string; close(): Promise<void> }>(
  name: string,
  open: (ctx: RunLogContext) => Promise<Log>,
  line: (log: Log) => () => unknown,
): SubjectKind {
  return {
    name: `runlog ${name}`,
    durable: true,
    async open(dir) {
      const ctx = await runlogContext(dir);
      const log = await open(ctx);
      return {
        path: join(dir, log.path),
        line: line(log),
        close: async () => {
          await log.close();
          await ctx.close();
        },
      };
    },
  };
}

const openEventLoop = (ctx: RunLogContext) => EventLoopLogger.open(ctx);
const openPipeline = (ctx: RunLogContext) => PipelineLogger.open(ctx);

function runlogSubjects(awaited: boolean): SubjectKind[] {
  return awaited
    ? [
      runlogSubject(
        "EventLoopLogger.logEffect, awaited",
        openEventLoop,
        (log) => () => log.logEffect(effect),
      ),
      runlogSubject(
        "PipelineLogger.info, awaited",
        openPipeline,
        (log) => () => log.info(MESSAGE),
      ),
    ]
    : [
      runlogSubject(
        "EventLoopLogger.logEffect, not awaited",
        openEventLoop,
        (log) => () => void log.logEffect(effect),
      ),
      runlogSubject(
        "PipelineLogger.info, not awaited",
        openPipeline,
        (log) => () => void log.info(MESSAGE),
      ),
    ];
}

// LogTape's configuration is global: one configuration serves both of its
// subjects, each through a category of its own, in the first one's directory.
interface LogtapeSink {
  name: string;
  category: string;
  /** Its file, in the directory of the first LogTape subject opened. */
  file: string;
  maxLines?: number;
}
const LOGTAPE: Record<"sync" | "file", LogtapeSink> = {
  sync: {
    name: "LogTape, text formatter + a writeSync sink",
    category: "bench-sync",
    file: "logtape-sync.log",
  },
  file: {
    name: "LogTape, getFileSink",
    category: "bench-file",
    file: "logtape-file.log",
    maxLines: 5_000,
  },
};

let logtapeDir: string | undefined;
let logtapeUsers = 0;
let closeLogtapeSync: (() => void) | undefined;

async function logtapeFor(dir: string) {
  const logtape = await import("@logtape/logtape");
  logtapeUsers++;
  if (logtapeDir !== undefined) return logtape;
  logtapeDir = dir;
  const { getFileSink } = await import("@logtape/file");
  const file = rawFile(join(dir, LOGTAPE.sync.file));
  closeLogtapeSync = () => file.close();
  const format = logtape.getTextFormatter();
  await logtape.configure({
    reset: true,
    sinks: {
      sync: (record) => file.write(encoder.encode(format(record))),
      file: getFileSink(join(dir, LOGTAPE.file.file)),
    },
    loggers: [
      { category: LOGTAPE.sync.category, sinks: ["sync"], lowestLevel: "info" },
      { category: LOGTAPE.file.category, sinks: ["file"], lowestLevel: "info" },
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

function logtapeSubject({ name, category, file, maxLines }: LogtapeSink): SubjectKind {
  return {
    name,
    durable: true,
    maxLines,
    async open(dir) {
      const logtape = await logtapeFor(dir);
      const logger = logtape.getLogger(category);
      return {
        path: join(logtapeDir!, file),
        line: () => logger.info(`${MESSAGE} {phase} {durationMs}`, effect),
        close: () => logtapeDone(),
      };
    },
  };
}

export const SUBJECTS: SubjectKind[] = [
  floorSubject(
    "floor: write of pre-encoded bytes",
    "floor.log",
    (file) => () => file.write(SAMPLE_LINE),
  ),
  floorSubject(
    "floor + TextEncoder.encode",
    "text-floor.log",
    (file) => () => file.write(encoder.encode(SAMPLE_TEXT)),
  ),
  // What a caller's `await` adds to any call that returns a promise.
  floorSubject(AWAITED_FLOOR, "await-floor.log", (file) => () => {
    file.write(SAMPLE_LINE);
    return RESOLVED;
  }),
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
  logtapeSubject(LOGTAPE.sync),
  logtapeSubject(LOGTAPE.file),
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
