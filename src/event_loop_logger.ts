/**
 * `event_loop.log`: one sequence-numbered line per executed effect, with
 * the sequence continuing across resumes.
 *
 * @module
 */
import type { AppendHandle } from "./append_handle.ts";
import type { RunLogContext } from "./run_log_context.ts";
import type { LoggerOptions } from "./pipeline_logger.ts";
import { writeEventLoopLine } from "./_event_loop_line_writer.ts";
import { LineBytes } from "./_line_bytes.ts";
import { RunLogError } from "./run_log_error.ts";
import { assertClock } from "./_iso_time.ts";
import { lineTooLong, openLogAfter, scanLogTail } from "./_log_tail.ts";
import { FailureReport } from "./_failure_report.ts";
import { invalidArgument } from "./_invalid_argument.ts";

/**
 * What {@linkcode EventLoopLogger.logEffect} records about one effect.
 *
 * @example An effect with further events and context, read back
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   type EffectRecord,
 *   EventLoopLogger,
 *   MemoryWorkspace,
 *   parseEventLoopLine,
 *   RunLogContext,
 * } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const log = await EventLoopLogger.open(ctx);
 * const record: EffectRecord = {
 *   phase: "Development",
 *   effect: "InvokeAgent",
 *   event: "AgentCompleted",
 *   extra: ["CheckpointSaved"],
 *   context: { iteration: 2, agent: "claude" },
 *   durationMs: 5120,
 * };
 * await log.logEffect(record);
 * await log.close();
 * const entry = parseEventLoopLine(await ctx.workspace.read(ctx.eventLoopLog()));
 * assert.deepEqual(entry.context, [["iteration", "2"], ["agent", "claude"]]);
 * assert.deepEqual([entry.seq, entry.extra, entry.durationMs], [1, ["CheckpointSaved"], 5120]);
 * ```
 */
export interface EffectRecord {
  /** The pipeline phase. */
  phase: string;
  /** The effect that ran. */
  effect: string;
  /** The primary event it produced. */
  event: string;
  /** Further events, in order; any value works, written as text. */
  extra?: readonly unknown[];
  /**
   * Context, as an object or as ordered pairs. Values are written as text;
   * any value works (objects as JSON).
   */
  context?:
    | Readonly<Record<string, unknown>>
    | readonly (readonly [string, unknown])[];
  /** How long the effect took, in whole milliseconds. */
  durationMs: number;
}

// A line of either implementation starts like this; the rest of a line
// written by the Rust original may not parse strictly (unquoted values).
const SEQUENCED_LINE = /^(\d+) ts=\S/;
// The start of a torn line of either implementation: its sequence number,
// then a space when all its digits made it to the disk.
const TORN_SEQ = /^(\d+)( |$)/;

// The event loop logs open in this process, by workspace: one writer per
// run, or two would number their lines alike.
const openLogs = new WeakMap<object, Set<string>>();

function refuse(what: string, value: unknown, expected: string): never {
  throw invalidArgument("invalid effect record", what, value, expected);
}

// From plain JavaScript anything may come: check what the types promise.
function assertRecord(record: EffectRecord): void {
  if (typeof record !== "object" || record === null) refuse("the record", record, "an object");
  if (typeof record.phase !== "string") refuse("phase", record.phase, "a string");
  if (typeof record.effect !== "string") refuse("effect", record.effect, "a string");
  if (typeof record.event !== "string") refuse("event", record.event, "a string");
  if (record.extra !== undefined && !Array.isArray(record.extra)) {
    refuse("extra", record.extra, "an array");
  }
  const context = record.context;
  if (context === undefined) return;
  if (typeof context !== "object" || context === null) {
    refuse("context", context, "an object or an array of [key, value] pairs");
  }
  if (Array.isArray(context)) {
    for (const pair of context) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
        refuse("each context pair", pair, "a [string, value] pair");
      }
    }
  }
}

