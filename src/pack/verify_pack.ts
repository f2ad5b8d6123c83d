/**
 * Checking a pack against its manifest: every entry's size and SHA-256,
 * and every file the manifest lists.
 *
 * @module
 */
import { createTarDecoder } from "modern-tar";
import { createHash } from "node:crypto";
import { byteSource } from "./_byte_source.ts";
import { type AfterMember, gunzipFirstMember } from "./_gzip.ts";
import { TarEnd } from "./_tar_end.ts";
import { MANIFEST_NAME, type PackManifest, parseManifest } from "./pack_manifest.ts";
import { concatBytes, isZeroBytes } from "../_bytes.ts";

/**
 * What is wrong with a pack, one {@linkcode PackProblem} each.
 *
 * @example Telling a damaged download from a changed archive
 * ```ts
 * import type { PackProblemKind } from "@ralph/runlog/pack";
 *
 * function advice(kind: PackProblemKind): string {
 *   switch (kind) {
 *     case "unreadable":
 *     case "no-manifest":
 *       return "download the archive again";
 *     default:
 *       return "the archive was changed after it was made; ask for it again";
 *   }
 * }
 * console.log(advice("sha256"));
 * ```
 */
export type PackProblemKind =
  /** The gzip or tar data is corrupt or truncated. */
  | "unreadable"
  /** No `MANIFEST.json` in the archive. */
  | "no-manifest"
  /** `MANIFEST.json` is not a runlog manifest this version reads. */
  | "invalid-manifest"
  /** A file the manifest lists is not in the archive. */
  | "missing"
  /** A file in the archive is not in the manifest. */
  | "extra"
  /** A file's size differs from the manifest's. */
  | "size"
  /** A file's SHA-256 differs from the manifest's. */
  | "sha256"
  /** Two entries of the same name. */
  | "duplicate"
  /** An entry a pack never holds: a link, a device, a path outside the top directory. */
  | "unexpected-entry"
  /**
   * Data after the archive: a second gzip member, other bytes after the
   * gzip data, or data after the tar's end inside it. Not part of the pack:
   * its manifest does not cover it, whether or not the files match.
   */
  | "trailing-data";

/**
 * One thing wrong with a pack.
 *
 * @example Printing every problem of a truncated archive
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { type PackProblem, packRun, verifyPack } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ctx.close();
 * const chunks: Uint8Array[] = [];
 * await packRun(ws, ctx.runId, {
 *   output: new WritableStream({ write: (chunk) => void chunks.push(chunk) }),
 * });
 * const { problems } = await verifyPack(ReadableStream.from([chunks[0].subarray(0, 64)]));
 * const lines = problems.map((p: PackProblem) => `${p.kind}: ${p.message}`);
 * assert.match(lines[0], /^unreadable: the archive cannot be read to its end/);
 * ```
 */
export interface PackProblem {
  /** What kind of problem. */
  kind: PackProblemKind;
  /** The file concerned, relative to the archive's top directory when inside it. */
  path?: string;
  /** What is wrong, naming the file. */
  message: string;
}

/**
 * What {@linkcode verifyPack} found.
 *
 * @example Checking an archive read from an async iterable of chunks
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { packRun, verifyPack, type VerifyResult } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ctx.close({ status: "failed" });
 * const chunks: Uint8Array[] = [];
 * await packRun(ws, ctx.runId, {
 *   output: new WritableStream({ write: (chunk) => void chunks.push(chunk) }),
 * });
 * async function* download() {
 *   yield* chunks;
 * }
 * const result: VerifyResult = await verifyPack(download());
 * assert.equal(result.ok, true);
 * assert.equal(result.manifest?.run?.status, "failed");
 * ```
 */
export interface VerifyResult {
  /** Whether the archive is whole and matches its manifest: no problems. */
  ok: boolean;
  /** Every problem found, in the order found. */
  problems: PackProblem[];
  /** The manifest, when there is a valid one. */
  manifest?: PackManifest;
}

