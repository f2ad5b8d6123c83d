import { WorkspaceError, type WorkspaceErrorCode } from "./workspace_error.ts";

// Node, Bun and Deno all put the POSIX name on `error.code`.
const BY_ERRNO: Record<string, WorkspaceErrorCode> = {
  ENOENT: "not-found",
  EEXIST: "already-exists",
  EACCES: "permission-denied",
  EPERM: "permission-denied",
  EROFS: "permission-denied",
  ENOSPC: "no-space",
  EDQUOT: "no-space",
  ENOTDIR: "not-a-directory",
  EISDIR: "is-a-directory",
  ENOTEMPTY: "directory-not-empty",
  EMFILE: "too-many-open-files",
  ENFILE: "too-many-open-files",
  ENAMETOOLONG: "invalid-path",
  EINVAL: "invalid-path",
  ELOOP: "invalid-path",
};

/** The errno-style code of a runtime error, if it has one. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Turns whatever a runtime threw into a {@linkcode WorkspaceError} naming
 * the operation and the workspace-relative path; the original is the cause.
 */
export function mapError(error: unknown, operation: string, path: string): WorkspaceError {
  if (error instanceof WorkspaceError) return error;
  if ((error as { name?: unknown } | null)?.name === "NotCapable") {
    return new WorkspaceError("permission-denied", operation, path, {
      cause: error,
      detail: "Deno refused access; grant --allow-read and --allow-write for the workspace root",
    });
  }
  const errno = errnoOf(error);
  const code = errno === undefined ? undefined : BY_ERRNO[errno];
  if (code === undefined) {
    return new WorkspaceError("io", operation, path, {
      cause: error,
      detail: `unexpected system error${errno ? ` ${errno}` : ""}: ${
        (error as Error)?.message ?? String(error)
      }`,
    });
  }
  const detail = errno === "EROFS"
    ? "the file system is read-only; put the workspace on a writable volume"
    : errno === "ELOOP"
    ? "too many symbolic links in the path"
    : undefined;
  return new WorkspaceError(code, operation, path, { cause: error, detail });
}
