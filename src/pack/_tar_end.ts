// Where a tar archive ends: the two zero blocks after its last entry, found
// by the framing rules of modern-tar's reader (sizes in octal or base-256,
// a size set by a PAX header, entries without a body whatever their size,
// PAX and GNU long-name entries). verifyPack cuts the data there, so that
// what follows the archive inside the gzip data is told apart rather than
// failing the whole read.

import { isZeroBytes } from "../_bytes.ts";

const BLOCK = 512;
// modern-tar refuses PAX and long-name entries larger than this.
const MAX_META = 8 * 1024 * 1024;
const PAX = 0x78; // "x"
const PAX_GLOBAL = 0x67; // "g"
const LONG_NAME = 0x4c; // "L"
const LONG_LINK = 0x4b; // "K"
// Links, devices, directories and FIFOs ("1" to "6") have no body, whatever
// their size says. (A file whose name ends in "/" is a directory to the
// reader, but keeps its body.)
const BODYLESS = new Set([0x31, 0x32, 0x33, 0x34, 0x35, 0x36]);

const decoder = new TextDecoder();

/** What a PAX or long-name entry sets for the entries after it, as far as framing goes. */
interface Overrides {
  size?: number;
  /** Set by a PAX header: the next meta entry starts the overrides afresh. */
  pax?: boolean;
}

// A tar number (octal, or base-256 when the high bit is set); undefined
// where modern-tar fails on it.
function readNumber(block: Uint8Array, offset: number, size: number): number | undefined {
  let value = 0;
  if (block[offset] & 0x80) {
    value = block[offset] & 0x7f;
    for (let i = 1; i < size; i++) value = value * 256 + block[offset + i];
    return Number.isSafeInteger(value) ? value : undefined;
  }
  for (let i = offset; i < offset + size; i++) {
    const code = block[i];
    if (code === 0) break;
    if (code === 0x20) continue;
    if (code < 0x30 || code > 0x37) return undefined;
    value = value * 8 + (code - 0x30);
  }
  return value;
}

function parsePax(data: Uint8Array): Overrides {
  const overrides: Overrides = {};
  for (let offset = 0; offset < data.length;) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(decoder.decode(data.subarray(offset, space)), 10);
    if (!(length > 0)) break;
    const record = decoder.decode(data.subarray(space + 1, offset + length - 1));
    const equals = record.indexOf("=");
    if (equals > 0) {
      overrides.pax = true;
      const value = record.slice(equals + 1);
      if (
        record.slice(0, equals) === "size" && /^\d+$/.test(value) && Number.isSafeInteger(+value)
      ) {
        overrides.size = +value;
      }
    }
    offset += length;
  }
  return overrides;
}

/** Follows a tar stream's framing to the end of its archive. */
export class TarEnd {
  /** Whether the end-of-archive blocks have been seen. */
  ended = false;
  // Framing the reader itself will refuse: no end is looked for any more.
  #lost = false;
  #skip = 0; // Body and padding bytes still to pass.
  readonly #block = new Uint8Array(BLOCK);
  #filled = 0;
  #zeroBlock = false; // The previous header block was all zero.
  #meta: { type: number; size: number; data: Uint8Array; filled: number } | undefined;
  #globals: Overrides = {};
  #next: Overrides = {};

  /**
   * Takes the next bytes of the stream; returns how many of them belong to
   * the archive: all of them until its end, then none.
   */
  take(chunk: Uint8Array): number {
    if (this.ended) return 0;
    if (this.#lost) return chunk.length;
    let at = 0;
    while (at < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        this.#skip -= n;
        at += n;
        continue;
      }
      const meta = this.#meta;
      if (meta !== undefined) {
        const n = Math.min(meta.data.length - meta.filled, chunk.length - at);
        meta.data.set(chunk.subarray(at, at + n), meta.filled);
        meta.filled += n;
        at += n;
        if (meta.filled === meta.data.length) {
          this.#meta = undefined;
          this.#applyMeta(meta.type, meta.data.subarray(0, meta.size));
        }
        continue;
      }
      const n = Math.min(BLOCK - this.#filled, chunk.length - at);
      this.#block.set(chunk.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled < BLOCK) break;
      this.#filled = 0;
      this.#header();
      if (this.ended) return at;
      if (this.#lost) return chunk.length;
    }
    return at;
  }

  #header(): void {
    const block = this.#block;
    if (isZeroBytes(block)) {
      if (this.#zeroBlock) this.ended = true;
      this.#zeroBlock = true;
      return;
    }
    const size = readNumber(block, 124, 12);
    if (this.#zeroBlock || size === undefined) {
      this.#lost = true; // A lone zero block, or a bad number: the reader fails here.
      return;
    }
    const type = block[156];
    if (type === PAX || type === PAX_GLOBAL || type === LONG_NAME || type === LONG_LINK) {
      if (size > MAX_META) {
        this.#lost = true;
        return;
      }
      this.#meta = { type, size, data: new Uint8Array(size + (-size & 511)), filled: 0 };
      if (size === 0) {
        this.#meta = undefined;
        this.#applyMeta(type, new Uint8Array(0));
      }
      return;
    }
    let bodySize = this.#next.size ?? this.#globals.size ?? size;
    this.#next = {};
    if (BODYLESS.has(type)) bodySize = 0;
    this.#skip = bodySize + (-bodySize & 511);
  }

  #applyMeta(type: number, data: Uint8Array): void {
    // A long name or link sets no size, but ends what a PAX header set.
    const overrides = type === LONG_NAME || type === LONG_LINK ? {} : parsePax(data);
    if (this.#next.pax) this.#next = {};
    Object.assign(type === PAX_GLOBAL ? this.#globals : this.#next, overrides);
  }
}
