// How values stand in an `event_loop.log` line (see event_loop_line.ts):
// bare when unambiguous, else a JSON string literal; shared by the text
// formatter, the byte writer and runlog's grammar, which must agree.
import { RunLogError } from "./run_log_error.ts";
import { safeString } from "./_safe_string.ts";

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
export const QUOTED_CACHE_SIZE = 512;
const quotedCache = new Map<string, string>();

/** {@linkcode quote} for values that repeat. */
export function quoteName(value: string): string {
  let quoted = quotedCache.get(value);
  if (quoted === undefined) {
    quoted = quote(value);
    if (quotedCache.size >= QUOTED_CACHE_SIZE) quotedCache.clear();
    quotedCache.set(value, quoted);
  }
  return quoted;
}

/** A value as written in a line: bare when unambiguous, else a JSON string. */
export function quote(value: string): string {
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

export function isDurationMs(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

// A seq and a duration are whole numbers of at least 0; said in terms of the effect.
export function assertSeqAndDuration(seq: number, durationMs: number, effect: string): void {
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
