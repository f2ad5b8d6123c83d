// The temporary files of atomic writes: `.<name>.<16 hex>.tmp` beside their
// target, renamed over it once complete. A writer killed in between leaves
// one behind; they are removed where no live writer can still rename them.
import type { Workspace } from "./workspace.ts";
import { randomHex } from "./_bytes.ts";

const TEMP_FILE = /^\..+\.[0-9a-f]{16}\.tmp$/;

/** Whether `name` is the name of such a temporary file. */
export function isTempFile(name: string): boolean {
  return TEMP_FILE.test(name);
}

/** A fresh temporary name for a file named `name`, in the same directory. */
export function tempName(name: string): string {
  return `.${name}.${randomHex(8)}.tmp`;
}

/**
 * Removes the temporary files left in `dir` (not below it) and returns
 * their paths. Call it only where no writer of `dir` is alive.
 */
export async function removeTempFiles(ws: Workspace, dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await ws.readDir(dir)) {
    if (!entry.isDir && isTempFile(entry.name) && await ws.removeIfExists(entry.path)) {
      removed.push(entry.path);
    }
  }
  return removed;
}
