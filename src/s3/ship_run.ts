/**
 * Shipping a local run to an S3 store while it is written: each log as
 * sealed, content-addressed segments, then the manifest that names them,
 * then `run.json`, all under the run's store lease.
 *
 * @module
 */
import type { Workspace } from "../workspace.ts";
import type { ProcessHost } from "../process_host.ts";
import type { RunId } from "../run_id.ts";
import { RunLogError } from "../run_log_error.ts";
import { runDirExists, runDirOf, toRunId } from "../run_dir.ts";
import { findRunInfo, type RunStatus } from "../runs/list_runs.ts";
import { isLeaseFileName } from "../lease.ts";
import { isTempFile } from "../_temp_files.ts";
import { isWorkspaceError } from "../_workspace_checks.ts";
import { listRunTree } from "../_run_tree.ts";
import { S3Error } from "./s3_client.ts";
import {
  ENDED_PREFIX,
  type EndedStatus,
  isEndedStatus,
  MANIFEST_OBJECT,
  RELEASED_MARKER,
  RUN_JSON,
  segmentName,
} from "./_store_layout.ts";
import {
  emptyManifest,
  formatManifest,
  type ManifestFile,
  type ManifestSegment,
  MAX_MANIFEST_BYTES,
  MAX_SEGMENT_BYTES,
  parseManifest,
  type StoreManifest,
} from "./_store_manifest.ts";
import { sha256Hex } from "./_sha256.ts";
import type { S3RunStore } from "./run_store.ts";
import type { S3StoreLease } from "./store_lease.ts";

/** The largest segment by default: 8 MiB. */
export const SEGMENT_BYTES = 8 * 1024 * 1024;
const INTERVAL_MS = 1000;
const FLUSH_AFTER_MS = 2000;
const CONCURRENCY = 4;
// How many same-sized small segments at a file's end are merged into one.
const MERGE_FAN = 8;
// A follow gives up after this many rounds in a row failed to reach the store.
const MAX_FAILED_ROUNDS = 60;
const MAX_METADATA_BYTES = 16 * 1024 * 1024;
const WRITE_ATTEMPTS = 4;
const decoder = new TextDecoder();

/**
 * Options of {@linkcode shipRun}.
 *
 * @example Following a run until it ends, stoppable with Ctrl-C
 * ```ts
 * import type { ShipRunOptions } from "@ralph/runlog/s3";
 *
 * const controller = new AbortController();
 * const options: ShipRunOptions = { follow: true, signal: controller.signal };
 * ```
 */
export interface ShipRunOptions {
  /**
   * Keep shipping (every `intervalMs`) until the local run ends, then mark
   * it complete. Without it, ship what is there now, once.
   */
  follow?: boolean;
  /** Stops a follow: what is written by then is shipped, then the lease is released. */
  signal?: AbortSignal;
  /** Take the store lease from a live shipper (after one of its heartbeats). */
  force?: boolean;
  /** How often a follow looks for new bytes, in ms (default 1000). */
  intervalMs?: number;
  /** A follow seals a partial segment once its first byte is this old, in ms (default 2000). */
  flushAfterMs?: number;
  /** The largest segment, in bytes (default 8 MiB, at most 64 MiB). */
  segmentBytes?: number;
  /** How many segments are uploaded at once (default 4). */
  concurrency?: number;
  /** The store lease's heartbeat, in ms (default: the store's). */
  heartbeatMs?: number;
  /** This machine's processes, for the lease (default: the store's, else the workspace's). */
  host?: ProcessHost;
  /** Called after each round, with what it shipped. */
  onRound?: (round: ShipRound) => void;
}

/**
 * What one round of {@linkcode shipRun} did.
 *
 * @example Printing progress
 * ```ts
 * import type { ShipRound } from "@ralph/runlog/s3";
 *
 * const report = (round: ShipRound) =>
 *   console.log(`round ${round.round}: ${round.segments} segments, ${round.bytes} bytes`);
 * ```
 */
