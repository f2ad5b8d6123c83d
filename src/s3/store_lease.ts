/**
 * The lease of a run in an S3 store: one object, `logs-<id>/lease.json`,
 * holding the same record as a local `lease.<n>.json` plus its
 * `generation`. Taking it is one conditional PUT (`If-None-Match: *` when
 * there is none, `If-Match: <etag>` over a released, stale or forced one),
 * so of several takers exactly one wins; renewing it is a PUT with
 * `If-Match` on the ETag this holder last wrote. Every body differs (a
 * nonce per taking, the generation, a heartbeat time that always moves on),
 * since the ETag is the body's MD5. An answer that leaves the outcome open
 * (412, 404, 409, a 500, a broken connection) is settled by reading the
 * object back and comparing it with what was sent.
 *
 * The lease is judged by the local rules (see `judgeLease`): a holder on
 * this host whose process has exited is stale at once; elsewhere it is live
 * while its heartbeat is fresh. Writes are fenced as locally: a holder
 * writes only until one heartbeat after it last confirmed the lease, and a
 * forced takeover waits longer than that before it returns.
 *
 * @module
 */
import type { ProcessHost } from "../process_host.ts";
import { RunLogError } from "../run_log_error.ts";
import {
  describeHolder,
  formatLeaseHolder,
  isThisProcess,
  judgeLease,
  type LeaseHolder,
  MAX_HEARTBEAT_MS,
  parseLeaseHolder,
} from "../lease.ts";
import { randomHex } from "../_bytes.ts";
import { sleep } from "../_sleep.ts";
import type { S3Client } from "./s3_client.ts";

/** How often a store lease is renewed by default, in ms (as a local lease's). */
export const STORE_HEARTBEAT_MS = 10_000;
// How much longer than a heartbeat a forced takeover waits for the old holder to stop.
const FORCE_MARGIN_MS = 500;
const ACQUIRE_ATTEMPTS = 8;
const MAX_LEASE_BYTES = 64 * 1024;
const decoder = new TextDecoder();

/**
 * Options of {@linkcode S3StoreLease.acquire}.
 *
 * @example Taking over a run whose shipper hangs
 * ```ts
 * import type { S3LeaseOptions } from "@ralph/runlog/s3";
 *
 * const options: S3LeaseOptions = { runId: "2026-02-06_14-03-27.123Z", force: true };
 * ```
 */
export interface S3LeaseOptions {
  /** The run's id, for messages. */
  runId: string;
  /**
   * Take the lease even from a live holder: then wait one of its heartbeat
   * intervals (and a little more) before returning, until its writes are
   * fenced.
   */
  force?: boolean;
  /** The heartbeat interval in ms (default 10 000, at most an hour). */
  heartbeatMs?: number;
  /**
   * This machine's processes: the holder record names this process, and a
   * holder on this host whose process has exited is taken over at once.
   * Without it, holders are judged by their heartbeat alone.
   */
  host?: ProcessHost;
}

/** The record in a lease object: the local holder record and its generation. */
interface LeaseObject {
  holder: LeaseHolder;
  generation: number;
}

function leaseText(holder: LeaseHolder, generation: number): string {
  return JSON.stringify({ ...JSON.parse(formatLeaseHolder(holder)), generation }, null, 2) + "\n";
}

/** The holder and generation a lease object states, or undefined when it is not one. */
export function parseLeaseObject(text: string): LeaseObject | undefined {
  const holder = parseLeaseHolder(text);
  if (holder === undefined) return undefined;
  let generation: unknown;
  try {
    generation = JSON.parse(text).generation;
  } catch {
    return undefined;
  }
  return {
    holder,
    generation: Number.isSafeInteger(generation) && (generation as number) > 0
      ? generation as number
      : 0,
  };
}

