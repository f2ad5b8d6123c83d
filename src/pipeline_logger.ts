/**
 * `pipeline.log`: the orchestrator's human log, one entry per message, in
 * one of two formats (see {@linkcode PipelineTimestamps}). Read it with
 * `parsePipelineLine` and `parsePipelineLog`.
 *
 * @module
 */
import type { AppendHandle } from "./append_handle.ts";
import type { RunLogContext } from "./run_log_context.ts";
import { assertLineLength, lineTooLong, openLogAfter, scanLogTail } from "./_log_tail.ts";
import { assertClock, isoSecondBytes, isoTimestamp, nowMs } from "./_iso_time.ts";
import { encodeText, LineBytes } from "./_line_bytes.ts";
import { RunLogError } from "./run_log_error.ts";
import { FailureReport } from "./_failure_report.ts";
import { describeValue } from "./_describe_value.ts";

/**
 * The levels of a pipeline log line.
 *
 * @example A level chosen at run time
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   MemoryWorkspace,
 *   parsePipelineLog,
 *   type PipelineLevel,
 *   PipelineLogger,
 *   RunLogContext,
 * } from "@ralph/runlog";
 *
 * const levelOf = (exitCode: number): PipelineLevel => exitCode === 0 ? "OK" : "ERROR";
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const log = await PipelineLogger.open(ctx);
 * await log.log(levelOf(1), "the agent exited with code 1");
 * await log.close();
 * const [entry] = parsePipelineLog(await ctx.workspace.read(ctx.pipelineLog()));
 * assert.equal(entry.level, "ERROR");
 * ```
 */
export type PipelineLevel = "INFO" | "OK" | "WARN" | "ERROR" | "STEP";

const LEVELS: readonly string[] = ["INFO", "OK", "WARN", "ERROR", "STEP"];

// From plain JavaScript anything may come; a level is written as it is,
// so only the fixed set can stand there (a newline in it would forge a line).
function assertLevel(level: unknown): void {
  if (!LEVELS.includes(level as string)) {
    throw new RunLogError(
      "invalid-argument",
      `invalid pipeline log level ${describeValue(level)}: use one of ${LEVELS.join(", ")}`,
    );
  }
}

function assertMessage(message: unknown): void {
  if (typeof message !== "string") {
    throw new RunLogError(
      "invalid-argument",
      `a pipeline log message must be a string, got ${describeValue(message)}; ` +
        "pass String(value) to log anything else",
    );
  }
}

/**
 * Options of the loggers' `open`.
 *
 * @example Both logs of a run on a frozen clock
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   EventLoopLogger,
 *   type LoggerOptions,
 *   MemoryWorkspace,
 *   PipelineLogger,
 *   RunLogContext,
 * } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const options: LoggerOptions = { clock: () => new Date("2026-02-06T14:03:27.123Z") };
 * const log = await PipelineLogger.open(ctx, options);
 * const events = await EventLoopLogger.open(ctx, options);
 * await log.info("started");
 * await events.logEffect({ phase: "Planning", effect: "Plan", event: "Planned", durationMs: 5 });
 * await log.close();
 * await events.close();
 * const pipeline = await ctx.workspace.read(ctx.pipelineLog());
 * assert.equal(pipeline, "[2026-02-06T14:03:27.123Z] [INFO] started\n");
 * assert.match(await ctx.workspace.read(ctx.eventLoopLog()), /^1 ts=2026-02-06T14:03:27\.123Z /);
 * ```
 */
export interface LoggerOptions {
  /** The source of line timestamps; default `() => new Date()`. */
  clock?: () => Date;
}

