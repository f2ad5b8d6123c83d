/**
 * Deleting old runs safely: never a live run, a pinned one or one of the
 * newest the caller keeps, and never in a way that leaves half a run.
 *
 * @module
 */
import type { Workspace } from "../workspace.ts";
import { RunLogError } from "../run_log_error.ts";
import { AGENT_DIR, KEEP_FILE } from "../run_dir.ts";
import { describeHolder, Lease } from "../lease.ts";
import { listRuns, type RunInfo, type SkippedEntry } from "./list_runs.ts";
import { PRUNING_PREFIX } from "./_trash.ts";
import { randomHex } from "../_bytes.ts";
import { removeTempFiles } from "../_temp_files.ts";
import { isWorkspaceError } from "../_workspace_checks.ts";
import { existsEach } from "../_read_each.ts";
import { invalidArgument } from "../_invalid_argument.ts";

/**
 * Options of {@linkcode pruneRuns}: at least one of `keep`, `olderThan`, `maxTotalBytes`.
 *
 * @example What a policy would delete, before deleting anything
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   listRuns,
 *   MemoryWorkspace,
 *   type PruneOptions,
 *   pruneRuns,
 *   RunLogContext,
 * } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * for (const day of ["01", "02", "03", "04"]) {
 *   const clock = () => new Date(`2026-02-${day}T09:00:00Z`);
 *   const ctx = await RunLogContext.create(ws, { clock });
 *   await ctx.close({ status: "succeeded" });
 * }
 * const options: PruneOptions = { olderThan: new Date("2026-02-03T00:00:00Z"), dryRun: true };
 * const plan = await pruneRuns(ws, options);
 * assert.deepEqual(plan.deleted.map((run) => run.id.slice(0, 10)), ["2026-02-02", "2026-02-01"]);
 * assert.equal((await listRuns(ws)).runs.length, 4); // nothing deleted yet
 * ```
 */
export interface PruneOptions {
  /**
   * Always keep the newest `keep` runs. Alone, it deletes every older run;
   * with `olderThan` or `maxTotalBytes`, it protects the newest from them.
   */
  keep?: number;
  /** Delete runs that started before this time, or more than this many ms ago. */
  olderThan?: Date | number;
  /**
   * A size budget for all runs together, in bytes: the oldest runs are
   * deleted until all that remain take at most this much. Protected runs
   * (live, pinned, among the newest `keep`) are never deleted and count
   * first; of the others, the newest are kept while the total fits, and
   * the first that does not fit goes with every older one (by age, never
   * by size).
   */
  maxTotalBytes?: number;
  /** Decide and report, but delete nothing. */
  dryRun?: boolean;
}

/**
 * One run in the answer of {@linkcode pruneRuns}.
 *
 * @example Why a run went over a size budget
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, type PrunedRun, pruneRuns, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * for (const size of [30_000, 1_000]) {
 *   const ctx = await RunLogContext.create(ws);
 *   await ws.write(ctx.agentLog("dev", 1), "x".repeat(size));
 *   await ctx.close();
 * }
 * const { deleted, kept } = await pruneRuns(ws, { maxTotalBytes: 20_000 });
 * const gone: PrunedRun = deleted[0];
 * assert.ok(gone.bytes! > 30_000);
 * assert.match(gone.reason, /^over the size budget: \d+ bytes with the runs kept/);
 * assert.equal(await ws.exists(gone.dir), false);
 * assert.equal(kept[0].reason, "within the policy");
 * ```
 */
export interface PrunedRun {
  /** The run id. */
  id: string;
  /** The run directory (as it was). */
  dir: string;
  /** Why it was deleted or kept. */
  reason: string;
  /** Its size in bytes, when `maxTotalBytes` asked for sizes. */
  bytes?: number;
}

/**
 * What {@linkcode pruneRuns} did (or, with `dryRun`, would do).
 *
 * @example Leftovers cleaned even when no run is deleted
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, type PruneResult, pruneRuns, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ctx.close();
 * // What an atomic write killed between its write and its rename leaves:
 * const temp = `${ctx.runDir}/.run.json.0123456789abcdef.tmp`;
 * await ws.write(temp, "{");
 * const result: PruneResult = await pruneRuns(ws, { keep: 1 });
 * assert.deepEqual(result.deleted, []);
 * assert.deepEqual(result.kept.map((run) => run.reason), ["among the newest 1"]);
 * assert.deepEqual(result.cleaned, [temp]);
 * assert.equal(result.dryRun, false);
 * ```
 */
