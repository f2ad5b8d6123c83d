/**
 * `MANIFEST.json`, the last entry of a pack: what the archive holds and how
 * it was made. On disk its keys are snake_case, like `run.json`'s; in
 * TypeScript they are camelCase.
 *
 * @module
 */
import type { LeaseHolder } from "../lease.ts";
import { type RunMetadata, runMetadataFrom } from "../run_metadata.ts";
import type { RedactionCounts } from "../redaction/redactor.ts";

/**
 * The `format` of every runlog pack manifest.
 *
 * @example Recognising a runlog manifest
 * ```ts
 * import assert from "node:assert/strict";
 * import { PACK_FORMAT } from "@ralph/runlog/pack";
 *
 * const text = '{"format": "runlog-pack", "version": 1}';
 * assert.equal(JSON.parse(text).format, PACK_FORMAT);
 * ```
 */
export const PACK_FORMAT = "runlog-pack";

/**
 * The version of the pack format this runlog writes, and the newest it reads.
 *
 * @example Every pack this runlog makes has this version
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { PACK_FORMAT_VERSION, packRun } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * const { manifest } = await packRun(ws, ctx.runId, { output: new WritableStream() });
 * assert.equal(manifest.version, PACK_FORMAT_VERSION);
 * await ctx.close();
 * ```
 */
export const PACK_FORMAT_VERSION = 1;

/**
 * The manifest's file name, inside the archive's top directory: extracting
 * a pack gives `logs-<run id>/MANIFEST.json`.
 *
 * @example Where the manifest lands when the archive is extracted
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { MANIFEST_NAME, packRun } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * const { manifest } = await packRun(ws, ctx.runId, { output: new WritableStream() });
 * assert.equal(`${manifest.root}/${MANIFEST_NAME}`, `logs-${ctx.runId}/MANIFEST.json`);
 * await ctx.close();
 * ```
 */
export const MANIFEST_NAME = "MANIFEST.json";

/**
 * One file of a pack, as archived.
 *
 * @example Which files had secrets masked
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { type PackedFile, packRun } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ws.write(ctx.providerLog("claude.jsonl"), '{"api_key": "0123456789abcdef0123"}\n');
 * await ctx.close();
 *
 * const { manifest } = await packRun(ws, ctx.runId, { output: new WritableStream() });
 * const masked = manifest.files.filter((f: PackedFile) => f.redactions !== undefined);
 * assert.deepEqual(masked.map((f) => [f.path, f.redactions]), [
 *   ["provider/claude.jsonl", { "secret-assignment": 1 }],
 * ]);
 * assert.match(masked[0].sha256, /^[0-9a-f]{64}$/);
 * ```
 */
export interface PackedFile {
  /** The path relative to the run directory (and to the archive's top directory). */
  path: string;
  /** Its size in the archive, in bytes: its size when packing reached it. */
  size: number;
  /** The SHA-256 of its bytes in the archive (redacted, when the pack is), lowercase hex. */
  sha256: string;
  /**
   * Whether it was read as text (no NUL byte in its first 8 KiB): only
   * text files are redacted.
   */
  text: boolean;
  /** The secrets masked in it, by kind; absent when none. */
  redactions?: RedactionCounts;
  /**
   * Set when the file shrank while it was packed: how many bytes could be
   * read. The entry keeps the size it had when packing began, padded with
   * NUL bytes after this offset.
   */
  shrankTo?: number;
}

/**
 * Something in the run directory that is not in the pack, and why.
 *
 * @example A symbolic link planted in a run is left out, never followed
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { packRun } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ctx.close();
 * ws.driver.symlink("/etc/passwd", `${ws.root}/${ctx.runDir}/debug/passwd`);
 *
 * const { skipped } = await packRun(ws, ctx.runId, { output: new WritableStream() });
 * assert.deepEqual(skipped, [{ path: "debug/passwd", reason: "a symbolic link, never followed" }]);
 * ```
 */