/**
 * How a pipeline log line is written.
 *
 * - `"utc"` (the default), runlog's format: one line per message,
 *   `[2026-02-06T14:03:27.123Z] [INFO] message`. The time is UTC to the
 *   millisecond; ANSI escape sequences are removed; a backslash is written
 *   `\\`, `\n` and `\r` stand for line breaks, `\uXXXX` for the other line
 *   breaks (U+0085, U+2028, U+2029) and control characters (C0 but tab, DEL,
 *   C1). The message reads back exactly, ANSI sequences aside.
 * - `"local"`, the Rust tool's format: `[2026-02-06 15:03:27] [INFO] message`
 *   in the process's local time, to the second; a plain message is written
 *   byte for byte as the Rust tool writes it. ANSI escape sequences are
 *   removed (all of them: the Rust tool removes only SGR colours). Each line
 *   break (CRLF, LF, CR, U+0085, U+2028, U+2029) ends the line and starts a
 *   continuation line indented by two spaces, so that none can start with
 *   `[` and pass for an entry; other control characters but tab (C0, DEL)
 *   become their Unicode control pictures (NUL is `␀` U+2400, BEL `␇`, DEL `␡`)
 *   and C1 controls, which have none, U+FFFD `�`. Reading such a log back
 *   gives the messages with those replacements, and continuation lines with
 *   their indent; the time cannot be converted without the writer's zone.
 *
 * @example One multi-line message in both formats, read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPipelineLine, parsePipelineLog, type PipelineTimestamps } from "@ralph/runlog";
 *
 * function roundTrip(timestamps: PipelineTimestamps) {
 *   const line = formatPipelineLine("ERROR", "failed:\ntimeout", new Date(0), { timestamps });
 *   const [entry] = parsePipelineLog(line);
 *   return [entry.dialect, entry.message, entry.time];
 * }
 * assert.deepEqual(roundTrip("utc"), ["runlog", "failed:\ntimeout", new Date(0)]);
 * assert.deepEqual(roundTrip("local"), ["rust", "failed:\n  timeout", undefined]); // no zone
 * ```
 */
export type PipelineTimestamps = "utc" | "local";

/**
 * Options of {@linkcode formatPipelineLine}.
 *
 * @example A line as the Rust tool writes it
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPipelineLine, type PipelineFormatOptions } from "@ralph/runlog";
 *
 * const options: PipelineFormatOptions = { timestamps: "local" };
 * const at = new Date(2026, 1, 6, 15, 3, 27); // local time
 * const line = formatPipelineLine("WARN", "disk 91% full", at, options);
 * assert.equal(line, "[2026-02-06 15:03:27] [WARN] disk 91% full\n");
 * ```
 */
export interface PipelineFormatOptions {
  /** The format: `"utc"` (default) or `"local"`; see {@linkcode PipelineTimestamps}. */
  timestamps?: PipelineTimestamps;
}

/**
 * Options of {@linkcode PipelineLogger.open}: the clock and the format.
 *
 * @example A pipeline log in the Rust tool's format
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   MemoryWorkspace,
 *   PipelineLogger,
 *   type PipelineLoggerOptions,
 *   RunLogContext,
 * } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const options: PipelineLoggerOptions = {
 *   timestamps: "local",
 *   clock: () => new Date(2026, 1, 6, 15, 3, 27), // local time
 * };
 * const log = await PipelineLogger.open(ctx, options);
 * await log.step("Development");
 * await log.close();
 * const text = await ctx.workspace.read(ctx.pipelineLog());
 * assert.equal(text, "[2026-02-06 15:03:27] [STEP] Development\n");
 * ```
 */
export interface PipelineLoggerOptions extends LoggerOptions, PipelineFormatOptions {}

const RESOLVED = Promise.resolve();

/** What starts each continuation line of a multi-line message in the local format. */
const CONTINUATION = "\n  ";

// CSI sequences (colours, cursor moves), OSC sequences (titles, links) and
// two-byte escapes: what a terminal would interpret rather than print.
// deno-lint-ignore no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// What the UTC format escapes: its escape character, line breaks of any
// kind, and control characters other than tab.
// deno-lint-ignore no-control-regex
const ESCAPED = /[\\\n\r\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
// Most messages hold none of these (ESC included): skip the replaces.
// deno-lint-ignore no-control-regex
const ANY_SPECIAL = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Line breaks as readers split lines; CRLF is one.
const LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029]/g;
// Control characters other than tab and LF, once line breaks are replaced.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function escapeControl(char: string): string {
  if (char === "\\") return "\\\\";
  if (char === "\n") return "\\n";
  if (char === "\r") return "\\r";
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function controlPicture(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? "\u2421" : "\ufffd";
}

