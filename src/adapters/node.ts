/**
 * The Node.js filesystem adapter, on `node:fs`.
 *
 * @example Resuming the run a checkpoint names, or creating one, in a directory a team shares
 * ```ts ignore
 * import { readFile, writeFile } from "node:fs/promises";
 * import { RunLogContext } from "@ralph/runlog";
 * import { NodeWorkspace } from "@ralph/runlog/node";
 *
 * const ws = new NodeWorkspace(process.cwd(), { mode: "group" }); // 0750 and 0640
 * const saved = await readFile("checkpoint.txt", "utf8").catch(() => undefined);
 * const ctx = saved === undefined
 *   ? await RunLogContext.create(ws)
 *   : await RunLogContext.resume(ws, saved.trim()); // refuses a tampered id
 * await writeFile("checkpoint.txt", ctx.runId.toString());
 * // …the pipeline, then: await ctx.close({ status: "succeeded" });
 * ```
 *
 * @module
 */
import { resolve } from "node:path";
import { FsWorkspace, type WorkspaceOptions } from "../fs_workspace.ts";
import { nodeDriver } from "./_node_driver.ts";
import { nodeHost } from "./_node_host.ts";

/**
 * A {@linkcode Workspace} on the real filesystem through `node:fs`. It also
 * runs under Bun and Deno; prefer `BunWorkspace` and `DenoWorkspace` there.
 *
 * @example Creating a run under Node
 * ```ts ignore
 * import { RunLogContext } from "@ralph/runlog";
 * import { NodeWorkspace } from "@ralph/runlog/node";
 *
 * const ctx = await RunLogContext.create(new NodeWorkspace(process.cwd()));
 * console.log(ctx.runDir);
 * ```
 */
export class NodeWorkspace extends FsWorkspace {
  /**
   * Makes a workspace rooted at `root`, resolved against the current
   * directory now, so a later `chdir` does not move it.
   *
   * @param root The root directory.
   * @param options Who may read what the workspace creates.
   */
  constructor(root: string, options?: WorkspaceOptions) {
    super(typeof root === "string" && root !== "" ? resolve(root) : root, nodeDriver, {
      host: nodeHost(),
      ...options,
    });
  }
}
