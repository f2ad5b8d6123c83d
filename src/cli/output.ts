/**
 * Where the `runlog` command writes: the process's standard output and
 * error, or an {@linkcode Output} of your own (tests, an embedding program).
 *
 * @module
 */

/**
 * Where a command writes; tests pass their own.
 *
 * @example Capturing what a command prints
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Output, runCli } from "@ralph/runlog/cli";
 *
 * let printed = "";
 * const output: Output = {
 *   out: (text) => void (printed += text),
 *   err: () => {},
 *   tty: false,
 *   color: false,
 * };
 * assert.equal(await runCli(["--version"], output), 0);
 * assert.match(printed, /^\d+\.\d+\.\d+\n$/);
 * ```
 */
export interface Output {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Whether standard output is a terminal (progress bars, colour). */
  readonly tty: boolean;
  /** Whether to colour the output. */
  readonly color: boolean;
}
