/**
 * The lease of a run: a file `lease.<n>.json` in its directory says which
 * process writes the run now, so that two processes never continue one run
 * at once (their event-loop sequence numbers would collide).
 *
 * Leases are numbered generations, and the highest is the current one.
 * Taking the lease is the exclusive creation of the next number after the
 * highest seen (so of two processes trying at one instant exactly one
 * succeeds), followed by a check that no higher one appeared meanwhile (a
 * process that looked earlier may have tried an older number). A released
 * lease is marked so, never removed, so the highest number never goes
 * down; the holder removes the older generations. A holder refreshes its
 * heartbeat on a timer that never keeps the process alive.
 * A lease is live while its heartbeat is fresh and, on the same host, its
 * process is alive (with the same start time, so a reused pid does not
 * count). A crashed holder's lease is stale at once on its own host, and
 * after {@linkcode STALE_AFTER_HEARTBEATS} missed heartbeats elsewhere.
 *
 * @module
 */
import type { Workspace } from "./workspace.ts";
import type { ProcessHost } from "./process_host.ts";
import { RunLogError } from "./run_log_error.ts";
import { randomHex } from "./_bytes.ts";
import { sleep } from "./_sleep.ts";
import { isWorkspaceError } from "./_workspace_checks.ts";

/** The name of generation `n` of a run's lease. */
function leaseFileName(generation: number): string {
  return `lease.${generation}.json`;
}

const LEASE_NAME = /^lease\.([1-9]\d{0,15})\.json$/;

/** How often a holder refreshes its heartbeat by default, in ms. */
const DEFAULT_HEARTBEAT_MS = 10_000;

/**
 * A heartbeat older than this many intervals makes a lease stale.
 *
 * @example A holder on another machine that stopped its heartbeat
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   latestRun,
 *   MemoryHost,
 *   MemoryWorkspace,
 *   RunLogContext,
 *   STALE_AFTER_HEARTBEATS,
 * } from "@ralph/runlog";
 *
 * const a = new MemoryWorkspace("memory:", { host: new MemoryHost({ hostname: "a" }) });
 * const b = a.asProcess(new MemoryHost({ hostname: "b" })); // the same disk, another machine
 * await RunLogContext.create(a, { heartbeatMs: 100 }); // its timer never fires here
 * assert.equal((await latestRun(b))?.status, "running");
 * await new Promise((resolve) => setTimeout(resolve, STALE_AFTER_HEARTBEATS * 100 + 100));
 * assert.equal((await latestRun(b))?.status, "crashed");
 * ```
 */
export const STALE_AFTER_HEARTBEATS = 4;

const MAX_LEASE_BYTES = 64 * 1024;
// A lease file is written in one system call right after its exclusive
// creation; a reader that finds it empty waits this long for the content.
const UNREADABLE_RETRIES = 5;
const UNREADABLE_WAIT_MS = 10;
const ACQUIRE_ATTEMPTS = 8;
// How much longer than a heartbeat a forced takeover waits for the old holder to stop.
const FORCE_MARGIN_MS = 250;

/**
 * Who holds a run's lease, as its `lease.<n>.json` says (snake_case on disk).
 *
 * @example Who is writing a run now
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LeaseHolder, listRuns, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * const [run] = (await listRuns(ws)).runs;
 * assert.equal(run.status, "running");
 * const holder: LeaseHolder = run.holder!;
 * assert.equal(holder.pid, ws.host.pid);
 * assert.equal(holder.host, ws.host.hostname);
 * assert.equal(holder.heartbeatMs, 10_000);
 * await ctx.close();
 * ```
 */
export interface LeaseHolder {
  /** The holder's process id. */
  pid: number;
  /** The holder's machine. */
  host: string;
  /** The holder's runtime and version. */
  runtime: string;
  /** The holder's start token (see `ProcessHost.processStart`), when known. */
  processStart?: string;
  /** When the lease was taken, UTC ISO-8601. */
  takenAt: string;
  /** The last heartbeat, UTC ISO-8601. */
  heartbeatAt: string;
  /** The heartbeat interval in ms; 0 when the holder has no timer (then only release ends it). */
  heartbeatMs: number;
  /** Tells this taking of the lease from any other. */
  nonce: string;
  /** When the holder released it, UTC ISO-8601; a released lease is free. */
  releasedAt?: string;
}

