/**
 * The primitives of one runtime's filesystem that {@linkcode FsWorkspace}
 * is written against: a handful of POSIX calls on absolute paths, done
 * synchronously.
 *
 * Synchronous on purpose: a metadata call such as `lstat` takes 1–2 µs
 * done synchronously and 45–65 µs as a promise on every runtime (measured
 * here), and containment checks make several per operation. The bytes of a
 * log line were already written synchronously, one `write(2)` each.
 *
 * @module
 */
import type { AppendTarget } from "./append_handle.ts";

/**
 * What a path names; a symbolic link is reported as itself, never followed.
 *
 * @example A FIFO where a log is expected
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FileKind, MemoryWorkspace, WorkspaceError } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * ws.driver.mkspecial(`${ws.root}/pipeline.log`, "fifo");
 * const kind: FileKind | undefined = ws.driver.lstat(`${ws.root}/pipeline.log`)?.kind;
 * assert.equal(kind, "fifo");
 * await assert.rejects( // opening it could block forever
 *   ws.read("pipeline.log"),
 *   (error) => error instanceof WorkspaceError && error.code === "not-a-regular-file",
 * );
 * ```
 */
export type FileKind = "file" | "dir" | "symlink" | "fifo" | "socket" | "device";

/**
 * What `lstat` (or `fstat`) tells about an entry.
 *
 * @example A file as the driver sees it
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FileInfo, MemoryWorkspace } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * await ws.write("notes.txt", "hello");
 * const info: FileInfo | undefined = ws.driver.lstat(`${ws.root}/notes.txt`);
 * assert.deepEqual([info?.kind, info?.size, info?.mode, info?.links], ["file", 5, 0o600, 1]);
 * assert.equal(ws.driver.lstat(`${ws.root}/missing.txt`), undefined);
 * ```
 */
export interface FileInfo {
  /** The kind of entry. */
  kind: FileKind;
  /** The size in bytes. */
  size: number;
  /** The last modification, in ms since the epoch. */
  mtimeMs: number;
  /** The permission bits (`0o777` at most). */
  mode: number;
  /** The device holding the entry; with `ino`, its identity. */
  dev: number;
  /** The inode number; with `dev`, the entry's identity. */
  ino: number;
  /**
   * How many names (hard links) the entry has; a regular file with more
   * than one may be reachable from outside the workspace. Absent when the
   * platform cannot tell (then taken as 1).
   */
  links?: number;
}

/**
 * How {@linkcode FsDriver.open} opens a file:
 * - `"read"`: read only; the file must exist.
 * - `"write"`: write only, without truncating; the file must exist.
 * - `"append"`: write only with `O_APPEND`; the file must exist.
 * - `"append-new"`: like `"append"`, but creates the file, which must not
 *   exist (`O_CREAT | O_EXCL`, which never follows a link).
 * - `"write-new"`: write only; creates the file, which must not exist.
 *
 * @example Claiming a file with `"append-new"`
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryDriver, type OpenMode } from "@ralph/runlog";
 *
 * const driver = new MemoryDriver("/mem");
 * const mode: OpenMode = "append-new";
 * driver.open("/mem/claim.log", mode, 0o600).close();
 * assert.throws( // a second claim of the same name
 *   () => driver.open("/mem/claim.log", mode, 0o600),
 *   (error) => (error as { code?: string }).code === "EEXIST",
 * );
 * ```
 */
export type OpenMode = "read" | "write" | "append" | "append-new" | "write-new";

/**
 * An open file of an {@linkcode FsDriver}.
 *
 * @example Writing a file, then reading it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DriverFile, MemoryDriver } from "@ralph/runlog";
 *
 * const driver = new MemoryDriver("/mem");
 * const out: DriverFile = driver.open("/mem/a.log", "append-new", 0o600);
 * assert.equal(out.write(new TextEncoder().encode("hello\n")), 6);
 * out.close();
 * const file = driver.open("/mem/a.log", "read", 0);
 * const buffer = new Uint8Array(file.stat().size);
 * assert.equal(file.read(buffer, 0), 6);
 * file.close();
 * assert.equal(new TextDecoder().decode(buffer), "hello\n");
 * ```
 */
export interface DriverFile extends AppendTarget {
  /** What the open file is (`fstat`): the file itself, whatever its path names now. */
  stat(): FileInfo;
  /** Reads into `buffer` from byte `position`; returns the byte count, 0 at the end. */
  read(buffer: Uint8Array, position: number): number;
  /** Cuts the file to `length` bytes. */
  truncate(length: number): void;
  /** Flushes the file's data to the disk. */
  sync(): void;
  /** Releases the file. */
  close(): void;
}

/**
 * The synchronous filesystem primitives of one runtime, on absolute paths.
 * A driver throws the runtime's own errors, with an errno-style `code`
 * (`ENOENT`, `EEXIST`, `ELOOP`, …); {@linkcode FsWorkspace} checks paths,
 * applies the rules and maps the errors.
 *
 * `open` must not follow a symbolic link at the last component
 * (`O_NOFOLLOW`) and must not block on a FIFO (`O_NONBLOCK`) where the
 * runtime allows it; `FsWorkspace` checks each opened file with `stat()`
 * either way.
 *
 * @example A driver that records every open, around another one
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FsDriver, FsWorkspace, MemoryDriver } from "@ralph/runlog";
 *
 * function recording(inner: FsDriver, opens: string[]): FsDriver {
 *   return {
 *     lstat: (path) => inner.lstat(path),
 *     open(path, mode, permissions) {
 *       opens.push(`${mode} ${path}`);
 *       return inner.open(path, mode, permissions);
 *     },
 *     mkdir: (path, permissions) => inner.mkdir(path, permissions),
 *     readDir: (path) => inner.readDir(path),
 *     rename: (from, to) => inner.rename(from, to),
 *     unlink: (path) => inner.unlink(path),
 *     rmdir: (path) => inner.rmdir(path),
 *     chmod: (path, permissions) => inner.chmod(path, permissions),
 *   };
 * }
 * const opens: string[] = [];
 * const ws = new FsWorkspace("/mem", recording(new MemoryDriver("/mem"), opens));
 * await ws.write("notes.txt", "hi");
 * assert.deepEqual(opens, ["write-new /mem/notes.txt"]);
 * ```
 */
export interface FsDriver {
  /**
   * Whether `open` never follows a link at the last component (it fails
   * with `ELOOP`) and never blocks on a FIFO (`O_NOFOLLOW | O_NONBLOCK`).
   * Then `FsWorkspace` opens at once and checks what it got with `stat()`;
   * otherwise it looks with `lstat` first.
   */
  readonly opensSafely?: boolean;
  /**
   * What the path names, without following a link at its end; `undefined`
   * when nothing is there (not an exception: probing for a missing file
   * is common, and exceptions cost several microseconds).
   */
  lstat(path: string): FileInfo | undefined;
  /** Opens a file (see {@linkcode OpenMode}); a created file gets `permissions`. */
  open(path: string, mode: OpenMode, permissions: number): DriverFile;
  /** Creates one directory with `permissions`; `EEXIST` when anything is there. */
  mkdir(path: string, permissions: number): void;
  /** Lists a directory's entries, without following links. */
  readDir(path: string): { name: string; kind: FileKind }[];
  /** Renames an entry, replacing a file at `to`; links are renamed, not followed. */
  rename(from: string, to: string): void;
  /** Removes a file, link or special file. */
  unlink(path: string): void;
  /** Removes an empty directory. */
  rmdir(path: string): void;
  /** Sets the permission bits of the entry at the path. */
  chmod(path: string, permissions: number): void;
}
