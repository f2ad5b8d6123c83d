import { MAX_LINE_BYTES } from "./_log_tail.ts";

const encoder = new TextEncoder();
// Lines up to this long get a cached view of the scratch buffer; longer
// ones (rare) a new one, so the cache stays small.
const CACHED_VIEWS = 4096;
// Fewer bytes than this are copied by hand rather than with set().
const SET_FROM = 16;
// Short ASCII text is copied by hand: encodeInto needs a view per call.
const HAND_COPY_CHARS = 256;

/**
 * A log line assembled as bytes in a reusable buffer: cached frames and
 * names are copied, numbers written as digits, and only other text is
 * encoded, so a line costs no string building and no allocation. The
 * buffer holds {@linkcode MAX_LINE_BYTES}: a line that does not fit is over
 * the limit, and `overflow` says so.
 *
 * Consecutive lines mostly repeat themselves apart from a few numbers:
 * the same second, level or effect, the same context. A line marks its
 * start as a frame ({@linkcode LineBytes.markFrame}) and what follows as
 * segments ({@linkcode LineBytes.markSegment}); the next line with the same
 * keys keeps those bytes, rewriting only the digits that differ
 * ({@linkcode LineBytes.resumeFrame}, {@linkcode LineBytes.keepSegment}).
 */
export class LineBytes {
  /** Whether something did not fit: the line is over the limit. */
  overflow = false;
  #buffer = new Uint8Array(MAX_LINE_BYTES);
  #length = 0;
  readonly #views: Uint8Array[] = [];
  // The keys of the frame at the start of the buffer, and where it ends.
  #frame: Uint8Array | undefined;
  #frameSecond = Number.NaN;
  #frameLead = 0;
  #frameEnd = 0;
  // The segments after the frame: what made each and where it ends; while
  // `#matching`, the line so far is the previous line.
  #matching = false;
  #segments = 0;
  readonly #segmentKeys: unknown[] = [];
  readonly #segmentValues: unknown[] = [];
  readonly #segmentEnds: number[] = [];
  readonly #words = new DataView(this.#buffer.buffer);

  /** Starts a new line. */
  reset(): void {
    this.#length = 0;
    this.overflow = false;
    this.#frame = undefined;
    this.#matching = false;
    this.#segments = 0;
  }

  /**
   * Starts a new line on the frame of the previous one when that was marked
   * with the same keys: the frame's bytes are still in the buffer, and the
   * line continues after them. Returns `false`, having done nothing, else.
   *
   * @param lead The width of the leading number (such as a sequence number).
   * @param second The second of the line's timestamp.
   * @param frame The cached bytes that end the frame (a level, an effect).
   */
  resumeFrame(lead: number, second: number, frame: Uint8Array): boolean {
    if (
      frame !== this.#frame || second !== this.#frameSecond || lead !== this.#frameLead ||
      this.overflow // The previous line did not fit: trust none of it.
    ) {
      return false;
    }
    this.#length = this.#frameEnd;
    this.#matching = true;
    return true;
  }

  /** Marks the line so far as a frame for the keys of {@linkcode LineBytes.resumeFrame}. */
  markFrame(lead: number, second: number, frame: Uint8Array): void {
    if (this.overflow) return;
    this.#frame = frame;
    this.#frameSecond = second;
    this.#frameLead = lead;
    this.#frameEnd = this.#length;
  }

