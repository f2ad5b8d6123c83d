/**
 * Timestamp-based run identifiers: `YYYY-MM-DD_HH-mm-ss.SSSZ[-NN]`.
 *
 * @module
 */
import { RunLogError } from "./run_log_error.ts";

const RUN_ID_PATTERN = /^(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})\.(\d{3})Z(?:-(\d{2}))?$/;

/**
 * The largest collision counter, as in the Rust original.
 *
 * @example The last id of a millisecond
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_COLLISION_COUNTER, RunId, RunLogError } from "@ralph/runlog";
 *
 * const id = RunId.parse("2026-02-06_14-03-27.123Z");
 * const last = id.withCollisionCounter(MAX_COLLISION_COUNTER);
 * assert.equal(last.toString(), "2026-02-06_14-03-27.123Z-99");
 * assert.throws(
 *   () => id.withCollisionCounter(MAX_COLLISION_COUNTER + 1),
 *   (error) => error instanceof RunLogError && error.code === "invalid-run-id",
 * );
 * ```
 */
export const MAX_COLLISION_COUNTER = 99;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const pad = (n: number, width: number) => String(n).padStart(width, "0");

function formatTimestamp(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${
    pad(date.getUTCDate(), 2)
  }_${pad(date.getUTCHours(), 2)}-${pad(date.getUTCMinutes(), 2)}-${pad(date.getUTCSeconds(), 2)}.${
    pad(date.getUTCMilliseconds(), 3)
  }Z`;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function quote(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * The identifier of one run and the name of its directory
 * (`.agent/logs-<run id>`): the UTC start time to the millisecond, plus a
 * `-01`..`-99` collision counter when several runs start in the same
 * millisecond. Lexicographic order is chronological order, and the text is
 * a valid file name on every OS.
 *
 * @example Generating, parsing and ordering ids
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunId } from "@ralph/runlog";
 *
 * const id = RunId.generate(new Date("2026-02-06T14:03:27.123Z"));
 * assert.equal(id.toString(), "2026-02-06_14-03-27.123Z");
 * assert.equal(id.withCollisionCounter(2).toString(), "2026-02-06_14-03-27.123Z-02");
 * assert.equal(RunId.parse("2026-02-06_14-03-27.123Z-02").collisionCounter, 2);
 * ```
 */
export class RunId {
  readonly #timestamp: string;
  readonly #counter: number;

  private constructor(timestamp: string, counter: number) {
    this.#timestamp = timestamp;
    this.#counter = counter;
  }

  /**
   * The id of a run starting at `now` (default: the current time), without
   * a collision counter.
   *
   * @param now The start time; its UTC year must lie in 0000..9999.
   * @returns The new id.
   */
  static generate(now: Date = new Date()): RunId {
    const year = now.getUTCFullYear();
    if (Number.isNaN(now.getTime()) || year < 0 || year > 9999) {
      throw new RunLogError(
        "invalid-run-id",
        `cannot make a run id from the date ${String(now)}: ` +
          "it must be a valid date with a UTC year from 0000 to 9999; check the clock you passed",
      );
    }
    return new RunId(formatTimestamp(now), 0);
  }

  /**
   * Reads a run id, accepting exactly `YYYY-MM-DD_HH-mm-ss.SSSZ` with an
   * optional `-01`..`-99` suffix, for a real calendar date and time.
   *
   * @param text The id, such as one stored in a checkpoint.
   * @returns The parsed id.
   * @throws {RunLogError} `"invalid-run-id"` for anything else.
   */
  static parse(text: string): RunId {
    const refuse = (why: string): never => {
      throw new RunLogError(
        "invalid-run-id",
        `invalid run id ${quote(text)}: ${why}; ` +
          "expected YYYY-MM-DD_HH-mm-ss.SSSZ with an optional -01..-99 suffix, " +
          'such as "2026-02-06_14-03-27.123Z"',
      );
    };
    if (typeof text !== "string") return refuse(`expected a string, got ${typeof text}`);
    const match = RUN_ID_PATTERN.exec(text);
    if (match === null) return refuse("it does not have the run id format");
    const [, y, mo, d, h, mi, s, , counter] = match;
    // A real calendar day (no 30 February) and a real time of day.
    const month = Number(mo);
    const day = Number(d);
    const daysInMonth = month === 2 && isLeapYear(Number(y)) ? 29 : DAYS_IN_MONTH[month - 1];
    if (
      month < 1 || month > 12 || day < 1 || day > daysInMonth || Number(h) > 23 ||
      Number(mi) > 59 || Number(s) > 59
    ) {
      return refuse("it names a date or time that does not exist");
    }
    const timestamp = text.slice(0, 24);
    if (counter === "00") return refuse("collision counters start at -01");
    return new RunId(timestamp, counter === undefined ? 0 : Number(counter));
  }

  /**
   * The same timestamp with collision counter `n` (1..99), replacing any
   * counter this id has; `0` gives the id without a counter.
   *
   * @param n The counter, an integer from 0 to 99.
   * @returns The new id.
   */
  withCollisionCounter(n: number): RunId {
    if (!Number.isInteger(n) || n < 0 || n > MAX_COLLISION_COUNTER) {
      throw new RunLogError(
        "invalid-run-id",
        `invalid collision counter ${
          quote(n)
        }: it must be an integer from 0 to ${MAX_COLLISION_COUNTER}`,
      );
    }
    return new RunId(this.#timestamp, n);
  }

  /** The collision counter, `0` when the id has none. */
  get collisionCounter(): number {
    return this.#counter;
  }

  /** The start time the id encodes, to the millisecond. */
  get startedAt(): Date {
    const t = this.#timestamp;
    return new Date(
      `${t.slice(0, 10)}T${t.slice(11, 13)}:${t.slice(14, 16)}:${t.slice(17)}`,
    );
  }

  /** The id as text, as used in directory names and `run.json`. */
  toString(): string {
    return this.#counter === 0 ? this.#timestamp : `${this.#timestamp}-${pad(this.#counter, 2)}`;
  }

  /** The id as text, so that `JSON.stringify` writes the string. */
  toJSON(): string {
    return this.toString();
  }

  /**
   * Whether two ids are the same text.
   *
   * @param other The id to compare with.
   * @returns `true` when both have the same text.
   */
  equals(other: RunId): boolean {
    return this.toString() === other.toString();
  }
}