/**
 * Writes `event_loop.log` through one open file. On open, the sequence
 * continues after the last complete line, found by reading the file
 * backwards from its end (usually one 64 KiB read, whatever its size); a
 * line torn by a crash is skipped and ended, never taken as a reason to
 * start again at 1. A line may hold at most 1 MiB, so that it can always be
 * found again.
 *
 * A failed write never reuses its sequence number, and a failed
 * `logEffect` that nobody awaits never ends the process: the failure is
 * reported by the next `logEffect` and by `close()`.
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
export class EventLoopLogger {
  /** The workspace-relative path of the log. */
  readonly path: string;
  readonly #handle: AppendHandle;
  readonly #clock: (() => Date) | undefined;
  readonly #ctx: RunLogContext;
  readonly #failures = new FailureReport();
  readonly #line = new LineBytes();
  #nextSeq: number;
  // Lines waiting for the lease to be confirmed, in call order.
  #queue: Promise<unknown> | undefined;
  #closed = false;

  private constructor(
    ctx: RunLogContext,
    handle: AppendHandle,
    clock: (() => Date) | undefined,
    nextSeq: number,
  ) {
    this.#ctx = ctx;
    this.path = ctx.eventLoopLog();
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
   * @throws {RunLogError} `"invalid-log-line"` when the last line's sequence
   * number is not a safe integer (the file was not written by runlog);
   * `"closed"` or `"lease-lost"` when the context no longer holds the run.
   */
  static async open(ctx: RunLogContext, options: LoggerOptions = {}): Promise<EventLoopLogger> {
    ctx.assertActive();
    const clock = assertClock(options?.clock);
    const path = ctx.eventLoopLog();
    let open = openLogs.get(ctx.workspace);
    if (open === undefined) openLogs.set(ctx.workspace, open = new Set());
    if (open.has(path)) {
      throw new RunLogError(
        "already-open",
        `the event loop log of run '${ctx.runId}' is already open in this process: two ` +
          "loggers would number their lines alike; use the logger you opened, or close it first",
      );
    }
    open.add(path);
    try {
      return await EventLoopLogger.#open(ctx, path, clock);
    } catch (error) {
      open.delete(path);
      throw error;
    }
  }

  static async #open(
    ctx: RunLogContext,
    path: string,
    clock: (() => Date) | undefined,
  ): Promise<EventLoopLogger> {
    const tail = await scanLogTail(ctx.workspace, path, (line) => SEQUENCED_LINE.test(line));
    let lastSeq = 0;
    if (tail.line !== undefined) {
      const digits = SEQUENCED_LINE.exec(tail.line)![1];
      lastSeq = Number(digits);
      if (!Number.isSafeInteger(lastSeq + 1)) {
        const shown = tail.line.length > 120 ? `${tail.line.slice(0, 120)}…` : tail.line;
        throw new RunLogError(
          "invalid-log-line",
          `cannot continue the sequence of '${path}': its last line starts with the sequence ` +
            `number ${
              digits.slice(0, 30)
            }, beyond the largest safe integer (2^53-1), so the file ` +
            `was not written by runlog; move it aside to start a new sequence (line: ${
              JSON.stringify(shown)
            })`,
        );
      }
    }
    // A torn last line that starts with digits took the next number, maybe
    // without all its digits: it is never used again.
    const torn = tail.torn ? TORN_SEQ.exec(tail.tornStart ?? "") : null;
    if (torn !== null) {
      const digits = torn[1];
      const complete = torn[0].length > digits.length && digits.length <= 15;
      lastSeq = Math.max(lastSeq + 1, complete ? Number(digits) : 0);
    }
    const handle = await openLogAfter(ctx.workspace, path, tail);
    return new EventLoopLogger(ctx, handle, clock, lastSeq + 1);
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
   * @throws {RunLogError} `"invalid-argument"` for a record that does not
   * have the documented shape, a `durationMs` that is not a non-negative
   * integer, or a line over 1 MiB (nothing is written then).
   */
  logEffect(record: EffectRecord): Promise<number> {
    if (this.#queue !== undefined) return this.#logConfirmed(record);
    const seq = this.#nextSeq;
    try {
      // Past the fence (the process was stopped or blocked): the lease is
      // confirmed before this line and those after it are written.
      if (this.#build(record, seq) > this.#ctx.writableUntil) return this.#logConfirmed(record);
      this.#nextSeq = seq + 1;
      this.#handle.writeSync(this.#line.view());
    } catch (error) {
      return this.#failures.reject(error);
    }
    return this.#failures.resolve(Promise.resolve(seq));
  }

  // Builds line `seq` as the lease holder; returns the time it was built
  // at, by the system clock (read once for the line and the fence alike).
  // Throws what logEffect rejects with.
  #build(record: EffectRecord, seq: number): number {
    // Only the lease holder numbers lines: a run taken over stops here.
    this.#ctx.assertActive();
    assertRecord(record);
    const line = this.#line;
    const ms = writeEventLoopLine(
      line,
      seq,
      this.#clock,
      record.phase,
      record.effect,
      record.event,
      record.extra,
      record.context,
      record.durationMs,
    );
    if (line.overflow) {
      throw lineTooLong(this.path, `the line of effect ${JSON.stringify(record.effect)}`);
    }
    return this.#clock === undefined ? ms : Date.now();
  }

  // The line's number is taken now, so that lines keep the order of the
  // calls; it is written once the lease is confirmed, after those queued.
  #logConfirmed(record: EffectRecord): Promise<number> {
    const seq = this.#nextSeq++;
    const ready = this.#queue ?? this.#ctx.confirmLease();
    const written = ready.then(() => {
      this.#build(record, seq); // Confirmed just now: written whatever the fence.
      this.#handle.writeSync(this.#line.view());
      return seq;
    });
    const settled: Promise<unknown> = written.then(() => {}, () => {});
    this.#queue = settled;
    settled.then(() => {
      if (this.#queue === settled) this.#queue = undefined;
    });
    return this.#failures.later(written);
  }

  /**
   * Closes the log. Rejects with the failures of `logEffect` calls that
   * nobody awaited, or with the close's own failure.
   */
  async close(): Promise<void> {
    if (this.#queue !== undefined) await this.#queue;
    const unobserved = this.#failures.takeUnobserved();
    if (!this.#closed) {
      this.#closed = true;
      openLogs.get(this.#ctx.workspace)?.delete(this.path);
    }
    await this.#handle.close();
    if (unobserved !== undefined) throw unobserved;
  }

  /** Closes the log. */
  // @ts-ignore: a consumer's lib may lack esnext.disposable (no @types/node); the key is then unknown.
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
