/**
 * The one error vocabulary of every {@linkcode Workspace}: whatever the
 * runtime, a failed filesystem call comes out as a {@linkcode WorkspaceError}
 * that names the operation, the workspace-relative path and what to do.
 *
 * @module
 */

/**
 * What went wrong, the same across Deno, Bun, Node and `MemoryWorkspace`.
 *
 * @example Deciding what to do about a failed read
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, WorkspaceError, type WorkspaceErrorCode } from "@ralph/runlog";
 *
 * async function readOrEmpty(ws: MemoryWorkspace, path: string): Promise<string> {
 *   try {
 *     return await ws.read(path, { maxBytes: 1 << 20 });
 *   } catch (error) {
 *     if (!(error instanceof WorkspaceError)) throw error;
 *     const code: WorkspaceErrorCode = error.code;
 *     if (code === "not-found") return ""; // not written yet
 *     throw error; // "too-large", "symlink", "permission-denied", …
 *   }
 * }
 * assert.equal(await readOrEmpty(new MemoryWorkspace(), "pipeline.log"), "");
 * ```
 */
export type WorkspaceErrorCode =
  | "not-found"
  | "already-exists"
  | "permission-denied"
  | "no-space"
  | "invalid-path"
  | "invalid-argument"
  | "not-a-directory"
  | "is-a-directory"
  | "directory-not-empty"
  | "too-many-open-files"
  | "symlink"
  | "hard-link"
  | "not-a-regular-file"
  | "too-large"
  | "closed"
  | "io";

const WHAT_TO_DO: Record<WorkspaceErrorCode, string> = {
  "not-found": "check the path, or create it first",
  "already-exists": "choose another name, or remove the existing entry first",
  "permission-denied":
    "check the file permissions (and, under Deno, the --allow-read/--allow-write flags for the workspace root)",
  "no-space": "free disk space or quota on the volume holding the workspace",
  "invalid-path":
    "use a relative POSIX path inside the workspace, without '..', NUL bytes or backslashes",
  "invalid-argument": "check the values passed with the path",
  "not-a-directory": "a file stands where a directory is expected; move it away",
  "is-a-directory": "a directory stands where a file is expected; move it away",
  "directory-not-empty": "remove the directory's contents first",
  "too-many-open-files": "close unused files or raise the open-file limit",
  "symlink":
    "a symbolic link stands in the path, and runlog never follows links inside the workspace (they could lead outside it); replace it with a real directory or file",
  "hard-link":
    "a file with more than one name (a hard link) stands where runlog would open it, and its other name may be outside the workspace; replace it with a copy of its own (cp) or remove it",
  "not-a-regular-file":
    "a FIFO, socket or device stands where a regular file is expected; move it away",
  "too-large": "the file is larger than this read accepts; move it aside or trim it",
  "closed": "the handle is closed; open the file again",
  "io": "see the cause for the underlying system error",
};

/**
 * Options of the {@linkcode WorkspaceError} constructor.
 *
 * @example An error of your own workspace, with its cause and a specific reason
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkspaceError } from "@ralph/runlog";
 *
 * const cause = Object.assign(new Error("EROFS: read-only file system"), { code: "EROFS" });
 * const error = new WorkspaceError("io", "write", "run.json", {
 *   cause,
 *   detail: "the volume is mounted read-only; remount it read-write",
 * });
 * assert.equal(
 *   error.message,
 *   "write 'run.json' failed (io): the volume is mounted read-only; remount it read-write",
 * );
 * assert.equal(error.cause, cause);
 * ```
 */
export interface WorkspaceErrorOptions {
  /** The original error, kept for debugging. */
  cause?: unknown;
  /** A more specific explanation, replacing the generic advice for the code. */
  detail?: string;
}

/**
 * A filesystem failure, normalised across runtimes.
 *
 * @example Telling a missing file apart from other failures
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, WorkspaceError } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * await assert.rejects(
 *   ws.read("missing.txt"),
 *   (error) =>
 *     error instanceof WorkspaceError && error.code === "not-found" && error.path === "missing.txt",
 * );
 * ```
 */
export class WorkspaceError extends Error {
  /** What went wrong, in the shared vocabulary. */
  readonly code: WorkspaceErrorCode;
  /** The workspace operation that failed, such as `"read"` or `"createDir"`. */
  readonly operation: string;
  /** The workspace-relative path the operation was given. */
  readonly path: string;

  /**
   * Builds the error; the message names the operation, the path and what to do.
   *
   * @param code What went wrong.
   * @param operation The workspace operation, such as `"write"`.
   * @param path The workspace-relative path involved.
   * @param options The cause and an optional specific explanation.
   */
  constructor(
    code: WorkspaceErrorCode,
    operation: string,
    path: string,
    options: WorkspaceErrorOptions = {},
  ) {
    super(
      `${operation} '${path}' failed (${code}): ${options.detail ?? WHAT_TO_DO[code]}`,
      { cause: options.cause },
    );
    this.name = "WorkspaceError";
    this.code = code;
    this.operation = operation;
    this.path = path;
  }
}
