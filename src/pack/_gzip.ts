// gzip and gunzip with node:zlib, fed by hand: write + "drain" in,
// for-await out. Not Duplex.toWeb(createGzip()): on Deno that bridge ignores
// backpressure, and a 1 GB pack then holds the whole archive in memory. Not
// DecompressionStream either: Deno's turns each input chunk into all of its
// output at once (a 256 KiB chunk of a gzip bomb into 256 MB), and the
// runtimes disagree on what follows a gzip member (an error, a second
// member read on, or junk ignored).
import type { TransformOptions } from "node:stream";
import {
  crc32,
  createGzip,
  createInflateRaw,
  type Gzip,
  type InflateRaw,
  type ZlibOptions,
} from "node:zlib";
import { concatBytes, isZeroBytes } from "../_bytes.ts";

// Resolves when zlib wants more input, or when it is gone (destroyed by an error).
function writable(gz: Gzip): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      gz.off("drain", done);
      gz.off("close", done);
      resolve();
    };
    gz.on("drain", done);
    gz.on("close", done);
  });
}

// An output buffer that holds a whole input chunk's output lets Node and
// Bun compress that chunk in one call on their thread pool while this
// thread reads and masks the next (the default, 16 KiB, brings the work
// back here every 16 KiB); up to 1 MiB of input waits, so zlib always has
// the next chunk. (zlib streams are Transforms: every runtime takes
// highWaterMark, which the type of ZlibOptions leaves out.)
const GZIP_OPTIONS: ZlibOptions & TransformOptions = {
  chunkSize: 256 * 1024,
  highWaterMark: 1024 * 1024,
};

/** The gzip stream of `source`, at zlib `level` (0..9). */
export async function* gzip(
  source: AsyncIterable<Uint8Array>,
  level: number,
): AsyncGenerator<Uint8Array> {
  const gz = createGzip({ ...GZIP_OPTIONS, level });
  const feed = (async () => {
    for await (const chunk of source) {
      if (gz.destroyed) return;
      if (!gz.write(chunk)) await writable(gz);
    }
    gz.end();
  })();
  // A failed source ends the output with its error.
  feed.catch((error) => gz.destroy(error));
  for await (const chunk of gz) yield chunk as Uint8Array;
  await feed;
}

// The input given to inflate at a time: 16 KiB inflate to at most 16.5 MB,
// whatever a runtime's zlib stream does with backpressure inside a chunk.
const SLICE = 16 * 1024;
// A gzip header with names or extra fields longer than this is refused.
const MAX_HEADER = 1024 * 1024;
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** What follows the first gzip member of a stream. */
export interface AfterMember {
  /** `"member"`: another gzip member starts there; `"bytes"`: anything else. */
  kind: "member" | "bytes";
  /** How many bytes follow, as stored (compressed). */
  bytes: number;
  /** Whether they are all zero bytes (padding, not data). */
  zero: boolean;
}

/** The first gzip member of a stream, decompressed, and what follows it. */
export interface FirstMember {
  /**
   * The member's bytes, read from the source as they are taken; throws
   * when the data is not gzip, or not whole.
   */
  output: AsyncGenerator<Uint8Array>;
  /** Once `output` has ended: what follows the member, or `undefined` when nothing does. */
  after(): AfterMember | undefined;
}

