/**
 * An in-memory {@linkcode FsDriver}: a small POSIX-like file tree with
 * inodes, permission bits, symbolic links and FIFOs, so that tests can
 * plant what an attacker or a crash would leave, and `MemoryWorkspace`
 * obeys exactly the rules of the real adapters (they live once, in
 * `FsWorkspace`).
 *
 * @module
 */
import type { DriverFile, FileInfo, FileKind, FsDriver, OpenMode } from "./fs_driver.ts";

type Common = { ino: number; mode: number; mtimeMs: number };
type FileNode = Common & { kind: "file"; buffer: Uint8Array; size: number; links: number };
type DirNode = Common & { kind: "dir"; children: Map<string, Node> };
type OtherNode =
  | Common & { kind: "symlink"; target: string }
  | Common & {
    kind: "fifo" | "socket" | "device";
  };
type Node = FileNode | DirNode | OtherNode;

// Errors as the runtimes throw them: an errno name on `code`.
function fail(code: string, path: string): never {
  throw Object.assign(new Error(`${code}: ${path}`), { code });
}

/**
 * A file tree in memory, addressed by absolute paths below its root label.
 * Besides the {@linkcode FsDriver} calls it can plant symbolic links and
 * special files, for tests of hostile workspaces.
 *
 * @example Planting a symbolic link that runlog refuses to follow
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, WorkspaceError } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * ws.driver.symlink("/etc", `${ws.root}/.agent`);
 * await assert.rejects(
 *   ws.write(".agent/x.log", "hi"),
 *   (error) => error instanceof WorkspaceError && error.code === "symlink",
 * );
 * ```
 */
export class MemoryDriver implements FsDriver {
  /** The label every absolute path of this driver starts with. */
  readonly root: string;
  /** Opens refuse links (`ELOOP`) and never block, like `O_NOFOLLOW | O_NONBLOCK`. */
  readonly opensSafely = true;
  #tree: DirNode;
  #nextIno = 1;

  /**
   * Makes an empty tree.
   *
   * @param root The label of the root directory, such as `"memory:"`.
   */
  constructor(root = "memory:") {
    this.root = root;
    this.#tree = this.#node({ kind: "dir" as const, children: new Map() }, 0o755);
  }

  /** What the path names, without following a link at its end; `undefined` when nothing. */
  lstat(path: string): FileInfo | undefined {
    try {
      return this.#info(this.#lookup(path));
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Opens a file; links at the end are refused (`ELOOP`), FIFOs never block. */
  open(path: string, mode: OpenMode, permissions: number): DriverFile {
    const { parent, name } = this.#parent(path);
    let node = parent.children.get(name);
    if (mode === "append-new" || mode === "write-new") {
      if (node !== undefined) fail("EEXIST", path);
      node = this.#node(
        { kind: "file" as const, buffer: new Uint8Array(0), size: 0, links: 1 },
        permissions,
      );
      parent.children.set(name, node);
    }
    if (node === undefined) fail("ENOENT", path);
    if (node.kind === "symlink") fail("ELOOP", path);
    if (node.kind === "dir" && mode !== "read") fail("EISDIR", path);
    // A FIFO without a reader refuses a non-blocking writer.
    if (node.kind === "fifo" && mode !== "read") fail("ENXIO", path);
    if (mode !== "read" && node.kind === "file" && (node.mode & 0o200) === 0) {
      fail("EACCES", path);
    }
    return this.#handle(node, mode === "append" || mode === "append-new", path);
  }

  /** Creates one directory. */
  mkdir(path: string, permissions: number): void {
    const { parent, name } = this.#parent(path);
    if (parent.children.has(name)) fail("EEXIST", path);
    parent.children.set(
      name,
      this.#node({ kind: "dir" as const, children: new Map() }, permissions),
    );
  }

  /** Lists a directory. */
  readDir(path: string): { name: string; kind: FileKind }[] {
    const dir = this.#lookup(path);
    if (dir.kind !== "dir") fail("ENOTDIR", path);
    return [...dir.children].map(([name, node]) => ({ name, kind: node.kind }));
  }

  /** Renames an entry with the POSIX rules. */
  rename(from: string, to: string): void {
    const source = this.#parent(from);
    const node = source.parent.children.get(source.name);
    if (node === undefined) fail("ENOENT", from);
    const target = this.#parent(to);
    const existing = target.parent.children.get(target.name);
    if (existing === node) return;
    if (node.kind === "dir") {
      for (let dir: DirNode | undefined = target.parent; dir;) {
        if (dir === node) fail("EINVAL", to); // Into itself.
        dir = this.#parentOf(dir);
      }
      if (existing !== undefined && existing.kind !== "dir") fail("ENOTDIR", to);
      if (existing?.kind === "dir" && existing.children.size > 0) fail("ENOTEMPTY", to);
    } else if (existing?.kind === "dir") {
      fail("EISDIR", to);
    }
    if (existing?.kind === "file") existing.links--;
    source.parent.children.delete(source.name);
    target.parent.children.set(target.name, node);
  }

  /** Removes anything but a directory. */
  unlink(path: string): void {
    const { parent, name } = this.#parent(path);
    const node = parent.children.get(name);
    if (node === undefined) fail("ENOENT", path);
    if (node.kind === "dir") fail("EISDIR", path);
    if (node.kind === "file") node.links--;
    parent.children.delete(name);
  }

  /** Removes an empty directory. */
  rmdir(path: string): void {
    const { parent, name } = this.#parent(path);
    const node = parent.children.get(name);
    if (node === undefined) fail("ENOENT", path);
    if (node.kind !== "dir") fail("ENOTDIR", path);
    if (node.children.size > 0) fail("ENOTEMPTY", path);
    parent.children.delete(name);
  }

  /** Sets the permission bits. */
  chmod(path: string, permissions: number): void {
    this.#lookup(path).mode = permissions & 0o777;
  }

  /**
   * Plants a symbolic link at `path` pointing to `target` (which is only
   * recorded: this driver never follows links).
   *
   * @param target What the link points to.
   * @param path The absolute path of the new link.
   */
  symlink(target: string, path: string): void {
    this.#plant(path, { kind: "symlink", target });
  }

  /**
   * Plants a special file at `path`: a FIFO (which a real `open` would
   * block on), a socket or a device.
   *
   * @param path The absolute path of the new entry.
   * @param kind What to plant.
   */
  mkspecial(path: string, kind: "fifo" | "socket" | "device" = "fifo"): void {
    this.#plant(path, { kind });
  }

  /**
   * Plants a hard link: a second name at `path` for the regular file at
   * `existing`, sharing its content (as `ln` without `-s` does).
   *
   * @param existing The absolute path of a regular file.
   * @param path The absolute path of the new name.
   */
  link(existing: string, path: string): void {
    const node = this.#lookup(existing);
    if (node.kind !== "file") fail("EPERM", existing);
    const { parent, name } = this.#parent(path);
    if (parent.children.has(name)) fail("EEXIST", path);
    node.links++;
    parent.children.set(name, node);
  }

  #plant(path: string, node: { kind: "symlink"; target: string } | { kind: OtherNode["kind"] }) {
    const { parent, name } = this.#parent(path);
    if (parent.children.has(name)) fail("EEXIST", path);
    parent.children.set(name, this.#node(node, 0o777) as Node);
  }

  #node<T extends object>(fields: T, mode: number): T & Common {
    return { ...fields, ino: this.#nextIno++, mode: mode & 0o777, mtimeMs: Date.now() };
  }

  #info(node: Node): FileInfo {
    return {
      kind: node.kind,
      size: node.kind === "file" ? node.size : 0,
      mtimeMs: node.mtimeMs,
      mode: node.mode,
      dev: 1,
      ino: node.ino,
      links: node.kind === "file" ? node.links : 1,
    };
  }

