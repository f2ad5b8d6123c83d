// Secrets split across the deltas of a provider stream. Claude's and
// OpenAI's stream-json deliver a message in pieces, one JSON line each:
//   {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"sk-ant-api03-AAAA"}}
//   {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"BBBB…"}}
// so a token may never stand whole in any line. Each stream (a content
// block, a choice, a tool call's arguments, a Responses item) has its delta
// texts decoded and joined in order; the rules run over the joined text,
// and a secret that spans pieces is masked in every piece holding part of
// it, inside the JSON strings, escape sequences whole: each line keeps its
// length and stays valid JSON.
//
// Offsets: "raw" offsets are stream offsets of the file's bytes; "joined"
// offsets are positions in a stream's joined text.
import type { Hit, Matcher } from "./_matcher.ts";

/** A mask on the file's bytes. */
export interface RawMask {
  start: number;
  end: number;
  kind: string;
}

/** The kind counted and written for bytes held back at the end of a live file. */
export const LIVE_TAIL_KIND = "live-tail";

/**
 * The delta fields that carry text, in Claude's, OpenAI Chat's and
 * Responses' events, then "index" (a tool call's).
 */
const KEYS = [
  "text",
  "partial_json",
  "thinking",
  "content",
  "arguments",
  "reasoning_content",
  "reasoning",
  "refusal",
  "input",
  "index",
];
const INDEX_KEY = KEYS.length - 1;
/** Each key's stream name, without ids. */
const KEY_PREFIXES = KEYS.map((key) => `${key}|`);
/** What tells streams apart, written before the delta. */
const IDS = ['"index":', '"item_id":', '"output_index":', '"content_index":'];
/** Bytes of joined text scanned at once, beyond the window. */
const BATCH = 64 * 1024;
/** Joined text kept before what is scanned, for look-behinds and checks. */
const CONTEXT = 512;
/** The most file bytes a stream may hold back before it is scanned as ended. */
const HOLD_MAX = 1024 * 1024;
const MAX_STREAMS = 32;
/** A trailing run this long or longer, at the end of a live stream, is held back. */
const LIVE_RUN = 4;
const latin1 = new TextDecoder("latin1");
const EMPTY = new Uint8Array(0);

interface Piece {
  /** Joined offsets. */
  j0: number;
  j1: number;
  /** Raw offsets of the JSON string's content (quotes excluded). */
  raw0: number;
  raw1: number;
  /** With escapes: the raw offset of each decoded byte, plus raw1 at the end. */
  map?: Int32Array;
}

class Stream {
  bytes: Uint8Array = EMPTY;
  len = 0;
  /** The joined offset of bytes[0]. */
  base = 0;
  /** Every match starting before this joined offset is known. */
  scanned = 0;
  pieces: Piece[] = [];
  lastRaw = 0;
  /** A match ending at or before this joined offset was counted already. */
  countedUntil = 0;

  readonly key: string;

  constructor(key: string) {
    this.key = key;
  }

  get end(): number {
    return this.base + this.len;
  }

  /** Room for `n` more bytes at `bytes[len]`: write them, then add them to `len`. */
  reserve(n: number): void {
    const needed = this.len + n;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.bytes.length, 1024));
      grown.set(this.bytes.subarray(0, this.len));
      this.bytes = grown;
    }
  }

  /** The raw offset of joined offset `j` (the start of its decoded byte). */
  rawAt(piece: Piece, j: number): number {
    const k = j - piece.j0;
    return piece.map === undefined ? piece.raw0 + k : piece.map[k];
  }

  /** The earliest raw offset a future match may mask. */
  holdPoint(): number {
    for (const piece of this.pieces) {
      if (piece.j1 > this.scanned) return this.rawAt(piece, Math.max(piece.j0, this.scanned));
    }
    return Infinity;
  }

  /** Drops text and pieces wholly before what may still be looked at. */
  trim(): void {
    const keep = Math.max(this.base, this.scanned - CONTEXT);
    const drop = keep - this.base;
    if (drop > 0) {
      this.bytes.copyWithin(0, drop, this.len);
      this.len -= drop;
      this.base = keep;
    }
    let n = 0;
    while (n < this.pieces.length && this.pieces[n].j1 <= keep) n++;
    if (n > 0) this.pieces.splice(0, n);
  }
}