export interface PruneResult {
  /** The runs deleted, oldest last. */
  deleted: PrunedRun[];
  /** The runs kept, each with its reason. */
  kept: PrunedRun[];
  /**
   * Leftovers removed: runs an interrupted prune had half deleted, runs
   * whose create was cut short (once an hour old), and temp files of
   * killed atomic writes.
   */
  cleaned: string[];
  /**
   * What the prune left alone or could not remove, and why: entries of
   * `.agent/` that are not runs (never touched), and any deletion that
   * failed part-way (the prune goes on with the rest).
   */
  skipped: { path: string; reason: string }[];
  /** Whether nothing was deleted on purpose. */
  dryRun: boolean;
}

function refuse(what: string, value: unknown, expected: string): never {
  throw invalidArgument("pruneRuns", what, value, expected);
}

const wholeNumber = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * Deletes runs by a policy, and reports for each run whether it was
 * deleted or kept, and why. Never deleted: a run whose lease is live (the
 * caller's own run included), a run pinned by a `.keep` file, and the
 * newest `keep` runs. A deletion takes the run's lease first (so no process
 * can resume it meanwhile), renames the directory out of the `logs-*`
 * names, then removes it without following any link. Leftovers of an
 * interrupted prune, and temp files of killed atomic writes in runs that
 * are not live, are cleaned on the way.
 *
 * @example Keeping the three newest runs
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, pruneRuns, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * let time = Date.parse("2026-02-06T14:00:00Z");
 * for (let i = 0; i < 5; i++) {
 *   const ctx = await RunLogContext.create(ws, { clock: () => new Date(time += 1000) });
 *   await ctx.close({ status: "succeeded" });
 * }
 * const result = await pruneRuns(ws, { keep: 3 });
 * assert.equal(result.deleted.length, 2);
 * assert.deepEqual(result.kept.map((r) => r.reason), Array(3).fill("among the newest 3"));
 * ```
 *
 * @param ws The workspace.
 * @param options The policy.
 * @returns What was deleted, kept and cleaned.
 * @throws {RunLogError} `"invalid-argument"` without a policy, or for a value of the wrong type.
 */
export async function pruneRuns(ws: Workspace, options: PruneOptions): Promise<PruneResult> {
  if (typeof options !== "object" || options === null) refuse("options", options, "an object");
  const { keep, olderThan, maxTotalBytes } = options;
  if (keep === undefined && olderThan === undefined && maxTotalBytes === undefined) {
    throw new RunLogError(
      "invalid-argument",
      "pruneRuns needs a policy: at least one of keep, olderThan or maxTotalBytes",
    );
  }
  if (keep !== undefined && !wholeNumber(keep)) refuse("keep", keep, "a whole number");
  if (maxTotalBytes !== undefined && !wholeNumber(maxTotalBytes)) {
    refuse("maxTotalBytes", maxTotalBytes, "a whole number of bytes");
  }
  let cutoff: number | undefined;
  if (olderThan instanceof Date && !Number.isNaN(olderThan.getTime())) cutoff = olderThan.getTime();
  else if (wholeNumber(olderThan)) cutoff = Date.now() - (olderThan as number);
  else if (olderThan !== undefined) {
    refuse("olderThan", olderThan, "a valid Date or an age in whole milliseconds");
  }
  const dryRun = options.dryRun === true;
  const result: PruneResult = { deleted: [], kept: [], cleaned: [], skipped: [], dryRun };

  const listing = await listRuns(ws, { sizes: maxTotalBytes !== undefined });
  // Each run's verdict by keep and age first; a pin is looked for only in
  // a run that could go (a probe for a missing file is the costliest call).
  const verdicts: { run: RunInfo; protection?: string; deletion?: string }[] = [];
  for (const [index, run] of listing.runs.entries()) {
    const protection = run.status === "running"
      ? `running (lease held by ${describeHolder(run.holder!)})`
      : keep !== undefined && index < keep
      ? `among the newest ${keep}`
      : undefined;
    let deletion: string | undefined;
    if (keep !== undefined && cutoff === undefined && maxTotalBytes === undefined) {
      deletion = `beyond the newest ${keep}`;
    }
    if (cutoff !== undefined && run.startedAt.getTime() < cutoff) {
      deletion = `started ${run.startedAt.toISOString()}, before ${new Date(cutoff).toISOString()}`;
    }
    verdicts.push({ run, protection, deletion });
  }
  const unpinned = verdicts.filter((v) =>
    v.protection === undefined && (v.deletion !== undefined || maxTotalBytes !== undefined)
  );
  const pins = await existsEach(ws, unpinned.map((v) => `${v.run.dir}/${KEEP_FILE}`));
  for (const [index, v] of unpinned.entries()) {
    const pin = pins[index];
    if (pin === true) v.protection = "pinned by a .keep file";
    else if (pin !== false) {
      v.protection = `left alone: whether a .keep file pins it is unknown (${pin.message})`;
    }
  }
  if (maxTotalBytes !== undefined) {
    // What stays whatever happens counts first; then the newest of the
    // others while they fit; the first that does not, and every older one, go.
    let total = 0;
    for (const v of verdicts) if (v.protection !== undefined) total += v.run.bytes!;
    let overBudget = false;
    for (const v of verdicts) {
      if (v.protection !== undefined || v.deletion !== undefined) continue;
      if (!overBudget && total + v.run.bytes! <= maxTotalBytes) {
        total += v.run.bytes!;
        continue;
      }
      overBudget = true;
      v.deletion = `over the size budget: ${total + v.run.bytes!} bytes with the runs kept, ` +
        `more than ${maxTotalBytes}`;
    }
  }
  const toDelete: [RunInfo, PrunedRun][] = [];
  for (const { run, protection, deletion } of verdicts) {
    const entry: PrunedRun = {
      id: run.id,
      dir: run.dir,
      reason: protection ?? deletion ?? "within the policy",
      ...(run.bytes === undefined ? {} : { bytes: run.bytes }),
    };
    if (protection !== undefined || deletion === undefined) result.kept.push(entry);
    else toDelete.push([run, entry]);
  }

  for (const [run, entry] of toDelete) {
    if (dryRun) {
      result.deleted.push(entry);
      continue;
    }
    // A run that cannot be deleted is reported, and the prune goes on.
    const outcome = await deleteRun(ws, run.dir, run.id).catch((error) => failure(error));
    if (outcome === "deleted") result.deleted.push(entry);
    else result.kept.push({ ...entry, reason: outcome });
  }
  if (!dryRun) await cleanLeftovers(ws, listing.skipped, result);
  else {
    for (const entry of listing.skipped) {
      result.skipped.push({ path: entry.path, reason: entry.reason });
    }
  }
  return result;
}

// A create cut short is removed only once it is this old: one under way
// holds a live lease, but a fresh directory may not have it yet.
const INCOMPLETE_AGE_MS = 60 * 60 * 1000;

function failure(error: unknown): string {
  return `could not be deleted: ${(error as Error)?.message ?? String(error)}`;
}

// Takes the run's lease (a process resuming it now is refused), moves the
// directory out of the run names, then removes it. Returns "deleted", or
// why the run was kept after all.
async function deleteRun(ws: Workspace, dir: string, id: string): Promise<string> {
  let lease: Lease;
  try {
    lease = await Lease.acquire(ws, dir, { runId: id });
  } catch (error) {
    if (error instanceof RunLogError && error.code === "lease-held") {
      return `running: resumed while pruning (${error.message})`;
    }
    throw error;
  }
  lease.stop();
  const trash = `${AGENT_DIR}/${PRUNING_PREFIX}${id}-${randomHex(6)}`;
  await ws.rename(dir, trash);
  await ws.removeDirAll(trash);
  return "deleted";
}

// Never throws: what cannot be removed is reported in `skipped`.
async function cleanLeftovers(ws: Workspace, skipped: SkippedEntry[], result: PruneResult) {
  for (const entry of skipped) {
    const skip = (reason: string) => result.skipped.push({ path: entry.path, reason });
    if (entry.incomplete !== undefined) {
      if (Date.now() - entry.incomplete.startedAt.getTime() < INCOMPLETE_AGE_MS) {
        skip(entry.reason);
        continue;
      }
      const outcome = await deleteRun(ws, entry.path, entry.incomplete.toString())
        .catch((error) => failure(error));
      if (outcome === "deleted") result.cleaned.push(entry.path);
      else skip(`an incomplete run that ${outcome}`);
      continue;
    }
    if (!entry.name.startsWith(PRUNING_PREFIX)) {
      skip(entry.reason);
      continue;
    }
    try {
      await ws.removeDirAll(entry.path);
      result.cleaned.push(entry.path);
    } catch (error) {
      // Another prune may be removing it right now.
      if (isWorkspaceError(error, "not-found")) continue;
      // Not a directory this library made: left alone.
      skip(
        isWorkspaceError(error, "not-a-directory")
          ? "named like a run being deleted, but not a directory: left alone"
          : `a run being deleted that ${failure(error)}`,
      );
    }
  }
  // Temp files in runs nobody writes now: a killed writer can no longer rename them.
  const { runs } = await listRuns(ws).catch(() => ({ runs: [] as RunInfo[] }));
  for (const run of runs) {
    if (run.status === "running") continue;
    try {
      result.cleaned.push(...await removeTempFiles(ws, run.dir));
    } catch (error) {
      result.skipped.push({ path: run.dir, reason: `its temp files ${failure(error)}` });
    }
  }
}