  // Like an open file descriptor, a handle keeps its inode even when the
  // path is removed or replaced meanwhile.
  #handle(node: Node, append: boolean, path: string): DriverFile {
    let closed = false;
    const open = () => {
      if (closed) fail("EBADF", path);
      return node;
    };
    const file = (): FileNode => {
      const n = open();
      if (n.kind !== "file") fail("EISDIR", path);
      return n;
    };
    let position = 0;
    return {
      stat: () => this.#info(open()),
      read(buffer, at) {
        const f = file();
        const n = Math.max(0, Math.min(buffer.length, f.size - at));
        buffer.set(f.buffer.subarray(at, at + n));
        return n;
      },
      write(data) {
        const f = file();
        const at = append ? f.size : position;
        ensureCapacity(f, at + data.length);
        f.buffer.set(data, at);
        f.size = Math.max(f.size, at + data.length);
        f.mtimeMs = Date.now();
        position = at + data.length;
        return data.length;
      },
      truncate(length) {
        const f = file();
        ensureCapacity(f, length);
        f.buffer.fill(0, Math.min(f.size, length), length);
        f.size = length;
      },
      sync: () => void open(),
      close() {
        open();
        closed = true;
      },
    };
  }

  // Resolves a path; a link or file on the way is an error, as the
  // workspace never asks the driver to cross one.
  #lookup(path: string): Node {
    let node: Node = this.#tree;
    for (const segment of this.#segments(path)) {
      if (node.kind !== "dir") fail(node.kind === "symlink" ? "ELOOP" : "ENOTDIR", path);
      const child: Node | undefined = node.children.get(segment);
      if (child === undefined) fail("ENOENT", path);
      node = child;
    }
    return node;
  }

  #parent(path: string): { parent: DirNode; name: string } {
    const segments = this.#segments(path);
    const name = segments.pop();
    if (name === undefined) fail("EBUSY", path); // The root itself.
    const parent = this.#lookup(this.root + "/" + segments.join("/"));
    if (parent.kind !== "dir") fail("ENOTDIR", path);
    return { parent, name };
  }

  #parentOf(dir: DirNode): DirNode | undefined {
    const search = (at: DirNode): DirNode | undefined => {
      for (const child of at.children.values()) {
        if (child === dir) return at;
        if (child.kind === "dir") {
          const found = search(child);
          if (found) return found;
        }
      }
      return undefined;
    };
    return dir === this.#tree ? undefined : search(this.#tree);
  }

  #segments(path: string): string[] {
    if (!path.startsWith(this.root)) fail("ENOENT", path);
    return path.slice(this.root.length).split("/").filter((s) => s !== "" && s !== ".");
  }
}

// A file keeps spare capacity so that appends cost amortised O(length).
function ensureCapacity(file: FileNode, needed: number): void {
  if (needed <= file.buffer.length) return;
  const grown = new Uint8Array(Math.max(needed, file.buffer.length * 2, 64));
  grown.set(file.buffer.subarray(0, file.size));
  file.buffer = grown;
}