function toText(holder: LeaseHolder): string {
  return JSON.stringify(
    {
      pid: holder.pid,
      host: holder.host,
      runtime: holder.runtime,
      process_start: holder.processStart,
      taken_at: holder.takenAt,
      heartbeat_at: holder.heartbeatAt,
      heartbeat_ms: holder.heartbeatMs,
      nonce: holder.nonce,
      released_at: holder.releasedAt,
    },
    null,
    2,
  ) + "\n";
}

function fromText(text: string): LeaseHolder | undefined {
  try {
    const d = JSON.parse(text);
    const ok = typeof d === "object" && d !== null && Number.isInteger(d.pid) &&
      typeof d.host === "string" && typeof d.runtime === "string" &&
      typeof d.taken_at === "string" && typeof d.heartbeat_at === "string" &&
      Number.isInteger(d.heartbeat_ms) && typeof d.nonce === "string" &&
      (d.process_start === undefined || typeof d.process_start === "string") &&
      (d.released_at === undefined || typeof d.released_at === "string");
    if (!ok) return undefined;
    return {
      pid: d.pid,
      host: d.host,
      runtime: d.runtime,
      ...(d.process_start === undefined ? {} : { processStart: d.process_start }),
      takenAt: d.taken_at,
      heartbeatAt: d.heartbeat_at,
      heartbeatMs: d.heartbeat_ms,
      nonce: d.nonce,
      ...(d.released_at === undefined ? {} : { releasedAt: d.released_at }),
    };
  } catch {
    return undefined;
  }
}

/** What a reader makes of a run's lease. */
export type LeaseState =
  | { state: "none" }
  | { state: "live"; holder: LeaseHolder }
  | { state: "stale"; holder?: LeaseHolder; why: string };

/**
 * Whether `holder` still holds its lease, seen from `host` at `now`: its
 * heartbeat is fresh and, on the same host, its process runs.
 */
function judgeLease(
  holder: LeaseHolder,
  host: ProcessHost | undefined,
  now: number,
): LeaseState {
  if (holder.releasedAt !== undefined) return { state: "none" };
  if (host !== undefined && holder.host === host.hostname && holder.host !== "unknown") {
    const alive = host.isAlive(holder.pid);
    if (alive === false) return { state: "stale", holder, why: "its process has exited" };
    const start = alive === true ? host.processStart(holder.pid) : undefined;
    if (start !== undefined && holder.processStart !== undefined && start !== holder.processStart) {
      return { state: "stale", holder, why: "its process has exited (the pid was reused)" };
    }
  }
  if (holder.heartbeatMs > 0) {
    const age = now - Date.parse(holder.heartbeatAt);
    if (!(age <= STALE_AFTER_HEARTBEATS * holder.heartbeatMs)) {
      return {
        state: "stale",
        holder,
        why: `its last heartbeat is ${Math.round(age / 1000)} s old`,
      };
    }
  }
  return { state: "live", holder };
}

/** Reads a lease file; `"unreadable"` for one that is empty or not a lease. */
async function readHolder(
  ws: Workspace,
  path: string,
): Promise<LeaseHolder | "missing" | "unreadable"> {
  for (let attempt = 0;; attempt++) {
    let text: string;
    try {
      text = await ws.read(path, { maxBytes: MAX_LEASE_BYTES });
    } catch (error) {
      if (isWorkspaceError(error, "not-found")) return "missing";
      if (isWorkspaceError(error, "too-large")) return "unreadable";
      throw error;
    }
    const holder = fromText(text);
    if (holder !== undefined) return holder;
    // The holder may be between creating the file and writing it.
    if (attempt >= UNREADABLE_RETRIES) return "unreadable";
    await sleep(UNREADABLE_WAIT_MS);
  }
}

// The lease generations present in a run directory, highest first.
async function generations(ws: Workspace, runDir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await ws.readDir(runDir)) {
    const match = LEASE_NAME.exec(entry.name);
    // Whatever stands at a lease name counts: a planted link is then read,
    // and refused, rather than skipped.
    if (match !== null) found.push(Number(match[1]));
  }
  return found.sort((a, b) => b - a);
}

