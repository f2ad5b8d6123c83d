/**
 * The semantics of a {@linkcode Workspace} on a filesystem, written once
 * against a small synchronous {@linkcode FsDriver}: the Deno, Node and Bun
 * adapters and `MemoryWorkspace` are drivers plugged into it.
 *
 * Containment is enforced here, for every driver: no symbolic link inside
 * the workspace is ever followed (each directory below the root is checked
 * with `lstat` on the way down), only regular files are opened, and each
 * opened file is checked to be the one that was looked at.
 *
 * @module
 */
import type { DirEntry, ReadOptions, Workspace } from "./workspace.ts";
import type { OpenAppendOptions } from "./workspace.ts";
import type { DriverFile, FileInfo, FileKind, FsDriver, OpenMode } from "./fs_driver.ts";
import { type AppendHandle, appendHandle } from "./append_handle.ts";
import type { ProcessHost } from "./process_host.ts";
import { WorkspaceError } from "./workspace_error.ts";
import {
  assertRange,
  baseName,
  joinPath,
  MAX_SEGMENT_BYTES,
  normalizeEntryPath,
  normalizeWorkspacePath,
  parentOf,
  ROOT,
} from "./_workspace_path.ts";
import { errnoOf, mapError } from "./_map_error.ts";
import { decodeUtf8, utf8Length } from "./_utf8.ts";
import { describeValue } from "./_describe_value.ts";
import { tempName } from "./_temp_files.ts";
import { isWorkspaceError } from "./_workspace_checks.ts";

/**
 * Who may read what a workspace creates; see {@linkcode WorkspaceOptions}.
 *
 * @example The permissions of each mode
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, type SharingMode } from "@ralph/runlog";
 *
 * for (const [mode, expected] of [["private", 0o600], ["group", 0o640]] as const) {
 *   const sharing: SharingMode = mode;
 *   const ws = new MemoryWorkspace("memory:", { mode: sharing });
 *   await ws.write("agent.log", "prompt and reply\n");
 *   assert.equal(ws.driver.lstat(`${ws.root}/agent.log`)?.mode, expected);
 * }
 * ```
 */
export type SharingMode = "private" | "group";

/**
 * Options of the real workspaces (`DenoWorkspace`, `NodeWorkspace`, `BunWorkspace`).
 *
 * @example Run directories a team can read, on a simulated CI machine
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   FsWorkspace,
 *   MemoryDriver,
 *   MemoryHost,
 *   RunLogContext,
 *   type WorkspaceOptions,
 * } from "@ralph/runlog";
 *
 * // As `new NodeWorkspace("/srv/ci", options)` would on the real disk:
 * const options: WorkspaceOptions = { mode: "group", host: new MemoryHost({ hostname: "ci-3" }) };
 * const ws = new FsWorkspace("/srv/ci", new MemoryDriver("/srv/ci"), options);
 * const ctx = await RunLogContext.create(ws);
 * assert.equal(ws.driver.lstat(`/srv/ci/${ctx.runDir}`)?.mode, 0o750);
 * assert.equal((await ctx.readRunMetadata()).sessions?.[0].host, "ci-3");
 * ```
 */
export interface WorkspaceOptions {
  /**
   * The permissions of what the workspace creates. `"private"` (the
   * default): directories 0700 and files 0600, since agent logs hold
   * prompts and keys. `"group"`: 0750 and 0640, for a team sharing a
   * machine through a group. The process's umask still applies.
   */
  mode?: SharingMode;
  /**
   * The processes of this machine, for run leases. The runtime adapters
   * supply their runtime's; replace it only to simulate other processes.
   */
  host?: ProcessHost;
}

const PERMISSIONS: Record<SharingMode, { dir: number; file: number; readonly: number }> = {
  private: { dir: 0o700, file: 0o600, readonly: 0o400 },
  group: { dir: 0o750, file: 0o640, readonly: 0o440 },
};

// A string of more UTF-16 units than this cannot be made (V8's limit).
const MAX_STRING_BYTES = 0x1fff_ffe8;
// Past this many children of one directory on the way to a batch call's
// paths, one listing of it is cheaper than an lstat of each of the rest.
const LISTING_MIN = 8;
// Text files up to this size are read into one reused buffer.
const SCRATCH_BYTES = 64 * 1024;

