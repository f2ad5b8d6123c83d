// The timeline data of `event_loop.log`: its effects from a byte offset on,
// parsed in one streaming pass (both dialects), masked, in compact columns
// with a string table, so that 100,000 effects travel as a few megabytes.
import type { Workspace } from "../workspace.ts";
import { concatBytes } from "../_bytes.ts";
import { fileSizeIfExists } from "../_workspace_checks.ts";
import { parseEventLoopLine } from "../parse_event_loop_line.ts";
import { maskedStream, type Masker } from "./_redacted_read.ts";

/** Effects of `event_loop.log`, in columns; strings are indices into `strings`. */
export interface TimelineChunk {
  /** The size of the log when read. */
  size: number;
  /** Where this chunk starts (a line start). */
  from: number;
  /** Where the next chunk starts: after the last complete line read. */
  next: number;
  /** Whether every complete line of the log (as it was) is in this chunk. */
  done: boolean;
  /** The distinct strings of the chunk. */
  strings: string[];
  /** Sequence numbers. */
  seq: number[];
  /**
   * When each effect finished, in ms since the epoch: the first number is
   * absolute, each next one relative to the previous number given; `null`
   * for a timestamp that does not parse.
   */
  t: (number | null)[];
  /** Durations in ms. */
  ms: number[];
  /** Phases (string indices). */
  phase: number[];
  /** Effects (string indices). */
  effect: number[];
  /** Events (string indices). */
  event: number[];
  /** Extra events and context as `extra=[…] ctx=k=v,…` (string indices; "" when none). */
  detail: number[];
  /** Byte offset of each line. */
  off: number[];
  /** Lines that did not parse, skipped. */
  invalid: number;
  /** Lines read by the most plausible of several readings (the Rust tool's unquoted values). */
  inexact: number;
  /** The first line that did not parse, for the page to show. */
  firstInvalid?: { offset: number; text: string };
}

/** Limits of one chunk. */
export interface TimelineLimits {
  /** Bytes of the log read at most. */
  maxBytes: number;
  /** Effects at most. */
  maxEffects: number;
}

// No event line is longer: runlog caps lines at 1 MiB when it writes them.
const MAX_LINE = 1024 * 1024;
const NL = 0x0a;
const decoder = new TextDecoder();

/** A timestamp in ms since the epoch; chrono's nanoseconds are cut to ms first. */
function parseTime(ts: string): number | null {
  const text = ts.replace(/(\.\d{3})\d+/, "$1");
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : time;
}

/** The extra events and context of an entry, as written in a line (without quotes). */
function detailOf(extra: string[], context: [string, string][]): string {
  const parts: string[] = [];
  if (extra.length > 0) parts.push(`extra=[${extra.join(",")}]`);
  if (context.length > 0) parts.push(`ctx=${context.map(([k, v]) => `${k}=${v}`).join(",")}`);
  return parts.join(" ");
}

/**
 * Reads the effects of an event log from byte `from` (a line start), up to
 * the limits; the last line is left for the next chunk until it ends. A
 * missing log has none. `knownSize`: the log's size, when the caller has
 * just taken it.
 */
export async function readTimeline(
  ws: Workspace,
  path: string,
  from: number,
  masker: Masker,
  limits: TimelineLimits,
  knownSize?: number,
): Promise<TimelineChunk> {
  const size = knownSize ?? (await fileSizeIfExists(ws, path)) ?? 0;
  const start = Math.min(Math.max(0, from), size);
  const chunk: TimelineChunk = {
    size,
    from: start,
    next: start,
    done: false,
    strings: [],
    seq: [],
    t: [],
    ms: [],
    phase: [],
    effect: [],
    event: [],
    detail: [],
    off: [],
    invalid: 0,
    inexact: 0,
  };
  const index = new Map<string, number>();
  const intern = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = chunk.strings.length;
      chunk.strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  let lastTime: number | null = null;
  const addLine = (bytes: Uint8Array, offset: number) => {
    const text = decoder.decode(bytes);
    let entry;
    try {
      entry = parseEventLoopLine(text);
    } catch {
      if (text.trim() === "") return;
      chunk.invalid++;
      chunk.firstInvalid ??= { offset, text: text.slice(0, 300) };
      return;
    }
    if (!entry.exact) chunk.inexact++;
    const time = parseTime(entry.ts);
    chunk.t.push(time === null ? null : lastTime === null ? time : time - lastTime);
    if (time !== null) lastTime = time;
    chunk.seq.push(entry.seq);
    chunk.ms.push(entry.durationMs);
    chunk.phase.push(intern(entry.phase));
    chunk.effect.push(intern(entry.effect));
    chunk.event.push(intern(entry.event));
    chunk.detail.push(intern(detailOf(entry.extra, entry.context)));
    chunk.off.push(offset);
  };

  let carry: Uint8Array[] = [];
  let carried = 0;
  let lineStart = start;
  let overlong = false;
  let stopped = false;
  for await (const piece of maskedStream(ws, path, start, size, masker)) {
    const bytes = piece.bytes;
    let from = 0;
    for (let nl = bytes.indexOf(NL); nl !== -1; nl = bytes.indexOf(NL, from)) {
      const end = piece.offset + nl + 1;
      if (overlong) {
        chunk.invalid++;
        chunk.firstInvalid ??= { offset: lineStart, text: "(a line longer than 1 MiB)" };
      } else if (carried === 0) {
        addLine(bytes.subarray(from, nl), lineStart);
      } else {
        carry.push(bytes.subarray(from, nl));
        addLine(concatBytes(carry), lineStart);
      }
      carry = [];
      carried = 0;
      overlong = false;
      from = nl + 1;
      lineStart = end;
      chunk.next = end;
      if (chunk.seq.length >= limits.maxEffects || end - start >= limits.maxBytes) {
        stopped = true;
        break;
      }
    }
    if (stopped) break;
    const rest = bytes.subarray(from);
    if (!overlong && rest.length > 0) {
      carried += rest.length;
      if (carried > MAX_LINE) {
        overlong = true;
        carry = [];
      } else carry.push(rest.slice());
    }
  }
  chunk.done = !stopped;
  return chunk;
}
