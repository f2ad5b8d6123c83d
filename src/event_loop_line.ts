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
 * {@linkcode parseEventLoopLine}).
 *
 * What the Rust tool sees in runlog's lines: its resume reads only the first
 * word of the last line, the sequence number, which both dialects write
 * alike; quoting only shows to people reading the file. A runlog line whose
 * values need no quoting is byte for byte the line the Rust tool would write,
 * apart from the timestamp (`…Z` where Rust writes `…+00:00`).
 *
 * @module
 */
import { RunLogError } from "./run_log_error.ts";
import { safeString } from "./_safe_string.ts";
import { decimalWidth, encodeText, type LineBytes } from "./_line_bytes.ts";
import { isoSecondBytes, nowMs } from "./_iso_time.ts";

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

// Characters that end a bare token or would make it ambiguous, C1 controls
// included (`\s` holds U+2028 and U+2029, which some readers take for line breaks).
// deno-lint-ignore no-control-regex
const NEEDS_QUOTES = /[\s=,"[\]\u0000-\u001f\u007f-\u009f]/;
// What `JSON.stringify` leaves raw but must not stand raw in a line.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

function escapeUnicode(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

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
      return NEEDS_QUOTES.test(value)
        ? JSON.stringify(value).replace(RAW_IN_JSON, escapeUnicode)
        : value;
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

// A seq and a duration are whole numbers of at least 0; said in terms of the effect.
function assertSeqAndDuration(seq: number, durationMs: number, effect: string): void {
  // Small, so that it is inlined into the hot path; the message is built apart.
  if (!isDurationMs(seq) || !isDurationMs(durationMs)) refuseSeqOrDuration(seq, durationMs, effect);
}

function refuseSeqOrDuration(seq: number, durationMs: number, effect: string): never {
  if (!isDurationMs(seq)) {
    throw new RunLogError(
      "invalid-argument",
      `invalid event loop seq ${seq}: it must be a non-negative integer`,
    );
  }
  throw new RunLogError(
    "invalid-argument",
    `invalid durationMs ${durationMs} for effect ${JSON.stringify(safeString(effect))}: ` +
      "it must be a non-negative integer number of milliseconds (round it)",
  );
}

/**
 * Builds a line as text, for {@linkcode formatEventLoopLine}; the logger
 * writes bytes with {@linkcode writeEventLoopLine}. Values are written with
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
   * the most plausible reading. Only lines read by the Rust grammar, whose
   * values are not quoted, can be ambiguous.
   */
  exact: boolean;
}

/** Why a grammar does not read a line, and where. */
interface Failure {
  at: number;
  why: string;
  /** The runlog grammar failed inside a quoted value: the line uses runlog's quoting. */
  inQuote?: boolean;
}

function isFailure(result: ParsedEventLoopLine | Failure): result is Failure {
  return "why" in result;
}

// chrono's `to_rfc3339()`: what the Rust original writes, never runlog's logger.
const RUST_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d:\d\d$/;
const RUST_HEAD = /^(\d+) ts=(\S+) phase=/;
const DIGITS = /^\d+$/;

const EXTRA = encodeText(" extra=[");
// Segment keys of extra items and of the end of the list (context keys are strings).
const EXTRA_ITEM = Symbol("extra item");
const EXTRA_END = Symbol("end of extra");
const MS = encodeText(" ms=");
const TRUE = encodeText("true");
const FALSE = encodeText("false");
const Z_BYTE = 0x5a;
const COMMA_BYTE = 0x2c;
const CLOSE_BYTE = 0x5d;
const NEWLINE_BYTE = 0x0a;

// The fixed parts of a line, encoded once and copied: " ts=", the ISO
// second (isoSecondBytes), " phase=… effect=… event=…" per triple,
// " ctx=<key>=" and ",<key>=" per key. Bounded, so that unique values
// cannot grow them.
const TS_KEY = encodeText(" ts=");
const hasOwn = Object.prototype.hasOwnProperty;
const triples = new Map<string, Map<string, Map<string, Uint8Array>>>();
let tripleCount = 0;
const firstKeys = new Map<string, Uint8Array>();
const laterKeys = new Map<string, Uint8Array>();

// The last triple, checked first: consecutive lines mostly repeat it.
let lastPhase = "";
let lastEffect = "";
let lastEvent = "";
let lastTriple: Uint8Array | undefined;

function tripleBytes(phase: string, effect: string, event: string): Uint8Array {
  if (phase === lastPhase && effect === lastEffect && event === lastEvent && lastTriple) {
    return lastTriple;
  }
  lastTriple = lookUpTriple(phase, effect, event);
  lastPhase = phase;
  lastEffect = effect;
  lastEvent = event;
  return lastTriple;
}

function lookUpTriple(phase: string, effect: string, event: string): Uint8Array {
  let byEffect = triples.get(phase);
  let byEvent = byEffect?.get(effect);
  let bytes = byEvent?.get(event);
  if (bytes === undefined) {
    if (tripleCount >= QUOTED_CACHE_SIZE) {
      triples.clear();
      tripleCount = 0;
      byEffect = byEvent = undefined;
    }
    bytes = encodeText(
      ` phase=${quoteName(phase)} effect=${quoteName(effect)} event=${quoteName(event)}`,
    );
    if (byEffect === undefined) triples.set(phase, byEffect = new Map());
    if (byEvent === undefined) byEffect.set(effect, byEvent = new Map());
    byEvent.set(event, bytes);
    tripleCount++;
  }
  return bytes;
}

function keyBytes(cache: Map<string, Uint8Array>, lead: string, key: string): Uint8Array {
  let bytes = cache.get(key);
  if (bytes === undefined) {
    bytes = encodeText(`${lead}${quoteName(key)}=`);
    if (cache.size >= QUOTED_CACHE_SIZE) cache.clear();
    cache.set(key, bytes);
  }
  return bytes;
}

// A value as `buildEventLoopLine` writes it, without making its text when
// it is a whole number or a boolean.
function writeValue(out: LineBytes, value: unknown): void {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) out.digits(value);
  else if (typeof value === "boolean") out.bytes(value ? TRUE : FALSE);
  else out.text(quote(typeof value === "string" ? value : safeString(value)));
}

