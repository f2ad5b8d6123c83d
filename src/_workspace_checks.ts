// Questions asked of workspace errors and files in many places.
import type { Workspace } from "./workspace.ts";
import { WorkspaceError, type WorkspaceErrorCode } from "./workspace_error.ts";

/** Whether `error` is a `WorkspaceError` with one of `codes`. */
export function isWorkspaceError(error: unknown, ...codes: WorkspaceErrorCode[]): boolean {
  return error instanceof WorkspaceError && codes.includes(error.code);
}

/** Why a hard-linked file is left out of what is packed, shown or counted. */
export const HARD_LINK_SKIPPED =
  "a hard link (the file has another name, perhaps outside the workspace), never read";

/** The size of the file at `path`, or `undefined` when there is none. */
export async function fileSizeIfExists(ws: Workspace, path: string): Promise<number | undefined> {
  try {
    return await ws.fileSize(path);
  } catch (error) {
    if (isWorkspaceError(error, "not-found")) return undefined;
    throw error;
  }
}
