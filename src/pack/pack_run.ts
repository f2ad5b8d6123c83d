/**
 * Packing a run into one `.tar.gz` for sharing: every file of its
 * directory, redacted, with a manifest of sizes and hashes.
 *
 * @module
 */
import { createTarPacker, type TarHeader } from "modern-tar";
import { createHash } from "node:crypto";
import { realpath } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { Workspace } from "../workspace.ts";
import { RunLogError } from "../run_log_error.ts";
import type { RunId } from "../run_id.ts";
import { MAX_METADATA_BYTES, runDirExists, runDirOf, toRunId } from "../run_dir.ts";
import { parseMetadataJson, runMetadataFrom } from "../run_metadata.ts";
import { inspectLease, isLeaseFileName } from "../lease.ts";
import { type Matcher, matcherFor } from "../redaction/redaction_engine.ts";
import { RedactionEngine } from "../redaction/redaction_engine.ts";
import { gzip } from "./_gzip.ts";
import { FlowLimit } from "./_flow_limit.ts";
import { type ArchiveSink, streamSink } from "./_archive_sink.ts";
import { openOutputFile } from "../_output_file.ts";
import { listRunTree, type TreeEntry, vanishedReason } from "../_run_tree.ts";
import {
  formatManifest,
  MANIFEST_NAME,
  PACK_FORMAT,
  PACK_FORMAT_VERSION,
  type PackedFile,
  type PackManifest,
  type PackSkipped,
} from "./pack_manifest.ts";
import type { RedactionPattern } from "../redaction/redaction_patterns.ts";
import type { RedactionCounts } from "../redaction/redactor.ts";
import { isWorkspaceError } from "../_workspace_checks.ts";
import { invalidArgument } from "../_invalid_argument.ts";

/**
 * Bytes per read. Each read is a fresh buffer that dies young: at 256 KiB,
 * Deno's V8 let 40 MB of them wait for a collection (55–60 MB extra for a
 * 1 GB pack); at 64 KiB, 39–43 MB, within the 64 MB budget on every runtime.
 */
const CHUNK = 64 * 1024;
/** A file is text when its first bytes hold no NUL, as git and grep decide. */
const TEXT_SNIFF_BYTES = 8 * 1024;
/** Bytes between the tar packer and gzip, at most: see FlowLimit. */
const IN_FLIGHT = 1024 * 1024;

/**
 * Options of {@linkcode packRun}.
 *
 * @example A quick pack without redaction, for a machine you trust
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { packRun, type PackOptions } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ws.write(ctx.pipelineLog(), "password=hunter2-secret\n");
 * await ctx.close();
 *
 * const options: PackOptions = {
 *   output: new WritableStream(), // or a path such as "run.tar.gz"
 *   redact: false, // explicit: the secrets stay in the archive
 *   level: 1, // fastest gzip
 * };
 * const summary = await packRun(ws, ctx.runId, options);
 * assert.equal(summary.manifest.redacted, false);
 * assert.deepEqual(summary.redactions, {});
 * ```
 */
