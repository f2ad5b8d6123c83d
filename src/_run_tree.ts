// A run directory's tree, as packing and shipping read it, listed through
// the Workspace, links and special files set aside (never followed, never
// opened).
import type { Workspace } from "./workspace.ts";
import { HARD_LINK_SKIPPED, isWorkspaceError } from "./_workspace_checks.ts";

/** Something of the run left out, and why. */
export interface SkippedPath {
  /** Relative to the run directory. */
  path: string;
  reason: string;
}

/** A directory or regular file of the run, relative to the run directory. */
export interface TreeEntry {
  rel: string;
  kind: "dir" | "file";
}

/** The run's tree, parents before children, `run.json` first. */
export interface RunTree {
  entries: TreeEntry[];
  skipped: SkippedPath[];
}

/** Why an entry of `code` (a workspace error) is not packed; undefined to fail the pack. */
export function vanishedReason(error: unknown): string | undefined {
  if (isWorkspaceError(error, "not-found")) return "removed while the run was being packed";
  if (isWorkspaceError(error, "symlink")) {
    return "a symbolic link (put in place while packing), never followed";
  }
  if (isWorkspaceError(error, "hard-link")) return HARD_LINK_SKIPPED;
  if (isWorkspaceError(error, "not-a-regular-file", "is-a-directory", "not-a-directory")) {
    return "replaced by something else while the run was being packed";
  }
  return undefined;
}

/**
 * Lists the run directory `runDir`; a top-level name in `reserved` (one
 * the caller writes itself, such as a pack's manifest) is left out with
 * the reason given.
 */
export async function listRunTree(
  ws: Workspace,
  runDir: string,
  reserved: ReadonlyMap<string, string> = new Map(),
): Promise<RunTree> {
  const tree: RunTree = { entries: [], skipped: [] };
  await walk(ws, runDir, "", tree, reserved);
  // run.json first: a reader of the archive's head sees what the run is.
  const at = tree.entries.findIndex((e) => e.rel === "run.json" && e.kind === "file");
  if (at > 0) tree.entries.unshift(...tree.entries.splice(at, 1));
  return tree;
}

async function walk(
  ws: Workspace,
  runDir: string,
  rel: string,
  tree: RunTree,
  reserved: ReadonlyMap<string, string>,
): Promise<void> {
  let entries;
  try {
    entries = await ws.readDir(rel === "" ? runDir : `${runDir}/${rel}`);
  } catch (error) {
    const reason = rel === "" ? undefined : vanishedReason(error);
    if (reason === undefined) throw error;
    tree.skipped.push({ path: rel, reason });
    return;
  }
  for (const entry of entries) {
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (rel === "" && reserved.has(entry.name)) {
      tree.skipped.push({ path, reason: reserved.get(entry.name)! });
    } else if (entry.isSymlink) {
      tree.skipped.push({ path, reason: "a symbolic link, never followed" });
    } else if (entry.isDir) {
      tree.entries.push({ rel: path, kind: "dir" });
      await walk(ws, runDir, path, tree, reserved);
    } else if (entry.isFile) {
      tree.entries.push({ rel: path, kind: "file" });
    } else {
      tree.skipped.push({ path, reason: "a special file (FIFO, socket or device), never opened" });
    }
  }
}
