/**
 * The Bun filesystem adapter: Bun's own file APIs for whole-file reads and
 * writes, `node:fs` for the rest.
 *
 * @module
 */
import { resolve } from "node:path";
import { FsWorkspace } from "../fs_workspace.ts";
import type { FsDriver } from "../fs_workspace.ts";
import { nodeDriver } from "./_node_driver.ts";

// The part of Bun's global this adapter uses, looked up at call time so
// that importing the module never sniffs the runtime.
interface BunFileApi {
  file(path: string): { bytes(): Promise<Uint8Array> };
  write(path: string, data: Uint8Array): Promise<number>;
}

function bun(): BunFileApi {
  const api = (globalThis as { Bun?: BunFileApi }).Bun;
  if (api === undefined) {
    throw new Error("BunWorkspace needs the Bun runtime; use NodeWorkspace or DenoWorkspace");
  }
  return api;
}

const bunDriver: FsDriver = {
  ...nodeDriver,
  readFile: (path) => bun().file(path).bytes(),
  async writeFile(path, data, append) {
    if (append) return nodeDriver.writeFile(path, data, true);
    await bun().write(path, data);
  },
};

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
   */
  constructor(root: string) {
    super(typeof root === "string" && root !== "" ? resolve(root) : root, bunDriver);
  }
}
