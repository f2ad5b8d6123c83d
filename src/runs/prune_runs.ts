/**
 * Deleting old runs safely: never a live run, a pinned one or one of the
 * newest the caller keeps, and never in a way that leaves half a run.
 *
 * @module
 */
import type { Workspace } from "../workspace.ts";
import { RunLogError } from "../run_log_error.ts";
import { AGENT_DIR, KEEP_FILE } from "../run_log_context.ts";
import { describeHolder, Lease } from "../lease.ts";
import { describeValue } from "../_describe_value.ts";
import { listRuns, type RunInfo } from "./list_runs.ts";
import { PRUNING_PREFIX } from "./_trash.ts";
import { randomHex } from "../_bytes.ts";
import { removeTempFiles } from "../_temp_files.ts";
import { isWorkspaceError } from "../_workspace_checks.ts";

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
   * A size budget for all runs together, in bytes: runs are counted newest
   * first, and once the budget is spent, that run and every older one is
   * deleted (unless protected: live, pinned or among the newest `keep`;
   * protected runs count toward the total too).
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
 * assert.match(gone.reason, /^over the size budget: \d+ bytes with the newer runs/);
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
  /** Leftovers removed: runs an interrupted prune had half deleted, and temp files of killed atomic writes. */
  cleaned: string[];
  /** Whether nothing was deleted on purpose. */
  dryRun: boolean;
}

function refuse(what: string, value: unknown, expected: string): never {
  throw new RunLogError(
    "invalid-argument",
    `pruneRuns: ${what} must be ${expected}, got ${describeValue(value)}`,
  );
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
  const result: PruneResult = { deleted: [], kept: [], cleaned: [], dryRun };

  const listing = await listRuns(ws, { sizes: maxTotalBytes !== undefined });
  let total = 0;
  let overBudget = false;
  const toDelete: [RunInfo, PrunedRun][] = [];
  for (const [index, run] of listing.runs.entries()) {
    const entry = (reason: string): PrunedRun => ({
      id: run.id,
      dir: run.dir,
      reason,
      ...(run.bytes === undefined ? {} : { bytes: run.bytes }),
    });
    let protection = run.status === "running"
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
    if (
      maxTotalBytes !== undefined && deletion === undefined && protection === undefined &&
      (overBudget || total + run.bytes! > maxTotalBytes)
    ) {
      // Pruning goes by age: once the budget is spent, every older run goes too.
      overBudget = true;
      deletion = `over the size budget: ${total + run.bytes!} bytes with the newer runs, ` +
        `more than ${maxTotalBytes}`;
    }
    // Only a run about to go is looked at for a pin: a probe for a missing
    // file is the costliest call of a listing.
    if (protection === undefined && deletion !== undefined) {
      if (await ws.exists(`${run.dir}/${KEEP_FILE}`)) protection = "pinned by a .keep file";
    }
    if (protection !== undefined || deletion === undefined) {
      total += run.bytes ?? 0;
      result.kept.push(entry(protection ?? "within the policy"));
    } else {
      toDelete.push([run, entry(deletion)]);
    }
  }

  for (const [run, entry] of toDelete) {
    if (dryRun) {
      result.deleted.push(entry);
      continue;
    }
    const outcome = await deleteRun(ws, run);
    if (outcome === "deleted") result.deleted.push(entry);
    else result.kept.push({ ...entry, reason: outcome });
  }
  if (!dryRun) await cleanLeftovers(ws, listing.skipped.map((s) => s.name), result);
  return result;
}

// Takes the run's lease (a process resuming it now is refused), moves the
// directory out of the run names, then removes it. Returns "deleted", or
// why the run was kept after all.
async function deleteRun(ws: Workspace, run: RunInfo): Promise<string> {
  let lease: Lease;
  try {
    lease = await Lease.acquire(ws, run.dir, { runId: run.id });
  } catch (error) {
    if (error instanceof RunLogError && error.code === "lease-held") {
      return `running: resumed while pruning (${error.message})`;
    }
    throw error;
  }
  lease.stop();
  const trash = `${AGENT_DIR}/${PRUNING_PREFIX}${run.id}-${randomHex(6)}`;
  await ws.rename(run.dir, trash);
  await ws.removeDirAll(trash);
  return "deleted";
}

async function cleanLeftovers(ws: Workspace, skipped: string[], result: PruneResult) {
  for (const name of skipped) {
    if (!name.startsWith(PRUNING_PREFIX)) continue;
    const path = `${AGENT_DIR}/${name}`;
    try {
      await ws.removeDirAll(path);
      result.cleaned.push(path);
    } catch (error) {
      // Another prune may be removing it right now.
      if (!isWorkspaceError(error, "not-found")) throw error;
    }
  }
  // Temp files in runs nobody writes now: a killed writer can no longer rename them.
  const { runs } = await listRuns(ws);
  for (const run of runs) {
    if (run.status === "running") continue;
    result.cleaned.push(...await removeTempFiles(ws, run.dir));
  }
}