/**
 * Formats one `pipeline.log` line, ending in `\n`: by default
 * `[<UTC ISO-8601>] [LEVEL] message`, or in the Rust tool's local-time
 * format with `{ timestamps: "local" }`. Either way no message can forge an
 * entry of its own; {@linkcode PipelineTimestamps} says how.
 *
 * @example A message trying to forge a second line, in both formats
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPipelineLine } from "@ralph/runlog";
 *
 * const line = formatPipelineLine("INFO", "done\n[x] [ERROR] fake", new Date(0));
 * assert.equal(line, "[1970-01-01T00:00:00.000Z] [INFO] done\\n[x] [ERROR] fake\n");
 *
 * const local = formatPipelineLine("INFO", "done\n[x] [ERROR] fake", new Date(0), {
 *   timestamps: "local",
 * });
 * assert.match(local, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[INFO\] done\n  \[x\] \[ERROR\] fake\n$/);
 * ```
 *
 * @param level The level.
 * @param message The message.
 * @param at The time of the line.
 * @param options The format.
 * @returns The line (lines, for a multi-line message in the local format), with its newline.
 * @throws {RunLogError} `"invalid-argument"` for an unknown `timestamps`.
 */
export function formatPipelineLine(
  level: PipelineLevel,
  message: string,
  at: Date,
  options: PipelineFormatOptions = {},
): string {
  return lineOf(level, message, at, isLocal(options));
}

function isLocal(options: PipelineFormatOptions): boolean {
  const timestamps = options.timestamps ?? "utc";
  if (timestamps !== "utc" && timestamps !== "local") {
    throw new RunLogError(
      "invalid-argument",
      `unknown pipeline log timestamps ${JSON.stringify(timestamps)}: use "utc" or "local"`,
    );
  }
  return timestamps === "local";
}

function lineOf(level: PipelineLevel, message: string, at: number | Date, local: boolean): string {
  assertLevel(level);
  assertMessage(message);
  return `[${local ? localTimestamp(at) : isoTimestamp(at)}] [${level}] ${
    messageText(message, local)
  }\n`;
}

// The message as a line holds it: ANSI sequences removed, and line breaks
// and control characters escaped (UTC) or made continuation lines (local).
function messageText(message: string, local: boolean): string {
  // Most messages hold none of these (ESC included): skip the replaces.
  if (!ANY_SPECIAL.test(message)) return message;
  const text = message.replace(ANSI, "");
  return local
    ? text.replace(LINE_BREAK, CONTINUATION).replace(CONTROL, controlPicture)
    : text.replace(ESCAPED, escapeControl);
}

// The frame after the timestamp's milliseconds, per level: "Z] [INFO] ".
const LEVEL_FRAMES = new Map(
  LEVELS.map((level) => [level, encodeText(`Z] [${level}] `)]),
);
const OPEN_BRACKET = 0x5b;
const NEWLINE = 0x0a;

// Writes exactly the bytes of `lineOf` for the UTC format, timed by
// `clock`, building no string: the hot path of `PipelineLogger`.
function writeUtcLine(
  out: LineBytes,
  level: PipelineLevel,
  message: string,
  clock: (() => Date) | undefined,
) {
  const frame = LEVEL_FRAMES.get(level);
  if (frame === undefined) assertLevel(level);
  assertMessage(message);
  const ms = nowMs(clock);
  const second = Math.floor(ms / 1000);
  // The frame `[<second>.<ms>Z] [LEVEL] `: kept from the previous line
  // when only the milliseconds differ.
  if (!out.resumeFrame(0, second, frame!)) {
    out.reset();
    out.byte(OPEN_BRACKET);
    out.bytes(isoSecondBytes(second));
    out.padded(0, 3); // The milliseconds are written below.
    out.bytes(frame!);
    out.markFrame(0, second, frame!);
  }
  out.paddedAt(out.length - frame!.length - 3, ms - second * 1000, 3);
  if (!out.plain(message)) out.text(messageText(message, false));
  out.byte(NEWLINE);
}

// The local time of a second, as chrono's `%Y-%m-%d %H:%M:%S` writes it;
// computed once per second, as loggers write many lines in one.
let cachedLocalSecond = Number.NaN;
let cachedLocal = "";

