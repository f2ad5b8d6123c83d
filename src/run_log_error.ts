/**
 * Errors of the run-log core that are not filesystem failures.
 *
 * @module
 */

/** What a {@linkcode RunLogError} is about. */
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
