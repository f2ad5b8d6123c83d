/**
 * Listing the runs of a workspace, newest first, with what each one's
 * `run.json` and lease say about it.
 *
 * @module
 */
import type { DirEntry, Workspace } from "../workspace.ts";
import { RunId } from "../run_id.ts";
import type { RunMetadata } from "../run_metadata.ts";
import {
  AGENT_DIR,
  LAYOUT_DIRS,
  MAX_METADATA_BYTES,
  RUN_DIR_PREFIX,
  runDirOf,
} from "../run_dir.ts";
import { parseRunMetadata } from "../run_metadata.ts";
import { readEach } from "../_read_each.ts";
import { isTempFile } from "../_temp_files.ts";
import { inspectLease, isLeaseFileName, type LeaseHolder } from "../lease.ts";
import { PRUNING_PREFIX } from "./_trash.ts";
import { isWorkspaceError } from "../_workspace_checks.ts";
import { WorkspaceError } from "../workspace_error.ts";

/**
 * What became of a run: `running` while its lease is live; how its last
 * session ended when recorded; `idle` when its last session is open but
 * was handed back cleanly, or belonged to a shell that has exited without
 * a heartbeat (a run driven by `runlog` commands, between two steps: the
 * next command continues it); `crashed` when that session never ended and
 * its holder died; `unknown` without runlog's sessions (a run the Rust tool
 * wrote, a missing or unreadable `run.json`), when the run was closed
 * without a status, or when a file at a lease name is not a lease.
 *
 * @example A run whose process was killed
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   latestRun,
 *   MemoryHost,
 *   MemoryWorkspace,
 *   RunLogContext,
 *   type RunStatus,
 * } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const worker = ws.asProcess(new MemoryHost({ pid: 2, alive: ws.host.alive }));
 * await RunLogContext.create(worker);
 * assert.equal((await latestRun(ws))?.status, "running");
 * ws.host.alive.delete(2); // kill -9 of process 2
 * const status: RunStatus | undefined = (await latestRun(ws))?.status;
 * assert.equal(status, "crashed");
 * ```
 */
export type RunStatus =
  | "running"
  | "idle"
  | "succeeded"
  | "failed"
  | "interrupted"
  | "crashed"
  | "unknown";

/**
 * One run, as {@linkcode listRuns} reports it.
 *
 * @example What a listing tells about a finished run
 * ```ts
 * import assert from "node:assert/strict";
 * import { listRuns, MemoryWorkspace, type RunInfo, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * let now = new Date("2026-02-06T14:03:27.123Z");
 * const ctx = await RunLogContext.create(ws, { clock: () => now });
 * now = new Date("2026-02-06T14:04:27.123Z");
 * await ctx.close({ status: "succeeded" });
 * const run: RunInfo = (await listRuns(ws, { sizes: true })).runs[0];
 * assert.equal(run.dir, ctx.runDir);
 * assert.equal(run.startedAt.toISOString(), "2026-02-06T14:03:27.123Z");
 * assert.equal(run.endedAt?.toISOString(), "2026-02-06T14:04:27.123Z");
 * assert.equal(run.status, "succeeded");
 * assert.ok(run.bytes! > 0);
 * ```
 */
export interface RunInfo {
  /** The run id as text. */
  id: string;
  /** The run id. */
  runId: RunId;
  /** The run directory, workspace-relative. */
  dir: string;
  /** When the run started: `run.json`'s `started_at_utc`, or the id's time. */
  startedAt: Date;
  /** When its last session ended, when recorded. */
  endedAt?: Date;
  /** What became of it. */
  status: RunStatus;
  /** Who writes it now, while `status` is `running`. */
  holder?: LeaseHolder;
  /** Its total size in bytes, with `{ sizes: true }`. */
  bytes?: number;
  /** Its `run.json`, when readable. */
  metadata?: RunMetadata;
  /**
   * Why the run could not be judged, when it could not: `run.json` is
   * unreadable, or a file at a lease name is not a lease (then the status
   * is `unknown`).
   */
  problem?: string;
}

