/**
 * An in-memory {@linkcode Workspace} for fast, deterministic tests.
 *
 * @module
 */
import type { DirEntry, OpenAppendOptions, Workspace } from "./workspace.ts";
import { type AppendHandle, appendHandle } from "./append_handle.ts";
import { WorkspaceError } from "./workspace_error.ts";
import { decodeUtf8 } from "./_utf8.ts";
import {
  assertRange,
  baseName,
  joinPath,
  normalizeEntryPath,
  normalizeWorkspacePath,
  parentOf,
  ROOT,
} from "./_workspace_path.ts";

// A file keeps spare capacity so that appends cost amortised O(length).
type FileEntry = { kind: "file"; buffer: Uint8Array; size: number; readonly: boolean };
type Entry = FileEntry | { kind: "dir" };

function newFile(bytes: Uint8Array): FileEntry {
  return { kind: "file", buffer: bytes.slice(), size: bytes.length, readonly: false };
}

// Writing to a read-only file is refused, as the OS does for a non-root user.
function assertWritable(file: FileEntry, operation: string, path: string): void {
  if (file.readonly) {
    throw new WorkspaceError("permission-denied", operation, path, {
      detail: "the file is read-only; call setWritable first",
    });
  }
}

function appendTo(file: FileEntry, bytes: Uint8Array): void {
  const needed = file.size + bytes.length;
  if (needed > file.buffer.length) {
    const grown = new Uint8Array(Math.max(needed, file.buffer.length * 2, 64));
    grown.set(file.buffer.subarray(0, file.size));
    file.buffer = grown;
  }
  file.buffer.set(bytes, file.size);
  file.size = needed;
}

const encoder = new TextEncoder();

/**
 * A {@linkcode Workspace} held in memory. It normalises and refuses paths
 * exactly like the real adapters and reports the same error codes, so code
 * tested against it behaves the same on disk.
 *
 * @example Creating a run in memory
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * assert.equal(await ws.isDir(`${ctx.runDir}/agents`), true);
 * ```
 */
export class MemoryWorkspace implements Workspace {
  /** A label for the root; nothing on disk. */
  readonly root: string;
  #entries = new Map<string, Entry>([[ROOT, { kind: "dir" }]]);

  /**
   * Makes an empty workspace.
   *
   * @param root A label reported as {@linkcode MemoryWorkspace.root}.
   */
  constructor(root = "memory:") {
    this.root = root;
  }

