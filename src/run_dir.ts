/**
 * The run directory: where runs live (`.agent/`), what one is named
 * (`logs-<run id>`), its layout and pin file, and reading its `run.json`.
 *
 * @module
 */
import type { Workspace } from "./workspace.ts";
import { RunId } from "./run_id.ts";
import { parseRunMetadata, type RunMetadata } from "./run_metadata.ts";
import { isWorkspaceError } from "./_workspace_checks.ts";

/**
 * The folder, relative to the workspace root, that holds every run directory.
 *
 * @example Where runs live
 * ```ts
 * import assert from "node:assert/strict";
 * import { AGENT_DIR, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * assert.equal(ctx.runDir, `${AGENT_DIR}/logs-${ctx.runId}`);
 * const names = (await ws.readDir(AGENT_DIR)).map((entry) => entry.name);
 * assert.deepEqual(names, [`logs-${ctx.runId}`]);
 * ```
 */
export const AGENT_DIR = ".agent";

/** A run directory's name: `logs-<run id>`. */
export const RUN_DIR_PREFIX = "logs-";

/**
 * The file whose presence pins a run: `pruneRuns` never deletes it.
 *
 * @example Pinning a run to study later
 * ```ts
 * import assert from "node:assert/strict";
 * import { KEEP_FILE, MemoryWorkspace, pruneRuns, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const pinned = await RunLogContext.create(ws);
 * await pinned.close({ status: "failed" });
 * await ws.write(`${pinned.runDir}/${KEEP_FILE}`, "the failure of issue #42\n");
 * const result = await pruneRuns(ws, { keep: 0 });
 * assert.deepEqual(result.deleted, []);
 * assert.equal(result.kept[0].reason, "pinned by a .keep file");
 * ```
 */
export const KEEP_FILE = ".keep";

/** The largest `run.json` runlog reads (a larger one is refused, not loaded). */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;

/** The folders of a run directory, made by `create` and remade by `resume`. */
export const LAYOUT_DIRS: readonly string[] = ["agents", "provider", "debug"];

/** The directory of a run, relative to the workspace root. */
export function runDirOf(runId: RunId | string): string {
  return `${AGENT_DIR}/${RUN_DIR_PREFIX}${runId}`;
}

/** A run id as given: parsed from text, or as it is. */
export function toRunId(value: RunId | string): RunId {
  return value instanceof RunId ? value : RunId.parse(value);
}

/** Whether a run directory exists; a link or a file standing there is an error naming it. */
export async function runDirExists(workspace: Workspace, runDir: string): Promise<boolean> {
  if (await workspace.isDir(runDir)) return true;
  try {
    await workspace.readDir(runDir);
  } catch (error) {
    if (isWorkspaceError(error, "not-found")) return false;
    throw error;
  }
  return true; // Made meanwhile.
}

/** Reads `run.json` with a size cap, naming the file in errors. */
export async function readRunJson(workspace: Workspace, path: string): Promise<RunMetadata> {
  return parseRunMetadata(await workspace.read(path, { maxBytes: MAX_METADATA_BYTES }), path);
}
