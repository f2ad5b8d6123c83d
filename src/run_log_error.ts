/**
 * Errors of the run-log core that are not filesystem failures.
 *
 * @module
 */

/**
 * What a {@linkcode RunLogError} is about.
 *
 * @example Resuming from a checkpoint, or starting afresh
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   MemoryWorkspace,
 *   RunLogContext,
 *   RunLogError,
 *   type RunLogErrorCode,
 * } from "@ralph/runlog";
 *
 * async function resumeOrCreate(ws: MemoryWorkspace, id: string): Promise<RunLogContext> {
 *   try {
 *     return await RunLogContext.resume(ws, id);
 *   } catch (error) {
 *     if (!(error instanceof RunLogError)) throw error;
 *     const code: RunLogErrorCode = error.code;
 *     switch (code) {
 *       case "invalid-run-id": // a tampered checkpoint
 *       case "not-found": // a run pruned since
 *         return await RunLogContext.create(ws);
 *       default: // "lease-held": another process writes the run
 *         throw error;
 *     }
 *   }
 * }
 * const ctx = await resumeOrCreate(new MemoryWorkspace(), "x/../../etc");
 * assert.equal((await ctx.readRunMetadata()).resume, false);
 * ```
 */
export type RunLogErrorCode =
  | "invalid-run-id"
  | "invalid-name"
  | "invalid-metadata"
  | "invalid-argument"
  | "invalid-log-line"
  | "collisions-exhausted"
  | "not-found"
  | "lease-held"
  | "lease-lost"
  | "invalid-lease"
  | "already-open"
  | "closed";

/**
 * A refused input or an impossible request of the run-log core. The message
 * names the offending value and says what to do.
 *
 * @example Refusing a run id from a tampered checkpoint
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunId, RunLogError } from "@ralph/runlog";
 *
 * assert.throws(
 *   () => RunId.parse("x/../../etc"),
 *   (error) => error instanceof RunLogError && error.code === "invalid-run-id",
 * );
 * ```
 */
export class RunLogError extends Error {
  /** What the error is about. */
  readonly code: RunLogErrorCode;

  /**
   * Builds the error.
   *
   * @param code What the error is about.
   * @param message The full message: the value, the problem, what to do.
   * @param options The cause, if any.
   */
  constructor(code: RunLogErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RunLogError";
    this.code = code;
  }
}