/**
 * Writes into `out` exactly the bytes of `buildEventLoopLine` for a line
 * timed by `clock` (`Date.now()` when undefined): the hot path of
 * `EventLoopLogger.logEffect`, which builds no string. `out.overflow` tells
 * a line over the length limit.
 */
export function writeEventLoopLine(
  out: LineBytes,
  seq: number,
  clock: (() => Date) | undefined,
  phase: string,
  effect: string,
  event: string,
  extra: readonly unknown[] | undefined,
  context: EventLoopContext | undefined,
  durationMs: number,
): void {
  assertSeqAndDuration(seq, durationMs, effect);
  // The time is read here, not passed in: a number passed between
  // functions that are not inlined is allocated, once per line.
  const ms = nowMs(clock);
  const second = Math.floor(ms / 1000);
  const triple = tripleBytes(phase, effect, event);
  // The frame `<seq> ts=<second>.<ms>Z phase=… effect=… event=…`: kept from
  // the previous line when only its digits differ.
  const lead = decimalWidth(seq);
  if (!out.resumeFrame(lead, second, triple)) writeFrame(out, lead, second, triple);
  out.paddedAt(0, seq, lead);
  out.paddedAt(out.length - triple.length - 4, ms - second * 1000, 3);
  // Extra items and context pairs are segments of the line: kept from
  // the previous line while they repeat it.
  let segment = 0;
  if (extra !== undefined && extra.length > 0) {
    for (let i = 0; i < extra.length; i++) {
      const item = extra[i];
      const marked = markable(item);
      if (!out.keepSegment(segment, EXTRA_ITEM, marked)) {
        if (i === 0) out.bytes(EXTRA);
        else out.byte(COMMA_BYTE);
        writeValue(out, item);
        out.markSegment(segment, EXTRA_ITEM, marked);
      }
      segment++;
    }
    if (!out.keepSegment(segment, EXTRA_END, undefined)) {
      out.byte(CLOSE_BYTE);
      out.markSegment(segment, EXTRA_END, undefined);
    }
    segment++;
  }
  if (context !== undefined) {
    const first = segment;
    if (Array.isArray(context)) {
      for (let i = 0; i < context.length; i++) {
        writePair(out, segment++, first, safeString(context[i][0]), context[i][1]);
      }
    } else {
      // for-in with an own-property check makes no array of keys, as
      // Object.keys does; it yields the same keys in the same order.
      for (const key in context) {
        if (hasOwn.call(context, key)) {
          writePair(out, segment++, first, key, (context as Record<string, unknown>)[key]);
        }
      }
    }
  }
  out.endSegments(segment);
  out.bytes(MS);
  out.digits(durationMs);
  out.byte(NEWLINE_BYTE);
}

