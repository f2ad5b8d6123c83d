/**
 * Runs in S3-compatible object storage: claimed with conditional writes,
 * leased across hosts, listed with one walk of the keys.
 *
 * @module
 */
import type { ProcessHost } from "../process_host.ts";
import { RunId } from "../run_id.ts";
import { RunLogError } from "../run_log_error.ts";
import {
  formatRunMetadata,
  isEndStatus,
  parseRunMetadata,
  type RunEndStatus,
  type RunMetadata,
  type RunSession,
} from "../run_metadata.ts";
import type { RunMetadataOptions } from "../run_log_context.ts";
import { MAX_METADATA_BYTES, RUN_DIR_PREFIX, toRunId } from "../run_dir.ts";
import { claimRunId } from "../_run_id_claim.ts";
import {
  type LatestRunOptions,
  pickLatest,
  type RunInfo,
  type RunListing,
  type RunStatus,
} from "../runs/list_runs.ts";
import { judgeLease, STALE_AFTER_HEARTBEATS } from "../lease.ts";
import { checkedClock } from "../_iso_time.ts";
import { describeValue } from "../_describe_value.ts";
import { randomHex } from "../_bytes.ts";
import { S3Client, S3Error, type S3FromEnvOptions, type S3ListEntry } from "./s3_client.ts";
import {
  ENDED_PREFIX,
  type EndedStatus,
  isEndedStatus,
  keyUnder,
  LEASE_OBJECT,
  MANIFEST_OBJECT,
  normalizePrefix,
  parseStoreUrl,
  RELEASED_MARKER,
  RUN_JSON,
  runFolder,
  storeUrl,
} from "./_store_layout.ts";
import { MAX_MANIFEST_BYTES, parseManifest } from "./_store_manifest.ts";
import { parseLeaseObject, S3StoreLease, STORE_HEARTBEAT_MS } from "./store_lease.ts";

const DETAIL_CONCURRENCY = 8;
const decoder = new TextDecoder();

/**
 * Options of the {@linkcode S3RunStore} constructor.
 *
 * @example A store under a team's prefix, judged from this machine
 * ```ts
 * import type { S3RunStoreOptions } from "@ralph/runlog/s3";
 *
 * const options: S3RunStoreOptions = { prefix: "team-a/runs", heartbeatMs: 10_000 };
 * ```
 */
export interface S3RunStoreOptions {
  /** The key prefix the runs live under (default: the bucket's top). */
  prefix?: string;
  /**
   * The heartbeat of the leases this store takes, in ms (default 10 000),
   * and the one {@linkcode S3RunStore.listRuns} assumes: a lease object not
   * rewritten for four of them is stale.
   */
  heartbeatMs?: number;
  /**
   * This machine's processes: lease holders record this process, and a
   * holder on this host whose process has exited is taken over at once.
   */
  host?: ProcessHost;
}

/**
 * Options of {@linkcode S3RunStore.fromUrl}: the store's and the client's.
 *
 * @example A store at a MinIO on this machine
 * ```ts
 * import type { S3RunStoreUrlOptions } from "@ralph/runlog/s3";
 *
 * const options: S3RunStoreUrlOptions = { endpoint: "http://127.0.0.1:9000" };
 * ```
 */
export interface S3RunStoreUrlOptions
  extends Omit<S3FromEnvOptions, "bucket">, Omit<S3RunStoreOptions, "prefix"> {}

/**
 * Options of {@linkcode S3RunStore.claimRun}, as those of `RunLogContext.create`.
 *
 * @example Claiming from a frozen clock, with a version
 * ```ts
 * import type { ClaimStoreRunOptions } from "@ralph/runlog/s3";
 *
 * const options: ClaimStoreRunOptions = {
 *   clock: () => new Date("2026-02-06T14:03:27.123Z"),
 *   metadata: { version: "0.6.3" },
 * };
 * ```
 */
export interface ClaimStoreRunOptions {
  /** The source of the current time; default `() => new Date()`. */
  clock?: () => Date;
  /** A fixed id to start from; taken ids move on to `-01`..`-99`, then to a fresh time. */
  baseRunId?: RunId | string;
  /** What to record in `run.json`. */
  metadata?: RunMetadataOptions;
  /** The lease's heartbeat, in ms (default: the store's). */
  heartbeatMs?: number;
}

