// Streaming, size-preserving redaction.
//
// Bytes are viewed as latin1 text (TextDecoder("latin1") is windows-1252 in
// the Encoding Standard: still one UTF-16 unit per byte), so regex offsets
// are byte offsets, and masks are written over the bytes: every output has
// exactly the size of its input, as a tar header written before the body
// requires.
//
// A secret may straddle two chunks, so the engine scans only up to W bytes
// (more than the longest match any rule can make) before the end of what it
// has: a match starting before that point is wholly visible. Each round
// scans from where each regex stopped, masks what it found, and releases
// the chunks that end before that point. The output is byte for byte that
// of a single pass over the whole input, whatever the chunking. No line
// buffering: a provider log line can be megabytes long; the byte window is
// bounded.
//
// The chunks themselves are masked and released, never copied: on V8 every
// fresh buffer per chunk lets tens of MB of dead buffers pile up before a
// collection, so a pack allocates none besides the reads.
//
// Overlaps: every match is masked (the union), so a generic rule (a
// "private_key": "-----BEGIN … value cut at its first backslash) can never
// hide a longer specific one (the whole key). A match inside what was
// already counted is not counted again.
//
// Provider streams: lines with a stream marker ("delta":, …_stop") go to a
// DeltaStreams, which joins the deltas of each message and masks secrets
// split across them; the chunks holding pieces that a later delta could
// still complete are held back too (at most about 1 MiB).
//
// A live file: its last line may still be written. flushOwned(true) masks
// the bytes after the last newline, and the trailing run of each open
// delta stream, as "live-tail": a prefix of a secret is never shown.
import { type Hit, LOOK_AROUND, type Matcher } from "./_matcher.ts";
import { findStreamMarkers } from "./_stream_markers.ts";

// What pack and the viewer build an engine from: a matcher of the patterns.
export { type Matcher, matcherFor } from "./_matcher.ts";
import { DeltaStreams, LIVE_TAIL_KIND, type RawMask } from "./_delta_streams.ts";
import { concatBytes } from "../_bytes.ts";

const latin1 = new TextDecoder("latin1");
const NL = 0x0a;
const CR = 0x0d;
const STAR = 0x2a;
/** A round runs once this much is pending, so that tiny chunks stay linear. */
const MIN_BATCH = 64 * 1024;
/**
 * The most a round scans: its text (this, the window and a little context)
 * stays under V8's 128 KiB large-object size, so that it dies young.
 */
const MAX_ROUND = 96 * 1024;
const EMPTY = new Uint8Array(0);
/** push() copies chunks smaller than this together. */
const GATHER = 16 * 1024;

/** A chunk received and not released yet, at stream offset `start`. */
interface Held {
  bytes: Uint8Array;
  start: number;
  /** Bytes a mask already wrote (the first mask to reach a byte decides it). */
  touched?: Uint8Array;
}

/** Options of the engine; the defaults are what every public redactor uses. */
export interface EngineOptions {
  /** Bytes held back; default the longest match + 4. */
  window?: number;
}

/**
 * The redaction state of one stream of bytes. Offsets are stream offsets:
 * the position of a byte in everything pushed since the start.
 */
export class RedactionEngine {
  /** Secrets found so far, by kind. */
  readonly counts: Record<string, number> = {};
  readonly #matcher: Matcher;
  readonly #window: number;
  // A raw copy of the bytes still to scan, after a little scanned context
  // for look-behinds; reused (capacity doubling), so it costs no garbage.
  #buf: Uint8Array = EMPTY;
  #len = 0;
  #bufStart = 0; // The stream offset of #buf[0].
  #scanned = 0; // Every match starting before this offset is known and masked.
  #total = 0;
  #held: Held[] = [];
  #heldBytes = 0;
  #gathered: Uint8Array | undefined; // Small chunks of push(), copied together.
  #gatheredBytes = 0;
  #resume: number[]; // Per user pattern: where its next search starts.
  #countedUntil = 0;
  #lineStart = 0; // The stream offset after the last newline seen.
  #deltas: DeltaStreams;
  readonly #markers: number[] = []; // Where #scan found stream markers; reused.

  constructor(matcher: Matcher, options: EngineOptions = {}) {
    this.#matcher = matcher;
    // +4: a mask is stretched over the rest of a UTF-8 sequence it ends inside.
    this.#window = options.window ?? matcher.maxLength + 4;
    this.#resume = matcher.users.map(() => 0);
    this.#deltas = this.#newDeltas();
  }

