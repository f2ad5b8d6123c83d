/**
 * The `Workspace` contract: every byte runlog reads or writes goes through
 * it, so the core never touches a runtime API.
 *
 * @module
 */
import type { AppendHandle } from "./append_handle.ts";
import type { ProcessHost } from "./process_host.ts";
import type { WorkspaceError } from "./workspace_error.ts";

/**
 * One entry of {@linkcode Workspace.readDir}. Symbolic links are not followed.
 *
 * @example Looking inside a run directory
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * const entries = await ws.readDir(ctx.runDir); // sorted by name
 * const dirs = entries.filter((entry) => entry.isDir).map((entry) => entry.name);
 * assert.deepEqual(dirs, ["agents", "debug", "provider"]);
 * const runJson = entries.find((entry) => entry.name === "run.json");
 * assert.equal(runJson?.path, ctx.runMetadata());
 * assert.equal(runJson?.isFile, true);
 * ```
 */
export interface DirEntry {
  /** The entry's own name. */
  name: string;
  /** The workspace-relative path of the entry. */
  path: string;
  /** Whether the entry is a regular file. */
  isFile: boolean;
  /** Whether the entry is a directory. */
  isDir: boolean;
  /** Whether the entry is a symbolic link (then `isFile` and `isDir` are false). */
  isSymlink: boolean;
}

/**
 * Options of {@linkcode Workspace.read} and {@linkcode Workspace.readBytes}.
 *
 * @example Reading a file only when it is small enough
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, WorkspaceError } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * await ws.write("agent.log", "x".repeat(2048));
 * await assert.rejects(
 *   ws.read("agent.log", { maxBytes: 1024 }),
 *   (error) => error instanceof WorkspaceError && error.code === "too-large",
 * );
 * assert.equal((await ws.readBytes("agent.log", { maxBytes: 4096 })).length, 2048);
 * ```
 */
export interface ReadOptions {
  /**
   * The largest file to read, in bytes: a larger one fails with
   * `"too-large"` before anything is read, so that a huge or hostile file
   * cannot exhaust memory.
   */
  maxBytes?: number;
}

/**
 * Options of {@linkcode Workspace.openAppend}.
 *
 * @example Claiming a file that only one writer may own
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, WorkspaceError } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const mine = await ws.openAppend("worker-1.log", { exclusive: true });
 * await assert.rejects(
 *   ws.openAppend("worker-1.log", { exclusive: true }),
 *   (error) => error instanceof WorkspaceError && error.code === "already-exists",
 * );
 * await mine.write("claimed\n");
 * await mine.close();
 * ```
 */
export interface OpenAppendOptions {
  /** Create the file exclusively: fail with `"already-exists"` when it exists. */
  exclusive?: boolean;
}

/**
 * A filesystem rooted at one directory, addressed by workspace-relative POSIX
 * paths (`".agent/logs-…/run.json"`).
 *
 * Every method refuses, with a `WorkspaceError` of code `"invalid-path"` and
 * before any filesystem call, absolute paths, `..` segments, backslashes,
 * NUL bytes and names longer than 255 bytes. Failures are `WorkspaceError`s
 * with the shared vocabulary. Writes create missing parent directories, as
 * the Rust original does.
 *
 * The real adapters never follow a symbolic link below the root (code
 * `"symlink"`), only open regular files (`"not-a-regular-file"` for a FIFO,
 * socket or device, which could block forever), and create directories
 * 0700 and files 0600 unless asked to share with a group.
 *
 * @example Using any workspace
 * ```ts
 * import { MemoryWorkspace, type Workspace } from "@ralph/runlog";
 *
 * async function touch(ws: Workspace, path: string): Promise<void> {
 *   if (!(await ws.exists(path))) await ws.write(path, "");
 * }
 * await touch(new MemoryWorkspace(), "notes/today.txt");
 * ```
 */
