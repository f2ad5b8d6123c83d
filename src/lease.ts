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
 * A lease is judged from facts only (see {@linkcode inspectLease}): a
 * holder on this host is live while its process runs (the same process:
 * a reused pid does not count) and its heartbeat, if it has one, is
 * fresh; a holder elsewhere, or one whose process cannot be checked, is
 * live only while its heartbeat is fresh. A crashed holder's lease is stale
 * at once on its own host, and after {@linkcode STALE_AFTER_HEARTBEATS}
 * missed heartbeats elsewhere. A lease that states something impossible
 * (pid 0 or below, a heartbeat from the future, no heartbeat on another
 * host) is stale.
 *
 * Writes are fenced: a holder may write only until one heartbeat interval
 * after it last confirmed that its lease is still the current one, and a
 * forced takeover waits longer than that before it writes. A holder that
 * was stopped (SIGSTOP) or blocked for longer confirms the lease again
 * before its next line, and stops if the lease was taken.
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

// Any number of digits: a number past 2^53-1 is found, and reported, not skipped.
const LEASE_NAME = /^lease\.([1-9]\d*)\.json$/;

/** Whether `name` is named like a lease file, `lease.<n>.json`. */
export function isLeaseFileName(name: string): boolean {
  return LEASE_NAME.test(name);
}

/** How often a holder refreshes its heartbeat by default, in ms. */
const DEFAULT_HEARTBEAT_MS = 10_000;
/**
 * The default heartbeat of a holder whose process others cannot check (its
 * host name or liveness cannot be read, as under Deno without
 * `--allow-sys` and `--allow-run`): only the heartbeat tells it has
 * crashed, so it beats often, and a crash frees the run within
 * 3 s (four of its heartbeats).
 */
export const UNCHECKED_HEARTBEAT_MS = 750;

// The heartbeat a holder on `host` uses unless told: frequent when nothing
// else can show that it crashed.
function defaultHeartbeat(host: ProcessHost): number {
  const checkable = host.hostname !== "unknown" && host.isAlive(host.pid) === true;
  return checkable ? DEFAULT_HEARTBEAT_MS : UNCHECKED_HEARTBEAT_MS;
}

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
// How often a reader looks again when the current lease file vanishes
// under it (removed by a newer holder), before it reports the churn.
const READ_ATTEMPTS = 16;
// How much longer than a heartbeat a forced takeover waits for the old holder to stop.
const FORCE_MARGIN_MS = 250;
/**
 * The longest heartbeat interval a lease may state: a longer one is
 * judged as this long, so that no lease can claim to stay live for days.
 */
export const MAX_HEARTBEAT_MS = 60 * 60 * 1000;
/**
 * How far in the future a heartbeat from another host may lie (clocks of
 * two machines disagree a little); one further ahead is impossible, so
 * the lease is stale.
 */
export const MAX_CLOCK_SKEW_MS = 60 * 1000;

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
  /** The process the holder acts for (the shell of a `runlog` command), when any. */
  forPid?: number;
  /** That process's start token, when known. */
  forProcessStart?: string;
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