/**
 * An entry of `.agent/` that is not a run directory.
 *
 * @example Entries that only look like runs
 * ```ts
 * import assert from "node:assert/strict";
 * import { listRuns, MemoryWorkspace } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * await ws.createDirAll(".agent/logs-yesterday");
 * ws.driver.symlink("/tmp", `${ws.root}/.agent/logs-2026-02-06_14-03-27.123Z`);
 * const { runs, skipped } = await listRuns(ws);
 * assert.deepEqual(runs, []);
 * assert.deepEqual(skipped.map((entry) => [entry.path, entry.reason]), [
 *   [".agent/logs-2026-02-06_14-03-27.123Z", "a symbolic link, never followed"],
 *   [".agent/logs-yesterday", "named like a run, but not after a run id"],
 * ]);
 * ```
 */
export interface SkippedEntry {
  /** The entry's name. */
  name: string;
  /** Its workspace-relative path. */
  path: string;
  /** Why it is not a run. */
  reason: string;
  /**
   * Set for a run directory that a create never finished (no `run.json`
   * and no log): the id it was made for. `pruneRuns` removes it once old.
   */
  incomplete?: RunId;
}

/**
 * What {@linkcode listRuns} found.
 *
 * @example Runs, and what else stands in `.agent/`
 * ```ts
 * import assert from "node:assert/strict";
 * import { listRuns, MemoryWorkspace, type RunListing, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ws.write(".agent/notes.txt", "not a run");
 * const listing: RunListing = await listRuns(ws);
 * assert.deepEqual(listing.runs.map((run) => run.id), [ctx.runId.toString()]);
 * assert.deepEqual(listing.skipped.map((entry) => entry.name), ["notes.txt"]);
 * ```
 */
export interface RunListing {
  /** Every run, newest first. */
  runs: RunInfo[];
  /** Everything else in `.agent/`. */
  skipped: SkippedEntry[];
}

/**
 * Options of {@linkcode listRuns}.
 *
 * @example Sizes on request
 * ```ts
 * import assert from "node:assert/strict";
 * import { listRuns, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ws.write(ctx.agentLog("dev", 1), "x".repeat(10_000));
 * assert.equal((await listRuns(ws)).runs[0].bytes, undefined);
 * const [run] = (await listRuns(ws, { sizes: true })).runs;
 * assert.ok(run.bytes! > 10_000); // the agent log, run.json and the lease
 * ```
 */
export interface ListRunsOptions {
  /** Add up each run's size (one `lstat` per file). */
  sizes?: boolean;
}

/**
 * Lists every run of a workspace, newest first (run ids sort by time), with
 * its status, start and end, lease holder while it runs, and on request
 * its size. Runs written by the Rust tool are listed
 * too (status `unknown`). Anything else in `.agent/` is skipped and
 * reported, never followed: a link named like a run is not a run.
 *
 * @example Listing after two runs
 * ```ts
 * import assert from "node:assert/strict";
 * import { listRuns, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const first = await RunLogContext.create(ws);
 * await first.close({ status: "failed" });
 * const second = await RunLogContext.create(ws);
 * const { runs } = await listRuns(ws);
 * assert.deepEqual(runs.map((r) => r.status), ["running", "failed"]);
 * assert.equal(runs[0].id, second.runId.toString());
 * ```
 *
 * @param ws The workspace.
 * @param options Whether to add up sizes.
 * @returns The runs and the skipped entries.
 */
