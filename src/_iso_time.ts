import { RunLogError } from "./run_log_error.ts";
import { describeValue } from "./_describe_value.ts";
import { invalidArgument } from "./_invalid_argument.ts";

// `Date#toISOString` costs about half a microsecond in V8, more than the
// write of a log line; loggers call it per line, mostly within one second.
let cachedSecond = Number.NaN;
let cachedPrefix = "";

let bytesSecond = Number.NaN;
let bytesPrefix = new Uint8Array(0);
const asciiEncoder = new TextEncoder();

/**
 * The bytes of the ISO-8601 text of a second up to its fraction
 * (`2026-02-06T14:03:27.`), computed once per second.
 */
export function isoSecondBytes(second: number): Uint8Array {
  if (second !== bytesSecond) {
    const iso = new Date(second * 1000).toISOString(); // Throws for an invalid date, as it should.
    bytesPrefix = asciiEncoder.encode(iso.slice(0, iso.length - 4));
    bytesSecond = second;
  }
  return bytesPrefix;
}

/**
 * The ISO-8601 text of `time` (ms since the epoch, or a Date), the same as
 * `toISOString()`, computed once per second and reused for its milliseconds.
 */
export function isoTimestamp(time: number | Date): string {
  const ms = typeof time === "number" ? time : time.getTime();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(ms).toISOString(); // Throws for an invalid date, as it should.
    cachedSecond = second;
    cachedPrefix = iso.slice(0, iso.length - 4);
  }
  const fraction = ms - second * 1000;
  return `${cachedPrefix}${fraction < 10 ? "00" : fraction < 100 ? "0" : ""}${fraction}Z`;
}

/**
 * The current time for a logger, in ms since the epoch: its injected
 * clock's, or `Date.now()`. Small, so that it is inlined and the time stays
 * unboxed in the line writers.
 *
 * @throws {RunLogError} `"invalid-argument"` when the clock returns anything
 * but a valid Date.
 */
export function nowMs(clock: (() => Date) | undefined): number {
  return clock === undefined ? Date.now() : clockMs(clock);
}

function clockMs(clock: () => Date): number {
  const now = clock();
  if (now instanceof Date && !Number.isNaN(now.getTime())) return now.getTime();
  throw invalidReading(now);
}

function invalidReading(now: unknown): RunLogError {
  return new RunLogError(
    "invalid-argument",
    `the clock returned ${describeValue(now)}; a clock must return a valid Date`,
  );
}

/**
 * Checks a `clock` option (see {@linkcode assertClock}) and returns a clock
 * whose every reading is checked: the one given, or the system's.
 *
 * @throws {RunLogError} `"invalid-argument"` for an option that is not a
 * function, and from the returned clock when the option returns anything
 * but a valid Date (a number, a string, an invalid Date), naming it.
 */
export function checkedClock(clock: unknown): () => Date {
  const given = assertClock(clock);
  if (given === undefined) return () => new Date();
  return () => {
    const now: unknown = given();
    if (now instanceof Date && !Number.isNaN(now.getTime())) return now;
    throw invalidReading(now);
  };
}

/**
 * Checks a `clock` option: `undefined`, or a function.
 *
 * @throws {RunLogError} `"invalid-argument"` for anything else.
 */
export function assertClock(clock: unknown): (() => Date) | undefined {
  if (clock === undefined || typeof clock === "function") return clock as (() => Date) | undefined;
  throw invalidArgument("", "the clock option", clock, "a function returning a Date");
}