// Starts a line with a new frame, whose slots (seq, milliseconds) are
// written by the caller. Apart from writeEventLoopLine, which it would make
// too large to inline what it calls on every line.
function writeFrame(out: LineBytes, lead: number, second: number, triple: Uint8Array): void {
  out.reset();
  out.padded(0, lead);
  out.bytes(TS_KEY);
  out.bytes(isoSecondBytes(second));
  out.padded(0, 3);
  out.byte(Z_BYTE);
  out.bytes(triple);
  out.markFrame(lead, second, triple);
}

// The key last written at each of the first context positions, and its bytes.
const recentKeys: string[] = [];
const recentKeyBytes: Uint8Array[] = [];

// Pair `segment` of a line, `first` being the first pair's segment: kept
// from the previous line, or written. Small, so that it is inlined.
function writePair(
  out: LineBytes,
  segment: number,
  first: number,
  key: string,
  value: unknown,
): void {
  const marked = markable(value);
  if (!out.keepSegment(segment, key, marked)) writeNewPair(out, segment, first, key, value, marked);
}

function writeNewPair(
  out: LineBytes,
  segment: number,
  first: number,
  key: string,
  value: unknown,
  marked: unknown,
): void {
  const index = segment - first;
  let bytes = recentKeys[index] === key ? recentKeyBytes[index] : undefined;
  if (bytes === undefined) {
    bytes = index === 0 ? keyBytes(firstKeys, " ctx=", key) : keyBytes(laterKeys, ",", key);
    if (index < 16) {
      recentKeys[index] = key;
      recentKeyBytes[index] = bytes;
    }
  }
  out.bytes(bytes);
  writeValue(out, value);
  out.markSegment(segment, key, marked);
}

// A value as LineBytes may compare it to the previous line's: a primitive
// is written the same whenever it is ===; an object can change in between.
function markable(value: unknown): unknown {
  return (typeof value !== "object" && typeof value !== "function") || value === null
    ? value
    : Number.NaN;
}