export interface PackSkipped {
  /** The path relative to the run directory. */
  path: string;
  /** Why it was left out, such as `"a symbolic link, never followed"`. */
  reason: string;
}

/**
 * Who wrote the run while it was packed.
 *
 * @example Packing a run another process is writing
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryHost, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { packRun } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const writer = ws.asProcess(new MemoryHost({ pid: 7, alive: ws.host.alive }));
 * const ctx = await RunLogContext.create(writer); // process 7 holds the run
 *
 * const { manifest } = await packRun(ws, ctx.runId, { output: new WritableStream() });
 * assert.equal(manifest.live, true);
 * assert.equal(manifest.holder?.pid, 7);
 * await ctx.close();
 * ```
 */
export type PackHolder = Pick<LeaseHolder, "pid" | "host" | "runtime" | "takenAt" | "heartbeatAt">;

/**
 * What `MANIFEST.json` says about a pack.
 *
 * @example Reading the manifest of an archive someone sent
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { type PackManifest, packRun, verifyPack } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws, { metadata: { command: "ralph --dev" } });
 * await ctx.close({ status: "succeeded" });
 * const chunks: Uint8Array[] = [];
 * await packRun(ws, ctx.runId, {
 *   output: new WritableStream({ write: (chunk) => void chunks.push(chunk) }),
 * });
 *
 * const manifest: PackManifest | undefined = (await verifyPack(ReadableStream.from(chunks))).manifest;
 * assert.equal(manifest?.runId, ctx.runId.toString());
 * assert.equal(manifest?.run?.command, "ralph --dev");
 * assert.equal(manifest?.live, false);
 * assert.ok(manifest?.files.some((f) => f.path === "run.json"));
 * ```
 */
export interface PackManifest {
  /** Always {@linkcode PACK_FORMAT}. */
  format: typeof PACK_FORMAT;
  /** The pack format version, {@linkcode PACK_FORMAT_VERSION} for this runlog. */
  version: number;
  /** When the pack was made, UTC ISO-8601. */
  createdAt: string;
  /** The run's id. */
  runId: string;
  /** The archive's top directory, `logs-<run id>`; file paths are relative to it. */
  root: string;
  /** Whether another process was writing the run (its lease was live) when packing began. */
  live: boolean;
  /** That process, while `live`. */
  holder?: PackHolder;
  /** Whether the text files were redacted. */
  redacted: boolean;
  /** The run's metadata, read from `run.json` as archived (so redacted too). */
  run?: RunMetadata;
  /** Why `run` is missing: no `run.json`, or not valid. */
  runProblem?: string;
  /** Every file of the archive but the manifest, in archive order. */
  files: PackedFile[];
  /** The secrets masked in the whole pack, by kind. */
  redactions: RedactionCounts;
  /** What the run directory held and the pack leaves out. */
  skipped: PackSkipped[];
}