/** The manifest's own limit: a few hundred bytes per file, plus run.json's 16 MiB. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

interface Seen {
  size: number;
  sha256: string;
}

// Why a stream failed, in words.
function describeFailure(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; name?: unknown } | null;
  if (e?.code === "Z_BUF_ERROR") return "the compressed data ends early (is the file truncated?)";
  if (typeof e?.message === "string" && e.message !== "") return e.message;
  if (typeof e?.code === "string") return `gzip error ${e.code}`;
  return String(e?.name ?? error);
}

// "a/b/c" for an entry name, or undefined for one that would land outside
// the extraction directory (absolute, "..", empty).
function safeName(name: string): string | undefined {
  const trimmed = name.replace(/\/+$/, "");
  if (trimmed === "" || trimmed.startsWith("/")) return undefined;
  const parts = trimmed.split("/");
  if (parts.some((p) => p === ".." || p === "")) return undefined;
  return parts.filter((p) => p !== ".").join("/") || undefined;
}

/**
 * Checks a pack made by `packRun`: streams the archive once, recomputes
 * each entry's size and SHA-256, and compares them with `MANIFEST.json`
 * (found wherever it is in the archive). Every mismatch is reported, each
 * naming its file: a file missing, one not in the manifest, a size or hash
 * that differs, a duplicate, a link or a path outside the top directory, a
 * missing or invalid manifest, and gzip or tar data that cannot be read.
 * Memory stays bounded: the manifest and one hash per file, however much
 * the data inflates (input is read only as the output is taken).
 *
 * A pack is one gzip member holding one tar archive. Whatever follows it,
 * a second gzip member, other bytes, or data after the tar's end blocks
 * inside the member (bar zero padding, as tar writes it), is not covered by
 * the manifest: it is reported as `"trailing-data"`, so `ok` is `false` even
 * when every file matches. What follows the member is only counted, never
 * decompressed; inside it, verify reads at most 1 MiB past the tar's end.
 *
 * The manifest is not signed: a match proves the archive is whole and
 * consistent, not who made it.
 *
 * @example Telling a pack that was changed after it was made
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { packRun, verifyPack } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ctx.close();
 * const chunks: Uint8Array[] = [];
 * await packRun(ws, ctx.runId, {
 *   output: new WritableStream({ write: (chunk) => void chunks.push(chunk) }),
 * });
 * const good = await verifyPack(ReadableStream.from(chunks));
 * assert.equal(good.ok, true);
 *
 * const cut = chunks[0].subarray(0, 100); // A truncated download.
 * const bad = await verifyPack(ReadableStream.from([cut]));
 * assert.equal(bad.ok, false);
 * assert.deepEqual(bad.problems.map((p) => p.kind), ["unreadable", "no-manifest"]);
 * ```
 *
 * @param file The archive: a file path (relative to the current
 * directory), a `ReadableStream`, or an async iterable of byte chunks.
 * @returns Whether it is whole, every problem, and its manifest.
 * @throws {WorkspaceError} only when the file cannot be opened (missing,
 * not a regular file, no permission), naming it.
 * @throws {RunLogError} `"invalid-argument"` for something that is not an archive source.
 */
export async function verifyPack(
  file: string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<VerifyResult> {
  const source = await byteSource(file);
  const problems: PackProblem[] = [];
  const problem = (kind: PackProblemKind, message: string, path?: string) =>
    problems.push(path === undefined ? { kind, message } : { kind, path, message });
  const seen = new Map<string, Seen>(); // By full entry name.
  const manifests: { name: string; text: string }[] = [];
  // Only the first gzip member is read: a pack is one, and nothing after
  // it is decompressed (a bomb appended costs nothing). The tar reader gets
  // the archive up to its end; what follows inside the member is counted.
  const gzip = gunzipFirstMember(source);
  const afterTar: AfterTar = { bytes: 0, zero: true, more: false };
  try {
    const entries = ReadableStream.from(untilTarEnd(gzip.output, afterTar))
      .pipeThrough(createTarDecoder({ strict: true }));
    for await (const entry of entries) {
      const { header, body } = entry;
      const name = safeName(header.name);
      if (name === undefined) {
        problem(
          "unexpected-entry",
          `the entry '${header.name}' would be extracted outside the current directory`,
          header.name,
        );
        await body.cancel();
        continue;
      }
      const type = header.type ?? "file";
      if (type === "directory") {
        await body.cancel();
        continue;
      }
      if (type !== "file") {
        problem(
          "unexpected-entry",
          `'${name}' is a ${type} entry; a pack holds only files and directories`,
          name,
        );
        await body.cancel();
        continue;
      }
      const isManifest = name === MANIFEST_NAME || /^[^/]+\/MANIFEST\.json$/.test(name);
      const hash = createHash("sha256");
      const kept: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        hash.update(chunk);
        size += chunk.length;
        if (isManifest && size <= MAX_MANIFEST_BYTES) kept.push(chunk);
      }
      if (isManifest) {
        manifests.push({
          name,
          text: size > MAX_MANIFEST_BYTES ? "" : new TextDecoder().decode(concatBytes(kept)),
        });
      } else if (seen.has(name)) problem("duplicate", `'${name}' is in the archive twice`, name);
      else seen.set(name, { size, sha256: hash.digest("hex") });
    }
  } catch (error) {
    problem("unreadable", `the archive cannot be read to its end: ${describeFailure(error)}`);
  }
  // Zeros after the end blocks pad the last tar record, as tar writes them.
  if (afterTar.more) {
    problem(
      "trailing-data",
      "more than 1 MiB after the end of the tar archive, inside the gzip data (verify read no " +
        `further): ${NOT_THE_PACK}`,
    );
  } else if (!afterTar.zero) {
    problem(
      "trailing-data",
      `${bytesOf(afterTar.bytes)} after the end of the tar archive, inside the gzip data: ` +
        NOT_THE_PACK,
    );
  }
  const after = gzip.after();
  if (after !== undefined) problem("trailing-data", describeAfter(after));
  const manifest = pickManifest(manifests, problem);
  if (manifest !== undefined) compare(manifest, seen, problem);
  return { ok: problems.length === 0, problems, ...(manifest === undefined ? {} : { manifest }) };
}

