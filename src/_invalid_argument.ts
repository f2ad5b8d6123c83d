// The one shape of a refused argument: who refuses it, what it is, what it
// must be, and what it was ("packRun: level must be a whole number from 0
// to 9, got 12"), as a RunLogError "invalid-argument".
import { RunLogError } from "./run_log_error.ts";
import { describeValue } from "./_describe_value.ts";

/**
 * The error for `value` given as `what` to `where` (empty: no prefix),
 * which must be `expected`; `hint` says what to do instead, when it helps.
 */
export function invalidArgument(
  where: string,
  what: string,
  value: unknown,
  expected: string,
  hint?: string,
): RunLogError {
  return new RunLogError(
    "invalid-argument",
    `${where === "" ? "" : `${where}: `}${what} must be ${expected}, got ${describeValue(value)}` +
      (hint === undefined ? "" : `; ${hint}`),
  );
}