/** The text of a lease file: the holder as pretty JSON with snake_case keys. */
export function formatLeaseHolder(holder: LeaseHolder): string {
  return JSON.stringify(
    {
      pid: holder.pid,
      host: holder.host,
      runtime: holder.runtime,
      process_start: holder.processStart,
      for_pid: holder.forPid,
      for_process_start: holder.forProcessStart,
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

/** The holder a lease file's text states, or `undefined` when it is not a lease. */
export function parseLeaseHolder(text: string): LeaseHolder | undefined {
  try {
    const d = JSON.parse(text);
    const ok = typeof d === "object" && d !== null && Number.isSafeInteger(d.pid) &&
      typeof d.host === "string" && typeof d.runtime === "string" &&
      typeof d.taken_at === "string" && typeof d.heartbeat_at === "string" &&
      Number.isSafeInteger(d.heartbeat_ms) && typeof d.nonce === "string" &&
      (d.process_start === undefined || typeof d.process_start === "string") &&
      (d.for_pid === undefined || Number.isSafeInteger(d.for_pid)) &&
      (d.for_process_start === undefined || typeof d.for_process_start === "string") &&
      (d.released_at === undefined || typeof d.released_at === "string");
    if (!ok) return undefined;
    return {
      pid: d.pid,
      host: d.host,
      runtime: d.runtime,
      ...(d.process_start === undefined ? {} : { processStart: d.process_start }),
      ...(d.for_pid === undefined ? {} : { forPid: d.for_pid }),
      ...(d.for_process_start === undefined ? {} : { forProcessStart: d.for_process_start }),
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

/**
 * What a reader makes of a run's lease: nobody holds it (`none`: no
 * lease, or one released, then with its last holder), a live holder, a
 * stale one (crashed, or stating something impossible), or files at lease
 * names that are not leases (`invalid`: a FIFO, a link, a directory, a
 * hard link, a number past 2^53-1).
 */
export type LeaseState =
  | { state: "none"; released?: LeaseHolder }
  | { state: "live"; holder: LeaseHolder }
  | { state: "stale"; holder?: LeaseHolder; why: string }
  | { state: "invalid"; why: string; paths: string[] };

/**
 * Whether `holder` still holds its lease, seen from `host` at `now`, from
 * facts only:
 * - pid 0 or below, or a negative heartbeat interval: stale (impossible).
 * - On this host, when its process can be checked: stale once it has
 *   exited (or its pid was reused); while it runs, live unless it has a
 *   heartbeat that stopped. A heartbeat from the future counts as fresh
 *   here: the clock it was read from is this one, so the clock went back.
 * - Elsewhere, or when the process cannot be checked: live only while a
 *   heartbeat proves it: an interval above 0, a heartbeat no older than
 *   {@linkcode STALE_AFTER_HEARTBEATS} intervals (at most
 *   {@linkcode MAX_HEARTBEAT_MS} each) and no further in the future than
 *   {@linkcode MAX_CLOCK_SKEW_MS}.
 */
export function judgeLease(
  holder: LeaseHolder,
  host: ProcessHost | undefined,
  now: number,
): LeaseState {
  if (holder.releasedAt !== undefined) return { state: "none", released: holder };
  if (holder.pid <= 0) {
    return { state: "stale", holder, why: `its pid ${holder.pid} names no process` };
  }
  if (holder.heartbeatMs < 0) {
    return {
      state: "stale",
      holder,
      why: `its heartbeat interval ${holder.heartbeatMs} is negative`,
    };
  }
  const age = now - Date.parse(holder.heartbeatAt);
  const interval = Math.min(holder.heartbeatMs, MAX_HEARTBEAT_MS);
  const beatStopped = holder.heartbeatMs > 0 && age > STALE_AFTER_HEARTBEATS * interval;
  if (host !== undefined && holder.host === host.hostname && holder.host !== "unknown") {
    const alive = host.isAlive(holder.pid);
    if (alive === false) return { state: "stale", holder, why: "its process has exited" };
    const start = alive === true ? host.processStart(holder.pid) : undefined;
    if (start !== undefined && holder.processStart !== undefined && start !== holder.processStart) {
      return { state: "stale", holder, why: "its process has exited (the pid was reused)" };
    }
    if (alive === true) {
      if (beatStopped) return { state: "stale", holder, why: heartbeatAge(age) };
      return { state: "live", holder };
    }
  }
  // Nothing but the heartbeat can show that the holder still runs.
  if (holder.heartbeatMs === 0) {
    return {
      state: "stale",
      holder,
      why: "it has no heartbeat, and its process cannot be checked from here",
    };
  }
  if (Number.isNaN(age)) {
    return { state: "stale", holder, why: `its heartbeat time '${holder.heartbeatAt}' is invalid` };
  }
  if (age < -MAX_CLOCK_SKEW_MS) {
    return {
      state: "stale",
      holder,
      why: `its heartbeat is ${Math.round(-age / 1000)} s in the future, more than clocks ` +
        "disagree by",
    };
  }
  if (beatStopped) return { state: "stale", holder, why: heartbeatAge(age) };
  return { state: "live", holder };
}

function heartbeatAge(ms: number): string {
  return `its last heartbeat is ${Math.round(ms / 1000)} s old`;
}

/** What stands at a lease name, when it is not a regular file runlog may read. */
interface NotALease {
  path: string;
  why: string;
}

/**
 * Reads a lease file; `"unreadable"` for one that is empty or not a lease;
 * what stands there when it is not a file runlog opens (a link, a FIFO, a
 * directory, a hard link).
 */
async function readHolder(
  ws: Workspace,
  path: string,
): Promise<LeaseHolder | "missing" | "unreadable" | NotALease> {
  for (let attempt = 0;; attempt++) {
    let text: string;
    try {
      text = await ws.read(path, { maxBytes: MAX_LEASE_BYTES });
    } catch (error) {
      if (isWorkspaceError(error, "not-found")) return "missing";
      if (isWorkspaceError(error, "too-large")) return "unreadable";
      if (
        isWorkspaceError(error, "symlink", "not-a-regular-file", "is-a-directory", "hard-link")
      ) {
        return { path, why: (error as Error).message };
      }
      throw error;
    }
    const holder = parseLeaseHolder(text);
    if (holder !== undefined) return holder;
    // The holder may be between creating the file and writing it.
    if (attempt >= UNREADABLE_RETRIES) return "unreadable";
    await sleep(UNREADABLE_WAIT_MS);
  }
}

/** The lease generations of a run directory, highest first, and names past 2^53-1. */
interface Generations {
  numbers: number[];
  /** Lease names whose number is not a safe integer: never written by runlog. */
  beyond: string[];
}

async function generations(ws: Workspace, runDir: string): Promise<Generations> {
  const found: Generations = { numbers: [], beyond: [] };
  for (const entry of await ws.readDir(runDir)) {
    const match = LEASE_NAME.exec(entry.name);
    if (match === null) continue;
    const generation = Number(match[1]);
    // Whatever stands at a lease name counts: a planted link is then read,
    // and refused, rather than skipped.
    if (Number.isSafeInteger(generation)) found.numbers.push(generation);
    else found.beyond.push(entry.path);
  }
  found.numbers.sort((a, b) => b - a);
  return found;
}

/** The current lease: the highest generation, what it says, and names past 2^53-1. */
interface Current {
  generation: number;
  holder: LeaseHolder | "missing" | "unreadable" | NotALease;
  beyond: string[];
}

// Bounded: a lease file that keeps vanishing (newer holders cleaning up)
// ends as "missing" after READ_ATTEMPTS looks, never as a spin.
async function current(ws: Workspace, runDir: string): Promise<Current> {
  let found: Current = { generation: 0, holder: "missing", beyond: [] };
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    const { numbers: [generation = 0], beyond } = await generations(ws, runDir);
    if (generation === 0) return { generation, holder: "missing", beyond };
    const holder = await readHolder(ws, `${runDir}/${leaseFileName(generation)}`);
    found = { generation, holder, beyond };
    // Removed meanwhile by a newer holder cleaning up: look again.
    if (holder !== "missing") break;
  }
  return found;
}

// Why the lease files of a run cannot be judged, if they cannot.
function invalidity(found: Current): LeaseState | undefined {
  const paths = [...found.beyond];
  const whys = found.beyond.map((path) =>
    `'${path}' is not a lease runlog writes (its number is past 2^53-1)`
  );
  if (typeof found.holder === "object" && "why" in found.holder) {
    paths.push(found.holder.path);
    whys.push(found.holder.why);
  }
  if (paths.length === 0) return undefined;
  return { state: "invalid", why: whys.join("; "), paths };
}

/**
 * What a run's lease says now, as seen from `ws.host`. Never throws for
 * what stands at lease names: files that are not leases make the state
 * `invalid`, with the reason.
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
  const found = await current(ws, runDir);
  const invalid = invalidity(found);
  if (invalid !== undefined) return invalid;
  const holder = found.holder as LeaseHolder | "missing" | "unreadable";
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

/** Whether `holder` is the process `host` describes (its pid, host and start token). */
export function isThisProcess(holder: LeaseHolder, host: ProcessHost | undefined): boolean {
  return host !== undefined && holder.host === host.hostname && holder.pid === host.pid &&
    holder.processStart === host.processStart(host.pid);
}

/**
 * Who a lease is taken for, when not for the calling process itself: the
 * `runlog` command writes a run for the shell that drives it.
 */
export interface LeaseIdentity {
  /** The holder's process id. */
  pid: number;
  /** Its start token, when known. */
  processStart?: string;
  /** The process it acts for (a command for its shell), when any. */
  forPid?: number;
  /** That process's start token, when known. */
  forProcessStart?: string;
}

/** Options of {@linkcode Lease.acquire}. */
export interface AcquireLeaseOptions {
  /** Take the lease even from a live holder. */
  force?: boolean;
  /**
   * Take the lease from a live holder this accepts, as `force` would (a
   * command taking over from the shell it acts for).
   */
  takeOver?: (holder: LeaseHolder) => boolean;
  /** The heartbeat interval in ms; default {@linkcode DEFAULT_HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** Whom the lease is for, when not this process (see {@linkcode LeaseIdentity}). */
  identity?: LeaseIdentity;
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
  readonly #fenceMs: number;
  #confirmedAt: number;
  #stop: (() => void) | undefined;
  #lost: RunLogError | undefined;
  #onLost: (() => void) | undefined;
  #beating = false;

  private constructor(ws: Workspace, runDir: string, generation: number, holder: LeaseHolder) {
    this.#ws = ws;
    this.#runDir = runDir;
    this.generation = generation;
    this.holder = holder;
    // A holder without a heartbeat is never taken over by waiting: no fence.
    this.#fenceMs = holder.heartbeatMs > 0 ? holder.heartbeatMs : Infinity;
    this.#confirmedAt = Date.now();
  }

  /**
   * Takes the lease of a run: of several processes trying at the same
   * instant, exactly one gets it. A live lease of another process is
   * refused unless `force` (or `takeOver` accepts its holder), which then
   * waits one of the old holder's heartbeat intervals and a little more,
   * until its writes are fenced; a released, stale or unreadable lease is
   * taken over at once. Files at lease names that are not leases (a link,
   * a FIFO, a number past 2^53-1) are refused unless `force`, which
   * removes them.
   *
   * @throws {RunLogError} `"lease-held"` naming the live holder;
   * `"invalid-lease"` naming a file at a lease name that is not a lease.
   */
  static async acquire(
    ws: Workspace,
    runDir: string,
    options: AcquireLeaseOptions,
  ): Promise<Lease> {
    const host = ws.host;
    const heartbeatMs = host === undefined ? 0 : options.heartbeatMs ?? defaultHeartbeat(host);
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      const found = await current(ws, runDir);
      const invalid = invalidity(found);
      if (invalid?.state === "invalid") {
        if (!options.force) {
          throw new RunLogError(
            "invalid-lease",
            `cannot take the lease of run '${options.runId}': ${invalid.why}; remove ` +
              `${invalid.paths.map((p) => `'${p}'`).join(" and ")}, or resume with ` +
              "{ force: true } (--force on the command line) to have runlog remove it",
          );
        }
        for (const path of invalid.paths) await removeEntry(ws, path);
        continue;
      }
      const { generation, holder: seen } = found;
      const live = typeof seen === "object" && !isThisProcess(seen as LeaseHolder, host) &&
          judgeLease(seen as LeaseHolder, host, Date.now()).state === "live"
        ? seen as LeaseHolder
        : undefined;
      if (live !== undefined && !options.force && !options.takeOver?.(live)) {
        throw new RunLogError(
          "lease-held",
          `run '${options.runId}' is in use by ${describeHolder(live)}, last heartbeat ` +
            `${live.heartbeatAt}; wait for it to finish, or resume with { force: true } ` +
            "(--force on the command line) if you are sure it no longer writes",
        );
      }
      const mine = generation + 1;
      if (!Number.isSafeInteger(mine)) {
        throw new RunLogError(
          "invalid-lease",
          `cannot take the lease of run '${options.runId}': its lease generation ${generation} ` +
            `is the last one; remove '${runDir}/${leaseFileName(generation)}'`,
        );
      }
      const now = new Date().toISOString();
      const identity = options.identity;
      const start = identity === undefined ? host?.processStart(host.pid) : identity.processStart;
      const holder: LeaseHolder = {
        pid: identity?.pid ?? host?.pid ?? 0,
        host: host?.hostname ?? "unknown",
        runtime: host?.runtime ?? "unknown",
        ...(start === undefined ? {} : { processStart: start }),
        ...(identity?.forPid === undefined ? {} : { forPid: identity.forPid }),
        ...(identity?.forProcessStart === undefined
          ? {}
          : { forProcessStart: identity.forProcessStart }),
        takenAt: now,
        heartbeatAt: now,
        heartbeatMs,
        nonce: randomHex(16),
      };
      const path = `${runDir}/${leaseFileName(mine)}`;
      if (!(await createExclusive(ws, path, formatLeaseHolder(holder)))) continue;
      // A process that looked earlier may have taken an older number; one
      // that looked later, a newer one. The highest holds the lease.
      const present = (await generations(ws, runDir)).numbers;
      if (present[0] !== mine) {
        await ws.removeIfExists(path);
        continue;
      }
      for (const older of present.slice(1)) {
        await ws.removeIfExists(`${runDir}/${leaseFileName(older)}`).catch(() => {});
      }
      // Taken from a live holder: its writes are fenced one heartbeat after
      // it last confirmed the lease; wait for that, so that the two never
      // write at once, even when the old holder was stopped or blocked.
      if (live !== undefined && live.heartbeatMs > 0) {
        await sleep(Math.min(live.heartbeatMs, MAX_HEARTBEAT_MS) + FORCE_MARGIN_MS);
      }
      const lease = new Lease(ws, runDir, mine, holder);
      // Ticks twice a heartbeat: each confirms the lease (so that the write
      // fence is renewed long before it would expire), every other one also
      // rewrites the heartbeat.
      if (heartbeatMs > 0) {
        lease.#stop = host!.every(Math.ceil(heartbeatMs / 2), () => void lease.#beat());
      }
      return lease;
    }
    throw new RunLogError(
      "lease-held",
      `could not take the lease of run '${options.runId}' in ${ACQUIRE_ATTEMPTS} attempts: ` +
        "other processes keep taking it; look for processes resuming this run in a loop",
    );
  }

  /** Why this process no longer holds the lease, if another took it over. */
  get lost(): RunLogError | undefined {
    return this.#lost;
  }

  /**
   * Until when (in ms since the epoch, as `Date.now()`: writers compare it
   * with the time of the line they write) this holder may write without
   * confirming the lease again: one heartbeat interval after it last found
   * the lease its own. `Infinity` for a lease without heartbeat.
   */
  get writableUntil(): number {
    return this.#confirmedAt + this.#fenceMs;
  }

  /**
   * Checks that the lease is still this one, and if so may be written for
   * another heartbeat interval; if not, marks it lost (see
   * {@linkcode Lease.lost}).
   *
   * @returns Whether the lease is still held.
   */
  async confirm(): Promise<boolean> {
    if (this.#lost !== undefined) return false;
    const started = Date.now();
    if (!(await this.#stillCurrent())) {
      await this.#markLost();
      return false;
    }
    this.#confirmedAt = started;
    return true;
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
      await this.#ws.writeAtomic(this.#path, formatLeaseHolder(this.holder));
    }
  }

  /**
   * Passes the lease to another holder (a command hands the run back to
   * the shell it acted for): the next generation, for `identity`, without
   * a heartbeat. Does nothing when the lease was taken meanwhile.
   */
  async handOver(identity: LeaseIdentity): Promise<void> {
    this.stop();
    if (!(await this.#stillCurrent())) return;
    // The next generation, made exclusively: taken meanwhile (a forced
    // takeover), it is not made. A process waiting for this lease may take
    // the new one over at once; it is not ours to check afterwards.
    const now = new Date().toISOString();
    const made = await createExclusive(
      this.#ws,
      `${this.#runDir}/${leaseFileName(this.generation + 1)}`,
      formatLeaseHolder({
        pid: identity.pid,
        host: this.holder.host,
        runtime: this.holder.runtime,
        ...(identity.processStart === undefined ? {} : { processStart: identity.processStart }),
        ...(identity.forPid === undefined ? {} : { forPid: identity.forPid }),
        ...(identity.forProcessStart === undefined
          ? {}
          : { forProcessStart: identity.forProcessStart }),
        takenAt: now,
        heartbeatAt: now,
        heartbeatMs: 0,
        nonce: randomHex(16),
      }),
    );
    // A newer generation stands: this one is an older one, which its holder removes.
    if (made) await this.#ws.removeIfExists(this.#path).catch(() => {});
  }

  get #path(): string {
    return `${this.#runDir}/${leaseFileName(this.generation)}`;
  }

  async #stillCurrent(): Promise<boolean> {
    const { numbers: [highest] } = await generations(this.#ws, this.#runDir);
    return highest === this.generation;
  }

  async #markLost(): Promise<void> {
    const taker = await current(this.#ws, this.#runDir);
    this.#lost = new RunLogError(
      "lease-lost",
      `this process no longer holds the lease of run '${this.#runDir}': ${
        typeof taker.holder === "object" && !("why" in taker.holder)
          ? `${describeHolder(taker.holder)} took it over`
          : "its lease file was removed"
      }; stop writing this run, or resume it again`,
    );
    this.#stop?.();
    this.#onLost?.();
  }

  // Rewrites the heartbeat, after checking the lease is still this one.
  // Runs on a timer: it never throws; a failure is retried at the next tick.
  async #beat(): Promise<void> {
    if (this.#beating || this.#lost) return;
    this.#beating = true;
    try {
      if (!(await this.confirm())) return;
      const now = Date.now();
      if (now - Date.parse(this.holder.heartbeatAt) < this.holder.heartbeatMs * 0.75) return;
      this.holder = { ...this.holder, heartbeatAt: new Date(now).toISOString() };
      await this.#ws.writeAtomic(this.#path, formatLeaseHolder(this.holder));
    } catch {
      // A full disk or a passing error: the next tick tries again.
    } finally {
      this.#beating = false;
    }
  }
}

// Removes whatever stands at a path that is not a lease (a directory too).
async function removeEntry(ws: Workspace, path: string): Promise<void> {
  try {
    await ws.removeIfExists(path);
  } catch (error) {
    if (!isWorkspaceError(error, "is-a-directory")) throw error;
    await ws.removeDirAllIfExists(path);
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
