// Batch reads through any Workspace: its own readEach/existsEach when it
// has them, else one call per path with the same answers.
import type { ReadOptions, Workspace } from "./workspace.ts";
import { WorkspaceError } from "./workspace_error.ts";

/** Each file's text, or the WorkspaceError reading it failed with. */
export async function readEach(
  ws: Workspace,
  paths: readonly string[],
  options?: ReadOptions,
): Promise<(string | WorkspaceError)[]> {
  if (ws.readEach !== undefined) return await ws.readEach(paths, options);
  return await oneByOne(paths, (path) => ws.read(path, options));
}

/** Whether anything exists at each path, or the WorkspaceError asking failed with. */
export async function existsEach(
  ws: Workspace,
  paths: readonly string[],
): Promise<(boolean | WorkspaceError)[]> {
  if (ws.existsEach !== undefined) return await ws.existsEach(paths);
  return await oneByOne(paths, (path) => ws.exists(path));
}

async function oneByOne<T>(
  paths: readonly string[],
  call: (path: string) => Promise<T>,
): Promise<(T | WorkspaceError)[]> {
  const answers: (T | WorkspaceError)[] = [];
  for (const path of paths) {
    try {
      answers.push(await call(path));
    } catch (error) {
      // Anything else is a bug or an abort, never one path's answer.
      if (!(error instanceof WorkspaceError)) throw error;
      answers.push(error);
    }
  }
  return answers;
}
