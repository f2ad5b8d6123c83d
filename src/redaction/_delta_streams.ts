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
import { type Hit, LOOK_AROUND, type Matcher } from "./_matcher.ts";
import { isDeltaMarker } from "./_stream_markers.ts";
import { asciiBytes, startsAt } from "./_byte_words.ts";

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
].map(asciiBytes);
const INDEX_KEY = KEYS.length - 1;
/** Responses' "delta":"text" has no key: its stream names take this slot. */
const BARE_DELTA = KEYS.length;
/** Each stream name's start, without ids, per key (and for a bare delta). */
const NAME_PREFIXES = [
  ...KEYS.map((key) => `${String.fromCharCode(...key)}|`),
  "d|",
];
/** What tells streams apart, written before the delta. */
const IDS = ['"index":', '"item_id":', '"output_index":', '"content_index":'].map(asciiBytes);
/** The longest string id kept, in bytes between its quotes. */
const MAX_ID = 128;
/** The most digits of a numeric id or tool index kept. */
const MAX_DIGITS = 9;
/** Bytes of joined text scanned at once, beyond the window. */
const BATCH = 64 * 1024;
/** The most file bytes a stream may hold back before it is scanned as ended. */
const HOLD_MAX = 1024 * 1024;
const MAX_STREAMS = 32;
/** A trailing run this long or longer, at the end of a live stream, is held back. */
const LIVE_RUN = 4;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const latin1 = new TextDecoder("latin1");
const EMPTY = new Uint8Array(0);
const NO_MAP = -1;
/** Numbers per piece in a PieceList. */
const J0 = 0, J1 = 1, RAW0 = 2, RAW1 = 3, MAP = 4, SLOTS = 5;

/**
 * A stream's pieces, oldest first, in typed arrays (a line's delta costs no
 * object): each piece is the JSON string content raw `[raw0, raw1)` that
 * decoded to joined `[j0, j1)`; one with escapes has a map: the raw offset
 * of each decoded byte, then raw1. Exported for its tests.
 */
export class PieceList {
  #p = new Float64Array(16 * SLOTS);
  #head = 0; // The first live piece.
  #count = 0; // Live pieces.
  #maps = new Float64Array(0);
  #mapBase = 0; // The map index of #maps[0].
  #mapLen = 0;

  get length(): number {
    return this.#count;
  }

  j0(i: number): number {
    return this.#p[(this.#head + i) * SLOTS + J0];
  }

  j1(i: number): number {
    return this.#p[(this.#head + i) * SLOTS + J1];
  }

  raw1(i: number): number {
    return this.#p[(this.#head + i) * SLOTS + RAW1];
  }

