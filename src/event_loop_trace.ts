/**
 * `event_loop_trace.jsonl`: the last N trace entries of the event loop,
 * kept in memory and written only when the loop fails.
 *
 * @module
 */
import type { RunLogContext } from "./run_log_context.ts";
import { RunLogError } from "./run_log_error.ts";

/**
 * The reasons the Rust original dumps a trace for; any other text works too.
 *
 * @example Dumping the trace when the loop fails
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   EventLoopTrace,
 *   MemoryWorkspace,
 *   RunLogContext,
 *   type TraceDumpReason,
 * } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const trace = new EventLoopTrace(ctx);
 * trace.push({ effect: "InvokeAgent", event: "AgentFailed" });
 * const reason: TraceDumpReason = "unrecoverable_handler_error"; // or "sigterm", your own
 * await trace.dump(reason, { phase: "Development" });
 * const lines = (await ctx.workspace.read(ctx.eventLoopTrace())).trimEnd().split("\n");
 * assert.deepEqual(JSON.parse(lines[1]), {
 *   kind: "final_state",
 *   reason: "unrecoverable_handler_error",
 *   state: { phase: "Development" },
 * });
 * ```
 */
export type TraceDumpReason =
  | "unrecoverable_handler_error"
  | "panic"
  | "max_iterations"
  | (string & Record<never, never>);

/**
 * Options of the {@linkcode EventLoopTrace} constructor.
 *
 * @example Keeping only the last three entries
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventLoopTrace, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const trace = new EventLoopTrace(ctx, { capacity: 3 });
 * for (let iteration = 1; iteration <= 10; iteration++) trace.push({ iteration });
 * assert.equal(trace.size, 3);
 * assert.deepEqual(trace.entries(), [{ iteration: 8 }, { iteration: 9 }, { iteration: 10 }]);
 * ```
 */
export interface EventLoopTraceOptions {
  /** How many entries to keep, the newest; default 200, as in the original. */
  capacity?: number;
}

function toJsonLine(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new RunLogError(
      "invalid-argument",
      `${what} cannot be written as JSON: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  if (text === undefined) {
    throw new RunLogError(
      "invalid-argument",
      `${what} cannot be written as JSON (got ${typeof value})`,
    );
  }
  return text;
}

/**
 * A ring buffer of the newest trace entries, dumped atomically to
 * `event_loop_trace.jsonl` on a crash: one JSON entry per line, oldest
 * first, then `{"kind":"final_state","reason":…,"state":…}`.
 *
 * Entries are serialised when pushed, so later changes to an object do not
 * rewrite history and a value that is not JSON fails at once.
 *
 * @example Keeping the last entries and dumping them
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventLoopTrace, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const trace = new EventLoopTrace(ctx, { capacity: 2 });
 * for (let iteration = 0; iteration < 3; iteration++) {
 *   trace.push({ iteration, effect: "InvokePrompt", event: "PromptCompleted" });
 * }
 * await trace.dump("max_iterations", { phase: "Development" });
 * const lines = (await ctx.workspace.read(ctx.eventLoopTrace())).trimEnd().split("\n");
 * assert.equal(lines.length, 3); // iterations 1 and 2, then the final state
 * ```
 */
export class EventLoopTrace {
  /** How many entries are kept. */
  readonly capacity: number;
  readonly #ctx: RunLogContext;
  readonly #lines: string[] = [];
  #oldest = 0;

  /**
   * Makes an empty trace for a run.
   *
   * @param ctx The run whose `event_loop_trace.jsonl` a dump writes.
   * @param options The capacity.
   */
  constructor(ctx: RunLogContext, options: EventLoopTraceOptions = {}) {
    const capacity = options.capacity ?? 200;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RunLogError(
        "invalid-argument",
        `invalid trace capacity ${capacity}: it must be a positive integer`,
      );
    }
    this.capacity = capacity;
    this.#ctx = ctx;
  }

  /**
   * Adds an entry, dropping the oldest when full.
   *
   * @param entry Any JSON value, typically an object.
   * @throws {RunLogError} `"invalid-argument"` for a value that is not JSON.
   */
  push(entry: unknown): void {
    const line = toJsonLine(entry, "trace entry");
    if (this.#lines.length < this.capacity) {
      this.#lines.push(line);
    } else {
      this.#lines[this.#oldest] = line;
      this.#oldest = (this.#oldest + 1) % this.capacity;
    }
  }

  /** How many entries are held. */
  get size(): number {
    return this.#lines.length;
  }

  /** The held entries, oldest first (parsed copies). */
  entries(): unknown[] {
    return this.#ordered().map((line) => JSON.parse(line));
  }

  /**
   * Writes `event_loop_trace.jsonl` atomically: every held entry, oldest
   * first, then the final-state line. The buffer is left as it is. A dump
   * already there (an earlier session's crash) is kept, renamed to
   * `event_loop_trace.<n>.jsonl` (1 for the first dump, and so on).
   *
   * @param reason Why the loop stopped, such as `"panic"`.
   * @param finalState The pipeline state to record, if any.
   * @returns The workspace-relative path written.
   */
  async dump(reason: TraceDumpReason, finalState?: unknown): Promise<string> {
    if (typeof reason !== "string" || reason === "") {
      throw new RunLogError(
        "invalid-argument",
        'a trace dump needs a non-empty reason, such as "panic"',
      );
    }
    const final = toJsonLine(
      finalState === undefined
        ? { kind: "final_state", reason }
        : { kind: "final_state", reason, state: finalState },
      "final state",
    );
    const text = [...this.#ordered(), final].join("\n") + "\n";
    const path = this.#ctx.eventLoopTrace();
    await keepEarlierDump(this.#ctx, path);
    await this.#ctx.workspace.writeAtomic(path, text);
    return path;
  }

  #ordered(): string[] {
    return [...this.#lines.slice(this.#oldest), ...this.#lines.slice(0, this.#oldest)];
  }
}

// An earlier dump (of a session that crashed before this one resumed) is
// kept as `event_loop_trace.<n>.jsonl`, numbered in the order of the
// dumps; the latest is always `event_loop_trace.jsonl`, as in the original.
async function keepEarlierDump(ctx: RunLogContext, path: string): Promise<void> {
  const ws = ctx.workspace;
  if (!(await ws.isFile(path))) return;
  let highest = 0;
  for (const entry of await ws.readDir(ctx.runDir)) {
    const n = Number(EARLIER_DUMP.exec(entry.name)?.[1] ?? 0);
    if (n > highest) highest = n;
  }
  // Only the run's holder dumps: no other process renames beside it.
  await ws.rename(path, `${ctx.runDir}/event_loop_trace.${highest + 1}.jsonl`);
}

/** The name of an earlier dump, `event_loop_trace.<n>.jsonl`. */
export const EARLIER_DUMP = /^event_loop_trace\.([1-9]\d{0,8})\.jsonl$/;
