/**
 * The semantics of a {@linkcode Workspace} on a real filesystem, written
 * once against a small {@linkcode FsDriver}; the Deno, Node and Bun adapters
 * are drivers plugged into it.
 *
 * @module
 */
import type { DirEntry, OpenAppendOptions, Workspace } from "./workspace.ts";
import { type AppendHandle, appendHandle, type AppendTarget } from "./append_handle.ts";
import { WorkspaceError } from "./workspace_error.ts";
import {
  assertRange,
  joinPath,
  normalizeEntryPath,
  normalizeWorkspacePath,
  parentOf,
  ROOT,
} from "./_workspace_path.ts";
import { errnoOf, mapError } from "./_map_error.ts";
import { decodeUtf8 } from "./_utf8.ts";

/** What a path names, as an {@linkcode FsDriver} reports it. */
export type FileKind = "file" | "dir" | "symlink" | "other";

/**
 * The primitive operations of one runtime's filesystem, on absolute paths.
 * A driver throws the runtime's own errors (with an errno-style `code`);
 * {@linkcode FsWorkspace} maps them.
 */
export interface FsDriver {
  /** Reads a whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Writes (or appends to) a file, creating it; parents must exist. */
  writeFile(path: string, data: Uint8Array, append: boolean): Promise<void>;
  /** Creates a file that must not exist, with `mode`, writes it, flushes it to disk, closes it. */
  writeNewFile(path: string, data: Uint8Array, mode: number): Promise<void>;
  /** The kind of entry, following symbolic links or not. */
  stat(path: string, followLinks: boolean): Promise<FileKind>;
  /** Removes a file or symbolic link. */
  unlink(path: string): Promise<void>;
  /** Removes a directory and everything below it. */
  removeTree(path: string): Promise<void>;
  /** Creates a directory; with `recursive`, parents too and no error if it exists. */
  mkdir(path: string, recursive: boolean): Promise<void>;
  /** Lists a directory's entries, without following links. */
  readDir(path: string): Promise<{ name: string; kind: FileKind }[]>;
  /** Renames an entry, replacing a file at `to`. */
  rename(from: string, to: string): Promise<void>;
  /** Sets permission bits. */
  chmod(path: string, mode: number): Promise<void>;
  /**
   * Opens a file with `O_APPEND` (and `O_CREAT`, plus `O_EXCL` when
   * `exclusive`), mode 0644 before the umask; parents must exist.
   */
  openAppend(path: string, exclusive: boolean): Promise<AppendTarget>;
  /** The size of the file at `path` (following links). */
  size(path: string): Promise<number>;
  /** Reads up to `length` bytes from `offset`; fewer at the end of the file. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
}

const encoder = new TextEncoder();

function isMissing(error: unknown): boolean {
  const errno = errnoOf(error);
  return errno === "ENOENT" || errno === "ENOTDIR";
}

/** A unique name beside `path` for a temporary file. */
function tempSibling(path: string): string {
  const random = Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const slash = path.lastIndexOf("/");
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${random}.tmp`;
}

/**
 * A {@linkcode Workspace} on a real filesystem, rooted at an absolute path,
 * over any {@linkcode FsDriver}. Use the runtime's adapter (`DenoWorkspace`,
 * `NodeWorkspace`, `BunWorkspace`) rather than this class directly, unless
 * you bring a driver of your own.
 *
 * @example A workspace over a custom driver
 * ```ts ignore
 * import { FsWorkspace, type FsDriver } from "@ralph/runlog";
 *
 * declare const myDriver: FsDriver;
 * const ws = new FsWorkspace("/srv/runs", myDriver);
 * await ws.createDirAll(".agent");
 * ```
 */
export class FsWorkspace implements Workspace {
  /** The absolute root directory. */
  readonly root: string;
  readonly #driver: FsDriver;

  /**
   * Makes a workspace; nothing is touched until the first call.
   *
   * @param root The absolute root directory.
   * @param driver The filesystem primitives to use.
   */
  constructor(root: string, driver: FsDriver) {
    if (typeof root !== "string" || root === "" || root.includes("\0")) {
      throw new WorkspaceError("invalid-path", "open workspace", String(root), {
        detail: "the workspace root must be a non-empty path without NUL bytes",
      });
    }
    this.root = root;
    this.#driver = driver;
  }

  /** Reads a UTF-8 text file; invalid UTF-8 is an `"io"` error. */
  async read(path: string): Promise<string> {
    return decodeUtf8(await this.#readBytes(path, "read"), "read", path);
  }

  /** Reads a file's bytes. */
  readBytes(path: string): Promise<Uint8Array> {
    return this.#readBytes(path, "readBytes");
  }

  /** Writes a text file as UTF-8, creating parent directories. */
  write(path: string, text: string): Promise<void> {
    return this.#write("write", path, encoder.encode(text), false);
  }

  /** Writes a file's bytes, creating parent directories. */
  writeBytes(path: string, bytes: Uint8Array): Promise<void> {
    return this.#write("writeBytes", path, bytes, false);
  }

  /** Appends bytes, creating the file and its parent directories. */
  appendBytes(path: string, bytes: Uint8Array): Promise<void> {
    return this.#write("appendBytes", path, bytes, true);
  }

  /** Opens a file for appending (one system call per write); never truncates. */
  openAppend(path: string, options: OpenAppendOptions = {}): Promise<AppendHandle> {
    return this.#call("openAppend", path, true, async (abs, p) => {
      let target: AppendTarget | undefined;
      await this.#withParents(p, async () => {
        target = await this.#driver.openAppend(abs, options.exclusive ?? false);
      });
      return appendHandle(path, target!);
    });
  }

  /** The size of a file in bytes. */
  fileSize(path: string): Promise<number> {
    return this.#call("fileSize", path, false, (abs) => this.#driver.size(abs));
  }

  /** Reads up to `length` bytes from `offset`. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#call("readRange", path, false, (abs) => {
      assertRange(offset, length, path);
      return this.#driver.readRange(abs, offset, length);
    });
  }

  /** Whether anything exists at the path. */
  async exists(path: string): Promise<boolean> {
    return (await this.#kind("exists", path, true)) !== undefined;
  }

  /** Whether a regular file exists at the path. */
  async isFile(path: string): Promise<boolean> {
    return (await this.#kind("isFile", path, true)) === "file";
  }

  /** Whether a directory exists at the path. */
  async isDir(path: string): Promise<boolean> {
    return (await this.#kind("isDir", path, true)) === "dir";
  }

  /** Removes a file (or a symbolic link); a directory is refused. */
  async remove(path: string): Promise<void> {
    await this.#removeFile("remove", path, false);
  }

  /** Removes a file if present. */
  removeIfExists(path: string): Promise<boolean> {
    return this.#removeFile("removeIfExists", path, true);
  }

  /** Removes a directory tree; a file or symbolic link is refused. */
  async removeDirAll(path: string): Promise<void> {
    await this.#removeTree("removeDirAll", path, false);
  }

  /** Removes a directory tree if present. */
  removeDirAllIfExists(path: string): Promise<boolean> {
    return this.#removeTree("removeDirAllIfExists", path, true);
  }

  /** Creates a directory and its parents. */
  createDirAll(path: string): Promise<void> {
    return this.#call("createDirAll", path, false, (abs) => this.#driver.mkdir(abs, true));
  }

  /** Creates one directory exclusively; `false` when a directory was already there. */
  createDir(path: string): Promise<boolean> {
    return this.#call("createDir", path, false, async (abs) => {
      try {
        await this.#driver.mkdir(abs, false);
        return true;
      } catch (error) {
        if (errnoOf(error) === "EEXIST" && await this.#driver.stat(abs, true) === "dir") {
          return false;
        }
        throw error;
      }
    });
  }

  /** Lists a directory, sorted by name; links are reported, not followed. */
  readDir(path: string): Promise<DirEntry[]> {
    return this.#call("readDir", path, false, async (abs, p) => {
      const entries = (await this.#driver.readDir(abs)).map(({ name, kind }) => ({
        name,
        path: joinPath(p, name),
        isFile: kind === "file",
        isDir: kind === "dir",
        isSymlink: kind === "symlink",
      }));
      return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
  }

  /** Renames a file or directory; a file at `to` is replaced. */
  rename(from: string, to: string): Promise<void> {
    return this.#call(
      "rename",
      from,
      true,
      (abs) => this.#driver.rename(abs, this.#abs(normalizeEntryPath(to, "rename"))),
    );
  }

  /**
   * Replaces a file atomically: a uniquely named temp file (mode 0600) in the
   * same directory is written, flushed to disk and renamed over the target;
   * on any failure the temp file is removed.
   */
  writeAtomic(path: string, content: string | Uint8Array): Promise<void> {
    const bytes = typeof content === "string" ? encoder.encode(content) : content;
    return this.#call("writeAtomic", path, true, async (abs, p) => {
      const temp = tempSibling(abs);
      try {
        await this.#withParents(p, () => this.#driver.writeNewFile(temp, bytes, 0o600));
        await this.#driver.rename(temp, abs);
      } catch (error) {
        // The temp file may not exist (it is the failure); the write's own error is the one to report.
        await this.#driver.unlink(temp).catch(() => {});
        throw error;
      }
    });
  }

  /** Makes a file read-only (0444); a missing path is left alone. */
  setReadonly(path: string): Promise<void> {
    return this.#chmod("setReadonly", path, 0o444);
  }

  /** Makes a file writable (0644); a missing path is left alone. */
  setWritable(path: string): Promise<void> {
    return this.#chmod("setWritable", path, 0o644);
  }

  #abs(p: string): string {
    if (p === ROOT) return this.root;
    return this.root.endsWith("/") ? this.root + p : `${this.root}/${p}`;
  }

  // Checks the path, runs `body` on its absolute form, and maps any failure
  // into the shared vocabulary with the caller's path.
  async #call<T>(
    operation: string,
    path: string,
    entryOnly: boolean,
    body: (abs: string, normalized: string) => Promise<T>,
  ): Promise<T> {
    const p = entryOnly
      ? normalizeEntryPath(path, operation)
      : normalizeWorkspacePath(path, operation);
    try {
      return await body(this.#abs(p), p);
    } catch (error) {
      throw mapError(error, operation, path);
    }
  }

  // Runs a write; when its parent directory is missing, creates it and
  // tries once more (the common case costs a single call).
  async #withParents(p: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (errnoOf(error) !== "ENOENT") throw error;
      await this.#driver.mkdir(this.#abs(parentOf(p)), true);
      await write();
    }
  }

  #readBytes(path: string, operation: string): Promise<Uint8Array> {
    return this.#call(operation, path, false, (abs) => this.#driver.readFile(abs));
  }

  #write(operation: string, path: string, bytes: Uint8Array, append: boolean): Promise<void> {
    return this.#call(
      operation,
      path,
      true,
      (abs, p) => this.#withParents(p, () => this.#driver.writeFile(abs, bytes, append)),
    );
  }

  #kind(operation: string, path: string, followLinks: boolean): Promise<FileKind | undefined> {
    return this.#call(operation, path, false, async (abs) => {
      try {
        return await this.#driver.stat(abs, followLinks);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  #removeFile(operation: string, path: string, ifExists: boolean): Promise<boolean> {
    return this.#call(operation, path, true, async (abs) => {
      const kind = await this.#lstatOrUndefined(abs, ifExists);
      if (kind === undefined) return false;
      if (kind === "dir") {
        throw new WorkspaceError("is-a-directory", operation, path, {
          detail: "remove takes files; use removeDirAll for a directory",
        });
      }
      await this.#driver.unlink(abs);
      return true;
    });
  }

  #removeTree(operation: string, path: string, ifExists: boolean): Promise<boolean> {
    return this.#call(operation, path, true, async (abs) => {
      const kind = await this.#lstatOrUndefined(abs, ifExists);
      if (kind === undefined) return false;
      if (kind !== "dir") {
        // A link is never followed: removing through it could leave the root.
        throw new WorkspaceError("not-a-directory", operation, path, {
          detail: `removeDirAll takes directories, and this is a ${kind}; use remove`,
        });
      }
      await this.#driver.removeTree(abs);
      return true;
    });
  }

  async #lstatOrUndefined(abs: string, missingIsFine: boolean): Promise<FileKind | undefined> {
    try {
      return await this.#driver.stat(abs, false);
    } catch (error) {
      if (missingIsFine && isMissing(error)) return undefined;
      throw error;
    }
  }

  #chmod(operation: string, path: string, mode: number): Promise<void> {
    return this.#call(operation, path, false, async (abs) => {
      try {
        await this.#driver.chmod(abs, mode);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    });
  }
}