/**
 * Options of {@linkcode S3RunStore.acquireLease}.
 *
 * @example Taking a run over from a shipper that hangs
 * ```ts
 * import type { StoreLeaseOptions } from "@ralph/runlog/s3";
 *
 * const options: StoreLeaseOptions = { force: true };
 * ```
 */
export interface StoreLeaseOptions {
  /** Take the lease from a live holder, after waiting one of its heartbeats. */
  force?: boolean;
  /** The heartbeat, in ms (default: the store's). */
  heartbeatMs?: number;
  /** This machine's processes (default: the store's). */
  host?: ProcessHost;
}

/**
 * Options of {@linkcode S3RunStore.listRuns}.
 *
 * @example Listing with metadata, holders and sizes
 * ```ts
 * import type { StoreListRunsOptions } from "@ralph/runlog/s3";
 *
 * const options: StoreListRunsOptions = { details: true };
 * ```
 */
export interface StoreListRunsOptions {
  /**
   * Also read each run's `run.json`, lease and manifest (three GETs a run):
   * `metadata`, `holder`, `bytes`, exact end times, and the lease judged
   * from its record rather than from when it was last written.
   */
  details?: boolean;
}

/**
 * Options of {@linkcode S3StoreRun.release}.
 *
 * @example Releasing a run that failed
 * ```ts
 * import type { ReleaseStoreRunOptions } from "@ralph/runlog/s3";
 *
 * const options: ReleaseStoreRunOptions = { status: "failed" };
 * ```
 */
export interface ReleaseStoreRunOptions {
  /** How the run ended (recorded in run.json and as its `ended-<status>` marker). */
  status?: RunEndStatus;
}

/**
 * A run claimed in a store by {@linkcode S3RunStore.claimRun}: its id,
 * unique across every process and host using the store, and its lease.
 *
 * @example Claiming a run id for a runner of a fleet
 * ```ts
 * import type { S3RunStore } from "@ralph/runlog/s3";
 *
 * async function claimOne(store: S3RunStore): Promise<string> {
 *   const run = await store.claimRun({ metadata: { command: "ralph --dev" } });
 *   try {
 *     return run.runId.toString(); // no other runner of the store has this id
 *   } finally {
 *     await run.release({ status: "succeeded" });
 *   }
 * }
 * ```
 */
export class S3StoreRun {
  /** The run's id. */
  readonly runId: RunId;
  /** The run's folder in the bucket: `<prefix>/logs-<id>/`. */
  readonly folder: string;
  /** The run's store lease, held by this process. */
  readonly lease: S3StoreLease;
  readonly #store: S3RunStore;
  #released = false;

  /** A claimed run; made by {@linkcode S3RunStore.claimRun}. */
  constructor(store: S3RunStore, runId: RunId, lease: S3StoreLease) {
    this.#store = store;
    this.runId = runId;
    this.folder = store.runFolder(runId);
    this.lease = lease;
  }

  /**
   * Records the end in the stored `run.json` (end time, and the status when
   * given) and as an `ended-<status>` marker, then releases the lease.
   * Does nothing to a run whose lease was taken over meanwhile but release.
   *
   * @throws {RunLogError} `"invalid-argument"` for an unknown status.
   * @throws {S3Error} When the store cannot be written.
   */
  async release(options: ReleaseStoreRunOptions = {}): Promise<void> {
    const status = options.status;
    if (status !== undefined && !isEndStatus(status)) {
      throw new RunLogError(
        "invalid-argument",
        `invalid status ${describeValue(status)}: use "succeeded", "failed" or "interrupted"`,
      );
    }
    if (this.#released) return;
    this.#released = true;
    const client = this.#store.client;
    try {
      if (await this.lease.confirm()) {
        const key = `${this.folder}${RUN_JSON}`;
        const stored = await client.get(key);
        if (stored !== undefined) {
          const metadata = parseRunMetadata(
            decoder.decode(stored.body),
            `s3://${client.bucket}/${key}`,
          );
          const endedAtUtc = new Date().toISOString();
          const last = metadata.sessions?.at(-1);
          if (last !== undefined) {
            last.endedAtUtc = endedAtUtc;
            if (status !== undefined) last.status = status;
          }
          metadata.endedAtUtc = endedAtUtc;
          if (status !== undefined) metadata.status = status;
          await this.lease.assertWritable();
          await client.put(key, formatRunMetadata(metadata), { ifMatch: stored.etag! });
        }
        await this.lease.assertWritable();
        await client.put(`${this.folder}${ENDED_PREFIX}${status ?? "unknown"}`, "");
      }
    } finally {
      await this.lease.release();
    }
  }
}

/**
 * Runs in an S3 bucket under a prefix, laid out as a run directory is
 * (`<prefix>/logs-<id>/run.json`, …) and claimed, leased and listed with
 * the same rules: of several processes on any hosts claiming at one instant
 * each gets its own id; a run's lease is one object renewed with `If-Match`
 * and judged by its heartbeat; listings have the shapes of `listRuns`.
 *
 * @example A store from an `s3://` URL and the standard AWS variables
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3RunStore } from "@ralph/runlog/s3";
 *
 * const store = S3RunStore.fromUrl("s3://agent-runs/team-a", {
 *   env: {
 *     AWS_ACCESS_KEY_ID: "RUNLOGTESTKEY0000000",
 *     AWS_SECRET_ACCESS_KEY: "runlogtestsecret0000000000000000000000000",
 *     AWS_ENDPOINT_URL_S3: "http://127.0.0.1:17480",
 *   },
 * });
 * assert.equal(store.url, "s3://agent-runs/team-a");
 * assert.equal(store.runFolder("2026-02-06_14-03-27.123Z"), "team-a/logs-2026-02-06_14-03-27.123Z/");
 * ```
 */
export class S3RunStore {
  /** The client of the store's bucket. */
  readonly client: S3Client;
  /** The key prefix, without slashes at either end ("" for the bucket's top). */
  readonly prefix: string;
  /** `s3://bucket/prefix`. */
  readonly url: string;
  /** The heartbeat of the leases it takes, and the one its listing assumes, in ms. */
  readonly heartbeatMs: number;
  /** This machine's processes, when given. */
  readonly host: ProcessHost | undefined;