// What a directory of the workspace is; undefined when nothing is there.
type KindLookup = (p: string) => FileKind | undefined;
const TEMP_SUFFIX_BYTES = ".".length + 16 + ".tmp".length + ".".length;
const encoder = new TextEncoder();

// What an open refused with ENXIO found: a FIFO (or socket) without a reader.
const FIFO: FileInfo = { kind: "fifo", size: 0, mtimeMs: 0, mode: 0, dev: 0, ino: 0 };

const KIND_NAMES: Record<FileKind, string> = {
  file: "a regular file",
  dir: "a directory",
  symlink: "a symbolic link",
  fifo: "a FIFO (named pipe)",
  socket: "a socket",
  device: "a device",
};

/** A unique name beside `path` for a temporary file: `.<name>.<16 hex>.tmp`. */
function tempSibling(p: string): string {
  return joinPath(parentOf(p), tempName(baseName(p)));
}

function assertBytes(value: unknown, operation: string, path: string, what: string): void {
  if (!(value instanceof Uint8Array)) {
    throw new WorkspaceError("invalid-argument", operation, String(path), {
      detail: `${what} must be a Uint8Array, got ${describeValue(value)}`,
    });
  }
}

function assertPaths(paths: unknown, operation: string): void {
  if (!Array.isArray(paths)) {
    throw new WorkspaceError("invalid-argument", operation, "", {
      detail: `paths must be an array of workspace-relative paths, got ${describeValue(paths)}`,
    });
  }
}

function assertText(value: unknown, operation: string, path: string): void {
  if (typeof value !== "string") {
    throw new WorkspaceError("invalid-argument", operation, String(path), {
      detail: `the text must be a string, got ${describeValue(value)}`,
    });
  }
}

/**
 * A {@linkcode Workspace} on a filesystem rooted at one directory, over any
 * {@linkcode FsDriver}. Use the runtime's adapter (`DenoWorkspace`,
 * `NodeWorkspace`, `BunWorkspace`) or `MemoryWorkspace` rather than this
 * class directly, unless you bring a driver of your own.
 *
 * The root itself is trusted (it may be a link, as `/tmp` is on macOS);
 * below it, nothing is ever reached through a symbolic link.
 *
 * @example A workspace over a driver
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsWorkspace, MemoryDriver } from "@ralph/runlog";
 *
 * const ws = new FsWorkspace("memory:", new MemoryDriver("memory:"));
 * await ws.write("notes/today.txt", "hello");
 * assert.equal(await ws.read("notes/today.txt"), "hello");
 * ```
 */
export class FsWorkspace implements Workspace {
  /** The root directory, as the driver names it. */
  readonly root: string;
  /** The filesystem primitives this workspace runs on. */
  readonly driver: FsDriver;
  /** The processes of this machine, for run leases, when known. */
  readonly host?: ProcessHost;
  readonly #permissions: { dir: number; file: number; readonly: number };
  #scratch: Uint8Array | undefined;

  /**
   * Makes a workspace; nothing is touched until the first call.
   *
   * @param root The root directory, absolute for a real filesystem.
   * @param driver The filesystem primitives to use.
   * @param options Who may read what the workspace creates.
   */
  constructor(root: string, driver: FsDriver, options: WorkspaceOptions = {}) {
    if (typeof root !== "string" || root === "" || root.includes("\0")) {
      throw new WorkspaceError("invalid-path", "open workspace", String(root), {
        detail: "the workspace root must be a non-empty path without NUL bytes",
      });
    }
    const mode = options?.mode ?? "private";
    if (!Object.hasOwn(PERMISSIONS, mode)) {
      throw new WorkspaceError("invalid-argument", "open workspace", root, {
        detail: `mode must be "private" or "group", got ${describeValue(mode)}`,
      });
    }
    this.root = root;
    this.driver = driver;
    if (options?.host !== undefined) this.host = options.host;
    this.#permissions = PERMISSIONS[mode];
  }

  /** Reads a UTF-8 text file; invalid UTF-8 is an `"io"` error. */
  read(path: string, options?: ReadOptions): Promise<string> {
    return this.#run("read", path, () => this.#readText(path, options));
  }