export interface ShipRound {
  /** 1 for the first round. */
  round: number;
  /** Segments uploaded in this round. */
  segments: number;
  /** Bytes uploaded in this round. */
  bytes: number;
  /** Whether the manifest was written. */
  manifestWritten: boolean;
  /** A passing failure that the next round retries (a follow only). */
  error?: S3Error;
}

/**
 * What {@linkcode shipRun} did, and what the store holds now.
 *
 * @example Whether a push finished the run in the store
 * ```ts
 * import type { ShipSummary } from "@ralph/runlog/s3";
 *
 * const done = (summary: ShipSummary) => summary.complete && summary.status === "succeeded";
 * ```
 */
export interface ShipSummary {
  /** The run's id. */
  runId: string;
  /** The run's folder in the store, as `s3://bucket/<prefix>/logs-<id>/`. */
  url: string;
  /** Files of the run in the store (run.json included). */
  files: number;
  /** Their bytes. */
  bytes: number;
  /** Segments uploaded by this call. */
  uploadedSegments: number;
  /** Bytes uploaded by this call (segments only). */
  uploadedBytes: number;
  /** Segments that were in the store already (content-addressed: from a crashed push, or identical). */
  reusedSegments: number;
  /** Unfinished multipart uploads under the run's folder that were aborted. */
  abortedUploads: number;
  /** Rounds shipped. */
  rounds: number;
  /** Whether the run ended and everything it wrote is in the store. */
  complete: boolean;
  /** How the run ended, once complete. */
  status?: Exclude<RunStatus, "running" | "idle">;
}

/**
 * Ships a local run to an S3 store, where `S3RunStore.listRuns` and
 * `S3StoreWorkspace` read it: the run's logs as sealed, content-addressed
 * segments under `<prefix>/segments/<sha256>` (each at most 8 MiB, uploaded
 * with `If-None-Match: *` and their SHA-256 signed, so never overwritten and never
 * half-visible), then `logs-<id>/manifest.json` naming them (written with
 * `If-Match` on its own ETag), then `run.json`, all under the run's store
 * lease: two shippers of one run never run at once, and one whose lease was
 * taken over stops before its next write (`"lease-lost"`).
 *
 * Logs (`pipeline.log`, `event_loop.log`, `agents/`, `provider/`, `debug/`)
 * are append-only: each round ships their new bytes; one that shrank is
 * shipped again from its start. Other files (traces, run.json) are shipped
 * whole when they change. A crash at any point leaves the store consistent
 * (the manifest names only uploaded segments), and the next `shipRun` goes
 * on from the manifest.
 *
 * With `follow`, it ships about every second (a partial segment once its
 * bytes are two seconds old) until the local run ends; then, as for a
 * one-shot push of an ended run, the manifest is marked complete and an
 * `ended-<status>` marker written. A push that stops earlier hands the
 * lease back (the run lists as `idle`).
 *
 * @example Pushing the latest run of a workspace
 * ```ts
 * import { latestRun, type Workspace } from "@ralph/runlog";
 * import { type S3RunStore, shipRun } from "@ralph/runlog/s3";
 *
 * async function pushLatest(ws: Workspace, store: S3RunStore): Promise<string | undefined> {
 *   const run = await latestRun(ws);
 *   if (run === undefined) return undefined;
 *   const summary = await shipRun(ws, run.runId, store);
 *   return `${summary.url}: ${summary.files} files, ${summary.bytes} bytes` +
 *     (summary.complete ? ` (${summary.status})` : " (still running)");
 * }
 * ```
 *
 * @param ws The workspace the run lives in.
 * @param runId The run.
 * @param store Where to ship it.
 * @param options Follow, stop, force, and the sizes and intervals.
 * @returns What was shipped.
 * @throws {RunLogError} `"not-found"` for a run that is not in `ws`;
 *   `"lease-held"` while another live shipper has the run; `"lease-lost"`
 *   when it was taken over; `"invalid-metadata"` for a damaged manifest.
 * @throws {S3Error} When the store refuses or cannot be reached.
 */
