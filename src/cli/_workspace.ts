// The workspace the command works in: the adapter of the runtime running
// it, rooted at --root, and the process it acts for.
import process from "node:process";
import type { ProcessHost } from "../process_host.ts";
import type { Workspace } from "../workspace.ts";
import type { FsWorkspace } from "../fs_workspace.ts";
import { RunId } from "../run_id.ts";
import { RunLogError } from "../run_log_error.ts";
import { latestRun } from "../runs/list_runs.ts";
import { UsageError } from "./_usage.ts";

/** The runtime running the command. */
export const RUNTIME = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

/** The real workspace of this runtime at `root`. */
export async function workspaceAt(root: string, host?: ProcessHost): Promise<FsWorkspace> {
  const options = host === undefined ? undefined : { host };
  if (RUNTIME === "deno") {
    return new (await import("../adapters/deno.ts")).DenoWorkspace(root, options);
  }
  if (RUNTIME === "bun") {
    return new (await import("../adapters/bun.ts")).BunWorkspace(root, options);
  }
  return new (await import("../adapters/node.ts")).NodeWorkspace(root, options);
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
