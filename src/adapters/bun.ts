/**
 * The Bun filesystem adapter. Bun's `node:fs` synchronous calls are its
 * fastest path to the system calls runlog needs (`O_NOFOLLOW` and
 * `O_NONBLOCK` opens, one `write(2)` per line), so it shares the Node
 * driver, and checks at construction that it runs under Bun.
 *
 * @example Logging the effects of a run under Bun
 * ```ts ignore
 * import { EventLoopLogger, RunLogContext } from "@ralph/runlog";
 * import { BunWorkspace } from "@ralph/runlog/bun";
 *
 * const ctx = await RunLogContext.create(new BunWorkspace(process.cwd()));
 * const events = await EventLoopLogger.open(ctx);
 * await events.logEffect({ phase: "Planning", effect: "Plan", event: "Planned", durationMs: 812 });
 * await events.close();
 * await ctx.close({ status: "succeeded" });
 * ```
 *
 * @module
 */
import { resolve } from "node:path";
import { FsWorkspace, type WorkspaceOptions } from "../fs_workspace.ts";
import { assertRuntime } from "../_runtime_check.ts";
import { nodeDriver } from "./_node_driver.ts";
import { nodeHost } from "./_node_host.ts";

/**
 * A {@linkcode Workspace} on the real filesystem under Bun.
 *
 * @example Creating a run under Bun
 * ```ts ignore
 * import { RunLogContext } from "@ralph/runlog";
 * import { BunWorkspace } from "@ralph/runlog/bun";
 *
 * const ctx = await RunLogContext.create(new BunWorkspace(process.cwd()));
 * console.log(ctx.runDir);
 * ```
 */
export class BunWorkspace extends FsWorkspace {
  /**
   * Makes a workspace rooted at `root`, resolved against the current
   * directory now.
   *
   * @param root The root directory.
   * @param options Who may read what the workspace creates.
   */
  constructor(root: string, options?: WorkspaceOptions) {
    assertRuntime("BunWorkspace", "Bun", root);
    super(typeof root === "string" && root !== "" ? resolve(root) : root, nodeDriver, {
      host: nodeHost(),
      ...options,
    });
  }
}