// The current lease: the highest generation and what it says.
async function current(
  ws: Workspace,
  runDir: string,
): Promise<{ generation: number; holder: LeaseHolder | "missing" | "unreadable" }> {
  for (;;) {
    const [generation = 0] = await generations(ws, runDir);
    if (generation === 0) return { generation, holder: "missing" };
    const holder = await readHolder(ws, `${runDir}/${leaseFileName(generation)}`);
    // Removed meanwhile by a newer holder cleaning up: look again.
    if (holder !== "missing") return { generation, holder };
  }
}

/**
 * What a run's lease says now, as seen from `ws.host`.
 *
 * @param ws The workspace.
 * @param runDir The run directory.
 * @param now The current time, in ms.
 */
export async function inspectLease(
  ws: Workspace,
  runDir: string,
  now = Date.now(),
): Promise<LeaseState> {
  const { holder } = await current(ws, runDir);
  if (holder === "missing") return { state: "none" };
  if (holder === "unreadable") {
    return { state: "stale", why: "the lease file is not a valid lease" };
  }
  return judgeLease(holder, ws.host, now);
}

/** Describes a holder for messages: pid, host, runtime, since when. */
export function describeHolder(holder: LeaseHolder): string {
  return `pid ${holder.pid} on host '${holder.host}' (${holder.runtime}), since ${holder.takenAt}`;
}

function isThisProcess(holder: LeaseHolder, host: ProcessHost | undefined): boolean {
  return host !== undefined && holder.host === host.hostname && holder.pid === host.pid &&
    holder.processStart === host.processStart(host.pid);
}

/** Options of {@linkcode Lease.acquire}. */
export interface AcquireLeaseOptions {
  /** Take the lease even from a live holder. */
  force?: boolean;
  /** The heartbeat interval in ms; default {@linkcode DEFAULT_HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** The id to name in messages. */
  runId: string;
}

/** A lease this process holds on a run. */
export class Lease {
  /** The holder record as written. */
  holder: LeaseHolder;
  /** This lease's generation. */
  readonly generation: number;
  readonly #ws: Workspace;
  readonly #runDir: string;
  #stop: (() => void) | undefined;
  #lost: RunLogError | undefined;
  #onLost: (() => void) | undefined;
  #beating = false;

  private constructor(ws: Workspace, runDir: string, generation: number, holder: LeaseHolder) {
    this.#ws = ws;
    this.#runDir = runDir;
    this.generation = generation;
    this.holder = holder;
  }

