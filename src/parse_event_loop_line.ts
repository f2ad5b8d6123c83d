/**
 * Reading `event_loop.log` lines of both dialects: runlog's, and the Rust
 * original's (see event_loop_line.ts for the format).
 *
 * @module
 */
import { RunLogError } from "./run_log_error.ts";
import type { EventLoopEntry } from "./event_loop_line.ts";
import { readRunlogLine } from "./_runlog_line_grammar.ts";
import { readRustLine, RUST_HEAD, RUST_TS } from "./_rust_line_grammar.ts";

/**
 * What {@linkcode parseEventLoopLine} returns: the entry, and how it was read.
 *
 * @example Lines of the Rust original, plain and ambiguous
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ParsedEventLoopLine, parseEventLoopLine } from "@ralph/runlog";
 *
 * const plain: ParsedEventLoopLine = parseEventLoopLine(
 *   "3 ts=2026-02-06T14:03:27.123+00:00 phase=Development effect=Commit event=Committed ms=12",
 * );
 * assert.deepEqual([plain.dialect, plain.exact, plain.event], ["rust", true, "Committed"]);
 * // An unquoted value holding " event=": where does the effect end?
 * const ambiguous = parseEventLoopLine(
 *   "4 ts=2026-02-06T14:03:28+00:00 phase=Dev effect=Say event=hi event=Said ms=1",
 * );
 * assert.equal(ambiguous.exact, false);
 * ```
 */
export interface ParsedEventLoopLine extends EventLoopEntry {
  /**
   * The line's format. `"rust"` when its `ts` is an RFC 3339 time with a
   * numeric offset (`2026-02-06T14:03:27.123+00:00`: chrono writes that,
   * runlog writes `…Z`), or when only the Rust grammar reads it; `"runlog"`
   * otherwise.
   */
  dialect: "runlog" | "rust";
  /**
   * `false` when the line can be read in more than one way and the entry is
   * the most plausible reading ({@linkcode parseEventLoopLine} says when).
   * Only lines read by the Rust grammar, whose values are not quoted, can be
   * ambiguous.
   */
  exact: boolean;
}

/** Why a grammar does not read a line, and where. */
export interface Failure {
  at: number;
  why: string;
  /** The runlog grammar failed inside a quoted value: the line uses runlog's quoting. */
  inQuote?: boolean;
}

export function isFailure(result: ParsedEventLoopLine | Failure): result is Failure {
  return "why" in result;
}

