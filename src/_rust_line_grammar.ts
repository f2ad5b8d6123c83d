// The Rust original's grammar of `event_loop.log` lines: nothing quoted,
// values found by their keys, with `exact` saying whether the reading is
// the only one (see parse_event_loop_line.ts).
import type { Failure, ParsedEventLoopLine } from "./parse_event_loop_line.ts";

// chrono's `to_rfc3339()`: what the Rust original writes, never runlog's logger.
export const RUST_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d:\d\d$/;
export const RUST_HEAD = /^(\d+) ts=(\S+) phase=/;
const DIGITS = /^\d+$/;

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
 * strings and brackets; when they do not balance, at the first of `wanted`
 * anywhere. -1 when there is none before `to`.
 */
function valueEnd(text: string, from: number, to: number, wanted: readonly string[]): number {
  for (let at = from;;) {
    const hit = scanDebug(text, at, to, SPACE, SEPARATORS);
    if (hit === -1) return -1;
    if (hit === -2) {
      let end = -1;
      for (const key of wanted) {
        const found = text.indexOf(key, from);
        if (found >= 0 && found < to && (end < 0 || found < end)) end = found;
      }
      return end;
    }
    if (startsWithAny(text, hit, wanted)) return hit;
    at = hit + 1;
  }
}

/** Splits `text[from, to)` at `sep` outside strings and brackets, or at every `sep` when they do not balance. */
function splitDebug(text: string, from: number, to: number, sep: number): string[] {
  const parts: string[] = [];
  for (let start = from;;) {
    const hit = scanDebug(text, start, to, sep);
    if (hit >= 0) {
      parts.push(text.slice(start, hit));
      start = hit + 1;
    } else if (hit === -1) {
      parts.push(text.slice(start, to));
      return parts;
    } else {
      return text.slice(from, to).split(String.fromCharCode(sep));
    }
  }
}

/**
 * The context pairs of `text[from, to)`, split at commas and each segment
 * at its last `=`: outside strings and brackets when `debug`, else
 * anywhere. A segment without `=` continues the previous value or, before
 * any pair, starts the next key. Empty when no segment holds `=`.
 */
function readPairs(text: string, from: number, to: number, debug: boolean): [string, string][] {
  const segments = debug ? splitDebug(text, from, to, COMMA) : text.slice(from, to).split(",");
  const context: [string, string][] = [];
  let orphan = ""; // Segments without "=" before any pair: the start of a key.
  for (const segment of segments) {
    const parts = debug ? splitDebug(segment, 0, segment.length, EQUALS) : segment.split("=");
    if (parts.length === 1) {
      if (context.length > 0) context[context.length - 1][1] += `,${segment}`;
      else orphan += `${segment},`;
      continue;
    }
    const value = parts.pop()!;
    context.push([orphan + parts.join("="), value]);
    orphan = "";
  }
  return context;
}

/** How many times `key` starts in `text[from, to)`. */
function occurrences(text: string, key: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf(key, from); at >= 0 && at < to; at = text.indexOf(key, at + 1)) {
    count++;
  }
  return count;
}

/** How many times the character `code` stands in `text[from, to)`. */
function charCount(text: string, code: number, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === code) count++;
  return count;
}

/**
 * Where the extra items opened at `open` end, in the most plausible
 * reading: at the first `]` outside strings and brackets, if ` ctx=` or the
 * line's end follows it; else at the first `] ctx=`, or at a `]` that ends
 * the line. -1 when there is none.
 */
function extraEnd(text: string, open: number, msAt: number): number {
  const close = scanDebug(text, open, msAt, CLOSE_SQUARE);
  if (close >= 0 && (close + 1 === msAt || text.startsWith(" ctx=", close + 1))) return close;
  const before = text.indexOf("] ctx=", open);
  if (before >= 0 && before < msAt) return before;
  return text.charCodeAt(msAt - 1) === CLOSE_SQUARE && msAt - 1 >= open ? msAt - 1 : -1;
}

/** Where a Rust line's event key is, where its event ends, and the `]` of its extra items (-1: none). */
interface RustKeys {
  eventAt: number;
  eventEnd: number;
  close: number;
}

/**
 * A reading of a Rust line where the most plausible one fails (the values
 * hold keys): the effect ends at the first ` event=` after which the rest
 * reads, the event at the next ` extra=[` or ` ctx=`, the extra items at the
 * first `] ctx=` that a context follows, else at the line's last `]`. Found
 * in one pass over the keys, however many there are.
 */