  /** Reads a UTF-8 text file; invalid UTF-8 is an `"io"` error. */
  async read(path: string): Promise<string> {
    return decodeUtf8(await this.#readBytes(path, "read"), "read", path);
  }

  /** Reads a copy of a file's bytes. */
  readBytes(path: string): Promise<Uint8Array> {
    return this.#readBytes(path, "readBytes");
  }

  #readBytes(path: string, operation: string): Promise<Uint8Array> {
    return this.#run(() => {
      const p = normalizeWorkspacePath(path, operation);
      const file = this.#file(p, operation, path);
      return file.buffer.slice(0, file.size);
    });
  }

  /** Writes a text file as UTF-8. */
  write(path: string, text: string): Promise<void> {
    return this.#put("write", path, encoder.encode(text), false);
  }

  /** Writes a file's bytes. */
  writeBytes(path: string, bytes: Uint8Array): Promise<void> {
    return this.#put("writeBytes", path, bytes, false);
  }

  /** Appends bytes, creating the file when missing. */
  appendBytes(path: string, bytes: Uint8Array): Promise<void> {
    return this.#put("appendBytes", path, bytes, true);
  }

  /**
   * Opens a file for appending. Like an open file descriptor, the handle
   * keeps writing to the file it opened even if that file is removed or
   * replaced meanwhile.
   */
  openAppend(path: string, options: OpenAppendOptions = {}): Promise<AppendHandle> {
    return this.#run(() => {
      const p = this.#writablePath(path, "openAppend");
      let file = this.#entries.get(p) as FileEntry | undefined;
      if (file !== undefined && options.exclusive) {
        throw new WorkspaceError("already-exists", "openAppend", path);
      }
      if (file !== undefined) assertWritable(file, "openAppend", path);
      if (file === undefined) {
        file = newFile(new Uint8Array(0));
        this.#entries.set(p, file);
      }
      const target = file;
      return appendHandle(path, {
        write(data) {
          appendTo(target, data);
          return data.length;
        },
        close() {},
      });
    });
  }

  /** The size of a file in bytes. */
  fileSize(path: string): Promise<number> {
    return this.#run(() =>
      this.#file(normalizeWorkspacePath(path, "fileSize"), "fileSize", path).size
    );
  }

  /** Reads up to `length` bytes from `offset`. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#run(() => {
      const p = normalizeWorkspacePath(path, "readRange");
      assertRange(offset, length, path);
      const file = this.#file(p, "readRange", path);
      const start = Math.min(offset, file.size);
      return file.buffer.slice(start, Math.min(file.size, start + length));
    });
  }

  /** Whether anything exists at the path. */
  exists(path: string): Promise<boolean> {
    return this.#run(() => this.#lookup(normalizeWorkspacePath(path, "exists")) !== undefined);
  }

  /** Whether a file exists at the path. */
  isFile(path: string): Promise<boolean> {
    return this.#run(() => this.#lookup(normalizeWorkspacePath(path, "isFile"))?.kind === "file");
  }

  /** Whether a directory exists at the path. */
  isDir(path: string): Promise<boolean> {
    return this.#run(() => this.#lookup(normalizeWorkspacePath(path, "isDir"))?.kind === "dir");
  }

  /** Removes a file. */
  remove(path: string): Promise<void> {
    return this.#run(() => {
      const p = normalizeEntryPath(path, "remove");
      this.#file(p, "remove", path);
      this.#entries.delete(p);
    });
  }

  /** Removes a file if present. */
  removeIfExists(path: string): Promise<boolean> {
    return this.#run(() => {
      const p = normalizeEntryPath(path, "removeIfExists");
      if (this.#lookup(p) === undefined) return false;
      this.#file(p, "removeIfExists", path);
      return this.#entries.delete(p);
    });
  }

  /** Removes a directory tree. */
  removeDirAll(path: string): Promise<void> {
    return this.#run(() => {
      const p = normalizeEntryPath(path, "removeDirAll");
      this.#dir(p, "removeDirAll", path);
      this.#deleteTree(p);
    });
  }

  /** Removes a directory tree if present. */
  removeDirAllIfExists(path: string): Promise<boolean> {
    return this.#run(() => {
      const p = normalizeEntryPath(path, "removeDirAllIfExists");
      if (this.#lookup(p) === undefined) return false;
      this.#dir(p, "removeDirAllIfExists", path);
      this.#deleteTree(p);
      return true;
    });
  }

  /** Creates a directory and its parents. */
  createDirAll(path: string): Promise<void> {
    return this.#run(() => {
      const p = normalizeWorkspacePath(path, "createDirAll");
      this.#ensureDirs(p, "createDirAll", path, "already-exists");
    });
  }

  /** Creates one directory exclusively; `false` when it already existed. */
  createDir(path: string): Promise<boolean> {
    return this.#run(() => {
      const p = normalizeWorkspacePath(path, "createDir");
      const existing = this.#lookup(p);
      if (existing?.kind === "dir") return false;
      if (existing) throw new WorkspaceError("already-exists", "createDir", path);
      this.#dir(parentOf(p), "createDir", path);
      this.#entries.set(p, { kind: "dir" });
      return true;
    });
  }

  /** Lists a directory, sorted by name. */
  readDir(path: string): Promise<DirEntry[]> {
    return this.#run(() => {
      const p = normalizeWorkspacePath(path, "readDir");
      this.#dir(p, "readDir", path);
      const entries: DirEntry[] = [];
      for (const [key, entry] of this.#entries) {
        if (key === ROOT || parentOf(key) !== p) continue;
        entries.push({
          name: baseName(key),
          path: key,
          isFile: entry.kind === "file",
          isDir: entry.kind === "dir",
          isSymlink: false,
        });
      }
      return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
  }

  /** Renames a file or directory. */
  rename(from: string, to: string): Promise<void> {
    return this.#run(() => {
      const src = normalizeEntryPath(from, "rename");
      const dst = normalizeEntryPath(to, "rename");
      const entry = this.#lookup(src);
      if (entry === undefined) {
        this.#throwMissing(src, "rename", from);
      }
      this.#dir(parentOf(dst), "rename", to);
      if (src === dst) return;
      if (dst.startsWith(`${src}/`)) {
        throw new WorkspaceError("invalid-path", "rename", to, {
          detail: `cannot move '${from}' into itself`,
        });
      }
      const target = this.#lookup(dst);
      if (entry!.kind === "file") {
        if (target?.kind === "dir") {
          throw new WorkspaceError("is-a-directory", "rename", to);
        }
        this.#entries.delete(src);
        this.#entries.set(dst, entry!);
        return;
      }
      if (target?.kind === "file") {
        throw new WorkspaceError("not-a-directory", "rename", to);
      }
      if (target?.kind === "dir") {
        if (this.#hasChildren(dst)) {
          throw new WorkspaceError("directory-not-empty", "rename", to);
        }
        this.#entries.delete(dst);
      }
      for (const [key, value] of [...this.#entries]) {
        if (key === src || key.startsWith(`${src}/`)) {
          this.#entries.delete(key);
          this.#entries.set(dst + key.slice(src.length), value);
        }
      }
    });
  }

  /** Replaces a file atomically (a single map update here). */
  writeAtomic(path: string, content: string | Uint8Array): Promise<void> {
    const bytes = typeof content === "string" ? encoder.encode(content) : content;
    return this.#run(() => {
      const p = this.#writablePath(path, "writeAtomic");
      // Like a rename over the target: a read-only target is replaced.
      this.#entries.set(p, newFile(bytes));
    });
  }

  /** Marks a file read-only; later writes fail with `"permission-denied"`. */
  setReadonly(path: string): Promise<void> {
    return this.#setReadonly(path, "setReadonly", true);
  }

  /** Makes a file writable again. */
  setWritable(path: string): Promise<void> {
    return this.#setReadonly(path, "setWritable", false);
  }

  #setReadonly(path: string, operation: string, readonly: boolean): Promise<void> {
    return this.#run(() => {
      const entry = this.#lookup(normalizeWorkspacePath(path, operation));
      if (entry?.kind === "file") entry.readonly = readonly;
    });
  }

  // Runs synchronously but answers through a promise, so that a thrown
  // error becomes a rejection exactly as with the real adapters.
  #run<T>(body: () => T): Promise<T> {
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #put(
    operation: string,
    path: string,
    bytes: Uint8Array,
    append: boolean,
  ): Promise<void> {
    return this.#run(() => {
      const p = this.#writablePath(path, operation);
      const existing = this.#entries.get(p);
      if (existing?.kind === "file") assertWritable(existing, operation, path);
      if (append && existing?.kind === "file") {
        appendTo(existing, bytes);
      } else {
        this.#entries.set(p, newFile(bytes));
      }
    });
  }

  // A path a file may be written at: not the root, not a directory, with
  // its parent directories created.
  #writablePath(path: string, operation: string): string {
    const p = normalizeEntryPath(path, operation);
    if (this.#lookup(p)?.kind === "dir") {
      throw new WorkspaceError("is-a-directory", operation, path);
    }
    this.#ensureDirs(parentOf(p), operation, path, "not-a-directory");
    return p;
  }

  #lookup(p: string): Entry | undefined {
    return this.#entries.get(p);
  }

  #file(p: string, operation: string, path: string) {
    const entry = this.#entries.get(p);
    if (entry === undefined) this.#throwMissing(p, operation, path);
    if (entry!.kind === "dir") {
      throw new WorkspaceError("is-a-directory", operation, path);
    }
    return entry as FileEntry;
  }

  #dir(p: string, operation: string, path: string): void {
    const entry = this.#entries.get(p);
    if (entry === undefined) this.#throwMissing(p, operation, path);
    if (entry!.kind !== "dir") {
      throw new WorkspaceError("not-a-directory", operation, path);
    }
  }

  // Missing: "not-a-directory" when a file stands for an ancestor, as the
  // operating system reports it, otherwise "not-found".
  #throwMissing(p: string, operation: string, path: string): never {
    for (let a = parentOf(p); a !== ROOT; a = parentOf(a)) {
      if (this.#entries.get(a)?.kind === "file") {
        throw new WorkspaceError("not-a-directory", operation, path);
      }
    }
    throw new WorkspaceError("not-found", operation, path);
  }

  // Creates the directories of `p`; a file standing for `p` itself is
  // reported as `fileAtEnd`, one standing for an ancestor as not-a-directory.
  #ensureDirs(
    p: string,
    operation: string,
    path: string,
    fileAtEnd: "already-exists" | "not-a-directory",
  ): void {
    if (p === ROOT) return;
    let current = ROOT;
    for (const segment of p.split("/")) {
      current = joinPath(current, segment);
      const entry = this.#entries.get(current);
      if (entry === undefined) {
        this.#entries.set(current, { kind: "dir" });
      } else if (entry.kind === "file") {
        const code = current === p ? fileAtEnd : "not-a-directory";
        throw new WorkspaceError(code, operation, path);
      }
    }
  }

  #hasChildren(p: string): boolean {
    for (const key of this.#entries.keys()) {
      if (key.startsWith(`${p}/`)) return true;
    }
    return false;
  }

  #deleteTree(p: string): void {
    for (const key of [...this.#entries.keys()]) {
      if (key === p || key.startsWith(`${p}/`)) this.#entries.delete(key);
    }
  }
}