/** A timer that never keeps the process alive. */
function unrefEvery(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  const handle = timer as unknown as { unref?: () => void };
  if (typeof handle.unref === "function") handle.unref();
  else {
    const deno = (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno;
    deno?.unrefTimer(timer as unknown as number);
  }
  return () => clearInterval(timer);
}

/** This process's id when no ProcessHost says it (a lease must name a pid above 0). */
function processPid(): number {
  const runtime = globalThis as { process?: { pid?: number }; Deno?: { pid?: number } };
  const pid = runtime.process?.pid ?? runtime.Deno?.pid;
  return typeof pid === "number" && pid > 0 ? pid : 1;
}

/**
 * A run's lease in an S3 store, held by this process: renewed on a timer
 * that never keeps the process alive, confirmed before writes once the
 * fence has passed, and marked lost as soon as a renewal or a confirmation
 * finds another holder.
 *
 * @example Holding a run's lease while writing it, then releasing it
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3RunStore } from "@ralph/runlog/s3";
 *
 * async function withLease(store: S3RunStore, runId: string): Promise<void> {
 *   const lease = await store.acquireLease(runId);
 *   try {
 *     await lease.assertWritable(); // throws "lease-lost" once another holder took it
 *     // … write the run's objects …
 *   } finally {
 *     await lease.release();
 *   }
 *   assert.equal(lease.holder.releasedAt !== undefined, true);
 * }
 * ```
 */
export class S3StoreLease {
  /** The holder record as last written. */
  holder: LeaseHolder;
  /** This taking's generation: one more than the lease it replaced. */
  readonly generation: number;
  /** The lease object's key. */
  readonly key: string;
  readonly #client: S3Client;
  readonly #runId: string;
  readonly #fenceMs: number;
  #etag: string;
  #confirmedAt: number;
  #stop: (() => void) | undefined;
  #lost: RunLogError | undefined;
  #listeners: (() => void)[] = [];
  #beating: Promise<void> | undefined;
  #lastBeat: number;

  private constructor(
    client: S3Client,
    key: string,
    runId: string,
    taken: LeaseObject,
    etag: string,
    confirmedAt: number,
  ) {
    this.#client = client;
    this.key = key;
    this.#runId = runId;
    this.holder = taken.holder;
    this.generation = taken.generation;
    this.#etag = etag;
    this.#fenceMs = taken.holder.heartbeatMs;
    this.#confirmedAt = confirmedAt;
    this.#lastBeat = Date.parse(taken.holder.heartbeatAt);
  }

  /**
   * Takes the lease object at `key`: creates it, or replaces one that is
   * released, stale, unreadable, this process's own, or (with `force`)
   * live. Of several takers at one instant exactly one succeeds.
   *
   * @throws {RunLogError} `"lease-held"` naming the live holder (or when
   *   others keep taking it); `"invalid-argument"` for a heartbeat out of range.
   * @throws {S3Error} When the store cannot be read or written.
   */
  static async acquire(
    client: S3Client,
    key: string,
    options: S3LeaseOptions,
  ): Promise<S3StoreLease> {
    const heartbeatMs = options.heartbeatMs ?? STORE_HEARTBEAT_MS;
    if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs < 1 || heartbeatMs > MAX_HEARTBEAT_MS) {
      throw new RunLogError(
        "invalid-argument",
        `heartbeatMs must be a whole number of milliseconds from 1 to ${MAX_HEARTBEAT_MS} ` +
          `(an hour), got ${String(heartbeatMs)}`,
      );
    }
    const host = options.host;
    const where = `s3://${client.bucket}/${key}`;
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      const found = await client.get(key);
      const seen = found === undefined || found.body.length > MAX_LEASE_BYTES
        ? undefined
        : parseLeaseObject(decoder.decode(found.body));
      const live = seen !== undefined && !isThisProcess(seen.holder, host) &&
          judgeLease(seen.holder, host, Date.now()).state === "live"
        ? seen.holder
        : undefined;
      if (live !== undefined && options.force !== true) {
        throw new RunLogError(
          "lease-held",
          `run '${options.runId}' in the store is in use by ${describeHolder(live)}, last ` +
            `heartbeat ${live.heartbeatAt} (${where}); wait for it to finish, or take it over ` +
            "with { force: true } (--force on the command line) if you are sure it no longer writes",
        );
      }
      const now = new Date().toISOString();
      const start = host?.processStart(host.pid);
      const taken: LeaseObject = {
        holder: {
          pid: host?.pid ?? processPid(),
          host: host?.hostname ?? "unknown",
          runtime: host?.runtime ?? "unknown",
          ...(start === undefined ? {} : { processStart: start }),
          takenAt: now,
          heartbeatAt: now,
          heartbeatMs,
          nonce: randomHex(16),
        },
        generation: (seen?.generation ?? 0) + 1,
      };
      const body = leaseText(taken.holder, taken.generation);
      const started = performance.now();
      const result = await client.put(
        key,
        body,
        found === undefined ? { ifNoneMatch: "*" } : { ifMatch: found.etag! },
      );
      let etag: string | undefined;
      if (result.ok) etag = result.etag;
      else {
        // Lost, or unknown: only what is stored now tells.
        const stored = await client.get(key);
        if (stored !== undefined && decoder.decode(stored.body) === body) etag = stored.etag;
      }
      if (etag === undefined) continue;
      if (live !== undefined) {
        // Its writes are fenced one heartbeat after it last confirmed: wait that out.
        await sleep(Math.min(live.heartbeatMs, MAX_HEARTBEAT_MS) + FORCE_MARGIN_MS);
      }
      const lease = new S3StoreLease(client, key, options.runId, taken, etag, started);
      lease.#stop = host === undefined
        ? unrefEvery(heartbeatMs, () => void lease.renew())
        : host.every(heartbeatMs, () => void lease.renew());
      return lease;
    }
    throw new RunLogError(
      "lease-held",
      `could not take the lease of run '${options.runId}' in ${ACQUIRE_ATTEMPTS} attempts ` +
        `(${where}): others keep taking it; look for shippers of this run started in a loop`,
    );
  }

  /** Why this process no longer holds the lease, once another took it. */
  get lost(): RunLogError | undefined {
    return this.#lost;
  }

  /** The ETag of the lease object as this holder last wrote it. */
  get etag(): string {
    return this.#etag;
  }

  /**
   * Until when (on the `performance.now()` clock) this holder may write
   * without confirming the lease again: one heartbeat after it last found
   * the lease its own.
   */
  get writableUntil(): number {
    return this.#confirmedAt + this.#fenceMs;
  }

  /** Calls `listener` once when the lease is found lost. */
  onLost(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Reads the lease object: still this holder's (then writes are allowed
   * for another heartbeat), or not (then the lease is marked lost).
   *
   * @throws {S3Error} When the store cannot be read (nothing is decided then).
   */
  async confirm(): Promise<boolean> {
    if (this.#lost !== undefined) return false;
    const started = performance.now();
    const stored = await this.#client.get(this.key);
    if (stored?.etag === this.#etag) {
      this.#confirmedAt = Math.max(this.#confirmedAt, started);
      return true;
    }
    this.#markLost(stored === undefined ? undefined : decoder.decode(stored.body));
    return false;
  }

  /**
   * Throws `"lease-lost"` if the lease was taken over; once the fence has
   * passed (no renewal for a heartbeat), confirms it first. Call before
   * every write.
   *
   * @throws {RunLogError} `"lease-lost"` naming the new holder.
   * @throws {S3Error} When the lease had to be confirmed and could not be read.
   */
  async assertWritable(): Promise<void> {
    if (this.#lost === undefined && performance.now() >= this.writableUntil) await this.confirm();
    if (this.#lost !== undefined) throw this.#lost;
  }

  /**
   * Renews the heartbeat with `If-Match` on this holder's last ETag. Runs on
   * the lease's timer and never throws: a failure that decides nothing is
   * tried again at the next tick (the fence stops writes meanwhile).
   *
   * @returns Whether the lease is still held.
   */
  renew(): Promise<boolean> {
    if (this.#lost !== undefined) return Promise.resolve(false);
    this.#beating ??= this.#beat().finally(() => (this.#beating = undefined));
    return this.#beating.then(() => this.#lost === undefined);
  }

  /** Stops the heartbeat, leaving the lease object as it is. */
  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /**
   * Stops the heartbeat and marks the lease released, if it is still this
   * holder's; a released lease is taken over at once.
   *
   * @throws {S3Error} When the store cannot be written or read.
   */
  async release(): Promise<void> {
    this.stop();
    await this.#beating;
    if (this.#lost !== undefined) return;
    const released = { ...this.holder, releasedAt: new Date().toISOString() };
    // "unchanged": the write did not happen (a passing failure): try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await this.#write(released)) !== "unchanged") return;
    }
  }

  async #beat(): Promise<void> {
    try {
      const started = performance.now();
      const next = { ...this.holder, heartbeatAt: this.#nextBeat() };
      if ((await this.#write(next)) === "written") {
        this.#confirmedAt = Math.max(this.#confirmedAt, started);
      }
    } catch {
      // The store did not answer: the next tick tries again; the fence stops writes meanwhile.
    }
  }

  // A heartbeat time after the last one, so that every body (and ETag) differs.
  #nextBeat(): string {
    this.#lastBeat = Math.max(Date.now(), this.#lastBeat + 1);
    return new Date(this.#lastBeat).toISOString();
  }

  /** Writes `holder` over this holder's last write; settles an open outcome by reading. */
  async #write(holder: LeaseHolder): Promise<"written" | "unchanged" | "lost"> {
    const body = leaseText(holder, this.generation);
    const result = await this.#client.put(this.key, body, { ifMatch: this.#etag });
    if (result.ok) {
      this.#etag = result.etag;
      this.holder = holder;
      return "written";
    }
    const stored = await this.#client.get(this.key);
    if (stored !== undefined && decoder.decode(stored.body) === body) {
      this.#etag = stored.etag!;
      this.holder = holder;
      return "written";
    }
    if (stored?.etag === this.#etag) return "unchanged"; // it did not happen: try again later
    this.#markLost(stored === undefined ? undefined : decoder.decode(stored.body));
    return "lost";
  }

  #markLost(text: string | undefined): void {
    if (this.#lost !== undefined) return;
    const taker = text === undefined ? undefined : parseLeaseObject(text);
    this.#lost = new RunLogError(
      "lease-lost",
      `this process no longer holds the store lease of run '${this.#runId}' ` +
        `(s3://${this.#client.bucket}/${this.key}): ${
          taker === undefined
            ? "the lease object was removed or replaced by something that is not a lease"
            : `${describeHolder(taker.holder)} took it over`
        }; stop writing this run, or take it again`,
    );
    this.stop();
    for (const listener of this.#listeners.splice(0)) listener();
  }
}
