// Where provider stream events are, found on the bytes: every marker is
// next to a colon, and a native search for colons skips the rest of a line
// at memchr speed, so a round of log text costs no decoded string.
//
// The markers (what the stream-aware layer acts on):
//   "delta":                      a delta line (Claude, OpenAI Chat, Responses);
//   "finish_reason":"             the end of an OpenAI Chat choice;
//   "type" : "…_stop" / "…_start" / "….done"
//                                 the end or start of a Claude block or message, or of a
//                                 Responses item; the marker is the suffix, and its
//                                 "type" key starts at most 64 bytes before it.

import { asciiBytes, startsAt } from "./_byte_words.ts";

const COLON = 0x3a;
const QUOTE = 0x22;
const DELTA = asciiBytes('"delta"');
const FINISH_REASON = asciiBytes('"finish_reason"');
const TYPE = asciiBytes('"type"');
const END_SUFFIXES = ["_stop", "_start", ".done"].map(asciiBytes);
/** How far before its suffix a type marker's "type" key may start. */
const TYPE_REACH = 64;

/**
 * Fills `out` with the offsets of the stream markers that start in
 * `[from, to)` of `bytes`, in order, and returns it. A marker must lie
 * wholly within `bytes`.
 */
export function findStreamMarkers(
  bytes: Uint8Array,
  from: number,
  to: number,
  out: number[],
): number[] {
  out.length = 0;
  const last = Math.min(bytes.length, to + FINISH_REASON.length);
  let sorted = true;
  for (
    let c = bytes.indexOf(COLON, Math.max(0, from - TYPE_REACH));
    c !== -1 && c < last;
    c = bytes.indexOf(COLON, c + 1)
  ) {
    const at = markerAt(bytes, c);
    if (at < from || at >= to) continue;
    if (out.length > 0 && at < out[out.length - 1]) sorted = false;
    out.push(at);
  }
  if (!sorted) out.sort((a, b) => a - b);
  return out;
}

/** Whether the marker at `at` (one findStreamMarkers found) is a delta's. */
export function isDeltaMarker(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === QUOTE && bytes[at + 1] === DELTA[1]; // Not "finish_reason", not .done.
}

// The offset of the marker the colon at `c` belongs to, or -1.
function markerAt(bytes: Uint8Array, c: number): number {
  if (bytes[c - 1] !== QUOTE) {
    // "type" [ \t]* :
    let k = c - 1;
    while (k >= 0 && (bytes[k] === 0x20 || bytes[k] === 0x09)) k--;
    return bytes[k] === QUOTE ? typeMarker(bytes, k + 1, c) : -1;
  }
  if (endsAt(bytes, DELTA, c)) return c - DELTA.length;
  if (endsAt(bytes, FINISH_REASON, c) && bytes[c + 1] === QUOTE) return c - FINISH_REASON.length;
  return typeMarker(bytes, c, c);
}

// A type marker after `"type"` ending at `keyEnd`, its colon at `c`: the
// offset of the value's suffix, or -1.
function typeMarker(bytes: Uint8Array, keyEnd: number, c: number): number {
  if (!endsAt(bytes, TYPE, keyEnd)) return -1;
  let v = c + 1;
  while (bytes[v] === 0x20 || bytes[v] === 0x09) v++;
  if (bytes[v] !== QUOTE) return -1;
  let q = v + 1;
  while (q < bytes.length && NAME_BYTE[bytes[q]] === 1) q++;
  if (q >= bytes.length || bytes[q] !== QUOTE) return -1;
  for (const suffix of END_SUFFIXES) {
    const at = q - suffix.length;
    if (at > v && endsAt(bytes, suffix, q)) {
      return keyEnd - TYPE.length >= at - TYPE_REACH ? at : -1;
    }
  }
  return -1;
}

/** Whether `word` ends right before `end` in `bytes`. */
function endsAt(bytes: Uint8Array, word: Uint8Array, end: number): boolean {
  return startsAt(bytes, word, end - word.length);
}

/** [A-Za-z_.]: what a type value holds before its suffix. */
const NAME_BYTE = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.") {
  NAME_BYTE[c.charCodeAt(0)] = 1;
}