  /**
   * Takes the lease of a run: of several processes trying at the same
   * instant, exactly one gets it. A live lease of another process is
   * refused unless `force`, which then waits one of the old holder's
   * heartbeat intervals, until it has noticed and stopped writing; a
   * released, stale or unreadable lease is taken over at once.
   *
   * @throws {RunLogError} `"lease-held"` naming the live holder.
   */
  static async acquire(
    ws: Workspace,
    runDir: string,
    options: AcquireLeaseOptions,
  ): Promise<Lease> {
    const host = ws.host;
    const heartbeatMs = host === undefined ? 0 : options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      const { generation, holder: found } = await current(ws, runDir);
      const live = typeof found === "object" && !isThisProcess(found, host) &&
          judgeLease(found, host, Date.now()).state === "live"
        ? found
        : undefined;
      if (live !== undefined && !options.force) {
        throw new RunLogError(
          "lease-held",
          `run '${options.runId}' is in use by ${describeHolder(live)}, last heartbeat ` +
            `${live.heartbeatAt}; wait for it to finish, or resume with { force: true } ` +
            "(--force on the command line) if you are sure it no longer writes",
        );
      }
      const mine = generation + 1;
      const now = new Date().toISOString();
      const start = host?.processStart(host.pid);
      const holder: LeaseHolder = {
        pid: host?.pid ?? 0,
        host: host?.hostname ?? "unknown",
        runtime: host?.runtime ?? "unknown",
        ...(start === undefined ? {} : { processStart: start }),
        takenAt: now,
        heartbeatAt: now,
        heartbeatMs,
        nonce: randomHex(16),
      };
      const path = `${runDir}/${leaseFileName(mine)}`;
      if (!(await createExclusive(ws, path, toText(holder)))) continue;
      // A process that looked earlier may have taken an older number; one
      // that looked later, a newer one. The highest holds the lease.
      const present = await generations(ws, runDir);
      if (present[0] !== mine) {
        await ws.removeIfExists(path);
        continue;
      }
      for (const older of present.slice(1)) {
        await ws.removeIfExists(`${runDir}/${leaseFileName(older)}`).catch(() => {});
      }
      // Taken from a live holder: it notices at its next heartbeat and stops
      // writing; wait for that, so that the two never write at once.
      if (live !== undefined && live.heartbeatMs > 0) {
        await sleep(live.heartbeatMs + FORCE_MARGIN_MS);
      }
      const lease = new Lease(ws, runDir, mine, holder);
      if (heartbeatMs > 0) lease.#stop = host!.every(heartbeatMs, () => void lease.#beat());
      return lease;
    }
    throw new RunLogError(
      "lease-held",
      `could not take the lease of run '${options.runId}' in ${ACQUIRE_ATTEMPTS} attempts: ` +
        "other processes keep taking it; look for processes resuming this run in a loop",
    );
  }

  /**
   * The run's current lease when this process holds it (as `ws.host`
   * identifies the process), shared without a heartbeat of its own; else
   * `undefined`.
   */
  static async adopt(ws: Workspace, runDir: string): Promise<Lease | undefined> {
    const { generation, holder } = await current(ws, runDir);
    if (typeof holder !== "object" || holder.releasedAt !== undefined) return undefined;
    if (!isThisProcess(holder, ws.host)) return undefined;
    return new Lease(ws, runDir, generation, holder);
  }

  /** Why this process no longer holds the lease, if another took it over. */
  get lost(): RunLogError | undefined {
    return this.#lost;
  }

  /** Calls `listener` once when the lease is found lost (see {@linkcode Lease.lost}). */
  onLost(listener: () => void): void {
    this.#onLost = listener;
  }

  /** Stops the heartbeat, keeping the lease file as it is (for a run about to be deleted). */
  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /** Stops the heartbeat and marks the lease released, if it is still the current one. */
  async release(): Promise<void> {
    this.stop();
    if (await this.#stillCurrent()) {
      this.holder = { ...this.holder, releasedAt: new Date().toISOString() };
      await this.#ws.writeAtomic(this.#path, toText(this.holder));
    }
  }

  get #path(): string {
    return `${this.#runDir}/${leaseFileName(this.generation)}`;
  }

  async #stillCurrent(): Promise<boolean> {
    const [highest] = await generations(this.#ws, this.#runDir);
    return highest === this.generation;
  }

  // Rewrites the heartbeat, after checking the lease is still this one.
  // Runs on a timer: it never throws; a failure is retried at the next tick.
  async #beat(): Promise<void> {
    if (this.#beating || this.#lost) return;
    this.#beating = true;
    try {
      if (!(await this.#stillCurrent())) {
        const taker = await current(this.#ws, this.#runDir);
        this.#lost = new RunLogError(
          "lease-lost",
          `this process no longer holds the lease of run '${this.#runDir}': ${
            typeof taker.holder === "object"
              ? `${describeHolder(taker.holder)} took it over`
              : "its lease file was removed"
          }; stop writing this run, or resume it again`,
        );
        this.#stop?.();
        this.#onLost?.();
        return;
      }
      this.holder = { ...this.holder, heartbeatAt: new Date().toISOString() };
      await this.#ws.writeAtomic(this.#path, toText(this.holder));
    } catch {
      // A full disk or a passing error: the next tick tries again.
    } finally {
      this.#beating = false;
    }
  }
}

async function createExclusive(ws: Workspace, path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await ws.openAppend(path, { exclusive: true });
  } catch (error) {
    if (isWorkspaceError(error, "already-exists")) return false;
    throw error;
  }
  try {
    handle.writeSync(text);
  } finally {
    await handle.close();
  }
  return true;
}