/** The manifest as `MANIFEST.json` text (snake_case keys, two-space indentation). */
export function formatManifest(m: PackManifest, runJson: unknown): string {
  const holder = m.holder === undefined ? undefined : {
    pid: m.holder.pid,
    host: m.holder.host,
    runtime: m.holder.runtime,
    taken_at: m.holder.takenAt,
    heartbeat_at: m.holder.heartbeatAt,
  };
  return JSON.stringify(
    {
      format: m.format,
      version: m.version,
      created_at: m.createdAt,
      run_id: m.runId,
      root: m.root,
      live: m.live,
      lease_holder: holder,
      redacted: m.redacted,
      redactions: m.redactions,
      run: runJson,
      run_problem: m.runProblem,
      files: m.files.map((f) => ({
        path: f.path,
        size: f.size,
        sha256: f.sha256,
        text: f.text,
        redactions: f.redactions,
        shrank_to: f.shrankTo,
      })),
      skipped: m.skipped,
    },
    null,
    2,
  ) + "\n";
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function fail(where: string, what: string): never {
  throw new Error(`${where} ${what}`);
}

function counts(value: unknown, where: string): RedactionCounts {
  if (!isObject(value) || !Object.values(value).every(isCount)) {
    fail(where, "must map kinds to counts");
  }
  return { ...value } as RedactionCounts;
}

function text(d: Json, key: string, where = key): string {
  if (typeof d[key] !== "string") fail(where, "must be a string");
  return d[key] as string;
}

/**
 * Reads `MANIFEST.json` text, checking every field.
 *
 * @throws {Error} naming the field that is wrong.
 */
export function parseManifest(source: string): PackManifest {
  let d: unknown;
  try {
    d = JSON.parse(source);
  } catch (error) {
    throw new Error(`it is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(d)) fail("the manifest", "must be a JSON object");
  if (d.format !== PACK_FORMAT) fail("format", `must be "${PACK_FORMAT}"`);
  if (!Number.isSafeInteger(d.version) || (d.version as number) < 1) {
    fail("version", "must be a positive integer");
  }
  if ((d.version as number) > PACK_FORMAT_VERSION) {
    throw new Error(
      `it is pack format version ${d.version}, newer than this runlog reads ` +
        `(${PACK_FORMAT_VERSION}); upgrade runlog to verify it`,
    );
  }
  if (typeof d.live !== "boolean") fail("live", "must be true or false");
  if (typeof d.redacted !== "boolean") fail("redacted", "must be true or false");
  if (!Array.isArray(d.files)) fail("files", "must be an array");
  if (!Array.isArray(d.skipped)) fail("skipped", "must be an array");
  const manifest: PackManifest = {
    format: PACK_FORMAT,
    version: d.version as number,
    createdAt: text(d, "created_at"),
    runId: text(d, "run_id"),
    root: text(d, "root"),
    live: d.live,
    redacted: d.redacted,
    files: d.files.map((f, i) => {
      const at = `files[${i}]`;
      if (!isObject(f)) fail(at, "must be an object");
      if (!isCount(f.size)) fail(`${at}.size`, "must be a whole number of bytes");
      if (typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256)) {
        fail(`${at}.sha256`, "must be 64 lowercase hex digits");
      }
      if (typeof f.text !== "boolean") fail(`${at}.text`, "must be true or false");
      if (f.shrank_to !== undefined && !isCount(f.shrank_to)) {
        fail(`${at}.shrank_to`, "must be a whole number of bytes");
      }
      const file: PackedFile = {
        path: text(f, "path", `${at}.path`),
        size: f.size,
        sha256: f.sha256,
        text: f.text,
      };
      if (f.redactions !== undefined) file.redactions = counts(f.redactions, `${at}.redactions`);
      if (f.shrank_to !== undefined) file.shrankTo = f.shrank_to as number;
      return file;
    }),
    redactions: counts(d.redactions, "redactions"),
    skipped: d.skipped.map((s, i) => {
      if (!isObject(s)) fail(`skipped[${i}]`, "must be an object");
      return {
        path: text(s, "path", `skipped[${i}].path`),
        reason: text(s, "reason", `skipped[${i}].reason`),
      };
    }),
  };
  const holder = d.lease_holder;
  if (holder !== undefined) {
    if (!isObject(holder) || !Number.isSafeInteger(holder.pid)) {
      fail("lease_holder", "must be an object with a pid");
    }
    manifest.holder = {
      pid: holder.pid as number,
      host: text(holder, "host", "lease_holder.host"),
      runtime: text(holder, "runtime", "lease_holder.runtime"),
      takenAt: text(holder, "taken_at", "lease_holder.taken_at"),
      heartbeatAt: text(holder, "heartbeat_at", "lease_holder.heartbeat_at"),
    };
  }
  if (d.run !== undefined && d.run !== null) {
    try {
      manifest.run = runMetadataFrom(d.run, "MANIFEST.json run");
    } catch (error) {
      fail("run", `is not valid run metadata: ${(error as Error).message}`);
    }
  }
  if (d.run_problem !== undefined) manifest.runProblem = text(d, "run_problem");
  return manifest;
}