/**
 * Parses one `event_loop.log` line (with or without its `\n`), written by
 * runlog or by the Rust original.
 *
 * Two grammars read lines. runlog's reads exactly what runlog writes: bare
 * tokens that need no quoting, or JSON strings. The Rust grammar reads
 * values as written: it anchors on the keys (` phase=`, ` effect=`,
 * ` event=`, ` extra=[`, ` ctx=`, and ` ms=<digits>` at the very end) and
 * does not take a separator that stands inside a double-quoted string (with
 * backslash escapes) or inside `()`, `[]` or `{}` of Rust `Debug` text.
 * Extra items are split at such commas, context pairs at such commas and
 * their `=`. A line whose `ts` has a numeric offset (chrono's
 * `…+00:00`; runlog writes `…Z`) is read by the Rust grammar first, any
 * other line by runlog's first; the other grammar reads what the first does
 * not. `dialect` says which format the line is in: `"rust"` for a Rust
 * timestamp or a line only the Rust grammar reads, else `"runlog"`.
 *
 * The entry has `exact: false`, and is the most plausible reading, when:
 * - a value after the phase holds ` effect=`, ` event=`, ` extra=[` or
 *   ` ctx=` outside strings and brackets (a key could end elsewhere);
 * - the brackets or quotes of a value do not balance (separators are then
 *   looked for without regard to them, and the extra list ends at the first
 *   `]` followed by ` ctx=`, or at a `]` before ` ms=`);
 * - a context segment holds several `=` (it is split at the last one:
 *   `k=v=a` is `["k=v", "a"]`) or none (it continues the previous value,
 *   comma included: `a=1,2` is `[["a", "1,2"]]`; before any pair, it starts
 *   the next key);
 * - a line with a Rust timestamp holds quoted values that runlog's grammar
 *   reads (the Rust reading is returned: Rust never quotes).
 *
 * A line that runlog's grammar reads without quotes is exact whatever its
 * dialect: values without spaces, `=` or `,` leave no choice.
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
 * assert.equal(rust.exact, true);
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
    // The Rust tool's line, most likely: its grammar first. Without quotes,
    // runlog's grammar can only agree with an exact reading.
    const rust = readRustLine(text, head);
    if (!isFailure(rust) && rust.exact && !text.includes('"')) return rust;
    const runlog = readRunlogLine(text);
    if (isFailure(runlog)) {
      if (isFailure(rust)) throw lineError(text, rust);
      return rust;
    }
    // runlog's grammar reads it: exactly when without quotes (values without
    // spaces leave no choice); with quotes, Rust's reading is likelier.
    if (runlog.exact || isFailure(rust)) return runlog;
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

/**
 * runlog's grammar. Its reading is exact unless the line has a Rust
 * timestamp and quoted values: Rust would have written the quotes as text.
 */
function readRunlogLine(text: string): ParsedEventLoopLine | Failure {
  // Each step returns undefined on failure, recorded here, rather than
  // throwing: a throw costs more than a whole Rust line this grammar refuses.
  let i = 0;
  let quoted = false;
  let failure: Failure = { at: 0, why: "" };
  const fail = (why: string, inQuote = false): undefined => {
    failure = { at: i, why, inQuote };
    return undefined;
  };
  const expect = (literal: string): true | undefined => {
    if (!text.startsWith(literal, i)) return fail(`expected "${literal}"`);
    i += literal.length;
    return true;
  };
  const integer = (what: string): number | undefined => {
    const match = /^\d+/.exec(text.slice(i, i + 20));
    if (match === null) return fail(`expected ${what}`);
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) return fail(`${what} is too large`);
    i += match[0].length;
    return value;
  };
  // A quoted JSON string, or a bare token ending at one of `stops` that
  // runlog would write bare: anything else is left to the Rust grammar.
  const value = (stops: string): string | undefined => {
    if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) return fail("unterminated quoted value", true);
      let parsed: string;
      try {
        parsed = JSON.parse(text.slice(i, j + 1));
      } catch {
        return fail("invalid escape in quoted value", true);
      }
      i = j + 1;
      quoted = true;
      return parsed;
    }
    const start = i;
    while (i < text.length && !stops.includes(text[i])) i++;
    if (i === start) return fail("expected a value");
    const token = text.slice(start, i);
    if (quote(token) === token) return token;
    for (i = start; quote(text[i]) === text[i];) i++;
    return fail(`unexpected ${JSON.stringify(text[i])} in an unquoted value`);
  };

  const seq = integer("a sequence number");
  if (seq === undefined || !expect(" ts=")) return failure;
  const ts = value(" ");
  if (ts === undefined || !expect(" phase=")) return failure;
  const phase = value(" ");
  if (phase === undefined || !expect(" effect=")) return failure;
  const effect = value(" ");
  if (effect === undefined || !expect(" event=")) return failure;
  const event = value(" ");
  if (event === undefined) return failure;
  const extra: string[] = [];
  if (text.startsWith(" extra=[", i)) {
    i += " extra=[".length;
    for (;;) {
      const item = value(",]");
      if (item === undefined) return failure;
      extra.push(item);
      if (text[i] === "]") break;
      if (!expect(",")) return failure;
    }
    i++;
  }
  const context: [string, string][] = [];
  if (text.startsWith(" ctx=", i)) {
    i += " ctx=".length;
    for (;;) {
      const key = value("=, ");
      if (key === undefined || !expect("=")) return failure;
      const item = value(", ");
      if (item === undefined) return failure;
      context.push([key, item]);
      if (text[i] !== ",") break;
      i++;
    }
  }
  if (!expect(" ms=")) return failure;
  const durationMs = integer("the duration in ms");
  if (durationMs === undefined) return failure;
  if (i !== text.length) {
    fail("unexpected text after ms");
    return failure;
  }
  const rust = RUST_TS.test(ts);
  return {
    seq,
    ts,
    phase,
    effect,
    event,
    extra,
    context,
    durationMs,
    dialect: rust ? "rust" : "runlog",
    exact: !(rust && quoted),
  };
}