  /**
   * A store in `client`'s bucket under `options.prefix`.
   *
   * @throws {RunLogError} `"invalid-argument"` for a prefix with empty, `.` or `..` segments.
   */
  constructor(client: S3Client, options: S3RunStoreOptions = {}) {
    this.client = client;
    this.prefix = normalizePrefix(options.prefix ?? "");
    this.url = storeUrl({ bucket: client.bucket, prefix: this.prefix });
    this.heartbeatMs = options.heartbeatMs ?? STORE_HEARTBEAT_MS;
    this.host = options.host;
  }

  /**
   * The store at `s3://bucket/prefix`, with a client configured the way the
   * AWS tools are (see `S3Client.fromEnv`): credentials from
   * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, the endpoint from
   * `options.endpoint` or `AWS_ENDPOINT_URL_S3`.
   *
   * @throws {RunLogError} `"invalid-argument"` for a URL that is not `s3://bucket/prefix`.
   * @throws {S3Error} `InvalidConfiguration` for missing credentials or a refused endpoint.
   */
  static fromUrl(url: string, options: S3RunStoreUrlOptions = {}): S3RunStore {
    const { bucket, prefix } = parseStoreUrl(url);
    const { heartbeatMs, host, ...client } = options;
    return new S3RunStore(S3Client.fromEnv({ ...client, bucket }), { prefix, heartbeatMs, host });
  }

  /** A run's folder: `<prefix>/logs-<id>/`. */
  runFolder(runId: RunId | string): string {
    return runFolder(this.prefix, toRunId(runId));
  }

  /** `rest` under the store's prefix. */
  key(rest: string): string {
    return keyUnder(this.prefix, rest);
  }

  /**
   * Checks that the store honours conditional writes, which every claim
   * and lease relies on: a second `If-None-Match: *` PUT of one probe key
   * must fail, and so must an `If-Match` with another ETag. Some engines
   * ignore the headers and overwrite (npm's s3rver, `Bun.S3Client` as a
   * client); others refuse them (501). Four requests, under
   * `<prefix>/.runlog-probe/`, removed after.
   *
   * @throws {S3Error} `ConditionalWritesIgnored` naming the store, or as any request
   *   (`NotImplemented` from a store that refuses the headers).
   */
  async checkConditionalWrites(): Promise<void> {
    const key = this.key(`.runlog-probe/${randomHex(8)}`);
    try {
      const created = await this.client.put(key, `probe ${randomHex(8)}`, { ifNoneMatch: "*" });
      if (!created.ok) throw created.error;
      const again = await this.client.put(key, "overwritten", { ifNoneMatch: "*" });
      const stale = await this.client.put(key, "overwritten", { ifMatch: "0".repeat(32) });
      if (again.ok || stale.ok) {
        throw new S3Error({
          status: 200,
          code: "ConditionalWritesIgnored",
          operation: "checkConditionalWrites",
          endpoint: this.client.endpoint,
          bucket: this.client.bucket,
          key,
          detail:
            `the store overwrote an object despite ${
              again.ok ? "If-None-Match: *" : "a stale If-Match"
            }, so runs could not be claimed or leased safely there; use a store that ` +
            "supports conditional writes (AWS S3, Cloudflare R2, Ceph RGW, a recent MinIO: see docs/s3.md)",
        });
      }
    } finally {
      await this.client.delete(key).catch(() => {});
    }
  }

