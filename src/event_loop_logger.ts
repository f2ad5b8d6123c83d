/**
 * `event_loop.log`: one sequence-numbered line per executed effect, with
 * the sequence continuing across resumes.
 *
 * @module
 */
import type { AppendHandle } from "./append_handle.ts";
import type { RunLogContext } from "./run_log_context.ts";
import type { LoggerOptions } from "./pipeline_logger.ts";
import { buildEventLoopLine } from "./event_loop_line.ts";
import { RunLogError } from "./run_log_error.ts";
import { isoTimestamp, nowFrom } from "./_iso_time.ts";
import { openLogAfter, scanLogTail, TAIL_LIMIT_BYTES } from "./_log_tail.ts";

/** What {@linkcode EventLoopLogger.logEffect} records about one effect. */
export interface EffectRecord {
  /** The pipeline phase. */
  phase: string;
  /** The effect that ran. */
  effect: string;
  /** The primary event it produced. */
  event: string;
  /** Further events, in order. */
  extra?: readonly string[];
  /** Context, as an object or as ordered pairs. Values are written with `String()`. */
  context?:
    | Readonly<Record<string, string | number | boolean>>
    | readonly (readonly [string, string | number | boolean])[];
  /** How long the effect took, in whole milliseconds. */
  durationMs: number;
}

// A line of either implementation starts like this; the rest of a line
// written by the Rust original may not parse strictly (unquoted values).
const SEQUENCED_LINE = /^(\d+) ts=\S/;

/**
 * Writes `event_loop.log` through one open file. On open, the sequence
 * continues after the last complete line, found by reading a bounded tail
 * of the file (at most 1 MiB, whatever its size); a line torn by a crash is
 * skipped and ended, never taken as a reason to start again at 1.
 *
 * @example Logging effects, then resuming
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventLoopLogger, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const first = await EventLoopLogger.open(ctx);
 * await first.logEffect({ phase: "Planning", effect: "InvokePrompt", event: "PromptCompleted", durationMs: 1234 });
 * await first.close();
 *
 * const resumed = await EventLoopLogger.open(ctx);
 * assert.equal(resumed.nextSeq, 2);
 * await resumed.close();
 * ```
 */
export class EventLoopLogger implements AsyncDisposable {
  /** The workspace-relative path of the log. */
  readonly path: string;
  readonly #handle: AppendHandle;
  readonly #clock: (() => Date) | undefined;
  #nextSeq: number;

  private constructor(
    path: string,
    handle: AppendHandle,
    clock: (() => Date) | undefined,
    nextSeq: number,
  ) {
    this.path = path;
    this.#handle = handle;
    this.#clock = clock;
    this.#nextSeq = nextSeq;
  }

  /**
   * Opens the run's `event_loop.log`, continuing its sequence.
   *
   * @param ctx The run.
   * @param options The clock for timestamps.
   * @returns The logger.
   * @throws {RunLogError} `"invalid-log-line"` when the last 1 MiB of a
   * longer file holds no sequence-numbered line.
   */
  static async open(ctx: RunLogContext, options: LoggerOptions = {}): Promise<EventLoopLogger> {
    const path = ctx.eventLoopLog();
    const tail = await scanLogTail(ctx.workspace, path, (line) => SEQUENCED_LINE.test(line));
    if (tail.line === undefined && tail.truncated) {
      throw new RunLogError(
        "invalid-log-line",
        `cannot continue the sequence of '${path}': its last ${TAIL_LIMIT_BYTES} bytes ` +
          "hold no complete sequence-numbered line; move the file aside to start a new sequence",
      );
    }
    const lastSeq = tail.line === undefined ? 0 : Number(SEQUENCED_LINE.exec(tail.line)![1]);
    const handle = await openLogAfter(ctx.workspace, path, tail);
    return new EventLoopLogger(path, handle, options.clock, lastSeq + 1);
  }

  /** The sequence number the next line will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /**
   * Appends one line for an executed effect, in one system call.
   *
   * @param record The effect.
   * @returns The sequence number of the line. A failed write leaves a gap in
   * the numbering rather than a duplicate.
   * @throws {RunLogError} `"invalid-argument"` for a `durationMs` that is not
   * a non-negative integer.
   */
  logEffect(record: EffectRecord): Promise<number> {
    const seq = this.#nextSeq;
    let line: string;
    try {
      line = buildEventLoopLine(
        seq,
        isoTimestamp(nowFrom(this.#clock)),
        record.phase,
        record.effect,
        record.event,
        record.extra,
        record.context,
        record.durationMs,
        true,
      );
      this.#nextSeq = seq + 1;
      this.#handle.writeSync(line);
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(seq);
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