const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;
const CLOSE_SQUARE = 0x5d;
// What separates the values of a Rust line after its phase.
const SEPARATORS = [" effect=", " event=", " extra=[", " ctx="];
const EVENT_KEY = [" event="];
const AFTER_EVENT = [" extra=[", " ctx="];

/**
 * The first character `stop` in `text[from, to)` that stands outside
 * double-quoted strings (with backslash escapes) and brackets `()[]{}`, as
 * in Rust `Debug` text; with `keys`, only where one of them starts. Returns
 * its index; -1 when there is none; -2 when the brackets or quotes do not
 * balance, so that a separator may hide in them.
 */
function scanDebug(
  text: string,
  from: number,
  to: number,
  stop: number,
  keys?: readonly string[],
): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      for (i++; i < to; i++) {
        const inner = text.charCodeAt(i);
        if (inner === BACKSLASH) i++;
        else if (inner === QUOTE) break;
      }
      if (i >= to) return -2;
    } else if (
      depth === 0 && code === stop && (keys === undefined || startsWithAny(text, i, keys))
    ) {
      return i;
    } else if (code === 0x28 || code === 0x5b || code === 0x7b) {
      depth++;
    } else if ((code === 0x29 || code === 0x5d || code === 0x7d) && --depth < 0) {
      return -2;
    }
  }
  return depth === 0 ? -1 : -2;
}

function startsWithAny(text: string, at: number, keys: readonly string[]): boolean {
  for (const key of keys) if (text.startsWith(key, at)) return true;
  return false;
}

/**
 * Where the value starting at `from` ends: at the first of `wanted` outside
 * strings and brackets (-1: at `to`). `clean` is false when the value holds
 * another separator, or does not balance (then the first `wanted` counts).
 */
function valueEnd(
  text: string,
  from: number,
  to: number,
  wanted: readonly string[],
): { end: number; clean: boolean } {
  let clean = true;
  for (let at = from;;) {
    const hit = scanDebug(text, at, to, SPACE, SEPARATORS);
    if (hit === -1) return { end: -1, clean };
    if (hit === -2) {
      let end = -1;
      for (const key of wanted) {
        const found = text.indexOf(key, from);
        if (found >= 0 && found < to && (end < 0 || found < end)) end = found;
      }
      return { end, clean: false };
    }
    if (startsWithAny(text, hit, wanted)) return { end: hit, clean };
    clean = false;
    at = hit + 1;
  }
}

/** Splits `text[from, to)` at `sep` outside strings and brackets, or at every `sep` when they do not balance. */
function splitDebug(
  text: string,
  from: number,
  to: number,
  sep: number,
): { parts: string[]; balanced: boolean } {
  const parts: string[] = [];
  for (let start = from;;) {
    const hit = scanDebug(text, start, to, sep);
    if (hit >= 0) {
      parts.push(text.slice(start, hit));
      start = hit + 1;
    } else if (hit === -1) {
      parts.push(text.slice(start, to));
      return { parts, balanced: true };
    } else {
      return { parts: text.slice(from, to).split(String.fromCharCode(sep)), balanced: false };
    }
  }
}