/**
 * Parses one `event_loop.log` line (with or without its `\n`), written by
 * runlog or by the Rust original.
 *
 * Two grammars read lines. runlog's reads exactly what runlog writes: bare
 * tokens that need no quoting, or JSON strings. The Rust grammar reads
 * values as written: it anchors on the keys (` phase=`, ` effect=`,
 * ` event=`, ` extra=[`, ` ctx=`, and ` ms=<digits>` at the very end) and
 * prefers not to take a separator that stands inside a double-quoted string
 * (with backslash escapes) or inside `()`, `[]` or `{}` of Rust `Debug`
 * text. Extra items are split at such commas, context pairs at such commas
 * and at the last such `=` of each (`k=v=a` is `["k=v", "a"]`); a segment
 * without `=` continues the previous value (`a=1,2` is `[["a", "1,2"]]`).
 * A line whose `ts` has a numeric offset (chrono's `…+00:00`; runlog writes
 * `…Z`) is read by the Rust grammar, any other line by runlog's first, and
 * by the Rust grammar when runlog's does not read it. `dialect` says which
 * format the line is in: `"rust"` for a Rust timestamp or a line only the
 * Rust grammar reads, else `"runlog"`.
 *
 * runlog's lines have one reading: `exact: true`. The Rust original writes
 * values unquoted, so a separator inside a value reads like one between
 * values. A Rust line is `exact` only when no other entry gives the same
 * line, taking values as any text but for one thing: an event is taken not
 * to hold ` extra=[` or ` ctx=` (Rust `Debug` text has `=` only inside
 * string literals; without this, no line with extra items or a context
 * could be exact). So `exact` is `false`, and the entry the most plausible
 * reading, when the line
 * - holds ` effect=` twice before its ` event=`, or ` event=` twice after
 *   its ` effect=`: a value holds one, and the value before it could end
 *   there;
 * - has an event holding ` extra=[` or ` ctx=` (inside strings or brackets);
 * - has extra items with a comma in them: `extra=[a,b]` is `["a", "b"]` as
 *   well as `["a,b"]`;
 * - has extra items that could end at another `]`: one followed by ` ctx=`
 *   inside them, or a context that ends in `]`;
 * - has a context holding more than one `=`: `ctx=a=1,b=2` is two pairs, or
 *   one whose value is `1,b=2`; a line with two or more pairs is never exact;
 * - has a Rust timestamp and quotes that runlog's grammar reads (the Rust
 *   reading is returned: Rust never quotes).
 *
 * @example Reading runlog's and the Rust original's lines
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseEventLoopLine } from "@ralph/runlog";
 *
 * const runlog = parseEventLoopLine(
 *   '7 ts=2026-02-06T14:03:27.123Z phase=Review effect=Invoke event="Failed: timeout" ctx=pass=2 ms=5000',
 * );
 * assert.equal(runlog.event, "Failed: timeout");
 * assert.deepEqual(runlog.context, [["pass", "2"]]);
 * assert.equal(runlog.dialect, "runlog");
 *
 * const rust = parseEventLoopLine(
 *   "4 ts=2026-02-06T14:03:27.123+00:00 phase=Commit Message effect=InvokePlanningAgent { iteration: 0 } " +
 *     "event=Planning(AgentInvoked { iteration: 0 }) extra=[CheckpointSaved { trigger: PhaseTransition },ContextCleaned] ms=812",
 * );
 * assert.equal(rust.phase, "Commit Message");
 * assert.equal(rust.effect, "InvokePlanningAgent { iteration: 0 }");
 * assert.deepEqual(rust.extra, ["CheckpointSaved { trigger: PhaseTransition }", "ContextCleaned"]);
 * assert.equal(rust.dialect, "rust");
 * // Two items: Rust writes ["a,b"] and ["a", "b"] alike, so no reading is sure.
 * assert.equal(rust.exact, false);
 * ```
 *
 * @param line The line.
 * @returns The entry, its dialect and whether the reading is the only one.
 * @throws {RunLogError} `"invalid-log-line"` when neither grammar reads the
 * line, saying where: the error of the Rust grammar for a line with a Rust
 * timestamp; of runlog's when the line breaks inside one of its quoted
 * values (the Rust grammar is not tried then); else of the grammar that read
 * further.
 */
export function parseEventLoopLine(line: string): ParsedEventLoopLine {
  const text = line.endsWith("\n") ? line.slice(0, -1) : line;
  const head = RUST_HEAD.exec(text);
  if (head !== null && RUST_TS.test(head[2])) {
    // The Rust tool's line, most likely: its grammar decides. Without
    // quotes, runlog's grammar could only read it the same way.
    const rust = readRustLine(text, head);
    if (!isFailure(rust) && !text.includes('"')) return rust;
    const runlog = readRunlogLine(text);
    if (isFailure(runlog)) {
      if (isFailure(rust)) throw lineError(text, rust);
      return rust;
    }
    if (isFailure(rust)) return runlog;
    // Both read it: quotes runlog wrote, or quotes in Rust's values. Rust
    // never quotes, so its reading is likelier.
    return { ...rust, exact: false };
  }
  const runlog = readRunlogLine(text);
  if (!isFailure(runlog)) return runlog;
  if (runlog.inQuote) throw lineError(text, runlog);
  const rust = readRustLine(text, head);
  if (!isFailure(rust)) return rust;
  throw lineError(text, rust.at > runlog.at ? rust : runlog);
}

function lineError(text: string, failure: Failure): RunLogError {
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return new RunLogError(
    "invalid-log-line",
    `invalid event loop line ${JSON.stringify(shown)}: ${failure.why} at column ${
      failure.at + 1
    } (the format is "<seq> ts=… phase=… effect=… event=…[ extra=[…]][ ctx=…] ms=<n>"; ` +
      "skip or repair the line)",
  );
}
