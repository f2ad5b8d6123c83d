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
  // What O_NOFOLLOW reports for a link, and O_NONBLOCK for a FIFO without a reader.
  ELOOP: "symlink",
  ENXIO: "not-a-regular-file",
  EFBIG: "too-large",
};

const DETAIL_BY_ERRNO: Record<string, string> = {
  EROFS: "the file system is read-only; put the workspace on a writable volume",
  ENAMETOOLONG: "a name in the path is longer than the file system allows (255 bytes)",
  EFBIG: "the file would exceed the largest size the file system allows",
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
  const detail = errno === undefined ? undefined : DETAIL_BY_ERRNO[errno];
  return new WorkspaceError(code, operation, path, { cause: error, detail });
}
