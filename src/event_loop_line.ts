/**
 * The line format of `event_loop.log`, as the Rust original writes it:
 *
 * ```text
 * <seq> ts=<ts> phase=<p> effect=<e> event=<ev>[ extra=[a,b]][ ctx=k=v,…] ms=<n>
 * ```
 *
 * A value holding a space, `=`, `,`, `"`, `[`, `]` or a control character
 * (or an empty value) is written as a JSON string literal, so every line
 * parses back to exactly what was logged.
 *
 * @module
 */
import { RunLogError } from "./run_log_error.ts";

/** One line of `event_loop.log`. */
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

// Characters that end a bare token or would make it ambiguous.
// deno-lint-ignore no-control-regex
const NEEDS_QUOTES = /[\s=,"[\]\u0000-\u001f\u007f\u0085]/;

// Printable ASCII that may stand in a bare value; a per-character table
// lookup is several times cheaper than a regex test on short values.
const BARE = new Uint8Array(128);
for (let code = 0x21; code < 0x7f; code++) BARE[code] = 1;
for (const char of '=,"[]') BARE[char.charCodeAt(0)] = 0;

// Phases, effects, events and context keys repeat on every line: remember
// how each is written. Bounded, so that unique values cannot grow it.
const QUOTED_CACHE_SIZE = 512;
const quotedCache = new Map<string, string>();

/** {@linkcode quote} for values that repeat. */
function quoteName(value: string): string {
  let quoted = quotedCache.get(value);
  if (quoted === undefined) {
    quoted = quote(value);
    if (quotedCache.size >= QUOTED_CACHE_SIZE) quotedCache.clear();
    quotedCache.set(value, quoted);
  }
  return quoted;
}

/** A value as written in a line: bare when unambiguous, else a JSON string. */
function quote(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128 || BARE[code] === 0) {
      // Not plain ASCII: the full rule decides (non-ASCII letters stay bare).
      return NEEDS_QUOTES.test(value) ? JSON.stringify(value) : value;
    }
  }
  return value === "" ? '""' : value;
}

function isDurationMs(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
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
 * Builds a line in one pass, without intermediate arrays: the hot path of
 * `EventLoopLogger.logEffect`. Values are written with `String()`;
 * `tsIsSafe` skips quoting a timestamp the logger made itself.
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
  tsIsSafe = false,
): string {
  if (!isDurationMs(seq)) {
    throw new RunLogError(
      "invalid-argument",
      `invalid event loop seq ${seq}: it must be a non-negative integer`,
    );
  }
  if (!isDurationMs(durationMs)) {
    throw new RunLogError(
      "invalid-argument",
      `invalid durationMs ${durationMs} for effect ${JSON.stringify(String(effect))}: ` +
        "it must be a non-negative integer number of milliseconds (round it)",
    );
  }
  let line = `${seq} ts=${tsIsSafe ? ts : quote(ts)} phase=${quoteName(String(phase))} effect=${
    quoteName(String(effect))
  } event=${quoteName(String(event))}`;
  if (extra !== undefined && extra.length > 0) {
    line += " extra=[";
    for (let i = 0; i < extra.length; i++) {
      line += (i === 0 ? "" : ",") + quote(String(extra[i]));
    }
    line += "]";
  }
  if (context !== undefined) {
    let pairs = "";
    if (Array.isArray(context)) {
      for (let i = 0; i < context.length; i++) {
        const pair = context[i];
        pairs += `${i === 0 ? "" : ","}${quoteName(String(pair[0]))}=${quote(String(pair[1]))}`;
      }
    } else {
      for (const key in context) {
        if (!Object.hasOwn(context, key)) continue;
        pairs += `${pairs === "" ? "" : ","}${quoteName(key)}=${
          quote(String((context as Record<string, unknown>)[key]))
        }`;
      }
    }
    if (pairs !== "") line += ` ctx=${pairs}`;
  }
  return `${line} ms=${durationMs}\n`;
}

/**
 * Parses one `event_loop.log` line (with or without its `\n`), as written by
 * {@linkcode formatEventLoopLine} or by the Rust original when its values
 * need no quoting.
 *
 * @example Round-tripping a line
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseEventLoopLine } from "@ralph/runlog";
 *
 * const entry = parseEventLoopLine(
 *   '7 ts=2026-02-06T14:03:27.123Z phase=Review effect=Invoke event="Failed: timeout" ctx=pass=2 ms=5000',
 * );
 * assert.equal(entry.event, "Failed: timeout");
 * assert.deepEqual(entry.context, [["pass", "2"]]);
 * ```
 *
 * @param line The line.
 * @returns The entry.
 * @throws {RunLogError} `"invalid-log-line"`, saying where the line is wrong.
 */
export function parseEventLoopLine(line: string): EventLoopEntry {
  const text = line.endsWith("\n") ? line.slice(0, -1) : line;
  let i = 0;
  const fail = (why: string): never => {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new RunLogError(
      "invalid-log-line",
      `invalid event loop line ${JSON.stringify(shown)}: ${why} at column ${i + 1}`,
    );
  };
  const expect = (literal: string) => {
    if (!text.startsWith(literal, i)) fail(`expected "${literal}"`);
    i += literal.length;
  };
  const integer = (what: string): number => {
    const match = /^\d+/.exec(text.slice(i, i + 20));
    if (match === null) return fail(`expected ${what}`);
    i += match[0].length;
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) fail(`${what} is too large`);
    return value;
  };
  // A quoted JSON string, or a bare token ending at one of `stops`.
  const value = (stops: string): string => {
    if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) fail("unterminated quoted value");
      try {
        const parsed = JSON.parse(text.slice(i, j + 1));
        i = j + 1;
        return parsed;
      } catch {
        return fail("invalid escape in quoted value");
      }
    }
    const start = i;
    while (i < text.length && !stops.includes(text[i])) i++;
    if (i === start) fail("expected a value");
    return text.slice(start, i);
  };

  const seq = integer("a sequence number");
  expect(" ts=");
  const ts = value(" ");
  expect(" phase=");
  const phase = value(" ");
  expect(" effect=");
  const effect = value(" ");
  expect(" event=");
  const event = value(" ");
  const extra: string[] = [];
  if (text.startsWith(" extra=[", i)) {
    i += " extra=[".length;
    for (;;) {
      extra.push(value(",]"));
      if (text[i] === "]") break;
      expect(",");
    }
    i++;
  }
  const context: [string, string][] = [];
  if (text.startsWith(" ctx=", i)) {
    i += " ctx=".length;
    for (;;) {
      const key = value("=, ");
      expect("=");
      context.push([key, value(", ")]);
      if (text[i] !== ",") break;
      i++;
    }
  }
  expect(" ms=");
  const durationMs = integer("the duration in ms");
  if (i !== text.length) fail("unexpected text after ms");
  return { seq, ts, phase, effect, event, extra, context, durationMs };
}