// Resolves once zlib has taken `chunk` (not while its output waits to be read).
function write(stream: InflateRaw, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Decompresses the first gzip member of `source` (RFC 1952: its header,
 * deflate data, CRC-32 and length), with backpressure: input is read as
 * output is taken. Nothing after the member is decompressed: it is only
 * counted and told apart (another member, or other bytes).
 */
export function gunzipFirstMember(source: ReadableStream<Uint8Array>): FirstMember {
  let after: AfterMember | undefined;
  const reader = source.getReader();
  let pending: Uint8Array = new Uint8Array(0); // Read and not used yet.
  let ended = false;
  // Reads one more chunk into `pending`; false at the end of the source.
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      return false;
    }
    pending = pending.length === 0 ? value : concatBytes([pending, value]);
    return true;
  };
  const need = async (n: number): Promise<boolean> => {
    while (pending.length < n) if (!(await more())) return false;
    return true;
  };
  // The end of a zero-terminated header field from `at`: the index after its NUL.
  const field = async (at: number): Promise<number> => {
    for (;;) {
      const nul = pending.indexOf(0, at);
      if (nul >= 0) return nul + 1;
      if (pending.length > MAX_HEADER) throw new Error("the gzip header is over 1 MiB: not a pack");
      if (!(await more())) throw new Error("the gzip header is cut short (is the file truncated?)");
    }
  };

  async function* output(): AsyncGenerator<Uint8Array> {
    const inflate = createInflateRaw();
    try {
      if (!(await need(10))) {
        throw new Error(
          pending.length === 0
            ? "the archive is empty"
            : "the gzip header is cut short (is the file truncated?)",
        );
      }
      if (pending[0] !== 0x1f || pending[1] !== 0x8b) {
        throw new Error(
          "it is not gzip data (it does not start with a gzip header): is it a .tar.gz?",
        );
      }
      if (pending[2] !== 8) throw new Error(`unknown gzip compression method ${pending[2]}`);
      const flags = pending[3];
      if (flags & 0xe0) {
        throw new Error("reserved gzip header flags are set: the archive is corrupt");
      }
      let at = 10;
      if (flags & FEXTRA) {
        if (!(await need(at + 2))) {
          throw new Error("the gzip header is cut short (is the file truncated?)");
        }
        at += 2 + (pending[at] | (pending[at + 1] << 8));
      }
      if (flags & FNAME) at = await field(at);
      if (flags & FCOMMENT) at = await field(at);
      if (flags & FHCRC) at += 2;
      if (!(await need(at))) {
        throw new Error("the gzip header is cut short (is the file truncated?)");
      }
      pending = pending.subarray(at);

      // Fed a slice at a time until zlib stops taking input: the deflate
      // data ended there, and what it left is the member's trailer.
      let streamEnded = false;
      const feed = (async () => {
        let fed = 0;
        while (pending.length > 0 || (await more())) {
          const slice = pending.subarray(0, SLICE);
          pending = pending.subarray(slice.length);
          await write(inflate, slice);
          fed += slice.length;
          if (inflate.bytesWritten < fed) {
            const unused = fed - inflate.bytesWritten;
            pending = concatBytes([slice.subarray(slice.length - unused), pending]);
            streamEnded = true;
            break;
          }
        }
        inflate.end();
      })();
      // A failed read ends the output with its error.
      feed.catch((error) => inflate.destroy(error));
      let crc = 0;
      let size = 0;
      for await (const chunk of inflate) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        yield chunk;
      }
      await feed;
      if (!streamEnded || !(await need(8))) {
        throw new Error("the gzip data ends without its trailer (is the file truncated?)");
      }
      const trailer = new DataView(pending.buffer, pending.byteOffset, 8);
      if (trailer.getUint32(0, true) !== crc >>> 0) {
        throw new Error(
          "the gzip checksum (CRC-32) does not match the data: the archive is corrupt",
        );
      }
      if (trailer.getUint32(4, true) !== size % 2 ** 32) {
        throw new Error("the gzip length does not match the data: the archive is corrupt");
      }
      pending = pending.subarray(8);
      // What follows is counted, never decompressed.
      await need(3);
      const kind = pending[0] === 0x1f && pending[1] === 0x8b && pending[2] === 8
        ? "member"
        : "bytes";
      let bytes = pending.length;
      let zero = isZeroBytes(pending);
      while (!ended) {
        const { value, done } = await reader.read();
        if (done) break;
        bytes += value.length;
        zero &&= isZeroBytes(value);
      }
      if (bytes > 0) after = { kind, bytes, zero };
    } finally {
      inflate.destroy();
      reader.cancel().catch(() => {});
    }
  }

  return { output: output(), after: () => after };
}