export interface Workspace {
  /** The root directory: absolute for real adapters, a label for memory. */
  readonly root: string;
  /**
   * The processes of this machine, which run leases use to tell a live
   * holder from a crashed one at once. Without it, a lease goes stale only
   * when its heartbeat stops.
   */
  readonly host?: ProcessHost;
  /** Reads a UTF-8 text file. */
  read(path: string, options?: ReadOptions): Promise<string>;
  /** Reads a file's bytes. */
  readBytes(path: string, options?: ReadOptions): Promise<Uint8Array>;
  /**
   * Reads many UTF-8 files in one call, answering each with its text or the
   * `WorkspaceError` its read failed with, in the order asked: one missing
   * or hostile file never fails the others. Optional: runlog reads one file
   * at a time through {@linkcode Workspace.read} where it is missing. The
   * real adapters check a directory above many paths once per call (and
   * list one that many pass through instead of checking each child), which
   * is what makes listing thousands of runs cheap; nothing is trusted from
   * an earlier call.
   *
   * @example Reading every run's metadata at once
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, WorkspaceError } from "@ralph/runlog";
   *
   * const ws = new MemoryWorkspace();
   * await ws.write("runs/a/run.json", "{}");
   * const [a, b] = await ws.readEach(["runs/a/run.json", "runs/b/run.json"]);
   * assert.equal(a, "{}");
   * assert.ok(b instanceof WorkspaceError && b.code === "not-found");
   * ```
   */
  readEach?(paths: readonly string[], options?: ReadOptions): Promise<(string | WorkspaceError)[]>;
  /**
   * Whether anything exists at each of many paths, as
   * {@linkcode Workspace.exists} answers, or the `WorkspaceError` that
   * answer failed with; checked as {@linkcode Workspace.readEach} checks.
   * Optional, like `readEach`.
   *
   * @example Which runs are pinned
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace } from "@ralph/runlog";
   *
   * const ws = new MemoryWorkspace();
   * await ws.write("runs/a/.keep", "");
   * await ws.createDirAll("runs/b");
   * assert.deepEqual(await ws.existsEach(["runs/a/.keep", "runs/b/.keep"]), [true, false]);
   * ```
   */
  existsEach?(paths: readonly string[]): Promise<(boolean | WorkspaceError)[]>;
  /** Writes a text file as UTF-8, replacing it. */
  write(path: string, text: string): Promise<void>;
  /** Writes a file's bytes, replacing it. */
  writeBytes(path: string, bytes: Uint8Array): Promise<void>;
  /** Appends bytes to a file, creating it when missing. */
  appendBytes(path: string, bytes: Uint8Array): Promise<void>;
  /**
   * Opens a file for appending, creating it (and its parents) when missing;
   * never truncates. With `exclusive`, the file must not exist yet: the call
   * fails with `"already-exists"` otherwise, which makes it an atomic claim.
   */
  openAppend(path: string, options?: OpenAppendOptions): Promise<AppendHandle>;
  /** The size of a file in bytes. */
  fileSize(path: string): Promise<number>;
  /**
   * Reads up to `length` bytes of a file from byte `offset`; fewer at the end
   * of the file. Lets a caller read a bounded tail of a large log.
   */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** Whether anything exists at the path; a symbolic link counts, and is not followed. */
  exists(path: string): Promise<boolean>;
  /** Whether a regular file exists at the path (a link to one does not count). */
  isFile(path: string): Promise<boolean>;
  /** Whether a directory exists at the path (a link to one does not count). */
  isDir(path: string): Promise<boolean>;
  /** Removes a file (or a link itself); a directory is refused with `"is-a-directory"`. */
  remove(path: string): Promise<void>;
  /** Removes a file if present; resolves whether it removed one. */
  removeIfExists(path: string): Promise<boolean>;
  /** Removes a directory and everything under it, never following a link. */
  removeDirAll(path: string): Promise<void>;
  /** Removes a directory tree if present; resolves whether it removed one. */
  removeDirAllIfExists(path: string): Promise<boolean>;
  /** Creates a directory and its missing parents; an existing directory is fine. */
  createDirAll(path: string): Promise<void>;
  /**
   * Creates one directory, exclusively and without parents: resolves `true`
   * when this call created it and `false` when a directory was already there.
   * This is the atomic claim that decides who owns a run directory.
   */
  createDir(path: string): Promise<boolean>;
  /** Lists a directory, sorted by name. */
  readDir(path: string): Promise<DirEntry[]>;
  /** Renames a file or directory, replacing an existing file at `to`. */
  rename(from: string, to: string): Promise<void>;
  /**
   * Replaces a file atomically: readers see the old or the new content, never
   * a torn one. Real adapters write a uniquely named temp file
   * (`.<name>.<random>.tmp`) in the same directory, flush it, then rename it
   * over the target, and remove the temp file when anything fails.
   */
  writeAtomic(path: string, content: string | Uint8Array): Promise<void>;
  /** Makes a file read-only (0400, or 0440 when shared with a group); a missing path is left alone. */
  setReadonly(path: string): Promise<void>;
  /** Makes a file writable (0600, or 0640 when shared with a group); a missing path is left alone. */
  setWritable(path: string): Promise<void>;
}