  /**
   * Claims a new run: a conditional PUT (`If-None-Match: *`) of its
   * `run.json`, moving on to `-01`..`-99` when the id is taken and then to
   * a fresh time, as `RunLogContext.create` does on disk; then takes its
   * lease.
   *
   * @throws {RunLogError} `"collisions-exhausted"` when every id of the
   *   millisecond is taken and the clock does not move within a second.
   * @throws {S3Error} When the store cannot be written.
   */
  async claimRun(options: ClaimStoreRunOptions = {}): Promise<S3StoreRun> {
    const clock = checkedClock(options.clock);
    const given = options.metadata ?? {};
    const started = clock();
    const first = options.baseRunId === undefined
      ? RunId.generate(started)
      : toRunId(options.baseRunId);
    // As on disk (claimRunId); the claim is the run.json, dated by its id's time.
    const runId = await claimRunId(first, clock, (id) => {
      const sameTime = id.withCollisionCounter(0).equals(first.withCollisionCounter(0));
      const body = this.#claimBody(id, (sameTime ? started : clock()).toISOString(), given);
      return this.#claimKey(`${this.runFolder(id)}${RUN_JSON}`, body);
    }, `${this.url}/${RUN_DIR_PREFIX}`);
    const lease = await this.acquireLease(runId, { heartbeatMs: options.heartbeatMs });
    return new S3StoreRun(this, runId, lease);
  }

  /** One conditional PUT; an open outcome is settled by reading, and retried when it did not happen. */
  async #claimKey(key: string, body: string): Promise<boolean> {
    for (let attempt = 0;; attempt++) {
      const result = await this.client.put(key, body, { ifNoneMatch: "*" });
      if (result.ok) return true;
      if (result.reason !== "unknown") return false;
      const stored = await this.client.get(key);
      if (stored !== undefined) return decoder.decode(stored.body) === body;
      if (attempt >= 2) throw result.error;
    }
  }