export async function listRuns(ws: Workspace, options: ListRunsOptions = {}): Promise<RunListing> {
  const listing: RunListing = { runs: [], skipped: [] };
  let entries;
  try {
    entries = await ws.readDir(AGENT_DIR);
  } catch (error) {
    if (isWorkspaceError(error, "not-found")) return listing;
    throw error;
  }
  const now = Date.now();
  const found: { runId: RunId; entry: DirEntry }[] = [];
  for (const entry of entries) {
    const skip = (reason: string) =>
      listing.skipped.push({ name: entry.name, path: entry.path, reason });
    if (!entry.name.startsWith(RUN_DIR_PREFIX)) {
      skip(
        entry.name.startsWith(PRUNING_PREFIX)
          ? "a run being deleted, or left by an interrupted prune"
          : "not a run directory",
      );
      continue;
    }
    let runId: RunId;
    try {
      runId = RunId.parse(entry.name.slice(RUN_DIR_PREFIX.length));
    } catch {
      skip("named like a run, but not after a run id");
      continue;
    }
    if (!entry.isDir) {
      skip(entry.isSymlink ? "a symbolic link, never followed" : "not a directory");
      continue;
    }
    found.push({ runId, entry });
  }
  // Every run.json in one call: the workspace checks .agent once for all.
  const runJsons = await readEach(
    ws,
    found.map(({ entry }) => `${entry.path}/run.json`),
    { maxBytes: MAX_METADATA_BYTES },
  );
  for (const [index, { runId, entry }] of found.entries()) {
    const run = await describeRun(ws, runId, entry.path, runJsons[index], now, options);
    if (run === undefined) {
      listing.skipped.push({
        name: entry.name,
        path: entry.path,
        reason: INCOMPLETE_REASON,
        incomplete: runId,
      });
    } else listing.runs.push(run);
  }
  listing.runs.sort((a, b) => a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  return listing;
}

/**
 * One run as {@linkcode listRuns} lists it, without listing the others;
 * `undefined` when there is no directory of that run (a link named like
 * one is not a run, as in the listing) or its create never finished.
 */
export async function findRunInfo(
  ws: Workspace,
  runId: RunId,
  options: ListRunsOptions = {},
): Promise<RunInfo | undefined> {
  const dir = runDirOf(runId);
  try {
    if (!(await ws.isDir(dir))) return undefined;
  } catch (error) {
    // No .agent at all; a link at .agent is refused as in the listing.
    if (isWorkspaceError(error, "not-found")) return undefined;
    throw error;
  }
  const [runJson] = await readEach(ws, [`${dir}/run.json`], { maxBytes: MAX_METADATA_BYTES });
  return await describeRun(ws, runId, dir, runJson, Date.now(), options);
}

const INCOMPLETE_REASON = "an incomplete run: no run.json and no log (its create was cut " +
  "short, or is under way); pruneRuns removes it once it is an hour old";

// Only lease files and the empty layout: what `create` makes before run.json.
async function isIncomplete(ws: Workspace, dir: string): Promise<boolean> {
  for (const entry of await ws.readDir(dir)) {
    if (entry.isDir && LAYOUT.has(entry.name)) {
      if ((await ws.readDir(entry.path)).length > 0) return false;
    } else if (!isLeaseFileName(entry.name) && !isTempFile(entry.name)) return false;
  }
  return true;
}

const LAYOUT = new Set(LAYOUT_DIRS);

// A run as listed, from what reading its run.json gave; `undefined` for
// one whose create never finished.
async function describeRun(
  ws: Workspace,
  runId: RunId,
  dir: string,
  runJson: string | WorkspaceError,
  now: number,
  options: ListRunsOptions,
): Promise<RunInfo | undefined> {
  let metadata: RunMetadata | undefined;
  let problem: string | undefined;
  try {
    if (runJson instanceof WorkspaceError) throw runJson;
    metadata = parseRunMetadata(runJson, `${dir}/run.json`);
  } catch (error) {
    // A run.json is written last by create: without it and without a
    // log, the directory is not a run yet (or a create was killed).
    if (isWorkspaceError(error, "not-found") && await isIncomplete(ws, dir).catch(() => false)) {
      return undefined;
    }
    problem = (error as Error).message;
  }
  const started = metadata === undefined ? Number.NaN : Date.parse(metadata.startedAtUtc);
  const info: RunInfo = {
    id: runId.toString(),
    runId,
    dir,
    startedAt: Number.isNaN(started) ? runId.startedAt : new Date(started),
    status: "unknown",
  };
  if (metadata !== undefined) info.metadata = metadata;
  if (problem !== undefined) info.problem = problem;
  const ended = metadata?.endedAtUtc === undefined ? Number.NaN : Date.parse(metadata.endedAtUtc);
  if (!Number.isNaN(ended)) info.endedAt = new Date(ended);
  // A run whose last session ended is not running: resuming clears the end.
  if (info.endedAt === undefined) {
    const lease = await inspectLease(ws, dir, now).catch((error) => {
      // One unreadable run directory never fails the listing of the others.
      if (error instanceof WorkspaceError) return { state: "invalid", why: error.message } as const;
      throw error;
    });
    if (lease.state === "live") {
      info.status = "running";
      info.holder = lease.holder;
    } else if (lease.state === "invalid") {
      info.problem = info.problem === undefined ? lease.why : `${info.problem}; ${lease.why}`;
    } else if (metadata?.sessions !== undefined) {
      // Handed back, or left by a shell that had no heartbeat to stop: the
      // run waits for its next command; a holder that died holding it crashed.
      const idle = lease.state === "none"
        ? lease.released !== undefined
        : lease.holder?.heartbeatMs === 0;
      info.status = idle ? "idle" : "crashed";
    }
  } else if (metadata?.status !== undefined) {
    info.status = metadata.status;
  }
  if (options.sizes === true) info.bytes = await treeBytes(ws, dir);
  return info;
}

/** The total size of the regular files under `dir`; links and hard links count nothing. */
export async function treeBytes(ws: Workspace, dir: string): Promise<number> {
  let total = 0;
  for (const entry of await ws.readDir(dir)) {
    if (entry.isDir) total += await treeBytes(ws, entry.path);
    else if (entry.isFile) {
      try {
        total += await ws.fileSize(entry.path);
      } catch (error) {
        // Removed meanwhile, or a hard link, which is never read.
        if (!isWorkspaceError(error, "not-found", "hard-link")) throw error;
      }
    }
  }
  return total;
}

/**
 * Options of {@linkcode latestRun}.
 *
 * @example The run started last is not always the one that finished last
 * ```ts
 * import assert from "node:assert/strict";
 * import { latestRun, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * let time = Date.parse("2026-02-06T14:00:00Z");
 * const clock = () => new Date(time += 1000);
 * const long = await RunLogContext.create(ws, { clock });
 * const short = await RunLogContext.create(ws, { clock });
 * await short.close({ status: "failed" });
 * await long.close({ status: "succeeded" });
 * assert.equal((await latestRun(ws))?.id, short.runId.toString());
 * assert.equal((await latestRun(ws, { finished: true }))?.id, long.runId.toString());
 * ```
 */
export interface LatestRunOptions {
  /** The run that finished last (by its recorded end), rather than the one started last. */
  finished?: boolean;
}

/**
 * The run started last, or with `{ finished: true }` the one whose last
 * session ended last; `undefined` when there is none.
 *
 * @example The latest run, and the latest finished one
 * ```ts
 * import assert from "node:assert/strict";
 * import { latestRun, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const done = await RunLogContext.create(ws);
 * await done.close({ status: "succeeded" });
 * const current = await RunLogContext.create(ws);
 * assert.equal((await latestRun(ws))?.id, current.runId.toString());
 * assert.equal((await latestRun(ws, { finished: true }))?.id, done.runId.toString());
 * ```
 *
 * @param ws The workspace.
 * @param options Which "latest".
 * @returns The run, or `undefined`.
 */
export async function latestRun(
  ws: Workspace,
  options: LatestRunOptions = {},
): Promise<RunInfo | undefined> {
  return pickLatest((await listRuns(ws)).runs, options);
}

/**
 * Of runs listed newest first, the latest as {@linkcode latestRun} means it
 * (a run store picks from its own listing the same way).
 */
export function pickLatest(
  runs: readonly RunInfo[],
  options: LatestRunOptions = {},
): RunInfo | undefined {
  if (options.finished !== true) return runs[0];
  let latest: RunInfo | undefined;
  for (const run of runs) {
    if (run.endedAt !== undefined && run.status !== "running") {
      if (latest === undefined || run.endedAt > latest.endedAt!) latest = run;
    }
  }
  return latest;
}
