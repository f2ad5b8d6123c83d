// The byte writer of `event_loop.log` lines: the hot path of
// `EventLoopLogger.logEffect`. It writes exactly the bytes that
// `buildEventLoopLine` (event_loop_line.ts) makes as text, without making
// a string, and keeps the frame and repeated segments of the previous line
// (see _line_bytes.ts). Its caches are module state, bounded.
import { safeString } from "./_safe_string.ts";
import { decimalWidth, encodeText, type LineBytes } from "./_line_bytes.ts";
import { isoSecondBytes, nowMs } from "./_iso_time.ts";
import {
  assertSeqAndDuration,
  quote,
  QUOTED_CACHE_SIZE,
  quoteName,
} from "./_event_loop_quoting.ts";
import type { EventLoopContext } from "./event_loop_line.ts";

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
 * a line over the length limit. Returns the time it read, in ms since the
 * epoch (the logger's write fence uses it instead of reading the clock again).
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
): number {
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
  return ms;
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