/** The stream-aware layer of one redaction stream. */
export class DeltaStreams {
  readonly #matcher: Matcher;
  readonly #window: number;
  readonly #mask: (m: RawMask) => void;
  readonly #count: (kind: string, end: number) => void;
  readonly #streams = new Map<string, Stream>();
  #lastLine = -1;
  /** The raw ranges of the pieces added, as start, end, start, end, … (the caller empties it). */
  readonly added: number[] = [];
  // Where the next backslash is in the bytes last looked at, from #slashFrom on.
  #slashBytes: Uint8Array | undefined;
  #slashFrom = 0;
  #slashAt = -1;

  /**
   * @param mask Writes a mask over the file's bytes (still held).
   * @param count Counts a secret found, ending at raw offset `end`.
   */
  constructor(
    matcher: Matcher,
    window: number,
    mask: (m: RawMask) => void,
    count: (kind: string, end: number) => void,
  ) {
    this.#matcher = matcher;
    this.#window = window;
    this.#mask = mask;
    this.#count = count;
  }

  get open(): number {
    return this.#streams.size;
  }

  /**
   * A stream marker at `marker` in `text` (the latin1 view of `bytes`),
   * in the whole line `[start, end)`; `base` is the raw offset of `text[0]`.
   */
  marker(
    text: string,
    bytes: Uint8Array,
    start: number,
    end: number,
    marker: number,
    base: number,
  ) {
    if (text.startsWith('"delta":', marker)) {
      if (base + start !== this.#lastLine) {
        this.#lastLine = base + start;
        this.#delta(text, bytes, start, end, marker, base);
      }
      return;
    }
    // content_block_stop, message_start, response.output_text.done, a finish_reason: what
    // the streams hold is whole.
    const type = /^(?:_stop|_start|\.done)"/.test(text.slice(marker, marker + 7)) &&
      /"type"[ \t]*:[ \t]*"[A-Za-z_.]*$/.test(text.slice(Math.max(start, marker - 64), marker));
    if (type || text.startsWith('"finish_reason":"', marker)) this.endAll();
  }