  #claimBody(runId: RunId, startedAtUtc: string, given: RunMetadataOptions): string {
    const host = this.host;
    const command = given.command ?? host?.argv.join(" ") ?? "";
    const session: RunSession = {
      startedAtUtc,
      resume: false,
      ...(host === undefined ? {} : { pid: host.pid, host: host.hostname }),
      command,
    };
    return formatRunMetadata({
      runId: `${runId}`,
      startedAtUtc,
      command,
      resume: false,
      repoRoot: this.url,
      ralphVersion: given.version ?? "unknown",
      ...(host === undefined ? {} : { pid: host.pid }),
      ...(given.configSummary === undefined ? {} : { configSummary: given.configSummary }),
      sessions: [session],
      // Every claim's body differs, so that reading back tells whose write landed
      // (two claims from one process at one instant would otherwise be identical).
      extra: { ...given.extra, store_claim: randomHex(8) },
    });
  }

  /**
   * Takes the store lease of a run (see {@linkcode S3StoreLease}): refused
   * while another live holder has it, unless `force`, which then waits one
   * of its heartbeats before returning.
   *
   * @throws {RunLogError} `"lease-held"` naming the live holder; `"invalid-run-id"`.
   * @throws {S3Error} When the store cannot be read or written.
   */
  acquireLease(runId: RunId | string, options: StoreLeaseOptions = {}): Promise<S3StoreLease> {
    const id = toRunId(runId);
    return S3StoreLease.acquire(this.client, `${this.runFolder(id)}${LEASE_OBJECT}`, {
      runId: `${id}`,
      force: options.force,
      heartbeatMs: options.heartbeatMs ?? this.heartbeatMs,
      host: options.host ?? this.host,
    });
  }

  /**
   * Every run of the store, newest first, with the shapes of `listRuns`:
   * one walk of the keys under `<prefix>/logs-` (a few a run), no read of
   * any object. The status comes from the keys: an `ended-<status>` marker;
   * else `idle` when the lease was handed back (a `released` marker newer
   * than it); else `running` while the lease object was rewritten within
   * four heartbeats (by the server's clock, from its `Date` header); else
   * `crashed`. `startedAt` is the id's time, `endedAt` the marker's. With
   * `{ details: true }` each run's `run.json`, lease and manifest are read
   * too, for `metadata`, `holder`, `bytes` and the lease judged by its record.
   * Folders without `run.json` and manifest, and keys that are not runs, are
   * `skipped`. `dir` is the run's folder in the bucket.
   *
   * @throws {S3Error} When the store cannot be listed.
   */
  async listRuns(options: StoreListRunsOptions = {}): Promise<RunListing> {
    const base = this.key(RUN_DIR_PREFIX);
    const folders = new Map<string, FolderKeys>();
    const skipped: RunListing["skipped"] = [];
    let serverNow: number | undefined;
    for await (const page of this.client.list(base)) {
      serverNow = page.serverDate?.getTime() ?? serverNow;
      for (const entry of page.keys) {
        const rest = entry.key.slice(base.length - RUN_DIR_PREFIX.length);
        const slash = rest.indexOf("/");
        if (slash === -1) {
          skipped.push({ name: rest, path: entry.key, reason: "an object, not a run folder" });
          continue;
        }
        const name = rest.slice(0, slash);
        let folder = folders.get(name);
        if (folder === undefined) folders.set(name, folder = { ended: [] });
        const object = rest.slice(slash + 1);
        if (object === RUN_JSON) folder.runJson = entry;
        else if (object === LEASE_OBJECT) folder.lease = entry;
        else if (object === MANIFEST_OBJECT) folder.manifest = entry;
        else if (object === RELEASED_MARKER) folder.released = entry;
        else if (object.startsWith(ENDED_PREFIX)) {
          const status = object.slice(ENDED_PREFIX.length);
          if (isEndedStatus(status)) folder.ended.push({ status, entry });
        }
      }
    }
    const now = serverNow ?? Date.now();
    const runs: RunInfo[] = [];
    const detailed: [RunInfo, FolderKeys][] = [];
    for (const [name, folder] of folders) {
      const path = `${this.key(name)}`;
      let runId: RunId;
      try {
        runId = RunId.parse(name.slice(RUN_DIR_PREFIX.length));
      } catch {
        skipped.push({ name, path, reason: "named like a run, but not after a run id" });
        continue;
      }
      if (folder.runJson === undefined && folder.manifest === undefined) {
        skipped.push({
          name,
          path,
          reason: "an incomplete run: no run.json and no manifest (its claim or first push " +
            "was cut short, or is under way)",
          incomplete: runId,
        });
        continue;
      }
      const run = runFromKeys(runId, path, folder, now, this.heartbeatMs);
      runs.push(run);
      detailed.push([run, folder]);
    }
    if (options.details === true) {
      await forEachLimited(
        detailed,
        DETAIL_CONCURRENCY,
        ([run, folder]) => this.#addDetails(run, folder),
      );
    }
    runs.sort((a, b) => a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    skipped.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    return { runs, skipped };
  }

  async #addDetails(run: RunInfo, folder: FolderKeys): Promise<void> {
    const prefix = `${run.dir}/`;
    const where = (name: string) => `s3://${this.client.bucket}/${prefix}${name}`;
    const [runJson, lease, manifest] = await Promise.all([
      folder.runJson === undefined ? undefined : this.client.get(`${prefix}${RUN_JSON}`),
      folder.lease === undefined ? undefined : this.client.get(`${prefix}${LEASE_OBJECT}`),
      folder.manifest === undefined ? undefined : this.client.get(`${prefix}${MANIFEST_OBJECT}`),
    ]);
    let bytes = runJson?.body.length ?? 0;
    if (runJson !== undefined) {
      try {
        if (runJson.body.length > MAX_METADATA_BYTES) throw new Error("larger than 16 MiB");
        run.metadata = parseRunMetadata(decoder.decode(runJson.body), where(RUN_JSON));
        const started = Date.parse(run.metadata.startedAtUtc);
        if (!Number.isNaN(started)) run.startedAt = new Date(started);
      } catch (error) {
        run.problem = (error as Error).message;
      }
    }
    if (manifest !== undefined && manifest.body.length <= MAX_MANIFEST_BYTES) {
      try {
        const parsed = parseManifest(decoder.decode(manifest.body), where(MANIFEST_OBJECT));
        for (const file of parsed.files.values()) bytes += file.size;
      } catch (error) {
        run.problem = run.problem === undefined
          ? (error as Error).message
          : `${run.problem}; ${(error as Error).message}`;
      }
    }
    run.bytes = bytes;
    // The recorded end is exact; a marker's time is when the push ended.
    const ended = run.metadata?.endedAtUtc;
    const endedAt = ended === undefined || Number.isNaN(Date.parse(ended))
      ? undefined
      : new Date(ended);
    if (folder.ended.length > 0) {
      if (endedAt !== undefined) run.endedAt = endedAt;
      return;
    }
    if (endedAt !== undefined) {
      run.endedAt = endedAt;
      run.status = run.metadata!.status ?? "unknown";
      return;
    }
    // The lease by its record, as locally: the heartbeat it states, this host's processes.
    const record = lease === undefined ? undefined : parseLeaseObject(decoder.decode(lease.body));
    if (record === undefined) {
      if (lease !== undefined) {
        run.status = "unknown";
        run.problem = `${where(LEASE_OBJECT)} is not a lease`;
      }
      return;
    }
    const state = judgeLease(record.holder, this.host, Date.now());
    delete run.holder;
    if (state.state === "live") {
      run.status = "running";
      run.holder = record.holder;
    } else if (state.state === "none") run.status = "idle";
    else run.status = record.holder.heartbeatMs === 0 ? "idle" : "crashed";
  }

  /**
   * The run started last, or with `{ finished: true }` the one that ended
   * last; `undefined` when the store has none. One walk of the keys.
   *
   * @throws {S3Error} When the store cannot be listed.
   */
  async latestRun(options: LatestRunOptions = {}): Promise<RunInfo | undefined> {
    return pickLatest((await this.listRuns()).runs, options);
  }

  /**
   * A run's `run.json`, as stored.
   *
   * @throws {RunLogError} `"not-found"` for a run the store does not have;
   *   `"invalid-metadata"` naming the object; `"invalid-run-id"`.
   * @throws {S3Error} When the store cannot be read.
   */
  async readRunMetadata(runId: RunId | string): Promise<RunMetadata> {
    const id = toRunId(runId);
    const key = `${this.runFolder(id)}${RUN_JSON}`;
    const stored = await this.client.get(key);
    if (stored === undefined) {
      throw new RunLogError(
        "not-found",
        `no run '${id}' in the store ${this.url}: s3://${this.client.bucket}/${key} does not ` +
          "exist; check the id (runlog list --from shows the runs)",
      );
    }
    if (stored.body.length > MAX_METADATA_BYTES) {
      throw new RunLogError(
        "invalid-metadata",
        `s3://${this.client.bucket}/${key} is larger than 16 MiB, more than runlog reads`,
      );
    }
    return parseRunMetadata(decoder.decode(stored.body), `s3://${this.client.bucket}/${key}`);
  }
}

