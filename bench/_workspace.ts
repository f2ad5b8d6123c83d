// The workspace of the runtime running a benchmark.
import type { Workspace } from "../mod.ts";

export async function workspaceFor(root: string): Promise<Workspace> {
  if ("Deno" in globalThis) {
    return new (await import("../src/adapters/deno.ts")).DenoWorkspace(root);
  }
  if ("Bun" in globalThis) return new (await import("../src/adapters/bun.ts")).BunWorkspace(root);
  return new (await import("../src/adapters/node.ts")).NodeWorkspace(root);
}