  #newDeltas(): DeltaStreams {
    return new DeltaStreams(
      this.#matcher,
      this.#matcher.maxLength + 4,
      (m) => this.#mask(m),
      (kind) => void (this.counts[kind] = (this.counts[kind] ?? 0) + 1),
    );
  }

  /** Bytes received and not released yet. */
  get pending(): number {
    return this.#heldBytes + this.#gatheredBytes;
  }

  /**
   * Feeds a chunk the engine may keep and mask in place; returns the chunks
   * now final (whole, in order; possibly none).
   */
  pushOwned(chunk: Uint8Array): Uint8Array[] {
    return [...this.#releaseGathered(), ...this.#add(chunk)];
  }

  /**
   * Ends the stream: returns the chunks still held, and gets ready for a new
   * stream. `live`: the stream is a file still being written, whose last
   * line may go on: what could be the start of a secret is masked.
   */
  flushOwned(live = false): Uint8Array[] {
    const out = this.#releaseGathered();
    this.#scan(this.#total);
    if (live) {
      if (this.#lineStart < this.#total) {
        this.#mask({ start: this.#lineStart, end: this.#total, kind: LIVE_TAIL_KIND });
        this.counts[LIVE_TAIL_KIND] = (this.counts[LIVE_TAIL_KIND] ?? 0) + 1;
      }
      this.#deltas.endLive();
    } else this.#deltas.endAll();
    out.push(...this.#release(this.#total, true));
    this.#buf = EMPTY;
    this.#len = 0;
    this.#bufStart = 0;
    this.#scanned = 0;
    this.#total = 0;
    this.#resume = this.#resume.map(() => 0);
    this.#countedUntil = 0;
    this.#lineStart = 0;
    this.#deltas = this.#newDeltas();
    return out;
  }

  /** Feeds bytes that stay the caller's; returns the bytes now final (possibly none). */
  push(chunk: Uint8Array): Uint8Array {
    if (chunk.length >= GATHER) {
      return concatBytes([...this.#releaseGathered(), ...this.#add(chunk.slice())]);
    }
    // Small chunks are gathered into one copy: a chunk per byte would make every round slow.
    const out: Uint8Array[] = [];
    for (let rest = chunk; rest.length > 0;) {
      this.#gathered ??= new Uint8Array(GATHER);
      const n = Math.min(GATHER - this.#gatheredBytes, rest.length);
      this.#gathered.set(rest.subarray(0, n), this.#gatheredBytes);
      this.#gatheredBytes += n;
      rest = rest.subarray(n);
      if (this.#gatheredBytes === GATHER) out.push(...this.#releaseGathered());
    }
    return concatBytes(out);
  }

  /** Ends the stream: returns the rest, and gets ready for a new stream (see flushOwned). */
  flush(live = false): Uint8Array {
    return concatBytes(this.flushOwned(live));
  }

  #releaseGathered(): Uint8Array[] {
    if (this.#gatheredBytes === 0) return [];
    const chunk = this.#gathered!.subarray(0, this.#gatheredBytes);
    this.#gathered = undefined;
    this.#gatheredBytes = 0;
    return this.#add(chunk);
  }

  #add(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length === 0) return [];
    const nl = chunk.lastIndexOf(NL);
    if (nl !== -1) this.#lineStart = this.#total + nl + 1;
    this.#append(chunk);
    this.#held.push({ bytes: chunk, start: this.#total });
    this.#heldBytes += chunk.length;
    this.#total += chunk.length;
    const end = this.#total - this.#window;
    if (end - this.#scanned < MIN_BATCH) return [];
    while (end - this.#scanned >= MIN_BATCH) this.#scan(Math.min(end, this.#scanned + MAX_ROUND));
    return this.#release(this.#scanned);
  }

  #append(chunk: Uint8Array): void {
    const needed = this.#len + chunk.length;
    if (needed > this.#buf.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.#buf.length, 1024));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(chunk, this.#len);
    this.#len = needed;
  }

  // Finds and masks every match starting in [#scanned, limit). Lines of
  // stream markers there go to the delta layer first: the JSON strings of
  // their deltas are scanned joined, there, and skipped here. Markers and
  // keywords are found on the bytes, and a rule decodes only the text around
  // its keyword: a round allocates almost nothing, so little survives a
  // young collection and the runtime's young generation stays small.
  #scan(limit: number): void {
    const base = this.#bufStart;
    // What a match starting before `limit` can reach, and no more.
    const buf = this.#buf.subarray(0, Math.min(this.#len, limit - base + this.#window));
    const from = this.#scanned - base;
    const markers = findStreamMarkers(buf, from, limit - base, this.#markers);
    // Pieces of earlier rounds may reach into this one: those are kept.
    const added = this.#deltas.added;
    let kept = 0;
    for (let i = 0; i < added.length; i += 2) {
      if (added[i + 1] > this.#scanned) {
        added[kept++] = added[i];
        added[kept++] = added[i + 1];
      }
    }
    added.length = kept;
    const all = this.#buf.subarray(0, this.#len); // One view per round (the delta layer keys on it).
    for (const at of markers) this.#marker(all, at, limit === this.#total);
    const hits = this.#matcher.find(buf, from, limit - base, added, base);
    if (this.#matcher.users.length > 0) {
      hits.push(...this.#userHits(latin1.decode(buf), from, limit - base));
      hits.sort((a, b) => a.start - b.start || a.rule - b.rule);
    }
    for (const hit of hits) {
      const kind = this.#matcher.kindOf(buf, hit);
      for (const [start, end] of hit.ranges) {
        this.#mask({ start: base + start, end: base + utf8End(buf, end), kind });
      }
      if (base + hit.end > this.#countedUntil) {
        this.counts[kind] = (this.counts[kind] ?? 0) + 1;
        this.#countedUntil = base + hit.end;
      }
    }
    this.#scanned = limit;
    // Keep what is still to scan, after a little context for look-behinds.
    const drop = Math.max(0, limit - LOOK_AROUND - base);
    this.#buf.copyWithin(0, drop, this.#len);
    this.#len -= drop;
    this.#bufStart += drop;
  }

  // The line of a stream marker at buffer offset `at`, to the delta layer:
  // whole lines only (at the end of the stream, the last one too).
  #marker(buf: Uint8Array, at: number, atEnd: boolean): void {
    const start = buf.lastIndexOf(NL, at) + 1;
    if (start === 0 && this.#bufStart > 0) return; // Its start is gone: longer than any delta line.
    let end = buf.indexOf(NL, at);
    if (end === -1) {
      if (!atEnd) return;
      end = buf.length;
    }
    if (end > start && buf[end - 1] === CR) end--;
    this.#deltas.marker(buf, start, end, at, this.#bufStart);
  }

  // Every match of the user patterns starting in [from, limit) of `text`;
  // each regex resumes exactly where it stopped, so the matches are those of one pass.
  #userHits(text: string, from: number, limit: number): Hit[] {
    const hits: Hit[] = [];
    const users = this.#matcher.users;
    const base = this.#bufStart;
    for (let n = 0; n < users.length; n++) {
      const rx = users[n].regex;
      rx.lastIndex = Math.max(from, this.#resume[n] - base);
      let m: RegExpExecArray | null;
      while ((m = rx.exec(text)) !== null && m.index < limit) {
        if (m[0].length === 0) {
          rx.lastIndex++;
          continue;
        }
        hits.push(this.#matcher.userHit(users[n], m));
        this.#resume[n] = base + rx.lastIndex;
      }
    }
    return hits;
  }

  // Writes "[redacted:<kind>]" then "*" over the bytes a mask covers, line
  // breaks kept (the line structure stays), in the held chunks.
  #mask(m: RawMask): void {
    const label = `[redacted:${m.kind}]`;
    const withLabel = m.end - m.start >= label.length + 4;
    for (const held of this.#held) {
      const from = Math.max(m.start, held.start);
      const to = Math.min(m.end, held.start + held.bytes.length);
      if (from >= to) continue;
      held.touched ??= new Uint8Array(held.bytes.length);
      for (let i = from; i < to; i++) {
        const at = i - held.start;
        const b = held.bytes[at];
        if (b === NL || b === CR || held.touched[at]) continue;
        held.touched[at] = 1;
        const j = i - m.start;
        held.bytes[at] = withLabel && j < label.length ? label.charCodeAt(j) : STAR;
      }
    }
  }

  // The held chunks that end at or before `until` (and before what the
  // delta layer may still mask, unless `all`), released.
  #release(until: number, all = false): Uint8Array[] {
    if (!all && this.#deltas.open > 0) until = Math.min(until, this.#deltas.holdPoint(this.#total));
    let n = 0;
    while (n < this.#held.length && this.#held[n].start + this.#held[n].bytes.length <= until) n++;
    const released = this.#held.splice(0, n).map((h) => h.bytes);
    for (const bytes of released) this.#heldBytes -= bytes.length;
    return released;
  }
}

// A mask ending inside a UTF-8 sequence covers the rest of it, so that
// masked text stays valid UTF-8.
function utf8End(buf: Uint8Array, end: number): number {
  let e = end;
  while (e < buf.length && e - end < 3 && (buf[e] & 0xc0) === 0x80) e++;
  return e;
}