/** The keys of one run folder, as a listing found them. */
interface FolderKeys {
  runJson?: S3ListEntry;
  lease?: S3ListEntry;
  manifest?: S3ListEntry;
  released?: S3ListEntry;
  ended: { status: EndedStatus; entry: S3ListEntry }[];
}

/** A run as its keys alone say (see S3RunStore.listRuns). */
function runFromKeys(
  runId: RunId,
  dir: string,
  folder: FolderKeys,
  now: number,
  heartbeatMs: number,
): RunInfo {
  const info: RunInfo = {
    id: `${runId}`,
    runId,
    dir,
    startedAt: runId.startedAt,
    status: "unknown",
  };
  const ended = folder.ended.reduce<FolderKeys["ended"][number] | undefined>(
    (latest, marker) =>
      latest === undefined || marker.entry.lastModified > latest.entry.lastModified
        ? marker
        : latest,
    undefined,
  );
  if (ended !== undefined) {
    info.status = ended.status;
    info.endedAt = ended.entry.lastModified;
    return info;
  }
  const leaseAt = folder.lease?.lastModified.getTime();
  const releasedAt = folder.released?.lastModified.getTime();
  let status: RunStatus = "crashed";
  if (releasedAt !== undefined && (leaseAt === undefined || releasedAt >= leaseAt)) status = "idle";
  else if (leaseAt !== undefined && now - leaseAt <= STALE_AFTER_HEARTBEATS * heartbeatMs) {
    status = "running";
  }
  info.status = status;
  return info;
}

/** Runs `fn` on every item, at most `limit` at a time. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