  /** Reads a file's bytes. */
  readBytes(path: string, options?: ReadOptions): Promise<Uint8Array> {
    return this.#run(
      "readBytes",
      path,
      () => this.#readAll("readBytes", path, options?.maxBytes ?? Number.MAX_SAFE_INTEGER),
    );
  }

  /**
   * Reads many UTF-8 files in one call, each as {@linkcode FsWorkspace.read}
   * would: a directory above several of them is checked once in the call,
   * and one that many pass through is listed once instead of `lstat`-ing
   * each child. Nothing is trusted from an earlier call.
   */
  readEach(paths: readonly string[], options?: ReadOptions): Promise<(string | WorkspaceError)[]> {
    return this.#each("read", paths, (path, look) => this.#readText(path, options, look));
  }

  /**
   * Whether anything exists at each of many paths, as
   * {@linkcode FsWorkspace.exists} would answer, checked as
   * {@linkcode FsWorkspace.readEach} checks.
   */
  existsEach(paths: readonly string[]): Promise<(boolean | WorkspaceError)[]> {
    return this.#each(
      "exists",
      paths,
      (path, look) => this.#query("exists", path, look) !== undefined,
    );
  }

  /** Writes a text file as UTF-8, creating parent directories. */
  write(path: string, text: string): Promise<void> {
    return this.#run("write", path, () => {
      assertText(text, "write", path);
      this.#writeAll("write", path, encoder.encode(text));
    });
  }

  /** Writes a file's bytes, creating parent directories. */
  writeBytes(path: string, bytes: Uint8Array): Promise<void> {
    return this.#run("writeBytes", path, () => {
      assertBytes(bytes, "writeBytes", path, "bytes");
      this.#writeAll("writeBytes", path, bytes);
    });
  }

  /** Appends bytes, creating the file and its parent directories. */
  appendBytes(path: string, bytes: Uint8Array): Promise<void> {
    return this.#run("appendBytes", path, () => {
      assertBytes(bytes, "appendBytes", path, "bytes");
      const file = this.#openAppend("appendBytes", path, false);
      try {
        writeFully(file, bytes);
      } finally {
        file.close();
      }
    });
  }

  /** Opens a file for appending (one system call per write); never truncates. */
  openAppend(path: string, options: OpenAppendOptions = {}): Promise<AppendHandle> {
    return this.#run("openAppend", path, () => {
      const file = this.#openAppend("openAppend", path, options?.exclusive === true);
      return appendHandle(path, file);
    });
  }

  /** The size of a regular file in bytes. */
  fileSize(path: string): Promise<number> {
    return this.#run("fileSize", path, () => this.#regularFile("fileSize", path).info.size);
  }

  /** Reads up to `length` bytes from `offset`; fewer at the end of the file. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#run("readRange", path, () => {
      assertRange(offset, length, path);
      const { file, info } = this.#openRegular("readRange", path);
      try {
        const size = info.size;
        const buffer = new Uint8Array(Math.min(length, Math.max(0, size - offset)));
        return buffer.subarray(0, readFully(file, buffer, offset));
      } finally {
        file.close();
      }
    });
  }

  /** Whether anything exists at the path; a link counts, and is not followed. */
  exists(path: string): Promise<boolean> {
    return this.#run("exists", path, () => this.#query("exists", path) !== undefined);
  }

  /** Whether a regular file exists at the path (a link to one does not count). */
  isFile(path: string): Promise<boolean> {
    return this.#run("isFile", path, () => this.#query("isFile", path)?.kind === "file");
  }

  /** Whether a directory exists at the path (a link to one does not count). */
  isDir(path: string): Promise<boolean> {
    return this.#run("isDir", path, () => this.#query("isDir", path)?.kind === "dir");
  }

  /** Removes a file, link or special file; a directory is refused. */
  remove(path: string): Promise<void> {
    return this.#run("remove", path, () => void this.#removeFile("remove", path, false));
  }

  /** Removes a file if present. */
  removeIfExists(path: string): Promise<boolean> {
    return this.#run("removeIfExists", path, () => this.#removeFile("removeIfExists", path, true));
  }

  /** Removes a directory tree, never following a link inside it. */
  removeDirAll(path: string): Promise<void> {
    return this.#run(
      "removeDirAll",
      path,
      () => void this.#removeTree("removeDirAll", path, false),
    );
  }

  /** Removes a directory tree if present. */
  removeDirAllIfExists(path: string): Promise<boolean> {
    return this.#run(
      "removeDirAllIfExists",
      path,
      () => this.#removeTree("removeDirAllIfExists", path, true),
    );
  }

  /** Creates a directory and its parents (mode 0700, or 0750 for `"group"`). */
  createDirAll(path: string): Promise<void> {
    return this.#run("createDirAll", path, () => {
      const p = normalizeWorkspacePath(path, "createDirAll");
      if (p === ROOT) return;
      this.#parents("createDirAll", path, p, "create");
      const info = this.#lstat(p);
      if (info === undefined) this.#mkdir("createDirAll", path, p);
      else if (info.kind !== "dir") {
        throw this.#occupied("createDirAll", path, p, info.kind, "already-exists");
      }
    });
  }

  /**
   * Creates one directory exclusively, its parent must exist: `false` when
   * a directory is already there; anything else there is `"already-exists"`.
   */
  createDir(path: string): Promise<boolean> {
    return this.#run("createDir", path, () => {
      const p = normalizeEntryPath(path, "createDir");
      this.#parents("createDir", path, p, "require");
      try {
        this.driver.mkdir(this.#abs(p), this.#permissions.dir);
        return true;
      } catch (error) {
        if (errnoOf(error) !== "EEXIST") throw error;
      }
      const info = this.#lstat(p);
      if (info?.kind === "dir") return false;
      // Occupied by something else: never used, whatever it is.
      throw new WorkspaceError("already-exists", "createDir", path, {
        detail: `'${p}' is ${KIND_NAMES[info?.kind ?? "file"]}, not a directory; move it away`,
      });
    });
  }

  /** Lists a directory, sorted by name; links are reported, never followed. */
  readDir(path: string): Promise<DirEntry[]> {
    return this.#run("readDir", path, () => {
      const p = normalizeWorkspacePath(path, "readDir");
      if (p !== ROOT) {
        this.#parents("readDir", path, p, "require");
        this.#assertDir("readDir", path, p, this.#lstat(p)?.kind);
      }
      const entries = this.driver.readDir(this.#abs(p)).map(({ name, kind }) => ({
        name,
        path: joinPath(p, name),
        isFile: kind === "file",
        isDir: kind === "dir",
        isSymlink: kind === "symlink",
      }));
      return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
  }

  /** Renames a file or directory; a file at `to` is replaced; links are moved, not followed. */
  rename(from: string, to: string): Promise<void> {
    return this.#run("rename", from, () => {
      const source = normalizeEntryPath(from, "rename");
      const target = normalizeEntryPath(to, "rename");
      this.#parents("rename", from, source, "require");
      this.#parents("rename", to, target, "require");
      if (this.#lstat(source) === undefined) {
        throw new WorkspaceError("not-found", "rename", from);
      }
      try {
        this.driver.rename(this.#abs(source), this.#abs(target));
      } catch (error) {
        if (errnoOf(error) !== "EINVAL") throw error;
        throw new WorkspaceError("invalid-path", "rename", to, {
          cause: error,
          detail: `cannot move '${from}' into itself`,
        });
      }
    });
  }

  /**
   * Replaces a file atomically: a uniquely named temp file (same mode as
   * new files) in the same directory is written, flushed to disk and
   * renamed over the target; on any failure the temp file is removed. A
   * link at the target is replaced, never written through.
   */
  writeAtomic(path: string, content: string | Uint8Array): Promise<void> {
    return this.#run("writeAtomic", path, () => {
      if (typeof content !== "string") assertBytes(content, "writeAtomic", path, "content");
      const bytes = typeof content === "string" ? encoder.encode(content) : content;
      const p = normalizeEntryPath(path, "writeAtomic");
      if (utf8Length(baseName(p)) + TEMP_SUFFIX_BYTES > MAX_SEGMENT_BYTES) {
        throw new WorkspaceError("invalid-path", "writeAtomic", path, {
          detail: `the name is too long for an atomic write, which needs ${TEMP_SUFFIX_BYTES} ` +
            `more bytes for its temp file within ${MAX_SEGMENT_BYTES}; use a shorter name`,
        });
      }
      this.#parents("writeAtomic", path, p, "create");
      const temp = tempSibling(p);
      try {
        const file = this.driver.open(this.#abs(temp), "write-new", this.#permissions.file);
        try {
          writeFully(file, bytes);
          file.sync();
        } finally {
          file.close();
        }
        this.driver.rename(this.#abs(temp), this.#abs(p));
      } catch (error) {
        // The temp file may not exist (it is the failure); the write's own error is the one to report.
        try {
          this.driver.unlink(this.#abs(temp));
        } catch { /* already gone */ }
        throw error;
      }
    });
  }

  /** Makes a file read-only (0400, or 0440 for `"group"`); a missing path is left alone. */
  setReadonly(path: string): Promise<void> {
    return this.#chmod("setReadonly", path, this.#permissions.readonly);
  }

  /** Makes a file writable (0600, or 0640 for `"group"`); a missing path is left alone. */
  setWritable(path: string): Promise<void> {
    return this.#chmod("setWritable", path, this.#permissions.file);
  }

  #abs(p: string): string {
    if (p === ROOT) return this.root;
    return this.root.endsWith("/") ? this.root + p : `${this.root}/${p}`;
  }

  // Answers each path of a batch call: the body's result, or the error it
  // failed with under that path; the directories above are learned once.
  #each<T>(
    operation: string,
    paths: readonly string[],
    body: (path: string, look: KindLookup) => T,
  ): Promise<(T | WorkspaceError)[]> {
    return this.#run(`${operation}Each`, "", () => {
      assertPaths(paths, `${operation}Each`);
      const look = this.#batchLookup();
      return paths.map((path) => {
        try {
          return body(path, look);
        } catch (error) {
          return mapError(error, operation, String(path));
        }
      });
    });
  }

  // Runs a synchronous body and answers through a promise, with every
  // failure mapped into the shared vocabulary under the caller's path.
  #run<T>(operation: string, path: string, body: () => T): Promise<T> {
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(mapError(error, operation, String(path)));
    }
  }

  #lstat(p: string): FileInfo | undefined {
    return this.driver.lstat(this.#abs(p));
  }

  readonly #lookup: KindLookup = (p) => this.#lstat(p)?.kind;

  /**
   * What the directories above a batch call's paths are, each learned once
   * in the call: by `lstat`, until {@linkcode LISTING_MIN} children of one
   * directory have been looked at; then by one listing of that directory.
   * Directories are still looked at top down, each before what is below it.
   */
  #batchLookup(): KindLookup {
    const known = new Map<string, FileKind | undefined>();
    const looked = new Map<string, number>();
    const listed = new Set<string>();
    const learn = (dir: string, kind: FileKind | undefined) => {
      known.set(dir, kind);
      return kind;
    };
    return (dir) => {
      const kind = known.get(dir);
      if (kind !== undefined || known.has(dir)) return kind;
      const parent = parentOf(dir);
      // #parents looks top down and stops at anything but a directory, so
      // the parent was just found to be a real directory.
      if (!listed.has(parent)) {
        const count = looked.get(parent) ?? 0;
        if (count < LISTING_MIN) {
          looked.set(parent, count + 1);
          return learn(dir, this.#lstat(dir)?.kind);
        }
        try {
          for (const entry of this.driver.readDir(this.#abs(parent))) {
            known.set(joinPath(parent, entry.name), entry.kind);
          }
          listed.add(parent);
        } catch {
          // Not listable (no read permission): lstat each instead.
          looked.set(parent, -Infinity);
          return learn(dir, this.#lstat(dir)?.kind);
        }
      }
      return learn(dir, known.get(dir));
    };
  }

  /**
   * Checks every directory above `p`, top down: each must be a real
   * directory, never a link. A missing one is created (`"create"`),
   * reported as not-found (`"require"`), or ends the walk (`"query"`, which
   * also takes a file on the way as "nothing there"); returns whether all
   * parents exist. `look` tells what a directory is: `lstat` unless a batch
   * call learned it earlier in the same call.
   */
  #parents(
    operation: string,
    path: string,
    p: string,
    missing: "create" | "require" | "query",
    look: KindLookup = this.#lookup,
  ): boolean {
    for (let slash = p.indexOf("/"); slash !== -1; slash = p.indexOf("/", slash + 1)) {
      const current = p.slice(0, slash);
      const kind = look(current);
      if (kind === undefined) {
        if (missing === "query") return false;
        if (missing === "require") {
          throw new WorkspaceError("not-found", operation, path, {
            detail: `the directory '${current}' does not exist; create it first`,
          });
        }
        this.#mkdir(operation, path, current);
        continue;
      }
      if (missing === "query" && kind !== "dir" && kind !== "symlink") return false;
      this.#assertDir(operation, path, current, kind);
    }
    return true;
  }

  #mkdir(operation: string, path: string, p: string): void {
    try {
      this.driver.mkdir(this.#abs(p), this.#permissions.dir);
    } catch (error) {
      // Another process may have made it meanwhile; anything else there is refused.
      if (errnoOf(error) !== "EEXIST") throw error;
      this.#assertDir(operation, path, p, this.#lstat(p)?.kind);
    }
  }

  #assertDir(operation: string, path: string, p: string, kind: FileKind | undefined): void {
    if (kind === undefined) {
      throw new WorkspaceError("not-found", operation, path, {
        detail: `the directory '${p}' does not exist`,
      });
    }
    if (kind !== "dir") throw this.#occupied(operation, path, p, kind, "not-a-directory");
  }

  // The error for finding `kind` at `p` where something else was expected.
  #occupied(
    operation: string,
    path: string,
    p: string,
    kind: FileKind,
    code: "not-a-directory" | "already-exists" | "is-a-directory",
  ): WorkspaceError {
    if (kind === "symlink") {
      return new WorkspaceError("symlink", operation, path, {
        detail: `'${p}' is a symbolic link, and runlog never follows links inside the ` +
          "workspace (they could lead outside it); replace it with a real directory or file",
      });
    }
    const what = code === "is-a-directory" ? "a regular file" : "a directory";
    return new WorkspaceError(code, operation, path, {
      detail: `'${p}' is ${KIND_NAMES[kind]}, not ${what}; move it away`,
    });
  }

  // What a path names, for the queries: undefined when nothing is there.
  #query(operation: string, path: string, look?: KindLookup): FileInfo | undefined {
    const p = normalizeWorkspacePath(path, operation);
    // The root is trusted: "/." makes lstat follow it when it is a link.
    if (p === ROOT) return this.driver.lstat(`${this.root}/.`);
    if (!this.#parents(operation, path, p, "query", look)) return undefined;
    return this.#lstat(p);
  }

  // A regular file that must exist, with its parents checked.
  #regularFile(
    operation: string,
    path: string,
    look?: KindLookup,
  ): { p: string; info: FileInfo } {
    const p = normalizeWorkspacePath(path, operation);
    if (p === ROOT) throw new WorkspaceError("is-a-directory", operation, path);
    this.#parents(operation, path, p, "require", look);
    const info = this.#lstat(p);
    if (info === undefined) throw new WorkspaceError("not-found", operation, path);
    this.#assertRegular(operation, path, p, info);
    return { p, info };
  }

  #assertRegular(operation: string, path: string, p: string, info: FileInfo): void {
    if (info.kind === "file") {
      if ((info.links ?? 1) > 1) throw hardLink(operation, path, p, info.links!);
      return;
    }
    if (info.kind === "dir") throw this.#occupied(operation, path, p, "dir", "is-a-directory");
    if (info.kind === "symlink") {
      throw this.#occupied(operation, path, p, "symlink", "is-a-directory");
    }
    throw new WorkspaceError("not-a-regular-file", operation, path, {
      detail: `'${p}' is ${KIND_NAMES[info.kind]}, and runlog only opens regular files ` +
        "(opening a FIFO could block forever); move it away",
    });
  }

  // Opens the file that `info` describes, and makes sure it is that very
  // file: a link or a FIFO swapped in after the lstat is refused.
  #openChecked(
    operation: string,
    path: string,
    p: string,
    info: FileInfo,
    mode: OpenMode,
  ): DriverFile {
    const file = this.driver.open(this.#abs(p), mode, this.#permissions.file);
    const opened = file.stat();
    if (opened.kind !== "file" || opened.ino !== info.ino || opened.dev !== info.dev) {
      file.close();
      throw new WorkspaceError("io", operation, path, {
        detail: `'${p}' was replaced while it was being opened (now ${
          KIND_NAMES[opened.kind]
        }); if another process is meddling with the workspace, stop it and try again`,
      });
    }
    if ((opened.links ?? 1) > 1) {
      file.close();
      this.#assertRegular(operation, path, p, opened);
    }
    info.size = opened.size;
    return file;
  }

  // Opens a regular file for reading; `info.size` is its size once open.
  #openRegular(
    operation: string,
    path: string,
    look?: KindLookup,
  ): { file: DriverFile; info: FileInfo } {
    if (!this.driver.opensSafely) {
      const { p, info } = this.#regularFile(operation, path, look);
      return { file: this.#openChecked(operation, path, p, info, "read"), info };
    }
    const p = normalizeWorkspacePath(path, operation);
    if (p === ROOT) throw new WorkspaceError("is-a-directory", operation, path);
    this.#parents(operation, path, p, "require", look);
    return this.#openAsIs(operation, path, p, "read");
  }

  // Opens at once with a driver whose opens never follow a link nor block,
  // then refuses anything but a regular file by what was opened.
  #openAsIs(
    operation: string,
    path: string,
    p: string,
    mode: OpenMode,
  ): { file: DriverFile; info: FileInfo } {
    let file: DriverFile;
    try {
      file = this.driver.open(this.#abs(p), mode, this.#permissions.file);
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === "ELOOP") throw this.#occupied(operation, path, p, "symlink", "is-a-directory");
      if (errno === "EISDIR") throw this.#occupied(operation, path, p, "dir", "is-a-directory");
      if (errno === "ENXIO") this.#assertRegular(operation, path, p, { ...FIFO });
      throw error;
    }
    const info = file.stat();
    if (info.kind !== "file" || (info.links ?? 1) > 1) {
      file.close();
      this.#assertRegular(operation, path, p, info);
    }
    return { file, info };
  }

  // A text file, read into the reused buffer and decoded at once.
  #readText(path: string, options: ReadOptions | undefined, look?: KindLookup): string {
    const bytes = this.#readAll("read", path, options?.maxBytes ?? MAX_STRING_BYTES, look, true);
    return decodeUtf8(bytes, "read", path);
  }

  // A file's bytes; with `scratch`, in a buffer that the next read reuses
  // (for text, decoded at once: listing many runs reads one file per run).
  #readAll(
    operation: string,
    path: string,
    maxBytes: number,
    look?: KindLookup,
    scratch = false,
  ): Uint8Array {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new WorkspaceError("invalid-argument", operation, path, {
        detail: `maxBytes must be a non-negative integer, got ${describeValue(maxBytes)}`,
      });
    }
    const { file, info } = this.#openRegular(operation, path, look);
    try {
      const size = info.size;
      if (size > maxBytes) {
        throw new WorkspaceError("too-large", operation, path, {
          detail: `the file is ${size} bytes, more than the ${maxBytes} this read accepts; ` +
            "move it aside, or read it in parts with readRange",
        });
      }
      // What the file held when opened: a log growing meanwhile is read as it was.
      const buffer = scratch && size <= SCRATCH_BYTES
        ? this.#scratch ??= new Uint8Array(SCRATCH_BYTES)
        : new Uint8Array(size);
      return buffer.subarray(0, readFully(file, buffer.subarray(0, size), 0));
    } finally {
      file.close();
    }
  }

  // Opens a regular file for appending, creating it (exclusively when asked).
  #openAppend(operation: string, path: string, exclusive: boolean): DriverFile {
    return this.#openForWrite(operation, path, exclusive ? "exclusive" : "append");
  }

  #writeAll(operation: string, path: string, bytes: Uint8Array): void {
    const file = this.#openForWrite(operation, path, "replace");
    try {
      writeFully(file, bytes);
    } finally {
      file.close();
    }
  }

  // Opens or creates a regular file for writing, creating parent directories:
  // a new file is made with O_EXCL (which never follows a link), an existing
  // one is checked, opened and checked again. "replace" empties it once
  // it is known to be the right file.
  #openForWrite(
    operation: string,
    path: string,
    how: "exclusive" | "append" | "replace",
  ): DriverFile {
    const p = normalizeEntryPath(path, operation);
    this.#parents(operation, path, p, "create");
    const created = how === "replace" ? "write-new" : "append-new";
    const existing = how === "replace" ? "write" : "append";
    if (this.driver.opensSafely && how !== "exclusive") {
      // Try the file as it is; create it only when it is missing.
      try {
        const { file } = this.#openAsIs(operation, path, p, existing);
        return how === "replace" ? truncated(file) : file;
      } catch (error) {
        if (!isWorkspaceError(error, "not-found") && errnoOf(error) !== "ENOENT") throw error;
      }
    }
    let info = how === "exclusive" ? undefined : this.#lstat(p);
    if (info === undefined) {
      try {
        return this.driver.open(this.#abs(p), created, this.#permissions.file);
      } catch (error) {
        if (errnoOf(error) !== "EEXIST") throw error;
        if (how === "exclusive") {
          const there = this.#lstat(p);
          throw new WorkspaceError("already-exists", operation, path, {
            cause: error,
            detail: `'${p}' already exists${
              there && there.kind !== "file" ? ` (${KIND_NAMES[there.kind]})` : ""
            }; an exclusive open never reuses a file`,
          });
        }
        // Created by another process meanwhile: open it as an existing file.
        info = this.#lstat(p);
        if (info === undefined) throw error;
      }
    }
    this.#assertRegular(operation, path, p, info);
    const file = this.#openChecked(operation, path, p, info, existing);
    return how === "replace" ? truncated(file) : file;
  }

  // The entry a removal is about: undefined when absent and that is fine.
  #toRemove(
    operation: string,
    path: string,
    ifExists: boolean,
  ): { p: string; info: FileInfo } | undefined {
    const p = normalizeEntryPath(path, operation);
    if (!this.#parents(operation, path, p, ifExists ? "query" : "require")) return undefined;
    const info = this.#lstat(p);
    if (info !== undefined) return { p, info };
    if (ifExists) return undefined;
    throw new WorkspaceError("not-found", operation, path);
  }

  #removeFile(operation: string, path: string, ifExists: boolean): boolean {
    const found = this.#toRemove(operation, path, ifExists);
    if (found === undefined) return false;
    const { p, info } = found;
    if (info.kind === "dir") {
      throw new WorkspaceError("is-a-directory", operation, path, {
        detail: "remove takes files; use removeDirAll for a directory",
      });
    }
    this.driver.unlink(this.#abs(p));
    return true;
  }

  #removeTree(operation: string, path: string, ifExists: boolean): boolean {
    const found = this.#toRemove(operation, path, ifExists);
    if (found === undefined) return false;
    const { p, info } = found;
    if (info.kind !== "dir") {
      throw new WorkspaceError("not-a-directory", operation, path, {
        detail: `removeDirAll takes directories, and '${p}' is ${
          KIND_NAMES[info.kind]
        }; use remove (a link is removed itself, never what it points to)`,
      });
    }
    this.#removeContents(p);
    this.driver.rmdir(this.#abs(p));
    return true;
  }

  // Depth first; each directory is checked again right before it is
  // entered, so a link swapped in for it is unlinked, not followed.
  #removeContents(p: string): void {
    for (const entry of this.driver.readDir(this.#abs(p))) {
      const child = joinPath(p, entry.name);
      if (entry.kind === "dir" && this.#lstat(child)?.kind === "dir") {
        this.#removeContents(child);
        this.driver.rmdir(this.#abs(child));
      } else {
        this.driver.unlink(this.#abs(child));
      }
    }
  }

  #chmod(operation: string, path: string, permissions: number): Promise<void> {
    return this.#run(operation, path, () => {
      const p = normalizeEntryPath(path, operation);
      if (!this.#parents(operation, path, p, "query")) return;
      const info = this.#lstat(p);
      if (info === undefined) return;
      // chmod follows links: checking first keeps it on this very file.
      this.#assertRegular(operation, path, p, info);
      this.driver.chmod(this.#abs(p), permissions);
    });
  }
}

// A regular file with another name may be a file outside the workspace
// linked in: reading it would leak it, writing it would change it.
function hardLink(operation: string, path: string, p: string, links: number): WorkspaceError {
  return new WorkspaceError("hard-link", operation, path, {
    detail: `'${p}' is a hard link (the file has ${links} names, and another may be ` +
      "outside the workspace), and runlog never opens such a file; replace it with a copy " +
      "of its own (cp), or remove it",
  });
}

/** Empties a file just opened for replacing; closes it if that fails. */
function truncated(file: DriverFile): DriverFile {
  try {
    file.truncate(0);
  } catch (error) {
    file.close();
    throw error;
  }
  return file;
}

/** Writes all of `bytes`, one system call at a time. */
function writeFully(file: DriverFile, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) {
    const n = file.write(done === 0 ? bytes : bytes.subarray(done));
    if (!(n > 0)) throw new Error(`write made no progress (${n} bytes)`);
    done += n;
  }
}

/** Fills `buffer` from byte `offset`, or up to the end of the file; returns the count. */
function readFully(file: DriverFile, buffer: Uint8Array, offset: number): number {
  let filled = 0;
  while (filled < buffer.length) {
    const n = file.read(filled === 0 ? buffer : buffer.subarray(filled), offset + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled;
}
