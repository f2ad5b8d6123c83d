/**
 * The line format of `event_loop.log`:
 *
 * ```text
 * <seq> ts=<ts> phase=<p> effect=<e> event=<ev>[ extra=[a,b]][ ctx=k=v,…] ms=<n>
 * ```
 *
 * Two dialects share it. runlog writes a value holding a space, `=`, `,`,
 * `"`, `[`, `]` or a control character (or an empty value) as a JSON string
 * literal, so that every line it writes parses back exactly. The Rust
 * original writes every value as it is: display names with spaces, Rust
 * `Debug` text with braces, quotes and commas, `+00:00` timestamps; its lines
 * are read by anchoring on the keys, and flagged where that is ambiguous (see
 * `parseEventLoopLine`, in parse_event_loop_line.ts).
 *
 * What the Rust tool sees in runlog's lines: its resume reads only the first
 * word of the last line, the sequence number, which both dialects write
 * alike; quoting only shows to people reading the file. A runlog line whose
 * values need no quoting is byte for byte the line the Rust tool would write,
 * apart from the timestamp (`…Z` where Rust writes `…+00:00`).
 *
 * @module
 */
import { safeString } from "./_safe_string.ts";
import { assertSeqAndDuration, quote, quoteName } from "./_event_loop_quoting.ts";

/**
 * One line of `event_loop.log`.
 *
 * @example An entry written and read back exactly
 * ```ts
 * import assert from "node:assert/strict";
 * import { type EventLoopEntry, formatEventLoopLine, parseEventLoopLine } from "@ralph/runlog";
 *
 * const entry: EventLoopEntry = {
 *   seq: 7,
 *   ts: "2026-02-06T14:03:27.123Z",
 *   phase: "Review",
 *   effect: "InvokeAgent",
 *   event: "ReviewCompleted",
 *   extra: [],
 *   context: [["verdict", "needs work"]],
 *   durationMs: 900,
 * };
 * const line = formatEventLoopLine(entry);
 * assert.ok(line.endsWith(' ctx=verdict="needs work" ms=900\n')); // quoted: it holds a space
 * const { dialect, exact, ...parsed } = parseEventLoopLine(line);
 * assert.deepEqual([dialect, exact, parsed], ["runlog", true, entry]);
 * ```
 */
export interface EventLoopEntry {
  /** The sequence number, from 1, continuing across resumes. */
  seq: number;
  /** When the effect finished (UTC ISO-8601 as written by runlog; RFC 3339 by the original). */
  ts: string;
  /** The pipeline phase, such as `"Development"`. */
  phase: string;
  /** The effect that ran, such as `"InvokePrompt"`. */
  effect: string;
  /** The primary event it produced. */
  event: string;
  /** Further events it produced, in order. */
  extra: string[];
  /** Context pairs (iteration, agent index, …), in order. */
  context: [string, string][];
  /** How long the effect took, in whole milliseconds. */
  durationMs: number;
}

/**
 * Formats one `event_loop.log` line, ending in `\n`.
 *
 * @example A line with extra events and context
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEventLoopLine } from "@ralph/runlog";
 *
 * const line = formatEventLoopLine({
 *   seq: 2,
 *   ts: "2026-02-06T14:03:28.456Z",
 *   phase: "Development",
 *   effect: "WriteFile",
 *   event: "FileWritten",
 *   extra: ["CheckpointSaved"],
 *   context: [["file", "PLAN.md"]],
 *   durationMs: 12,
 * });
 * assert.equal(
 *   line,
 *   "2 ts=2026-02-06T14:03:28.456Z phase=Development effect=WriteFile event=FileWritten extra=[CheckpointSaved] ctx=file=PLAN.md ms=12\n",
 * );
 * ```
 *
 * @param entry The entry to format.
 * @returns The line, with its newline.
 * @throws {RunLogError} `"invalid-argument"` for a negative or fractional `seq` or `durationMs`.
 */
export function formatEventLoopLine(entry: EventLoopEntry): string {
  return buildEventLoopLine(
    entry.seq,
    entry.ts,
    entry.phase,
    entry.effect,
    entry.event,
    entry.extra,
    entry.context,
    entry.durationMs,
  );
}

/** Context as the loggers accept it: an object, or ordered pairs. */
export type EventLoopContext =
  | Readonly<Record<string, unknown>>
  | readonly (readonly [unknown, unknown])[];

/**
 * Builds a line as text, for {@linkcode formatEventLoopLine}; the logger
 * writes the same bytes with `writeEventLoopLine` (_event_loop_line_writer.ts). Values are written with
 * `safeString()`, which never throws (BigInt, symbols, circular objects).
 */
export function buildEventLoopLine(
  seq: number,
  ts: string,
  phase: string,
  effect: string,
  event: string,
  extra: readonly unknown[] | undefined,
  context: EventLoopContext | undefined,
  durationMs: number,
): string {
  assertSeqAndDuration(seq, durationMs, effect);
  let line = `${seq} ts=${quote(ts)} phase=${quoteName(safeString(phase))} effect=${
    quoteName(safeString(effect))
  } event=${quoteName(safeString(event))}`;
  if (extra !== undefined && extra.length > 0) {
    line += " extra=[";
    for (let i = 0; i < extra.length; i++) {
      line += (i === 0 ? "" : ",") + quote(safeString(extra[i]));
    }
    line += "]";
  }
  if (context !== undefined) {
    let pairs = "";
    if (Array.isArray(context)) {
      for (let i = 0; i < context.length; i++) {
        const pair = context[i];
        pairs += `${i === 0 ? "" : ","}${quoteName(safeString(pair[0]))}=${
          quote(safeString(pair[1]))
        }`;
      }
    } else {
      const keys = Object.keys(context);
      for (let i = 0; i < keys.length; i++) {
        pairs += `${i === 0 ? "" : ","}${quoteName(keys[i])}=${
          quote(safeString((context as Record<string, unknown>)[keys[i]]))
        }`;
      }
    }
    if (pairs !== "") line += ` ctx=${pairs}`;
  }
  return `${line} ms=${durationMs}\n`;
}
