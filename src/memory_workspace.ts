/**
 * An in-memory {@linkcode Workspace} for fast, deterministic tests.
 *
 * @module
 */
import { FsWorkspace, type WorkspaceOptions } from "./fs_workspace.ts";
import { MemoryDriver } from "./memory_driver.ts";
import { MemoryHost } from "./process_host.ts";

/**
 * Options of the {@linkcode MemoryWorkspace} constructor.
 *
 * @example Two processes of one machine sharing the files of a run
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryHost, MemoryWorkspace, RunLogContext, RunLogError } from "@ralph/runlog";
 *
 * const first = new MemoryWorkspace();
 * const second = new MemoryWorkspace(first.root, {
 *   driver: first.driver, // the same files
 *   host: new MemoryHost({ pid: 2, alive: first.host.alive }), // the same machine
 * });
 * const ctx = await RunLogContext.create(first);
 * await assert.rejects(
 *   RunLogContext.resume(second, ctx.runId.toString()),
 *   (error) => error instanceof RunLogError && error.code === "lease-held",
 * );
 * await ctx.close();
 * ```
 */
export interface MemoryWorkspaceOptions extends WorkspaceOptions {
  /** The simulated processes; default a fresh {@linkcode MemoryHost}. */
  host?: MemoryHost;
  /** The file tree to share with another workspace; default a fresh one. */
  driver?: MemoryDriver;
}

/**
 * A {@linkcode Workspace} held in memory: {@linkcode FsWorkspace} over a
 * {@linkcode MemoryDriver}, so paths, links, modes and error codes follow
 * exactly the rules of the real adapters, without touching the disk.
 *
 * @example Creating a run in memory
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * assert.equal(await ws.isDir(`${ctx.runDir}/agents`), true);
 * ```
 */
export class MemoryWorkspace extends FsWorkspace {
  /** The file tree, for planting links and special files in tests. */
  declare readonly driver: MemoryDriver;
  /** The simulated processes: tests start and kill them, and fire timers. */
  declare readonly host: MemoryHost;

  /**
   * Makes an empty workspace.
   *
   * @param root A label for the root, reported as {@linkcode MemoryWorkspace.root}.
   * @param options Who may read what the workspace creates (modes are kept
   * in memory), and the simulated processes (default: a fresh `MemoryHost`).
   */
  constructor(root = "memory:", options?: MemoryWorkspaceOptions) {
    super(root, options?.driver ?? new MemoryDriver(root), { host: new MemoryHost(), ...options });
  }

  /**
   * Another view of the same files, as a second process (with its own
   * simulated host) would see them: for tests of leases and races.
   *
   * @param host The other process.
   * @returns A workspace sharing this one's file tree.
   */
  asProcess(host: MemoryHost): MemoryWorkspace {
    return new MemoryWorkspace(this.root, { host, driver: this.driver });
  }
}
