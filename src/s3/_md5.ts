// MD5 (RFC 1321), for the Content-MD5 header: S3 engines verify it, and Web
// Crypto has no MD5. Not for security: S3 uses it as a transfer checksum, and
// a single PUT's ETag is the MD5 of its body.

// Per-round shift amounts, and the constants floor(|sin(i + 1)| * 2^32).
// deno-fmt-ignore
const SHIFTS = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];
const SINES = Array.from(
  { length: 64 },
  (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0,
);

/** The 16-byte MD5 digest of `bytes`. */
export function md5(bytes: Uint8Array): Uint8Array {
  const state = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
  const words = new Int32Array(16);
  const whole = bytes.length - (bytes.length % 64);
  const input = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < whole; at += 64) block(state, words, input, at);
  // The tail, a 0x80 byte, zeros, and the length in bits (64-bit little endian).
  const tail = new Uint8Array(bytes.length % 64 < 56 ? 64 : 128);
  tail.set(bytes.subarray(whole));
  tail[bytes.length % 64] = 0x80;
  const end = new DataView(tail.buffer);
  end.setUint32(tail.length - 8, (bytes.length * 8) >>> 0, true);
  end.setUint32(tail.length - 4, Math.floor(bytes.length / 2 ** 29), true);
  for (let at = 0; at < tail.length; at += 64) block(state, words, end, at);
  const digest = new Uint8Array(16);
  const out = new DataView(digest.buffer);
  for (let i = 0; i < 4; i++) out.setInt32(i * 4, state[i], true);
  return digest;
}

/** `md5(bytes)` as 32 lowercase hex digits: an S3 ETag of a single PUT. */
export function md5Hex(bytes: Uint8Array): string {
  return Array.from(md5(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `md5(bytes)` in base64: the value of a Content-MD5 header. */
export function md5Base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...md5(bytes)));
}

function block(state: Int32Array, words: Int32Array, input: DataView, at: number): void {
  for (let i = 0; i < 16; i++) words[i] = input.getInt32(at + i * 4, true);
  let a = state[0];
  let b = state[1];
  let c = state[2];
  let d = state[3];
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    f = (f + a + SINES[i] + words[g]) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((f << SHIFTS[i]) | (f >>> (32 - SHIFTS[i])))) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
}