export async function shipRun(
  ws: Workspace,
  runId: RunId | string,
  store: S3RunStore,
  options: ShipRunOptions = {},
): Promise<ShipSummary> {
  const id = toRunId(runId);
  const settings = checkOptions(options);
  if (!(await runDirExists(ws, runDirOf(id)))) {
    throw new RunLogError(
      "not-found",
      `no run '${id}': '${runDirOf(id)}' does not exist in ${ws.root}; check the id ` +
        "(runlog list shows the runs)",
    );
  }
  const lease = await store.acquireLease(id, {
    force: options.force === true,
    heartbeatMs: options.heartbeatMs,
    host: options.host ?? store.host ?? ws.host,
  });
  const shipper = new Shipper(ws, id, store, lease, settings);
  try {
    return await shipper.run(options);
  } catch (error) {
    // Handed back, so that the next push need not wait for the heartbeat to go stale.
    if (lease.lost === undefined) await lease.release().catch(() => {});
    else lease.stop();
    throw error;
  }
}

interface Settings {
  intervalMs: number;
  flushAfterMs: number;
  segmentBytes: number;
  concurrency: number;
}

function checkOptions(options: ShipRunOptions): Settings {
  const whole = (
    name: keyof ShipRunOptions,
    fallback: number,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number => {
    const value = options[name] ?? fallback;
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
      throw new RunLogError(
        "invalid-argument",
        `shipRun(): ${name} must be a whole number from ${min} to ${max}, got ${String(value)}`,
      );
    }
    return value as number;
  };
  return {
    intervalMs: whole("intervalMs", INTERVAL_MS, 1),
    flushAfterMs: whole("flushAfterMs", FLUSH_AFTER_MS, 0),
    // A reader holds a segment whole: at most what it accepts.
    segmentBytes: whole("segmentBytes", SEGMENT_BYTES, 1, MAX_SEGMENT_BYTES),
    concurrency: whole("concurrency", CONCURRENCY, 1),
  };
}

/** Logs grow by appending; anything else is shipped whole when it changes. */
function isAppendPath(rel: string): boolean {
  return rel === "pipeline.log" || rel === "event_loop.log" || rel.startsWith("agents/") ||
    rel.startsWith("provider/") || rel.startsWith("debug/");
}

/** Whether the local run has ended, and how: what its ended marker will say. */
function endOf(status: string | undefined, ended: boolean): EndedStatus | undefined {
  if (status === undefined || status === "running" || status === "idle") return undefined;
  if (status === "unknown" && !ended) return undefined; // a Rust run, or one of unknown state
  return isEndedStatus(status) ? status : undefined;
}

// A piece of a file to upload: `length` bytes from `offset`.
interface Piece {
  path: string;
  offset: number;
  length: number;
}

class Shipper {
  readonly #ws: Workspace;
  readonly #runId: RunId;
  readonly #runDir: string;
  readonly #store: S3RunStore;
  readonly #lease: S3StoreLease;
  readonly #settings: Settings;
  readonly #folder: string;
  #manifest: StoreManifest;
  #manifestEtag: string | undefined;
  #runJsonEtag: string | undefined;
  #runJsonSha: string | undefined;
  // Segments known to be in the store: never uploaded twice by this shipper.
  readonly #present = new Set<string>();
  // When each log's unshipped bytes were first seen (a follow seals them after flushAfterMs).
  readonly #pendingSince = new Map<string, number>();
  #forceManifest = false;
  #runJsonBytes = 0;
  readonly #summary: ShipSummary;

