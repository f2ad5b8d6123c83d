import { WorkspaceError } from "./workspace_error.ts";
import { utf8Length } from "./_utf8.ts";

/** The longest name one path segment may have on common file systems, in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;

const DOT = 0x2e;

/** The normalised path of the workspace root itself. */
export const ROOT = ".";

/**
 * Checks a workspace-relative path and returns its normal form: segments
 * joined by `/`, without empty or `.` segments; the root is `"."`.
 *
 * Every `Workspace` calls this before touching anything, so that
 * `MemoryWorkspace` and the real adapters refuse exactly the same inputs.
 * Any `..` segment is refused, not only one that escapes: a lexical check
 * cannot know whether `a/..` crosses a symbolic link.
 */
export function normalizeWorkspacePath(path: string, operation: string): string {
  const refuse = (detail: string): never => {
    throw new WorkspaceError("invalid-path", operation, String(path), { detail });
  };
  if (typeof path !== "string") {
    refuse(`expected a string path, got ${typeof path}`);
  }
  if (path.includes("\0")) refuse("the path contains a NUL byte");
  if (path.includes("\\")) {
    refuse("backslashes are refused; separate segments with '/'");
  }
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) {
    refuse(
      "absolute paths are refused; pass a path relative to the workspace root",
    );
  }
  // Most paths are already normal (no empty or "." segment to drop): read
  // segment by segment without splitting.
  let normal = true;
  for (let start = 0; start <= path.length;) {
    let end = path.indexOf("/", start);
    if (end === -1) end = path.length;
    const length = end - start;
    if (length === 0) normal = false;
    else if (length <= 2 && path.charCodeAt(start) === DOT) {
      if (length === 1) normal = false;
      else if (path.charCodeAt(start + 1) === DOT) {
        refuse("'..' segments are refused; a workspace path cannot leave its root");
      }
    } else if (length * 3 > MAX_SEGMENT_BYTES) {
      const segment = path.slice(start, end);
      const bytes = utf8Length(segment);
      if (bytes > MAX_SEGMENT_BYTES) {
        refuse(
          `the name '${segment.slice(0, 40)}…' is ${bytes} bytes long in UTF-8, and file ` +
            `systems allow ${MAX_SEGMENT_BYTES}; use a shorter name`,
        );
      }
    }
    start = end + 1;
  }
  if (normal) return path;
  const kept = path.split("/").filter((s) => s !== "" && s !== ".");
  return kept.length === 0 ? ROOT : kept.join("/");
}

/**
 * Like {@linkcode normalizeWorkspacePath}, but also refuses the root itself:
 * for operations that write, remove or rename an entry.
 */
export function normalizeEntryPath(path: string, operation: string): string {
  const normalized = normalizeWorkspacePath(path, operation);
  if (normalized === ROOT) {
    throw new WorkspaceError("invalid-path", operation, path, {
      detail: "the workspace root itself cannot be the target; name an entry inside it",
    });
  }
  return normalized;
}

/** The parent of a normalised path (`"."` for a top-level entry). */
export function parentOf(normalized: string): string {
  const slash = normalized.lastIndexOf("/");
  return slash === -1 ? ROOT : normalized.slice(0, slash);
}

/** The last segment of a normalised path. */
export function baseName(normalized: string): string {
  return normalized.slice(normalized.lastIndexOf("/") + 1);
}

/** Joins a normalised parent and one segment. */
export function joinPath(parent: string, name: string): string {
  return parent === ROOT ? name : `${parent}/${name}`;
}

/** Checks the `offset` and `length` of a `readRange` call. */
export function assertRange(offset: number, length: number, path: string): void {
  for (const [name, value] of [["offset", offset], ["length", length]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new WorkspaceError("invalid-argument", "readRange", path, {
        detail: `${name} must be a non-negative integer, got ${value}`,
      });
    }
  }
}
