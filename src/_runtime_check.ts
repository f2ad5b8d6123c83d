import { WorkspaceError } from "./workspace_error.ts";

/**
 * Refuses to build an adapter outside its runtime, at construction rather
 * than at the first filesystem call, naming the adapter to use instead.
 */
export function assertRuntime(adapter: string, global: "Deno" | "Bun", root: unknown): void {
  if (global in globalThis) return;
  const here = "Deno" in globalThis ? "Deno" : "Bun" in globalThis ? "Bun" : "Node";
  const use = here === "Deno"
    ? "DenoWorkspace from @ralph/runlog/deno"
    : here === "Bun"
    ? "BunWorkspace from @ralph/runlog/bun"
    : "NodeWorkspace from @ralph/runlog/node";
  throw new WorkspaceError("invalid-argument", "open workspace", String(root), {
    detail: `${adapter} needs the ${global} runtime, and this is ${here}; use ${use}`,
  });
}
