/**
 * `pipeline.log`: the orchestrator's human log, one line per message.
 *
 * @module
 */
import type { AppendHandle } from "./append_handle.ts";
import type { RunLogContext } from "./run_log_context.ts";
import { openLogAfter, scanLogTail } from "./_log_tail.ts";
import { isoTimestamp, nowFrom } from "./_iso_time.ts";

/** The levels of a pipeline log line. */
export type PipelineLevel = "INFO" | "OK" | "WARN" | "ERROR" | "STEP";

/** Options of the loggers' `open`. */
export interface LoggerOptions {
  /** The source of line timestamps; default `() => new Date()`. */
  clock?: () => Date;
}

// CSI sequences (colours, cursor moves), OSC sequences (titles, links) and
// two-byte escapes: what a terminal would interpret rather than print.
// deno-lint-ignore no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// Line breaks of any kind, and control characters other than tab.
// deno-lint-ignore no-control-regex
const UNPRINTABLE = /[\n\r\u0085\u2028\u2029\u0000-\u0008\u000b-\u001f\u007f]/g;

// deno-lint-ignore no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

function escapeControl(char: string): string {
  if (char === "\n") return "\\n";
  if (char === "\r") return "\\r";
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Formats one `pipeline.log` line: `[<UTC ISO-8601>] [LEVEL] message\n`.
 * ANSI escape sequences are removed and line breaks and other control
 * characters escaped (`\n`, `\r`, `\u001b`), so that no message can forge a
 * line of its own.
 *
 * @example A message trying to forge a second line
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPipelineLine } from "@ralph/runlog";
 *
 * const line = formatPipelineLine("INFO", "done\n[x] [ERROR] fake", new Date(0));
 * assert.equal(line, "[1970-01-01T00:00:00.000Z] [INFO] done\\n[x] [ERROR] fake\n");
 * ```
 *
 * @param level The level.
 * @param message The message.
 * @param at The time of the line.
 * @returns The line, with its newline.
 */
export function formatPipelineLine(level: PipelineLevel, message: string, at: Date): string {
  return lineOf(level, message, at);
}

function lineOf(level: PipelineLevel, message: string, at: number | Date): string {
  let text = String(message);
  // Most messages hold no control character at all (ESC included): skip the replaces.
  if (ANY_CONTROL.test(text)) text = text.replace(ANSI, "").replace(UNPRINTABLE, escapeControl);
  return `[${isoTimestamp(at)}] [${level}] ${text}\n`;
}

/**
 * Writes `pipeline.log` through one open file: each call is one
 * `write(2)`, durable against a crash of the process once it resolves.
 * Opening after a crash ends a torn last line first.
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
export class PipelineLogger implements AsyncDisposable {
  /** The workspace-relative path of the log. */
  readonly path: string;
  readonly #handle: AppendHandle;
  readonly #clock: (() => Date) | undefined;

  private constructor(path: string, handle: AppendHandle, clock: (() => Date) | undefined) {
    this.path = path;
    this.#handle = handle;
    this.#clock = clock;
  }

  /**
   * Opens the run's `pipeline.log` for appending.
   *
   * @param ctx The run.
   * @param options The clock for timestamps.
   * @returns The logger.
   */
  static async open(ctx: RunLogContext, options: LoggerOptions = {}): Promise<PipelineLogger> {
    const path = ctx.pipelineLog();
    const tail = await scanLogTail(ctx.workspace, path, () => true);
    const handle = await openLogAfter(ctx.workspace, path, tail);
    return new PipelineLogger(path, handle, options.clock);
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
   * @param message The message; control characters are escaped.
   */
  log(level: PipelineLevel, message: string): Promise<void> {
    return this.#handle.write(lineOf(level, message, nowFrom(this.#clock)));
  }

  /** Closes the log; rejects with the first write error, if any. */
  close(): Promise<void> {
    return this.#handle.close();
  }

  /** Closes the log. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
