// Which runtime runs the suite, and the real Workspace adapters to test
// under it. Test-only: the library itself never sniffs the runtime.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { Workspace, WorkspaceOptions } from "../mod.ts";
import { NodeWorkspace } from "../src/adapters/node.ts";

export type RuntimeName = "deno" | "bun" | "node";

export const runtime: RuntimeName = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** A real adapter: its name and a factory. */
export interface RealAdapter {
  name: string;
  make(root: string, options?: WorkspaceOptions): Workspace;
}

/**
 * The adapters that run on this runtime: its own, and NodeWorkspace (which
 * Deno and Bun also run through their node:fs support).
 */
export async function realAdapters(): Promise<RealAdapter[]> {
  const adapters: RealAdapter[] = [];
  if (runtime === "deno") {
    const { DenoWorkspace } = await import("../src/adapters/deno.ts");
    adapters.push({
      name: "DenoWorkspace",
      make: (root, options) => new DenoWorkspace(root, options),
    });
  }
  if (runtime === "bun") {
    const { BunWorkspace } = await import("../src/adapters/bun.ts");
    adapters.push({
      name: "BunWorkspace",
      make: (root, options) => new BunWorkspace(root, options),
    });
  }
  adapters.push({
    name: "NodeWorkspace",
    make: (root, options) => new NodeWorkspace(root, options),
  });
  return adapters;
}

/** This runtime's own adapter. */
export async function nativeAdapter(): Promise<RealAdapter> {
  return (await realAdapters())[0];
}

/** A fresh temporary directory named `prefix` + random, removed by the returned disposer. */
export async function tempDir(
  prefix = "runlog-test-",
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** The command line that runs a TypeScript file under this runtime. */
export function scriptCommand(file: string): { command: string; args: string[] } {
  const args = runtime === "deno"
    ? ["run", "--allow-read", "--allow-write", "--allow-env", "--allow-run", "--allow-sys", file]
    : [file];
  return { command: process.execPath, args };
}
