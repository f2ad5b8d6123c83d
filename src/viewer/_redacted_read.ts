// Reading run files through the pack's redactor: bounded ranges, streams
// and JSON values, with every secret masked before anything is shown.
//
// The redactor keeps sizes (a mask overwrites the secret's bytes), so byte
// offsets in redacted text are offsets in the file: pages and cursors work
// on either. A range is read with context on both sides, so that a secret
// straddling its edge is found as in a read of the whole file.
import type { Workspace } from "../workspace.ts";
import { concatBytes } from "../_bytes.ts";
import { redactText } from "../redaction/redactor.ts";
import type { RedactionPattern } from "../redaction/redaction_patterns.ts";
import { type Matcher, matcherFor } from "../redaction/redaction_engine.ts";
import { RedactionEngine } from "../redaction/redaction_engine.ts";

/**
 * Bytes read around a range: well over the longest match of any built-in
 * rule (private keys, about 16.5 KiB), so a secret crossing the edge of a
 * range is masked there too.
 */
const REDACT_CONTEXT = 64 * 1024;

/** What the viewer shows: masked text (the default), or the files as they are. */
export interface Masker {
  /** Whether secrets are masked. */
  readonly on: boolean;
  /**
   * A streaming redactor, or `undefined` when masking is off. Its
   * `flush(true)` ends a file still being written: its unfinished last line
   * and the end of a provider stream still open are masked (`live-tail`).
   */
  stream(): RedactionEngine | undefined;
  /** A string, masked. */
  text(text: string): string;
  /** A JSON value with every string in it masked (keys and values read together). */
  json<T>(value: T): T;
}

/** A masker with the built-in patterns and `patterns`, or one that shows everything. */
export function makeMasker(on: boolean, patterns?: readonly RedactionPattern[]): Masker {
  if (!on) {
    return { on, stream: () => undefined, text: (t) => t, json: (v) => v };
  }
  // The patterns are compiled once, at the first use: a bad one is refused
  // then, as `redactText` and `createRedactor` would (naming them), and
  // again at each use, since nothing is kept until they compile.
  let compiled: Matcher | undefined;
  const matcher = (where: string): Matcher => compiled ??= matcherFor(patterns, where);
  const encoder = new TextEncoder();
  const text = (t: string): string => {
    // What redactText refuses, it refuses with its own words.
    if (typeof t !== "string") return redactText(t, { patterns }).text;
    const engine = new RedactionEngine(matcher("redactText"));
    const head = engine.push(encoder.encode(t));
    const tail = engine.flush();
    const decoder = new TextDecoder();
    return decoder.decode(head, { stream: true }) + decoder.decode(tail);
  };
  return {
    on,
    stream: () => new RedactionEngine(matcher("createRedactor")),
    text,
    json<T>(value: T): T {
      if (value === undefined) return value;
      // Masked as one text, so that `"api_key": "…"` pairs are recognised.
      try {
        return parseMaskedJson(text(JSON.stringify(value))) as T;
      } catch {
        return walk(value, text) as T;
      }
    },
  };
}

// A mask written over a number or a literal (`"reviewer_pass":*`).
const BARE_MASK = /\[redacted:[A-Za-z0-9._-]{1,64}\]\**|\*+/y;

/**
 * Parses masked JSON: a mask that stands outside a string, where a number
 * or a literal was, is read as a string of the mask. Throws when the text
 * is not JSON even so.
 */
export function parseMaskedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch { /* A mask outside a string, most likely. */ }
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    BARE_MASK.lastIndex = i;
    const mask = BARE_MASK.exec(text);
    if (mask !== null) {
      out += JSON.stringify(mask[0]);
      i += mask[0].length - 1;
    } else out += c;
  }
  return JSON.parse(out);
}

function walk(value: unknown, mask: (t: string) => string): unknown {
  if (typeof value === "string") return mask(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, mask));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, mask)]));
  }
  return value;
}

/**
 * The bytes `[start, end)` of a file (fewer at its end), masked: read with
 * {@linkcode REDACT_CONTEXT} bytes on each side. One read of at most
 * `end - start + 2 * REDACT_CONTEXT` bytes. `live`: the file may still be
 * growing, so when the read reaches its end, its unfinished last line is
 * masked (see {@linkcode Masker.stream}).
 */
export async function readMasked(
  ws: Workspace,
  path: string,
  start: number,
  end: number,
  masker: Masker,
  live = false,
): Promise<Uint8Array> {
  if (end <= start) return new Uint8Array(0);
  const redactor = masker.stream();
  if (redactor === undefined) return await ws.readRange(path, start, end - start);
  const from = Math.max(0, start - REDACT_CONTEXT);
  const want = end + REDACT_CONTEXT - from;
  const bytes = await ws.readRange(path, from, want);
  // Usually all of it comes at the flush: a single part is not copied.
  const out = concatBytes(
    [redactor.push(bytes), redactor.flush(live && bytes.length < want)].filter((p) => p.length > 0),
  );
  return out.subarray(start - from, Math.min(end - from, out.length));
}

/** A piece of a masked stream: its bytes and their offset in the file. */
export interface MaskedPiece {
  offset: number;
  bytes: Uint8Array;
}

/** The read size of streams: large enough for speed, small enough to bound memory. */
export const STREAM_CHUNK = 256 * 1024;

/**
 * The bytes `[start, limit)` of a file, masked, as pieces in order: read
 * `STREAM_CHUNK` bytes at a time, with {@linkcode REDACT_CONTEXT} bytes of
 * context before `start` and after `limit` (a secret crossing either edge
 * is masked whole), so memory stays bounded whatever the size. Stop pulling
 * at any time. `live`: as {@linkcode readMasked}.
 */
export async function* maskedStream(
  ws: Workspace,
  path: string,
  start: number,
  limit: number,
  masker: Masker,
  live = false,
): AsyncGenerator<MaskedPiece> {
  if (limit <= start) return;
  const redactor = masker.stream();
  let pos = redactor === undefined ? start : Math.max(0, start - REDACT_CONTEXT);
  const readTo = redactor === undefined ? limit : limit + REDACT_CONTEXT;
  let emitted = pos; // The file offset of the next byte the redactor returns.
  const pieces = function* (out: Uint8Array): Generator<MaskedPiece> {
    const at = emitted;
    emitted += out.length;
    if (emitted <= start || out.length === 0 || at >= limit) return;
    const skip = Math.max(0, start - at);
    const bytes = out.subarray(skip, Math.min(out.length, limit - at));
    yield { offset: at + skip, bytes };
  };
  let eof = false;
  while (pos < readTo) {
    const want = Math.min(STREAM_CHUNK, readTo - pos);
    const chunk = await ws.readRange(path, pos, want);
    pos += chunk.length;
    if (chunk.length < want) eof = true;
    if (chunk.length > 0) yield* pieces(redactor === undefined ? chunk : redactor.push(chunk));
    if (eof) break; // Truncated meanwhile, or the end of the file.
  }
  if (redactor !== undefined) yield* pieces(redactor.flush(live && eof));
}