function anyRustKeys(text: string, effectStart: number, msAt: number): RustKeys | undefined {
  const starts = (key: string): number[] => {
    const found: number[] = [];
    for (
      let at = text.indexOf(key, effectStart);
      at >= 0 && at < msAt;
      at = text.indexOf(key, at + 1)
    ) {
      found.push(at);
    }
    return found;
  };
  const extras = starts(" extra=[");
  const contexts = starts(" ctx=");
  const closes = starts("] ctx=");
  const lastEquals = text.lastIndexOf("=", msAt - 1);
  const endsWithClose = text.charCodeAt(msAt - 1) === CLOSE_SQUARE;
  let x = 0;
  let c = 0;
  let k = 0;
  for (
    let eventAt = text.indexOf(" event=", effectStart);
    eventAt >= 0 && eventAt < msAt;
    eventAt = text.indexOf(" event=", eventAt + 1)
  ) {
    const start = eventAt + " event=".length;
    while (x < extras.length && extras[x] < start) x++;
    while (c < contexts.length && contexts[c] < start) c++;
    const extraAt = x < extras.length ? extras[x] : msAt;
    const ctxAt = c < contexts.length ? contexts[c] : msAt;
    if (extraAt === msAt && ctxAt === msAt) return { eventAt, eventEnd: msAt, close: -1 };
    if (ctxAt < extraAt) {
      if (lastEquals >= ctxAt + " ctx=".length) return { eventAt, eventEnd: ctxAt, close: -1 };
      continue;
    }
    const open = extraAt + " extra=[".length;
    while (k < closes.length && closes[k] < open) k++;
    if (k < closes.length && lastEquals >= closes[k] + "] ctx=".length) {
      return { eventAt, eventEnd: extraAt, close: closes[k] };
    }
    if (endsWithClose && msAt - 1 >= open) return { eventAt, eventEnd: extraAt, close: msAt - 1 };
  }
  return undefined;
}

/**
 * The Rust original's grammar: nothing quoted, values found by their keys.
 * The reading is the most plausible one; `exact` says whether it is the
 * only one (the rules are those of parseEventLoopLine). Any line the Rust
 * original can write is read.
 */
export function readRustLine(
  text: string,
  head: RegExpExecArray | null,
): ParsedEventLoopLine | Failure {
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
  // The effect ends at the first " event=" outside its strings and
  // brackets; failing that (all inside them), at the first.
  let eventAt = valueEnd(text, effectStart, msAt, EVENT_KEY);
  if (eventAt < 0) eventAt = text.indexOf(" event=", effectStart);
  if (eventAt < 0 || eventAt >= msAt) return { at: effectStart, why: 'expected " event="' };
  const eventStart = eventAt + " event=".length;
  const afterEvent = valueEnd(text, eventStart, msAt, AFTER_EVENT);
  let keys: RustKeys = { eventAt, eventEnd: afterEvent < 0 ? msAt : afterEvent, close: -1 };
  let failure: Failure | undefined;
  if (text.startsWith(" extra=[", keys.eventEnd)) {
    const open = keys.eventEnd + " extra=[".length;
    keys.close = extraEnd(text, open, msAt);
    if (keys.close < 0) {
      failure = { at: open, why: 'expected "]" to end the extra list, before " ctx=" or " ms="' };
    }
  }
  const ctxAt = keys.close >= 0 ? keys.close + 1 : keys.eventEnd;
  if (failure === undefined && ctxAt < msAt) {
    const from = ctxAt + " ctx=".length;
    if (from >= msAt) failure = { at: from, why: "an empty context (it is never written)" };
    else if (charCount(text, EQUALS, from, msAt) === 0) {
      failure = { at: from, why: 'expected "=" in the context' };
    }
  }

  // One reading only when the phase can end at one " effect=" only (one
  // before the event's key), the effect at one " event=", the event holds
  // neither key that may follow it, the extra items neither a comma nor a
  // second place to end, and the context one "=" (see parseEventLoopLine).
  let exact = failure === undefined &&
    occurrences(text, " effect=", phaseStart, eventAt) === 1 &&
    occurrences(text, " event=", effectStart, msAt) === 1 &&
    occurrences(text, " extra=[", eventStart, keys.eventEnd) === 0 &&
    occurrences(text, " ctx=", eventStart, keys.eventEnd) === 0;
  if (exact && keys.close >= 0) {
    const open = keys.eventEnd + " extra=[".length;
    const ends = occurrences(text, "] ctx=", open, msAt) +
      (text.charCodeAt(msAt - 1) === CLOSE_SQUARE ? 1 : 0);
    exact = ends === 1 && charCount(text, COMMA, open, keys.close) === 0;
  }
  if (exact && ctxAt < msAt) exact = charCount(text, EQUALS, ctxAt + " ctx=".length, msAt) === 1;

  if (failure !== undefined) {
    // Keys inside values misled the plausible reading: take any other.
    const other = anyRustKeys(text, effectStart, msAt);
    if (other === undefined) return failure;
    keys = other;
  }
  let extra: string[] = [];
  if (keys.close >= 0) {
    const open = keys.eventEnd + " extra=[".length;
    // Rust writes `extra=[]` for one empty item (an empty list is left out).
    extra = keys.close === open ? [""] : splitDebug(text, open, keys.close, COMMA);
  }
  let context: [string, string][] = [];
  const contextAt = keys.close >= 0 ? keys.close + 1 : keys.eventEnd;
  if (contextAt < msAt) {
    const from = contextAt + " ctx=".length;
    context = readPairs(text, from, msAt, true);
    if (context.length === 0) context = readPairs(text, from, msAt, false);
  }
  return {
    seq,
    ts: head[2],
    phase: text.slice(phaseStart, effectAt),
    effect: text.slice(effectStart, keys.eventAt),
    event: text.slice(keys.eventAt + " event=".length, keys.eventEnd),
    extra,
    context,
    durationMs,
    dialect: "rust",
    exact,
  };
}