  /** The raw offset of joined offset `j` in piece `i` (the start of its decoded byte). */
  rawAt(i: number, j: number): number {
    const at = (this.#head + i) * SLOTS;
    const k = j - this.#p[at + J0];
    const map = this.#p[at + MAP];
    return map === NO_MAP ? this.#p[at + RAW0] + k : this.#maps[map - this.#mapBase + k];
  }

  /** Room for a map of `n` entries: write them from the returned index, then push with it. */
  reserveMap(n: number): number {
    const needed = this.#mapLen + n;
    if (needed > this.#maps.length) {
      const grown = new Float64Array(Math.max(needed, 2 * this.#maps.length, 1024));
      grown.set(this.#maps.subarray(0, this.#mapLen));
      this.#maps = grown;
    }
    return this.#mapLen;
  }

  /** The map array reserveMap made room in. */
  get maps(): Float64Array {
    return this.#maps;
  }

  push(j0: number, j1: number, raw0: number, raw1: number, map = NO_MAP, mapLength = 0): void {
    if ((this.#head + this.#count + 1) * SLOTS > this.#p.length) {
      if (this.#head > 0) {
        this.#p.copyWithin(0, this.#head * SLOTS, (this.#head + this.#count) * SLOTS);
        this.#head = 0;
      }
      if ((this.#count + 1) * SLOTS > this.#p.length) {
        const grown = new Float64Array(this.#p.length * 2);
        grown.set(this.#p.subarray(0, this.#count * SLOTS));
        this.#p = grown;
      }
    }
    const at = (this.#head + this.#count++) * SLOTS;
    this.#p[at + J0] = j0;
    this.#p[at + J1] = j1;
    this.#p[at + RAW0] = raw0;
    this.#p[at + RAW1] = raw1;
    if (map === NO_MAP) this.#p[at + MAP] = NO_MAP;
    else {
      this.#p[at + MAP] = this.#mapBase + map;
      this.#mapLen = map + mapLength;
    }
  }

  /** Drops the pieces that end at or before joined offset `keep`, and the maps only they used. */
  dropBefore(keep: number): void {
    while (this.#count > 0 && this.j1(0) <= keep) {
      this.#head++;
      this.#count--;
    }
    let firstMap = this.#mapBase + this.#mapLen;
    for (let i = 0; i < this.#count; i++) {
      const map = this.#p[(this.#head + i) * SLOTS + MAP];
      if (map !== NO_MAP) {
        firstMap = map;
        break;
      }
    }
    const drop = firstMap - this.#mapBase;
    if (drop > 0) {
      this.#maps.copyWithin(0, drop, this.#mapLen);
      this.#mapLen -= drop;
      this.#mapBase = firstMap;
    }
  }
}

class Stream {
  bytes: Uint8Array = EMPTY;
  len = 0;
  /** The joined offset of bytes[0]. */
  base = 0;
  /** Every match starting before this joined offset is known. */
  scanned = 0;
  readonly pieces = new PieceList();
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

  /** The earliest raw offset a future match may mask. */
  holdPoint(): number {
    const pieces = this.pieces;
    for (let i = 0; i < pieces.length; i++) {
      if (pieces.j1(i) > this.scanned) return pieces.rawAt(i, Math.max(pieces.j0(i), this.scanned));
    }
    return Infinity;
  }

  /** Drops text and pieces wholly before what may still be looked at. */
  trim(): void {
    const keep = Math.max(this.base, this.scanned - LOOK_AROUND);
    const drop = keep - this.base;
    if (drop > 0) {
      this.bytes.copyWithin(0, drop, this.len);
      this.len -= drop;
      this.base = keep;
    }
    this.pieces.dropBefore(keep);
  }
}

/**
 * One string made from bytes, kept while the same bytes come again: the
 * ids and tool indexes of a stream repeat on every line of it.
 */
class RepeatedString {
  #bytes = new Uint8Array(64);
  #len = -1;
  #text = "";

  of(bytes: Uint8Array, s: number, e: number): string {
    const n = e - s;
    let same = n === this.#len;
    for (let i = 0; same && i < n; i++) same = bytes[s + i] === this.#bytes[i];
    if (same) return this.#text;
    if (n > this.#bytes.length) this.#bytes = new Uint8Array(n);
    this.#bytes.set(bytes.subarray(s, e));
    this.#len = n;
    this.#text = latin1.decode(bytes.subarray(s, e));
    return this.#text;
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
  /** The ids of the last delta line with ids, and the tool index of the last tool call. */
  readonly #idBytes = new Uint8Array(IDS.reduce((n, id) => n + id.length + MAX_ID + 3, 0));
  readonly #idText = new RepeatedString();
  readonly #tool = new RepeatedString();
  /** Per key: the last stream name made with ids or a tool index. */
  readonly #names: ({ ids: string; tool: string; name: string } | undefined)[] = [];

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
   * A stream marker at `marker` in `bytes` (one findStreamMarkers found), in
   * the whole line `[start, end)`; `base` is the raw offset of `bytes[0]`.
   */
  marker(bytes: Uint8Array, start: number, end: number, marker: number, base: number): void {
    if (!isDeltaMarker(bytes, marker)) {
      // content_block_stop, message_start, response.output_text.done, a finish_reason: what
      // the streams hold is whole.
      this.endAll();
      return;
    }
    if (base + start !== this.#lastLine) {
      this.#lastLine = base + start;
      this.#delta(bytes, start, end, marker, base);
    }
  }

  #delta(bytes: Uint8Array, start: number, end: number, marker: number, base: number): void {
    let i = marker + 8;
    while (i < end && (bytes[i] === 0x20 || bytes[i] === 0x09)) i++;
    // The stream: the ids before the delta (a block's or choice's index, a Responses item).
    const ids = marker - start > 8 ? this.#ids(bytes, start, marker) : "";
    const open = bytes[i];
    if (open === QUOTE) {
      // Responses: "delta":"text".
      const close = stringEnd(bytes, i, end);
      if (close !== -1) this.#piece(this.#name(BARE_DELTA, ids, ""), bytes, base, i + 1, close);
      return;
    }
    if (open !== 0x7b) return;
    // Claude and OpenAI Chat: "delta":{ … "text":"…" … } (tool calls: "arguments" deep inside).
    let depth = 0;
    let key = -1; // An index in KEYS.
    let tool = "";
    for (let j = i; j < end;) {
      const quote = bytes.indexOf(QUOTE, j);
      const stop = quote === -1 || quote >= end ? end : quote;
      // The structure between two strings: braces, and a tool call's index.
      for (let k = j; k < stop; k++) {
        const c = bytes[k];
        if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (--depth === 0) return;
        } else if (key === INDEX_KEY && isDigit(c)) {
          let d = k;
          while (d < stop && isDigit(bytes[d])) d++;
          tool = this.#tool.of(bytes, k, d);
          key = -1;
          k = d - 1;
        }
      }
      if (stop === end) return;
      const close = stringEnd(bytes, quote, end);
      if (close === -1) return;
      let k = close + 1;
      while (bytes[k] === 0x20) k++;
      if (bytes[k] === 0x3a) key = keyAt(bytes, quote + 1, close);
      else if (key !== -1 && key !== INDEX_KEY) {
        this.#piece(this.#name(key, ids, tool), bytes, base, quote + 1, close);
      }
      j = close + 1;
    }
  }

  // The ids in bytes[start, head) that tell a delta's stream apart, as
  // `"index":0,"item_id":"msg_1",`: the first of each id, its value a
  // string of up to 128 bytes or up to 9 digits.
  #ids(bytes: Uint8Array, start: number, head: number): string {
    const out = this.#idBytes;
    let n = 0;
    let found = 0; // A bit per id of IDS.
    for (
      let q = bytes.indexOf(QUOTE, start);
      q !== -1 && q < head;
      q = bytes.indexOf(QUOTE, q + 1)
    ) {
      for (let k = 0; k < IDS.length; k++) {
        const id = IDS[k];
        if ((found & (1 << k)) !== 0 || q + id.length > head || !startsAt(bytes, id, q)) continue;
        found |= 1 << k;
        let v = q + id.length;
        while (v < head && (bytes[v] === 0x20 || bytes[v] === 0x09)) v++;
        let e = v;
        if (bytes[v] === QUOTE) {
          e = v + 1;
          while (e < head && e - v <= MAX_ID && bytes[e] !== QUOTE && bytes[e] !== BACKSLASH) e++;
          e = e < head && bytes[e] === QUOTE ? e + 1 : v;
        } else {
          while (e < head && e - v < MAX_DIGITS && isDigit(bytes[e])) e++;
        }
        if (e === v) continue;
        out.set(id, n);
        n += id.length;
        out.set(bytes.subarray(v, e), n);
        n += e - v;
        out[n++] = 0x2c; // ,
      }
    }
    return n === 0 ? "" : this.#idText.of(out, 0, n);
  }

  // A stream's name: the key's prefix, the ids, the tool call's index.
  // The same ids and tool give the same string: a stream's lines allocate none.
  #name(key: number, ids: string, tool: string): string {
    if (ids === "" && tool === "") return NAME_PREFIXES[key];
    const last = this.#names[key];
    if (last !== undefined && last.ids === ids && last.tool === tool) return last.name;
    const name = `${NAME_PREFIXES[key]}${ids}${tool === "" ? "" : `tool ${tool},`}`;
    this.#names[key] = { ids, tool, name };
    return name;
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
      stream.pieces.push(j0, j0 + e - s, base + s, base + e);
      stream.lastRaw = base + e;
      if (stream.end - this.#window - stream.scanned >= BATCH) {
        this.#scan(stream, stream.end - this.#window);
      }
      return;
    }
    // With escapes: each decoded byte's raw offset, in the stream's map pool.
    const pieces = stream.pieces;
    const first = pieces.reserveMap(e - s + 1);
    const map = pieces.maps;
    let n = 0;
    for (let i = s; i < e; i++) {
      let b = bytes[i];
      map[first + n] = base + i;
      if (b === BACKSLASH && i + 1 < e) {
        const c = bytes[++i];
        if (c === 0x75 && i + 4 < e) { // \uXXXX
          const code = hex4(bytes, i + 1);
          b = code === -1 || code >= 0x80 ? 0xc2 : code;
          i += 4;
        } else {
          b = ESCAPES[c] ?? c;
        }
      }
      out[at + n++] = b;
    }
    map[first + n] = base + e;
    stream.len += n;
    pieces.push(j0, j0 + n, base + s, base + e, first, n + 1);
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
    // A Map may lose entries while it is iterated: no copy of it per call.
    for (const stream of this.#streams.values()) {
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
    for (const stream of this.#streams.values()) this.#end(stream);
  }

  /**
   * The end of a live file: what each open stream's joined text ends with
   * could be the start of a secret still being streamed, so its trailing
   * run of token characters is masked; then every stream ends.
   */
  endLive(): void {
    for (const stream of this.#streams.values()) {
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
    const base = stream.base;
    const from = stream.scanned - base;
    const to = limit - base;
    // The built-in rules see delta text only here (the raw scan skips it); patterns of
    // your own see it there too, so here only their matches that span pieces count.
    const hits: Hit[] = this.#matcher.find(bytes, from, to);
    const users = this.#matcher.users;
    const text = users.length > 0 ? latin1.decode(bytes) : "";
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
      const kind = this.#matcher.kindOf(bytes, hit);
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
    const pieces = stream.pieces;
    for (let i = 0; i < pieces.length; i++) {
      if (pieces.j1(i) <= s) continue;
      return pieces.j1(i) < e;
    }
    return false;
  }

  // Masks joined [s, e) in every piece it touches; returns the last raw offset masked.
  #maskJoined(stream: Stream, s: number, e: number, kind: string): number {
    const pieces = stream.pieces;
    let last = 0;
    for (let i = 0; i < pieces.length; i++) {
      const j1 = pieces.j1(i);
      const a = Math.max(s, pieces.j0(i));
      const b = Math.min(e, j1);
      if (a >= b) continue;
      const raw0 = pieces.rawAt(i, a);
      const raw1 = b === j1 ? pieces.raw1(i) : pieces.rawAt(i, b);
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

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The value of the 4 hex digits at `at`, or -1. */
function hex4(bytes: Uint8Array, at: number): number {
  let code = 0;
  for (let i = at; i < at + 4; i++) {
    const c = bytes[i];
    const letter = c | 0x20; // Lower case, for letters only: 0x10-0x19 would pass for digits.
    const digit = isDigit(c) ? c - 0x30 : letter >= 0x61 && letter <= 0x66 ? letter - 0x57 : -1;
    if (digit === -1) return -1;
    code = code * 16 + digit;
  }
  return code;
}

/** An index in KEYS of the object key bytes[s, e), or -1. */
function keyAt(bytes: Uint8Array, s: number, e: number): number {
  for (let k = 0; k < KEYS.length; k++) {
    if (KEYS[k].length === e - s && startsAt(bytes, KEYS[k], s)) return k;
  }
  return -1;
}

/** The offset of the closing quote of the JSON string opening at `i`, before `end`, or -1. */
function stringEnd(bytes: Uint8Array, i: number, end: number): number {
  for (let j = bytes.indexOf(QUOTE, i + 1); j !== -1 && j < end; j = bytes.indexOf(QUOTE, j + 1)) {
    let slashes = 0;
    while (bytes[j - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return j;
  }
  return -1;
}
