// The workspace the command works in: the adapter of the runtime running
// it, rooted at --root, and the process it acts for.
import process from "node:process";
import type { ProcessHost } from "../process_host.ts";
import type { Workspace } from "../workspace.ts";
import type { FsWorkspace } from "../fs_workspace.ts";
import { RunId } from "../run_id.ts";
import { RunLogError } from "../run_log_error.ts";
import { WorkspaceError } from "../workspace_error.ts";
import { latestRun } from "../runs/list_runs.ts";
import { UsageError } from "./_usage.ts";
import { workspaceScope } from "./_workspace_scope.ts";

/** The runtime running the command. */
export const RUNTIME = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

/**
 * The real workspace of this runtime at `root`, which must be a directory:
 * a mistyped --root is named, never taken for a workspace without runs.
 */
export async function workspaceAt(root: string, host?: ProcessHost): Promise<FsWorkspace> {
  // A run store given with --from: read-only, with the Workspace methods these commands use.
  const store = workspaceScope.getStore();
  if (store !== undefined) return store as FsWorkspace;
  const options = host === undefined ? undefined : { host };
  const ws = RUNTIME === "deno"
    ? new (await import("../adapters/deno.ts")).DenoWorkspace(root, options)
    : RUNTIME === "bun"
    ? new (await import("../adapters/bun.ts")).BunWorkspace(root, options)
    : new (await import("../adapters/node.ts")).NodeWorkspace(root, options);
  if (!(await ws.isDir("."))) {
    throw new WorkspaceError("not-found", "open workspace", ws.root, {
      detail: `the workspace root '${ws.root}' is not a directory; pass --root with the ` +
        "directory that holds .agent (your repository), or run the command there",
    });
  }
  return ws;
}

/**
 * The workspace as the process `owner` sees it: commands that continue a
 * run (log, event, close) act for the process that created it with
 * `runlog new`, usually the shell running them, whose lease they share.
 */
export async function workspaceFor(root: string, owner: number): Promise<Workspace> {
  const base = (await workspaceAt(root)).host!;
  if (base.isAlive(owner) === false) {
    throw new UsageError(`--owner ${owner}: no such process on this host`);
  }
  return await workspaceAt(root, {
    ...base,
    pid: owner,
    processStart: (pid) => base.processStart(pid),
    isAlive: (pid) => base.isAlive(pid),
    // The owner refreshes nothing: its lease lasts while it lives.
    every: () => () => {},
  });
}

/** The parent of this process: the shell that runs the command, as a rule. */
export function parentPid(): number {
  return "Deno" in globalThis ? Deno.ppid : process.ppid;
}

/** A run named on the command line: an id, or `latest` (the run started last). */
export async function resolveRun(ws: Workspace, name: string | undefined): Promise<RunId> {
  if (name === undefined) throw new UsageError("name a run: a run id, or latest");
  if (name !== "latest") return RunId.parse(name);
  const latest = await latestRun(ws);
  if (latest === undefined) {
    throw new RunLogError(
      "not-found",
      `there is no run in ${ws.root}/.agent yet; create one with runlog new, or pass --root`,
    );
  }
  return latest.runId;
}