export interface PackOptions {
  /**
   * Where the archive goes: a file path (relative to the current
   * directory, not to the workspace), or a stream, which is closed when the
   * pack is complete and aborted when it fails. A file is written beside
   * its target under a temporary name and renamed into place once
   * complete, so a failed pack never leaves half an archive.
   */
  output?: string | WritableStream<Uint8Array>;
  /**
   * Read and redact every file as a pack would, and write nothing: the
   * summary's manifest says, per file, which kinds of secret were found
   * and how many times (`runlog pack --dry-run --explain`). `output` is
   * then left out, and `bytesOut` is 0.
   */
  dryRun?: boolean;
  /** Replace an existing file at `output` (default: refuse). */
  overwrite?: boolean;
  /**
   * Mask secrets in every text file (default `true`); `false` archives the
   * bytes as they are, secrets included.
   */
  redact?: boolean;
  /** Patterns of your own, used after the built-in ones. */
  patterns?: readonly RedactionPattern[];
  /** The gzip level, 0 (store) to 9 (smallest); default 6, as `gzip` and `tar czf`. */
  level?: number;
  /**
   * Called after every chunk with the bytes packed so far and the total to
   * pack (which grows when a live run's file grew before packing reached
   * it). An error it throws fails the pack.
   */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/**
 * What {@linkcode packRun} made.
 *
 * @example Telling the user what was packed
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { packRun } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ws.write(ctx.agentLog("dev", 1), "Authorization: Bearer abc123def456ghi789\n");
 * await ctx.close();
 *
 * const summary = await packRun(ws, ctx.runId, { output: new WritableStream() });
 * const masked = Object.values(summary.redactions).reduce((a, b) => a + b, 0);
 * const line = `${summary.files} files, ${summary.bytesIn} bytes in, ${summary.bytesOut} out, ` +
 *   `${masked} secret(s) masked${summary.live ? " (live run: a snapshot)" : ""}`;
 * assert.match(line, /^3 files, \d+ bytes in, \d+ out, 1 secret\(s\) masked$/);
 * ```
 */
export interface PackSummary {
  /** The absolute path of the archive; `undefined` when written to a stream. */
  output: string | undefined;
  /** The run's id. */
  runId: string;
  /** The bytes of the run's files archived (the manifest not included). */
  bytesIn: number;
  /** The bytes of the `.tar.gz` written. */
  bytesOut: number;
  /** How many files were archived (the manifest not included). */
  files: number;
  /** The secrets masked, by kind. */
  redactions: RedactionCounts;
  /** Whether another process was writing the run when packing began. */
  live: boolean;
  /** What was left out, and why. */
  skipped: PackSkipped[];
  /** The manifest, as archived. */
  manifest: PackManifest;
}

interface Checked {
  output: string | WritableStream<Uint8Array> | undefined;
  overwrite: boolean;
  matcher: Matcher | undefined;
  level: number;
  onProgress: ((done: number, total: number) => void) | undefined;
}

function refuse(what: string, value: unknown, expected: string): never {
  throw invalidArgument("packRun", what, value, expected);
}

function checkOptions(options: unknown): Checked {
  if (typeof options !== "object" || options === null) {
    refuse("the options", options, "an object with at least { output }");
  }
  const o = options as Record<string, unknown>;
  const output = o.output;
  if (o.dryRun !== undefined && typeof o.dryRun !== "boolean") {
    refuse("dryRun", o.dryRun, "true or false");
  }
  if (o.dryRun === true) {
    if (output !== undefined) refuse("output", output, "absent with dryRun (nothing is written)");
  } else if (
    !(typeof output === "string" && output !== "") && !(output instanceof WritableStream)
  ) {
    refuse("output", output, "a file path or a WritableStream");
  }
  for (const key of ["overwrite", "redact"]) {
    if (o[key] !== undefined && typeof o[key] !== "boolean") refuse(key, o[key], "true or false");
  }
  const level = o.level ?? 6;
  if (!Number.isInteger(level) || (level as number) < 0 || (level as number) > 9) {
    refuse("level", o.level, "an integer from 0 to 9");
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") {
    refuse("onProgress", o.onProgress, "a function");
  }
  if (o.redact === false && o.patterns !== undefined) {
    refuse("patterns", o.patterns, "absent when redact is false (nothing would use them)");
  }
  return {
    output: output as Checked["output"],
    overwrite: o.overwrite === true,
    matcher: o.redact === false ? undefined : matcherFor(o.patterns, "packRun"),
    level: level as number,
    onProgress: o.onProgress as Checked["onProgress"],
  };
}

// Deterministic, anonymous headers: owner 0, no names, private modes (a
// run's logs hold prompts and keys), the run's start as the time.
function header(name: string, size: number, type: "file" | "directory", mtime: Date): TarHeader {
  const mode = type === "directory" ? 0o700 : 0o600;
  return { name, size, type, mode, mtime, uid: 0, gid: 0, uname: "", gname: "" };
}

async function requireRunDir(ws: Workspace, id: RunId, runDir: string): Promise<void> {
  if (!(await runDirExists(ws, runDir))) {
    throw new RunLogError(
      "not-found",
      `no run '${id}': '${runDir}' does not exist in ${ws.root}; check the id ` +
        "(runlog list shows the runs)",
    );
  }
}

// The run directory on disk, when the workspace is on disk: the archive must not go there.
async function runDirOnDisk(ws: Workspace, runDir: string): Promise<string | undefined> {
  if (!isAbsolute(ws.root)) return undefined;
  return await realpath(join(ws.root, runDir)).catch(() => undefined);
}

/**
 * Packs a run into a `.tar.gz`: its directory as `logs-<run id>/…`, then
 * `logs-<run id>/MANIFEST.json` with each file's size and SHA-256 as
 * archived, the run's metadata, what was redacted, whether the run was
 * live, and what was left out. The run on disk is never modified.
 *
 * - **Redaction** is on by default: every text file (no NUL byte in its
 *   first 8 KiB) is streamed through the redactor (see `createRedactor`),
 *   which masks secrets in place, so every file keeps its size. Binary
 *   files are archived as they are, marked `text: false` in the manifest.
 * - **Through the workspace**: files are listed and read with the
 *   workspace's `readDir`, `readBytes` and `readRange` (64 KiB at a
 *   time), so its rules hold: nothing outside the root is read, a symbolic
 *   link is never followed and a FIFO, socket or device never opened;
 *   they are left out and listed in the manifest's `skipped`. A file named
 *   `MANIFEST.json` at the top of the run is left out too.
 * - **A live run** (another process holds its lease) is packed as a
 *   snapshot: each file up to the size it has when packing reaches it;
 *   small files (up to 64 KiB, such as `run.json`, replaced by rename)
 *   are read in one call. A file that shrinks meanwhile keeps its first
 *   size, padded with NUL bytes, and its manifest entry says `shrankTo`; a
 *   file removed meanwhile is left out and listed in `skipped`.
 * - **Bounded memory**: everything streams (read, redact, hash, tar, gzip,
 *   write with backpressure), a few MB whatever the run's size.
 * - **Deterministic entries**: owner 0 without names, modes 0600 and 0700,
 *   the run's start time as modification time.
 *
 * @example Packing a run held in memory into a stream, then verifying it
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { packRun, verifyPack } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ws.appendBytes(ctx.pipelineLog(), new TextEncoder().encode("db password=hunter2-secret\n"));
 * await ctx.close({ status: "succeeded" });
 *
 * const chunks: Uint8Array[] = [];
 * const summary = await packRun(ws, ctx.runId.toString(), {
 *   output: new WritableStream({ write: (chunk) => void chunks.push(chunk) }),
 * });
 * assert.equal(summary.live, false);
 * assert.deepEqual(summary.redactions, { "password-assignment": 1 });
 * const pipeline = summary.manifest.files.find((f) => f.path === "pipeline.log");
 * assert.deepEqual(pipeline?.redactions, { "password-assignment": 1 });
 *
 * const result = await verifyPack(ReadableStream.from(chunks));
 * assert.equal(result.ok, true);
 * assert.equal(result.manifest?.run?.runId, ctx.runId.toString());
 * ```
 *
 * @example Packing to a file, from the real filesystem
 * ```ts ignore
 * import { NodeWorkspace } from "@ralph/runlog/node";
 * import { packRun } from "@ralph/runlog/pack";
 *
 * const summary = await packRun(new NodeWorkspace("."), "2026-02-06_14-03-27.123Z", {
 *   output: "run.tar.gz",
 *   onProgress: (done, total) => console.log(`${Math.round((100 * done) / total)} %`),
 * });
 * console.log(summary.output, summary.bytesOut, summary.redactions);
 * ```
 *
 * @param workspace The workspace holding the run.
 * @param runId The run's id.
 * @param options Where to write, and how.
 * @returns What was packed.
 * @throws {RunLogError} `"invalid-argument"` for a refused option (an
 * existing output without `overwrite`, an output inside the run directory),
 * naming it; `"invalid-run-id"`; `"not-found"` for a run that does not exist.
 * @throws {WorkspaceError} when the run cannot be read or the archive
 * cannot be written (`"no-space"`, `"permission-denied"`, …), naming the path.
 */
export async function packRun(
  workspace: Workspace,
  runId: RunId | string,
  options: PackOptions,
): Promise<PackSummary> {
  const opts = checkOptions(options);
  const id = toRunId(runId);
  const runDir = runDirOf(id);
  await requireRunDir(workspace, id, runDir);
  const sink = opts.output === undefined
    ? undefined
    : typeof opts.output === "string"
    ? await openOutputFile(opts.output, {
      caller: "packRun",
      what: "archive",
      overwrite: opts.overwrite,
      notInside: await runDirOnDisk(workspace, runDir),
    })
    : streamSink(opts.output);
  try {
    const summary = await pack(workspace, id, runDir, opts, sink);
    await sink?.commit();
    return summary;
  } catch (error) {
    await sink?.abort(error);
    throw error;
  }
}

async function pack(
  ws: Workspace,
  id: RunId,
  runDir: string,
  opts: Checked,
  sink: ArchiveSink | undefined,
): Promise<PackSummary> {
  const lease = await inspectLease(ws, runDir);
  const tree = await listRunTree(
    ws,
    runDir,
    new Map([[MANIFEST_NAME, "its name is the pack's own manifest's"]]),
  );
  const root = `logs-${id}`;
  const mtime = new Date(Math.floor(id.startedAt.getTime() / 1000) * 1000);
  const manifest: PackManifest = {
    format: PACK_FORMAT,
    version: PACK_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    runId: `${id}`,
    root,
    live: lease.state === "live",
    redacted: opts.matcher !== undefined,
    files: [],
    redactions: {},
    skipped: tree.skipped,
  };
  if (lease.state === "live") {
    const { pid, host, runtime, takenAt, heartbeatAt } = lease.holder;
    manifest.holder = { pid, host, runtime, takenAt, heartbeatAt };
  }
  const progress = await startProgress(ws, runDir, tree.entries, opts.onProgress);
  let runJson: Uint8Array | "too-large" | undefined;

  const { readable, controller } = createTarPacker();
  const flow = new FlowLimit(IN_FLIGHT);
  let stopped = false;
  const add = (name: string, size: number, type: "file" | "directory") =>
    controller.add(header(`${root}/${name}`, size, type, mtime)).getWriter();
  const send = async (writer: Writer, bytes: Uint8Array) => {
    await writer.ready;
    writer.write(bytes).catch(() => {}); // A failure surfaces at close().
    await flow.produced(bytes.length);
  };
  const produce = async () => {
    const top = add("", 0, "directory");
    await top.close();
    for (const entry of tree.entries) {
      if (stopped) return;
      if (entry.kind === "dir") {
        await add(`${entry.rel}/`, 0, "directory").close();
        continue;
      }
      // A live run's logs may end in a line still being written: its bytes are masked.
      const liveTail = lease.state === "live" && entry.rel !== "run.json" &&
        !isLeaseFileName(entry.rel);
      const packed = await packFile(ws, runDir, entry, opts.matcher, liveTail, progress, add, send);
      if (typeof packed === "string") {
        manifest.skipped.push({ path: entry.rel, reason: packed });
        progress.begin(entry, 0);
        continue;
      }
      manifest.files.push(packed.file);
      for (const [kind, n] of Object.entries(packed.file.redactions ?? {})) {
        manifest.redactions[kind] = (manifest.redactions[kind] ?? 0) + n;
      }
      if (entry.rel === "run.json") runJson = packed.kept ?? "too-large";
    }
    const run = readRun(runJson);
    if (run.metadata !== undefined) manifest.run = run.metadata;
    else manifest.runProblem = run.problem;
    const body = new TextEncoder().encode(formatManifest(manifest, run.json));
    const w = add(MANIFEST_NAME, body.length, "file");
    await w.write(body);
    await w.close();
    controller.finalize();
  };
  const producing = produce().catch((error) => {
    controller.error(error);
    throw error;
  });
  let bytesOut = 0;
  try {
    if (sink === undefined) {
      // A dry run: the tar stream is read and dropped, nothing is compressed or written.
      for await (const _ of flow.consume(readable)) { /* dropped */ }
    } else {
      for await (const chunk of gzip(flow.consume(readable), opts.level)) {
        bytesOut += chunk.length;
        await sink.write(chunk);
      }
    }
  } catch (error) {
    stopped = true;
    flow.close();
    producing.catch(() => {}); // Its error, if any, is the one being thrown.
    throw error;
  }
  await producing;
  return {
    output: sink?.path,
    runId: `${id}`,
    bytesIn: manifest.files.reduce((sum, f) => sum + f.size, 0),
    bytesOut,
    files: manifest.files.length,
    redactions: manifest.redactions,
    live: manifest.live,
    skipped: manifest.skipped,
    manifest,
  };
}

interface Progress {
  /** A file of `size` bytes begins (0 when it is left out): the total is corrected. */
  begin(entry: TreeEntry, size: number): void;
  advance(bytes: number): void;
}

async function startProgress(
  ws: Workspace,
  runDir: string,
  entries: TreeEntry[],
  onProgress: Checked["onProgress"],
): Promise<Progress> {
  if (onProgress === undefined) return { begin() {}, advance() {} };
  const listed = new Map<string, number>();
  let total = 0;
  for (const entry of entries) {
    if (entry.kind !== "file") continue;
    const size = await ws.fileSize(`${runDir}/${entry.rel}`).catch(() => 0);
    listed.set(entry.rel, size);
    total += size;
  }
  let done = 0;
  return {
    begin(entry, size) {
      total += size - (listed.get(entry.rel) ?? 0);
    },
    advance(bytes) {
      done += bytes;
      onProgress(done, total);
    },
  };
}

// run.json as archived, parsed as readRunJson would.
function readRun(bytes: Uint8Array | "too-large" | undefined): {
  metadata?: PackManifest["run"];
  json: unknown;
  problem?: string;
} {
  if (bytes === undefined) return { json: null, problem: "the run has no run.json" };
  if (bytes === "too-large") {
    return { json: null, problem: "run.json is larger than 16 MiB, more than runlog reads" };
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const json = parseMetadataJson(text, "run.json");
    return { metadata: runMetadataFrom(json, "run.json"), json };
  } catch (error) {
    return { json: null, problem: (error as Error).message };
  }
}

type Writer = WritableStreamDefaultWriter<Uint8Array>;

/**
 * Archives one file; returns why it was left out when it vanished before
 * its first byte.
 */
async function packFile(
  ws: Workspace,
  runDir: string,
  entry: TreeEntry,
  matcher: Matcher | undefined,
  liveTail: boolean,
  progress: Progress,
  add: (name: string, size: number, type: "file") => Writer,
  send: (writer: Writer, bytes: Uint8Array) => Promise<void>,
): Promise<{ file: PackedFile; kept?: Uint8Array } | string> {
  const path = `${runDir}/${entry.rel}`;
  let first: Uint8Array | undefined;
  let size: number;
  try {
    // A small file in one read: consistent even if it is replaced by rename meanwhile.
    first = await ws.readBytes(path, { maxBytes: CHUNK });
    size = first.length;
  } catch (error) {
    try {
      if (!isWorkspaceError(error, "too-large")) throw error;
      size = await ws.fileSize(path);
    } catch (error) {
      const reason = vanishedReason(error);
      if (reason === undefined) throw error;
      return reason;
    }
  }
  progress.begin(entry, size);
  const writer = add(entry.rel, size, "file");
  const hash = createHash("sha256");
  const keep = entry.rel === "run.json" && size <= MAX_METADATA_BYTES
    ? new Uint8Array(size)
    : undefined;
  let kept = 0;
  let engine: RedactionEngine | undefined;
  let text = true;
  const emit = async (bytes: Uint8Array) => {
    if (bytes.length === 0) return;
    hash.update(bytes);
    keep?.set(bytes, kept);
    kept += bytes.length;
    await send(writer, bytes);
  };
  const snapshot = new Snapshot(ws, path, size, first);
  let sniffed = false;
  for await (const chunk of snapshot.chunks()) {
    if (!sniffed) { // The first chunk decides.
      sniffed = true;
      text = !chunk.subarray(0, TEXT_SNIFF_BYTES).includes(0);
      if (text && matcher !== undefined) engine = new RedactionEngine(matcher);
    }
    // The chunk is ours (a fresh read): the engine masks it in place, no copy.
    for (const bytes of engine === undefined ? [chunk] : engine.pushOwned(chunk)) await emit(bytes);
    progress.advance(chunk.length);
  }
  for (const bytes of engine?.flushOwned(liveTail) ?? []) await emit(bytes);
  await writer.close();
  const file: PackedFile = { path: entry.rel, size, sha256: hash.digest("hex"), text };
  if (engine !== undefined && Object.keys(engine.counts).length > 0) {
    file.redactions = { ...engine.counts };
  }
  if (snapshot.shrankTo !== undefined) file.shrankTo = snapshot.shrankTo;
  return { file, kept: keep };
}

/**
 * The first `size` bytes of a file, chunk by chunk (`first` when it was
 * read whole). When the file shrinks or vanishes meanwhile, the rest is NUL
 * bytes and `shrankTo` says how much was real.
 */
class Snapshot {
  shrankTo: number | undefined;
  readonly #ws: Workspace;
  readonly #path: string;
  readonly #size: number;
  readonly #first: Uint8Array | undefined;

  constructor(ws: Workspace, path: string, size: number, first: Uint8Array | undefined) {
    this.#ws = ws;
    this.#path = path;
    this.#size = size;
    this.#first = first;
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    if (this.#first !== undefined) {
      if (this.#first.length > 0) yield this.#first;
      return;
    }
    for (let offset = 0; offset < this.#size;) {
      const want = Math.min(CHUNK, this.#size - offset);
      let bytes: Uint8Array;
      if (this.shrankTo !== undefined) bytes = new Uint8Array(want); // Ours to mask: never shared.
      else {
        try {
          bytes = await this.#ws.readRange(this.#path, offset, want);
        } catch (error) {
          if (vanishedReason(error) === undefined) throw error;
          bytes = new Uint8Array(0);
        }
        if (bytes.length === 0) {
          this.shrankTo = offset;
          continue;
        }
      }
      offset += bytes.length;
      yield bytes;
    }
  }
}