function localTimestamp(time: number | Date): string {
  const second = Math.floor((typeof time === "number" ? time : time.getTime()) / 1000);
  if (second !== cachedLocalSecond) {
    const date = new Date(second * 1000);
    if (Number.isNaN(date.getTime())) {
      throw new RunLogError(
        "invalid-argument",
        `invalid time ${describeValue(time)} for a log line`,
      );
    }
    const two = (n: number) => String(n).padStart(2, "0");
    cachedLocal = `${String(date.getFullYear()).padStart(4, "0")}-${two(date.getMonth() + 1)}-${
      two(date.getDate())
    } ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
    cachedLocalSecond = second;
  }
  return cachedLocal;
}

/**
 * Writes `pipeline.log` through one open file: each call is one
 * `write(2)`, durable against a crash of the process once it resolves.
 * Opening after a crash ends a torn last line first. A line may hold at
 * most 1 MiB. A call that fails and that nobody awaits (fire-and-forget
 * logging) never ends the process: its failure is reported by the next
 * call and by `close()`.
 *
 * Lines are in runlog's UTC format by default, or in the Rust tool's
 * local-time format with `{ timestamps: "local" }` (see
 * {@linkcode PipelineTimestamps}), for a log that people or tools used to
 * the Rust tool's read. What a reader of the Rust format sees: in UTC lines,
 * an ISO-8601 UTC timestamp with milliseconds where it expects local time to
 * the second, and multi-line messages on one line with `\n` escapes; in
 * local lines, exactly its format, continuation lines indented by two
 * spaces. The Rust tool's resume reads only `event_loop.log`, so either
 * format is safe for it.
 *
 * @example Logging a run
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, PipelineLogger, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await using log = await PipelineLogger.open(ctx);
 * await log.info("pipeline started");
 * await log.ok("planning done");
 * assert.ok((await ws.read(ctx.pipelineLog())).includes("] [OK] planning done\n"));
 * ```
 */
export class PipelineLogger {
  /** The workspace-relative path of the log. */
  readonly path: string;
  readonly #handle: AppendHandle;
  readonly #clock: (() => Date) | undefined;
  readonly #local: boolean;
  readonly #failures = new FailureReport();
  readonly #line = new LineBytes();

  private constructor(
    path: string,
    handle: AppendHandle,
    clock: (() => Date) | undefined,
    local: boolean,
  ) {
    this.path = path;
    this.#handle = handle;
    this.#clock = clock;
    this.#local = local;
  }

  /**
   * Opens the run's `pipeline.log` for appending.
   *
   * @param ctx The run.
   * @param options The clock for timestamps, and the format (`"utc"` by default).
   * @returns The logger.
   * @throws {RunLogError} `"invalid-argument"` for an unknown `timestamps`.
   */
  static async open(
    ctx: RunLogContext,
    options: PipelineLoggerOptions = {},
  ): Promise<PipelineLogger> {
    const local = isLocal(options);
    const clock = assertClock(options.clock);
    const path = ctx.pipelineLog();
    const tail = await scanLogTail(ctx.workspace, path, () => true);
    const handle = await openLogAfter(ctx.workspace, path, tail);
    return new PipelineLogger(path, handle, clock, local);
  }

  /** Logs at level INFO. */
  info(message: string): Promise<void> {
    return this.log("INFO", message);
  }

  /** Logs at level OK: something succeeded. */
  ok(message: string): Promise<void> {
    return this.log("OK", message);
  }

  /** Logs at level WARN. */
  warn(message: string): Promise<void> {
    return this.log("WARN", message);
  }

  /** Logs at level ERROR. */
  error(message: string): Promise<void> {
    return this.log("ERROR", message);
  }

  /** Logs at level STEP: a new step of the pipeline begins. */
  step(message: string): Promise<void> {
    return this.log("STEP", message);
  }

  /**
   * Logs one line at any level.
   *
   * @param level The level.
   * @param message The message; ANSI sequences are removed, control characters
   * escaped or replaced (see {@linkcode PipelineTimestamps}).
   */
  log(level: PipelineLevel, message: string): Promise<void> {
    try {
      if (this.#local) {
        const line = lineOf(level, message, nowMs(this.#clock), true);
        assertLineLength(line, this.path, "the line");
        this.#handle.writeSync(line);
      } else {
        const line = this.#line;
        writeUtcLine(line, level, message, this.#clock);
        if (line.overflow) throw lineTooLong(this.path, "the line");
        this.#handle.writeSync(line.view());
      }
    } catch (error) {
      return this.#failures.reject(error);
    }
    return this.#failures.resolve(RESOLVED);
  }

  /**
   * Closes the log. Rejects with the failures of calls that nobody awaited,
   * or with the close's own failure.
   */
  async close(): Promise<void> {
    const unobserved = this.#failures.takeUnobserved();
    await this.#handle.close();
    if (unobserved !== undefined) throw unobserved;
  }

  /** Closes the log. */
  // @ts-ignore: a consumer's lib may lack esnext.disposable (no @types/node); the key is then unknown.
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