/** What follows a tar archive's end blocks inside the gzip data. */
interface AfterTar {
  bytes: number;
  /** All zero: padding to the tar record size, as tar writes it. */
  zero: boolean;
  /** Over MAX_PADDING: reading stopped there. */
  more: boolean;
}

// Past this after the tar's end, nothing is padding (tar pads to records
// of 10 KiB by default), and verify reads no further: a zero bomb behind a
// pack costs nothing.
const MAX_PADDING = 1024 * 1024;

// The chunks of a tar stream up to the end of its archive; what follows is
// counted into `after`, not passed on.
async function* untilTarEnd(
  chunks: AsyncIterable<Uint8Array>,
  after: AfterTar,
): AsyncGenerator<Uint8Array> {
  const end = new TarEnd();
  for await (const chunk of chunks) {
    const taken = end.take(chunk);
    if (taken > 0) yield taken === chunk.length ? chunk : chunk.subarray(0, taken);
    if (taken < chunk.length) {
      const rest = chunk.subarray(taken);
      after.bytes += rest.length;
      after.zero &&= isZeroBytes(rest);
      if (after.bytes > MAX_PADDING) {
        after.more = true;
        return;
      }
    }
  }
}

const bytesOf = (n: number) => `${n} byte${n === 1 ? "" : "s"}`;
const NOT_THE_PACK = "not part of the pack, and not covered by its manifest";

function describeAfter(after: AfterMember): string {
  return after.kind === "member"
    ? `a second gzip member (${bytesOf(after.bytes)}) after the archive: ${NOT_THE_PACK}`
    : `${bytesOf(after.bytes)}${
      after.zero ? " (all zero)" : ""
    } after the end of the archive: ${NOT_THE_PACK}`;
}

type Report = (kind: PackProblemKind, message: string, path?: string) => void;

function pickManifest(
  found: { name: string; text: string }[],
  problem: Report,
): PackManifest | undefined {
  if (found.length === 0) {
    problem(
      "no-manifest",
      `the archive has no ${MANIFEST_NAME}: it was not made by packRun, or it is incomplete`,
    );
    return undefined;
  }
  for (const extra of found.slice(1)) {
    problem(
      "duplicate",
      `'${extra.name}' is a second manifest (the first is '${found[0].name}')`,
      extra.name,
    );
  }
  try {
    return parseManifest(found[0].text);
  } catch (error) {
    problem(
      "invalid-manifest",
      `'${found[0].name}' is not a valid runlog pack manifest: ${(error as Error).message}`,
      found[0].name,
    );
    return undefined;
  }
}

function compare(manifest: PackManifest, seen: Map<string, Seen>, problem: Report): void {
  const prefix = `${manifest.root}/`;
  for (const f of manifest.files) {
    const got = seen.get(prefix + f.path);
    if (got === undefined) {
      problem("missing", `'${f.path}' is listed in the manifest but not in the archive`, f.path);
      continue;
    }
    seen.delete(prefix + f.path);
    if (got.size !== f.size) {
      problem("size", `'${f.path}' has ${got.size} bytes; the manifest says ${f.size}`, f.path);
    } else if (got.sha256 !== f.sha256) {
      problem(
        "sha256",
        `'${f.path}' has SHA-256 ${got.sha256}; the manifest says ${f.sha256}: its content changed`,
        f.path,
      );
    }
  }
  for (const name of seen.keys()) {
    const path = name.startsWith(prefix) ? name.slice(prefix.length) : name;
    problem("extra", `'${path}' is in the archive but not in the manifest`, path);
  }
}