/** The Rust original's grammar: nothing quoted, values found by their keys. */
function readRustLine(text: string, head: RegExpExecArray | null): ParsedEventLoopLine | Failure {
  if (head === null) return { at: 0, why: 'expected "<seq> ts=<time> phase="' };
  const seq = Number(head[1]);
  if (!Number.isSafeInteger(seq)) return { at: 0, why: "a sequence number is too large" };
  const phaseStart = head[0].length;
  const msAt = text.lastIndexOf(" ms=");
  if (msAt < phaseStart || !DIGITS.test(text.slice(msAt + 4))) {
    return { at: msAt < phaseStart ? text.length : msAt + 4, why: 'expected " ms=<n>" to end it' };
  }
  const durationMs = Number(text.slice(msAt + 4));
  if (!Number.isSafeInteger(durationMs)) return { at: msAt + 4, why: "the duration is too large" };
  const effectAt = text.indexOf(" effect=", phaseStart);
  if (effectAt < 0 || effectAt >= msAt) return { at: phaseStart, why: 'expected " effect="' };
  const effectStart = effectAt + " effect=".length;
  const effectEnd = valueEnd(text, effectStart, msAt, EVENT_KEY);
  if (effectEnd.end < 0) return { at: effectStart, why: 'expected " event="' };
  let exact = effectEnd.clean;
  const eventStart = effectEnd.end + " event=".length;
  const eventEnd = valueEnd(text, eventStart, msAt, AFTER_EVENT);
  exact &&= eventEnd.clean;
  let next = eventEnd.end < 0 ? msAt : eventEnd.end;
  const event = text.slice(eventStart, next);

  let extra: string[] = [];
  if (text.startsWith(" extra=[", next)) {
    const open = next + " extra=[".length;
    let close = scanDebug(text, open, msAt, CLOSE_SQUARE);
    if (close < 0 || (close + 1 !== msAt && !text.startsWith(" ctx=", close + 1))) {
      exact = false;
      close = text.indexOf("] ctx=", open);
      if (close < 0 || close >= msAt) {
        close = text.charCodeAt(msAt - 1) === CLOSE_SQUARE ? msAt - 1 : -1;
      }
      if (close < open) {
        return { at: open, why: 'expected "]" to end the extra list, before " ctx=" or " ms="' };
      }
    }
    if (close === open) return { at: open, why: "an empty extra list (it is never written)" };
    const items = splitDebug(text, open, close, COMMA);
    extra = items.parts;
    exact &&= items.balanced;
    next = close + 1;
  }

  const context: [string, string][] = [];
  if (next < msAt) {
    const from = next + " ctx=".length;
    if (from >= msAt) return { at: from, why: "an empty context (it is never written)" };
    if (scanDebug(text, from, msAt, SPACE, SEPARATORS) !== -1) exact = false;
    const segments = splitDebug(text, from, msAt, COMMA);
    exact &&= segments.balanced;
    let orphan = ""; // Segments without "=" before any pair: the start of a key.
    for (const segment of segments.parts) {
      const split = splitDebug(segment, 0, segment.length, EQUALS);
      const parts = split.parts;
      if (parts.length === 1) {
        exact = false;
        if (context.length > 0) context[context.length - 1][1] += `,${segment}`;
        else orphan += `${segment},`;
        continue;
      }
      if (parts.length > 2 || !split.balanced || orphan !== "") exact = false;
      const value = parts.pop()!;
      context.push([orphan + parts.join("="), value]);
      orphan = "";
    }
    if (context.length === 0) return { at: from, why: 'expected "=" in the context' };
  }

  return {
    seq,
    ts: head[2],
    phase: text.slice(phaseStart, effectAt),
    effect: text.slice(effectStart, effectEnd.end),
    event,
    extra,
    context,
    durationMs,
    dialect: "rust",
    exact,
  };
}