  constructor(
    ws: Workspace,
    runId: RunId,
    store: S3RunStore,
    lease: S3StoreLease,
    settings: Settings,
  ) {
    this.#ws = ws;
    this.#runId = runId;
    this.#runDir = runDirOf(runId);
    this.#store = store;
    this.#lease = lease;
    this.#settings = settings;
    this.#folder = store.runFolder(runId);
    this.#manifest = emptyManifest(`${runId}`);
    this.#summary = {
      runId: `${runId}`,
      url: `s3://${store.client.bucket}/${this.#folder}`,
      files: 0,
      bytes: 0,
      uploadedSegments: 0,
      uploadedBytes: 0,
      reusedSegments: 0,
      abortedUploads: 0,
      rounds: 0,
      complete: false,
    };
  }

  get #client() {
    return this.#store.client;
  }

  async run(options: ShipRunOptions): Promise<ShipSummary> {
    await this.#start();
    const signal = options.signal;
    let failures = 0;
    let end: EndedStatus | undefined;
    for (;;) {
      // The end is read before the files: everything the run wrote is on disk by then.
      end = await this.#localEnd();
      const last = options.follow !== true || end !== undefined || signal?.aborted === true;
      const before = {
        segments: this.#summary.uploadedSegments,
        bytes: this.#summary.uploadedBytes,
      };
      let written = false;
      try {
        written = await this.#round(last, last ? end : undefined);
        failures = 0;
      } catch (error) {
        // A follow rides out a store that is briefly away; a push fails at once.
        if (last || !isPassing(error) || ++failures >= MAX_FAILED_ROUNDS) throw error;
        options.onRound?.({
          round: ++this.#summary.rounds,
          segments: this.#summary.uploadedSegments - before.segments,
          bytes: this.#summary.uploadedBytes - before.bytes,
          manifestWritten: false,
          error: error as S3Error,
        });
        await pause(this.#settings.intervalMs, signal);
        continue;
      }
      options.onRound?.({
        round: ++this.#summary.rounds,
        segments: this.#summary.uploadedSegments - before.segments,
        bytes: this.#summary.uploadedBytes - before.bytes,
        manifestWritten: written,
      });
      if (last) break;
      await pause(this.#settings.intervalMs, signal);
    }
    if (end !== undefined) {
      await this.#lease.assertWritable();
      await this.#client.put(`${this.#folder}${ENDED_PREFIX}${end}`, "");
      await this.#lease.release();
    } else {
      await this.#lease.release();
      // After the release, so that the marker is newer than the lease object. It only
      // lets a listing say idle rather than crashed: a failure to write it fails nothing shipped.
      await this.#client.put(`${this.#folder}${RELEASED_MARKER}`, "").catch(() => {});
    }
    this.#summary.complete = this.#manifest.complete;
    if (this.#manifest.status !== undefined) this.#summary.status = this.#manifest.status;
    return this.#summary;
  }

  /** Clears what a crashed or earlier push left, and reads where it got to. */
  async #start(): Promise<void> {
    const client = this.#client;
    await this.#lease.assertWritable();
    try {
      for await (const upload of client.listMultipartUploads(this.#folder)) {
        if (await client.abortMultipart(upload.key, upload.uploadId)) {
          this.#summary.abortedUploads++;
        }
      }
    } catch (error) {
      // Hygiene only (segments are single PUTs): credentials without the permission to list
      // uploads, or a store without multipart listing, ship all the same.
      if (!(error instanceof S3Error && (error.status === 403 || error.status === 501))) {
        throw error;
      }
    }
    const markers: string[] = [];
    for await (const page of client.list(this.#folder)) {
      for (const entry of page.keys) {
        const name = entry.key.slice(this.#folder.length);
        if (name === RELEASED_MARKER || name.startsWith(ENDED_PREFIX)) markers.push(name);
      }
    }
    const stored = await client.get(`${this.#folder}${MANIFEST_OBJECT}`);
    if (stored !== undefined) {
      const where = `s3://${client.bucket}/${this.#folder}${MANIFEST_OBJECT}`;
      if (stored.body.length > MAX_MANIFEST_BYTES) {
        throw new RunLogError("invalid-metadata", `${where} is larger than runlog reads`);
      }
      this.#manifest = parseManifest(decoder.decode(stored.body), where);
      this.#manifestEtag = stored.etag;
      for (const file of this.#manifest.files.values()) {
        for (const segment of file.segments) this.#present.add(segment.sha256);
      }
    }
    const runJson = await client.get(`${this.#folder}${RUN_JSON}`);
    if (runJson !== undefined) {
      this.#runJsonEtag = runJson.etag;
      this.#runJsonSha = await sha256Hex(runJson.body);
    }
    // The run goes on (it was resumed, or is pushed again): it is not ended, nor handed back.
    const ended = markers.some((name) => name.startsWith(ENDED_PREFIX));
    if (ended || this.#manifest.complete) {
      const end = await this.#localEnd();
      if (end === undefined || end !== this.#manifest.status) {
        for (const name of markers) {
          if (!name.startsWith(ENDED_PREFIX)) continue;
          await this.#lease.assertWritable();
          await client.delete(`${this.#folder}${name}`);
        }
        this.#forceManifest = true;
      }
    }
    if (markers.includes(RELEASED_MARKER)) {
      await this.#lease.assertWritable();
      await client.delete(`${this.#folder}${RELEASED_MARKER}`);
    }
  }

  async #localEnd(): Promise<EndedStatus | undefined> {
    const info = await findRunInfo(this.#ws, this.#runId);
    return endOf(info?.status, info?.endedAt !== undefined);
  }

  /**
   * Ships what is new: segments, then the manifest naming them, then
   * run.json. With `last`, partial segments are sealed whatever their age,
   * and with `end` the manifest is marked complete.
   */
  async #round(last: boolean, end: EndedStatus | undefined): Promise<boolean> {
    const now = Date.now();
    const tree = await listRunTree(this.#ws, this.#runDir);
    const dirs: string[] = [];
    const files = new Map<string, ManifestFile>();
    const pieces: { file: ManifestFile; piece: Piece }[] = [];
    let changed = this.#forceManifest;
    for (const entry of tree.entries) {
      const name = entry.rel.slice(entry.rel.lastIndexOf("/") + 1);
      if (entry.kind === "dir") {
        dirs.push(entry.rel);
        continue;
      }
      if (entry.rel === RUN_JSON || isLeaseFileName(entry.rel) || isTempFile(name)) continue;
      const path = `${this.#runDir}/${entry.rel}`;
      const size = await this.#ws.fileSize(path).catch((error) => {
        if (isWorkspaceError(error, "not-found", "hard-link", "symlink", "not-a-regular-file")) {
          return undefined;
        }
        throw error;
      });
      if (size === undefined) continue;
      const before = this.#manifest.files.get(entry.rel);
      if (!isAppendPath(entry.rel)) {
        const file = await this.#wholeFile(path, size, before);
        if (file === undefined) continue;
        if (file !== before) changed = true;
        files.set(entry.rel, file);
        continue;
      }
      // A log that shrank was rewritten: ship it again from its start.
      const kept = before !== undefined && before.kind === "append" && size >= before.size;
      const file: ManifestFile = kept
        ? { ...before, segments: [...before.segments] }
        : { size: 0, kind: "append", segments: [] };
      if (!kept) changed = true;
      files.set(entry.rel, file);
      let from = file.size;
      if (size <= from) {
        this.#pendingSince.delete(entry.rel);
        continue;
      }
      const since = this.#pendingSince.get(entry.rel) ?? now;
      this.#pendingSince.set(entry.rel, since);
      const { segmentBytes, flushAfterMs } = this.#settings;
      while (size - from >= segmentBytes) {
        pieces.push({ file, piece: { path, offset: from, length: segmentBytes } });
        from += segmentBytes;
      }
      if (size > from && (last || now - since >= flushAfterMs)) {
        pieces.push({ file, piece: { path, offset: from, length: size - from } });
        from = size;
      }
      if (from === size) this.#pendingSince.delete(entry.rel);
    }
    // Segments first: the manifest never names one that is not uploaded.
    const uploaded = await mapLimited(
      pieces,
      this.#settings.concurrency,
      ({ piece }) => this.#uploadPiece(piece),
    );
    pieces.forEach(({ file }, i) => {
      const segment = uploaded[i];
      if (segment === undefined || segment.offset !== file.size) return; // shrank meanwhile
      file.segments.push(segment);
      file.size += segment.length;
      changed = true;
    });
    for (const [rel, file] of files) {
      if (file.kind === "append" && (await this.#merge(rel, file))) changed = true;
    }
    const sameDirs = dirs.join("\n") === [...this.#manifest.dirs].sort().join("\n");
    const removed = [...this.#manifest.files.keys()].some((rel) => !files.has(rel));
    const next: StoreManifest = {
      ...this.#manifest,
      dirs: dirs.sort(),
      files,
      complete: end !== undefined,
    };
    if (end !== undefined) next.status = end;
    else delete next.status;
    changed ||= !sameDirs || removed || next.complete !== this.#manifest.complete ||
      next.status !== this.#manifest.status;
    if (changed) await this.#writeManifest(next);
    await this.#shipRunJson();
    this.#summary.files = this.#manifest.files.size + (this.#runJsonSha === undefined ? 0 : 1);
    this.#summary.bytes = [...this.#manifest.files.values()].reduce((n, f) => n + f.size, 0) +
      this.#runJsonBytes;
    return changed;
  }

  /** A whole file as it is now: the entry before when unchanged. */
  async #wholeFile(
    path: string,
    size: number,
    before: ManifestFile | undefined,
  ): Promise<ManifestFile | undefined> {
    const file: ManifestFile = { size: 0, kind: "whole", segments: [] };
    const parts: { bytes: Uint8Array; sha256: string }[] = [];
    for (let offset = 0; offset < size;) {
      const bytes = await this.#read(
        path,
        offset,
        Math.min(this.#settings.segmentBytes, size - offset),
      );
      if (bytes === undefined) return undefined;
      if (bytes.length === 0) break;
      parts.push({ bytes, sha256: await sha256Hex(bytes) });
      offset += bytes.length;
    }
    const same = before?.kind === "whole" && before.segments.length === parts.length &&
      parts.every((part, i) => before.segments[i].sha256 === part.sha256);
    if (same) return before;
    let offset = 0;
    for (const part of parts) {
      const segment = {
        offset,
        length: part.bytes.length,
        sha256: part.sha256,
        key: segmentName(part.sha256),
      };
      if (!this.#present.has(part.sha256)) {
        await this.#upload(part.bytes, part.sha256);
      }
      file.segments.push(segment);
      offset += part.bytes.length;
    }
    file.size = offset;
    return file;
  }

  /** Merges a log's last MERGE_FAN segments of one size class into one, re-read from disk. */
  async #merge(rel: string, file: ManifestFile): Promise<boolean> {
    let merged = false;
    for (;;) {
      const tail = file.segments.slice(-MERGE_FAN);
      if (tail.length < MERGE_FAN) return merged;
      const tier = tierOf(tail[0].length);
      const length = tail.reduce((n, s) => n + s.length, 0);
      if (!tail.every((s) => tierOf(s.length) === tier) || length > this.#settings.segmentBytes) {
        return merged;
      }
      const segment = await this.#uploadPiece({
        path: `${this.#runDir}/${rel}`,
        offset: tail[0].offset,
        length,
      });
      if (segment === undefined || segment.length !== length) return merged;
      file.segments.splice(-MERGE_FAN, MERGE_FAN, segment);
      merged = true;
    }
  }

  async #read(path: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    try {
      return await this.#ws.readRange(path, offset, length);
    } catch (error) {
      if (isWorkspaceError(error, "not-found", "hard-link", "symlink", "not-a-regular-file")) {
        return undefined;
      }
      throw error;
    }
  }

  /** Reads and uploads one piece; undefined when the file vanished or shrank before it. */
  async #uploadPiece(piece: Piece): Promise<ManifestSegment | undefined> {
    const bytes = await this.#read(piece.path, piece.offset, piece.length);
    if (bytes === undefined || bytes.length === 0) return undefined;
    const sha256 = await sha256Hex(bytes);
    if (!this.#present.has(sha256)) await this.#upload(bytes, sha256);
    return { offset: piece.offset, length: bytes.length, sha256, key: segmentName(sha256) };
  }

  /** Uploads a segment once: a key that exists holds the same bytes (its name is their hash). */
  async #upload(bytes: Uint8Array, sha256: string): Promise<void> {
    const key = this.#store.key(segmentName(sha256));
    await this.#lease.assertWritable();
    // The SHA-256 is signed as the payload hash: the server refuses a body changed on the way.
    const result = await this.#client.put(key, bytes, { ifNoneMatch: "*", sha256 });
    if (result.ok) {
      this.#summary.uploadedSegments++;
      this.#summary.uploadedBytes += bytes.length;
    } else if (result.reason === "exists") this.#summary.reusedSegments++;
    else {
      // Unknown: it is there whole, or not at all (a single PUT is never half-visible).
      const info = await this.#client.head(key);
      if (info?.size !== bytes.length) throw result.error;
      this.#summary.uploadedSegments++;
      this.#summary.uploadedBytes += bytes.length;
    }
    this.#present.add(sha256);
  }

  /** Writes the manifest with If-Match on its ETag; a write that lost checks the lease. */
  async #writeManifest(next: StoreManifest): Promise<void> {
    const key = `${this.#folder}${MANIFEST_OBJECT}`;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      await this.#lease.assertWritable();
      const manifest: StoreManifest = {
        ...next,
        revision: this.#manifest.revision + 1,
        writtenAt: new Date().toISOString(),
        writer: { nonce: this.#lease.holder.nonce, generation: this.#lease.generation },
      };
      const body = formatManifest(manifest);
      const result = await this.#client.put(
        key,
        body,
        this.#manifestEtag === undefined ? { ifNoneMatch: "*" } : { ifMatch: this.#manifestEtag },
      );
      let etag = result.ok ? result.etag : undefined;
      const stored = etag === undefined ? await this.#client.get(key) : undefined;
      if (stored !== undefined && decoder.decode(stored.body) === body) etag = stored.etag;
      if (etag !== undefined) {
        this.#manifest = manifest;
        this.#manifestEtag = etag;
        this.#forceManifest = false;
        return;
      }
      // Another writer: only a holder may write, so either the lease is gone, or a
      // holder fenced off before this one took over wrote late. Then this one's is the truth.
      if (!(await this.#lease.confirm())) throw this.#lease.lost!;
      this.#manifestEtag = stored?.etag;
    }
    throw new RunLogError(
      "lease-lost",
      `the manifest of run '${this.#runId}' (s3://${this.#client.bucket}/${key}) kept changing ` +
        "under this shipper although it holds the lease: look for another program writing there",
    );
  }

  /** Ships run.json when it changed (after the manifest: a reader that sees the end sees all). */
  async #shipRunJson(): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = await this.#ws.readBytes(`${this.#runDir}/${RUN_JSON}`, {
        maxBytes: MAX_METADATA_BYTES,
      });
    } catch (error) {
      if (
        isWorkspaceError(
          error,
          "not-found",
          "too-large",
          "hard-link",
          "symlink",
          "not-a-regular-file",
        )
      ) {
        return;
      }
      throw error;
    }
    this.#runJsonBytes = bytes.length;
    const sha256 = await sha256Hex(bytes);
    if (sha256 === this.#runJsonSha) return;
    const key = `${this.#folder}${RUN_JSON}`;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      await this.#lease.assertWritable();
      const result = await this.#client.put(
        key,
        bytes,
        this.#runJsonEtag === undefined ? { ifNoneMatch: "*" } : { ifMatch: this.#runJsonEtag },
      );
      let etag = result.ok ? result.etag : undefined;
      const stored = etag === undefined ? await this.#client.get(key) : undefined;
      if (stored !== undefined && (await sha256Hex(stored.body)) === sha256) etag = stored.etag;
      if (etag !== undefined) {
        this.#runJsonEtag = etag;
        this.#runJsonSha = sha256;
        return;
      }
      if (!(await this.#lease.confirm())) throw this.#lease.lost!;
      this.#runJsonEtag = stored?.etag;
    }
    throw new RunLogError(
      "lease-lost",
      `run.json of run '${this.#runId}' (s3://${this.#client.bucket}/${key}) kept changing ` +
        "under this shipper although it holds the lease: look for another program writing there",
    );
  }
}

// The size class of a segment: powers of 8 (merging 8 of one class makes one of the next).
function tierOf(length: number): number {
  return Math.floor(Math.log2(Math.max(1, length)) / 3);
}

/** A store that did not answer, or failed: a follow tries again next round. */
function isPassing(error: unknown): boolean {
  return error instanceof S3Error &&
    (error.status >= 500 || error.status === 429 ||
      (error.status === 0 && (error.code === "NetworkError" || error.code === "Timeout")));
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}