  /**
   * Continues the line with segment `index` of the previous line, when the
   * line so far is the previous line's and that segment was marked with the
   * same `key` and `value` (compared with `===`): its bytes are still in the
   * buffer. Returns `false` otherwise, and the line's later segments are
   * then written and marked.
   */
  keepSegment(index: number, key: unknown, value: unknown): boolean {
    if (
      this.#matching && index < this.#segments && this.#segmentKeys[index] === key &&
      this.#segmentValues[index] === value
    ) {
      this.#length = this.#segmentEnds[index];
      return true;
    }
    this.#matching = false;
    if (index < this.#segments) this.#segments = index; // Written over from here.
    return false;
  }

  /**
   * Marks the bytes since the last segment (or the frame) as segment
   * `index`, made from `key` and `value`. Only a value that is written the
   * same way whenever it is `===` may be marked: an object, which can
   * change, is marked as `NaN`, which nothing equals.
   */
  markSegment(index: number, key: unknown, value: unknown): void {
    this.#segmentKeys[index] = key;
    this.#segmentValues[index] = value;
    this.#segmentEnds[index] = this.#length;
    this.#segments = index + 1;
  }

  /** Ends the segments of the line at `count`: later ones were the previous line's. */
  endSegments(count: number): void {
    if (count < this.#segments) this.#segments = count;
  }

  /** The length of the line so far. */
  get length(): number {
    return this.#length;
  }

  /** The line so far, as a view of the buffer (valid until the next line). */
  view(): Uint8Array {
    const length = this.#length;
    if (length >= CACHED_VIEWS) return this.#buffer.subarray(0, length);
    return this.#views[length] ??= this.#buffer.subarray(0, length);
  }

  /** Appends bytes, such as a cached frame or name. */
  bytes(bytes: Uint8Array): void {
    const buffer = this.#buffer;
    const at = this.#length;
    if (at + bytes.length > buffer.length) {
      this.overflow = true;
      return;
    }
    // TypedArray#set costs more than a loop for the few bytes of a name.
    if (bytes.length > SET_FROM) buffer.set(bytes, at);
    else for (let i = 0; i < bytes.length; i++) buffer[at + i] = bytes[i];
    this.#length = at + bytes.length;
  }

  /** Appends one byte. */
  byte(byte: number): void {
    if (this.#length >= this.#buffer.length) {
      this.overflow = true;
      return;
    }
    this.#buffer[this.#length++] = byte;
  }

  /** Appends a non-negative safe integer in decimal. */
  digits(value: number): void {
    this.padded(value, decimalWidth(value));
  }

  /** Appends a non-negative safe integer, zero-padded to `width` digits. */
  padded(value: number, width: number): void {
    const at = this.#length;
    if (at + width > this.#buffer.length) {
      this.overflow = true;
      return;
    }
    this.#length = at + width;
    this.paddedAt(at, value, width);
  }

  /**
   * Writes a non-negative safe integer, zero-padded to `width` digits, over
   * the line's bytes from `at` (a slot written before, as in a frame).
   */
  paddedAt(at: number, value: number, width: number): void {
    const buffer = this.#buffer;
    if (value >= 0x8000_0000) {
      writeLargeDigits(buffer, at, value, width);
      return;
    }
    // Small, so that it is inlined into the line writers.
    let rest = value | 0;
    for (let i = at + width - 1; i >= at; i--) {
      const next = (rest / 10) | 0;
      buffer[i] = 0x30 + rest - next * 10;
      rest = next;
    }
  }

  /**
   * Appends `text` if it is printable ASCII (tab included, backslash not),
   * and returns `true`; else returns `false` with the line unchanged (the
   * buffer past its end may be written over).
   */
  plain(text: string): boolean {
    const at = this.#length;
    const buffer = this.#buffer;
    const end = at + text.length;
    if (end > buffer.length) return false;
    // Copied by hand (encodeInto costs more for a line's text), then checked
    // four bytes at a time: cheaper than per character.
    let any = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      any |= code;
      buffer[at + i] = code;
    }
    if (any > 0x7f) return false;
    const words = this.#words;
    let flags = 0;
    let i = at;
    for (; i + 4 <= end; i += 4) flags |= unplainBytes(words.getInt32(i, true));
    for (; i < end; i++) flags |= unplainBytes(buffer[i] | 0x20202000); // Padded with spaces.
    if ((flags & 0x80808080) !== 0 && !isPlainAscii(buffer, at, end)) return false;
    this.#length = end;
    return true;
  }

  /** Appends text as UTF-8. */
  text(text: string): void {
    const buffer = this.#buffer;
    let at = this.#length;
    if (text.length <= HAND_COPY_CHARS && at + text.length <= buffer.length) {
      let i = 0;
      for (; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[at++] = code;
      }
      if (i === text.length) {
        this.#length = at;
        return;
      }
    }
    const { read, written } = encoder.encodeInto(text, buffer.subarray(this.#length));
    this.#length += written;
    if (read !== text.length) this.overflow = true;
  }
}

/**
 * The high bit of each byte of `word` set (among others) when that byte is
 * below 0x20, from 0x7f, or a backslash; never when none is. A byte
 * flagged wrongly (by a borrow) sits next to one flagged rightly.
 */
function unplainBytes(word: number): number {
  const backslashes = word ^ 0x5c5c5c5c;
  return (word + 0x01010101) | word | ((word - 0x20202020) & ~word) |
    ((backslashes - 0x01010101) & ~backslashes);
}

// The exact check behind unplainBytes, which flags a tab too.
function isPlainAscii(buffer: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const byte = buffer[i];
    if (byte > 0x7e || byte === 0x5c || (byte < 0x20 && byte !== 0x09)) return false;
  }
  return true;
}

// LineBytes.paddedAt beyond int32 arithmetic: rare. Exact for every safe
// integer: `rest % 10` is exact, and so is dividing `rest - digit`, a
// multiple of 10; `rest / 10` would round up to the next integer near 2^53.
function writeLargeDigits(buffer: Uint8Array, at: number, value: number, width: number): void {
  let rest = value;
  for (let i = at + width - 1; i >= at; i--) {
    const digit = rest % 10;
    buffer[i] = 0x30 + digit;
    rest = (rest - digit) / 10;
  }
}

/** The number of decimal digits of a non-negative safe integer. */
export function decimalWidth(value: number): number {
  return value < 10
    ? 1
    : value < 100
    ? 2
    : value < 1000
    ? 3
    : value < 10_000
    ? 4
    : value < 100_000
    ? 5
    : value < 1_000_000
    ? 6
    : value < 10_000_000
    ? 7
    : value < 100_000_000
    ? 8
    : value < 1_000_000_000
    ? 9
    : String(value).length;
}

/** Encodes ASCII or any text once, for caches of frames and names. */
export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}
