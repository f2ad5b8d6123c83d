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
 */
export class LineBytes {
  /** Whether something did not fit: the line is over the limit. */
  overflow = false;
  #buffer = new Uint8Array(MAX_LINE_BYTES);
  #length = 0;
  readonly #views: Uint8Array[] = [];

  /** Starts a new line. */
  reset(): void {
    this.#length = 0;
    this.overflow = false;
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
    if (value >= 0x8000_0000) {
      this.text(String(value)); // Beyond int32 arithmetic: rare.
      return;
    }
    const width = value < 10
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
      : 10;
    this.padded(value, width);
  }

  /** Appends a non-negative integer below 2^31, zero-padded to `width` digits. */
  padded(value: number, width: number): void {
    const buffer = this.#buffer;
    const start = this.#length;
    if (start + width > buffer.length) {
      this.overflow = true;
      return;
    }
    let rest = value | 0;
    for (let i = start + width - 1; i >= start; i--) {
      const next = (rest / 10) | 0;
      buffer[i] = 0x30 + rest - next * 10;
      rest = next;
    }
    this.#length = start + width;
  }

  /**
   * Appends `text` if it is plain printable ASCII (tab included, backslash
   * not), in one pass; returns `false`, having appended nothing, at the
   * first other character.
   */
  plain(text: string): boolean {
    const buffer = this.#buffer;
    const start = this.#length;
    if (start + text.length > buffer.length) return false;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7e || code === 0x5c || (code < 0x20 && code !== 0x09)) return false;
      buffer[start + i] = code;
    }
    this.#length = start + text.length;
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

/** Encodes ASCII or any text once, for caches of frames and names. */
export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}