  #delta(
    text: string,
    bytes: Uint8Array,
    start: number,
    end: number,
    marker: number,
    base: number,
  ): void {
    let i = marker + 8;
    while (i < end && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
    // The stream: the ids before the delta (a block's or choice's index, a Responses item).
    let ids = "";
    if (marker - start > 8) {
      const head = text.slice(start, marker);
      for (const id of IDS) {
        const at = head.indexOf(id);
        if (at === -1) continue;
        const value = /^[ \t]*("[^"\\]{0,128}"|[0-9]{1,9})/.exec(head.slice(at + id.length));
        if (value !== null) ids += `${id}${value[1]},`;
      }
    }
    const open = text.charCodeAt(i);
    if (open === 0x22) {
      // Responses: "delta":"text".
      const close = stringEnd(text, i, end);
      if (close !== undefined) this.#piece(`d|${ids}`, bytes, base, i + 1, close);
      return;
    }
    if (open !== 0x7b) return;
    // Claude and OpenAI Chat: "delta":{ … "text":"…" … } (tool calls: "arguments" deep inside).
    let depth = 0;
    let key = -1; // An index in KEYS.
    let tool = "";
    for (let j = i; j < end;) {
      const quote = text.indexOf('"', j);
      const stop = quote === -1 || quote >= end ? end : quote;
      // The structure between two strings: braces, and a tool call's index.
      for (let k = j; k < stop; k++) {
        const c = text.charCodeAt(k);
        if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (--depth === 0) return;
        } else if (key === INDEX_KEY && c >= 0x30 && c <= 0x39) {
          let d = k;
          while (d < stop && text.charCodeAt(d) >= 0x30 && text.charCodeAt(d) <= 0x39) d++;
          tool = `tool ${text.slice(k, d)},`;
          key = -1;
          k = d - 1;
        }
      }
      if (stop === end) return;
      const close = stringEnd(text, quote, end);
      if (close === undefined) return;
      let k = close + 1;
      while (text.charCodeAt(k) === 0x20) k++;
      if (text.charCodeAt(k) === 0x3a) key = keyAt(text, quote + 1, close);
      else if (key !== -1 && key !== INDEX_KEY) {
        // The stream's name, made only when it has ids: most lines of a stream allocate none.
        const name = ids === "" && tool === ""
          ? KEY_PREFIXES[key]
          : `${KEY_PREFIXES[key]}${ids}${tool}`;
        this.#piece(name, bytes, base, quote + 1, close);
      }
      j = close + 1;
    }
  }

  // Adds the JSON string bytes[s, e) (raw offset base + s) to stream `key`.
  #piece(key: string, bytes: Uint8Array, base: number, s: number, e: number): void {
    if (e <= s) return;
    let stream = this.#streams.get(key);
    if (stream === undefined) {
      if (this.#streams.size >= MAX_STREAMS) this.#end(this.#streams.values().next().value!);
      stream = new Stream(key);
      this.#streams.set(key, stream);
    }
    stream.reserve(e - s);
    const out = stream.bytes;
    const at = stream.len;
    const j0 = stream.end;
    this.added.push(base + s, base + e);
    if (this.#noEscape(bytes, s, e)) {
      // A copy by hand: a view per piece would be most of what the layer allocates.
      if (e - s > 4096) out.set(bytes.subarray(s, e), at);
      else {
        let o = at;
        for (let i = s; i < e; i++) out[o++] = bytes[i];
      }
      stream.len += e - s;
      stream.pieces.push({ j0, j1: j0 + e - s, raw0: base + s, raw1: base + e });
      stream.lastRaw = base + e;
      if (stream.end - this.#window - stream.scanned >= BATCH) {
        this.#scan(stream, stream.end - this.#window);
      }
      return;
    }
    let map: Int32Array | undefined;
    let n = 0;
    for (let i = s; i < e; i++) {
      let b = bytes[i];
      if (b === 0x5c && i + 1 < e) {
        const from = i;
        const c = bytes[++i];
        if (c === 0x75 && i + 4 < e) { // \uXXXX
          const code = parseInt(
            String.fromCharCode(bytes[i + 1], bytes[i + 2], bytes[i + 3], bytes[i + 4]),
            16,
          );
          b = Number.isNaN(code) || code >= 0x80 ? 0xc2 : code;
          i += 4;
        } else {
          b = ESCAPES[c] ?? c;
        }
        if (map === undefined) {
          map = new Int32Array(e - s + 1);
          for (let k = 0; k < n; k++) map[k] = base + s + k;
        }
        map[n] = base + from;
      } else if (map !== undefined) map[n] = base + i;
      out[at + n++] = b;
    }
    stream.len += n;
    const piece: Piece = { j0, j1: j0 + n, raw0: base + s, raw1: base + e };
    if (map !== undefined) {
      map[n] = base + e;
      piece.map = map.subarray(0, n + 1);
    }
    stream.pieces.push(piece);
    stream.lastRaw = base + e;
    if (stream.end - this.#window - stream.scanned >= BATCH) {
      this.#scan(stream, stream.end - this.#window);
    }
  }

  // Whether bytes[s, e) holds no backslash (no escape sequence): one search
  // per backslash, whatever the number of pieces.
  #noEscape(bytes: Uint8Array, s: number, e: number): boolean {
    if (
      bytes !== this.#slashBytes || s < this.#slashFrom ||
      (this.#slashAt !== -1 && s > this.#slashAt)
    ) {
      this.#slashBytes = bytes;
      this.#slashFrom = s;
      this.#slashAt = bytes.indexOf(0x5c, s);
    }
    return this.#slashAt === -1 || this.#slashAt >= e;
  }

  /** The earliest raw offset that may still be masked; at least `total - HOLD_MAX` (older streams end). */
  holdPoint(total: number): number {
    let point = Infinity;
    for (const stream of [...this.#streams.values()]) {
      let hold = stream.holdPoint();
      if (hold < total - HOLD_MAX) {
        this.#end(stream);
        hold = Infinity;
      }
      point = Math.min(point, hold);
    }
    return point;
  }

  /** Ends every stream: the rest of each joined text is scanned. */
  endAll(): void {
    for (const stream of [...this.#streams.values()]) this.#end(stream);
  }

  /**
   * The end of a live file: what each open stream's joined text ends with
   * could be the start of a secret still being streamed, so its trailing
   * run of token characters is masked; then every stream ends.
   */
  endLive(): void {
    for (const stream of [...this.#streams.values()]) {
      let run = 0;
      while (run < stream.len && TOKEN_BYTE[stream.bytes[stream.len - 1 - run]] === 1) run++;
      if (run >= LIVE_RUN) {
        const end = stream.end;
        this.#maskJoined(stream, end - run, end, LIVE_TAIL_KIND);
        this.#count(LIVE_TAIL_KIND, stream.lastRaw);
      }
    }
    this.endAll();
  }

  #end(stream: Stream): void {
    this.#scan(stream, stream.end);
    this.#streams.delete(stream.key);
  }

  // Finds the secrets starting in [scanned, limit) of a stream's joined text
  // that span pieces, and masks each piece's part.
  #scan(stream: Stream, limit: number): void {
    if (limit <= stream.scanned) return;
    const bytes = stream.bytes.subarray(0, stream.len);
    const text = latin1.decode(bytes);
    const base = stream.base;
    const from = stream.scanned - base;
    const to = limit - base;
    // The built-in rules see delta text only here (the raw scan skips it); patterns of
    // your own see it there too, so here only their matches that span pieces count.
    const hits: Hit[] = this.#matcher.find(text, bytes, from, to);
    const users = this.#matcher.users;
    for (const scanner of users) {
      scanner.regex.lastIndex = from;
      let m: RegExpExecArray | null;
      while ((m = scanner.regex.exec(text)) !== null && m.index < to) {
        if (m[0].length === 0) scanner.regex.lastIndex++;
        else {
          const hit = this.#matcher.userHit(scanner, m);
          if (this.#spans(stream, base + hit.start, base + hit.end)) hits.push(hit);
        }
      }
    }
    if (users.length > 0) hits.sort((a, b) => a.start - b.start || a.rule - b.rule);
    for (const hit of hits) {
      const kind = this.#matcher.kindOf(text, hit);
      let last = 0;
      for (const [s, e] of hit.ranges) {
        last = Math.max(last, this.#maskJoined(stream, base + s, base + e, kind));
      }
      if (base + hit.end > stream.countedUntil) {
        this.#count(kind, last);
        stream.countedUntil = base + hit.end;
      }
    }
    stream.scanned = limit;
    stream.trim();
  }

  // Whether joined [s, e) lies in more than one piece.
  #spans(stream: Stream, s: number, e: number): boolean {
    for (const piece of stream.pieces) {
      if (piece.j1 <= s) continue;
      return piece.j1 < e;
    }
    return false;
  }

  // Masks joined [s, e) in every piece it touches; returns the last raw offset masked.
  #maskJoined(stream: Stream, s: number, e: number, kind: string): number {
    let last = 0;
    for (const piece of stream.pieces) {
      const a = Math.max(s, piece.j0);
      const b = Math.min(e, piece.j1);
      if (a >= b) continue;
      const raw0 = stream.rawAt(piece, a);
      const raw1 = b === piece.j1 ? piece.raw1 : stream.rawAt(piece, b);
      this.#mask({ start: raw0, end: raw1, kind });
      last = raw1;
    }
    return last;
  }
}

const ESCAPES: Record<number, number> = {
  0x6e: 0x0a, // n
  0x72: 0x0d, // r
  0x74: 0x09, // t
  0x62: 0x08, // b
  0x66: 0x0c, // f
};

/** Bytes that continue a token: letters, digits and _-+/=.~:%@. */
const TOKEN_BYTE = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/=.~:%@") {
  TOKEN_BYTE[c.charCodeAt(0)] = 1;
}

/** An index in KEYS of the object key text[s, e), or -1; allocates nothing. */
function keyAt(text: string, s: number, e: number): number {
  for (let k = 0; k < KEYS.length; k++) {
    if (KEYS[k].length === e - s && startsAt(text, KEYS[k], s)) return k;
  }
  return -1;
}

/** Whether `word` is in `text` at `at`: startsWith, without what it costs on some engines. */
function startsAt(text: string, word: string, at: number): boolean {
  if (at + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (text.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** The index of the closing quote of the JSON string opening at `i`, before `end`. */
function stringEnd(text: string, i: number, end: number): number | undefined {
  for (let j = text.indexOf('"', i + 1); j !== -1 && j < end; j = text.indexOf('"', j + 1)) {
    let slashes = 0;
    while (text.charCodeAt(j - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return j;
  }
  return undefined;
}
