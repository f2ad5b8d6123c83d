import {
  chmodSync,
  closeSync,
  constants,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmdirSync,
  type Stats,
  unlinkSync,
  writeSync,
} from "node:fs";
import type { DriverFile, FileInfo, FileKind, FsDriver, OpenMode } from "../fs_driver.ts";

function kindOf(entry: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): FileKind {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "dir";
  if (entry.isSymbolicLink()) return "symlink";
  if (entry.isFIFO()) return "fifo";
  return entry.isSocket() ? "socket" : "device";
}

function infoOf(stats: Stats): FileInfo {
  return {
    kind: kindOf(stats),
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    mode: stats.mode & 0o777,
    dev: stats.dev,
    ino: stats.ino,
    links: stats.nlink,
  };
}

// Never follow a link at the last component, never block on a FIFO. (The
// runtimes add O_CLOEXEC themselves.)
const SAFE = constants.O_NOFOLLOW | constants.O_NONBLOCK;
const FLAGS: Record<OpenMode, number> = {
  "read": constants.O_RDONLY | SAFE,
  "write": constants.O_WRONLY | SAFE,
  "append": constants.O_WRONLY | constants.O_APPEND | SAFE,
  "append-new": constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL |
    SAFE,
  "write-new": constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | SAFE,
};

// One open file: a class, not closures, since listing many runs opens one
// file per run.
class NodeFile implements DriverFile {
  readonly #fd: number;
  constructor(fd: number) {
    this.#fd = fd;
  }
  stat(): FileInfo {
    return infoOf(fstatSync(this.#fd));
  }
  read(buffer: Uint8Array, position: number): number {
    return readSync(this.#fd, buffer, 0, buffer.length, position);
  }
  write(data: Uint8Array): number {
    return writeSync(this.#fd, data);
  }
  truncate(length: number): void {
    ftruncateSync(this.#fd, length);
  }
  sync(): void {
    fdatasyncSync(this.#fd);
  }
  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * The {@linkcode FsDriver} over `node:fs`, shared by the Node and Bun
 * adapters: synchronous calls, and a raw descriptor per open file written
 * with `writeSync`, one `write(2)` per line (as LogTape's Node sink does).
 */
export const nodeDriver: FsDriver = {
  opensSafely: true,
  lstat(path) {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    return stats === undefined ? undefined : infoOf(stats);
  },
  open: (path, mode, permissions) => new NodeFile(openSync(path, FLAGS[mode], permissions)),
  mkdir: (path, permissions) => void mkdirSync(path, { mode: permissions }),
  readDir: (path) =>
    readdirSync(path, { withFileTypes: true }).map((entry) => ({
      name: entry.name,
      kind: kindOf(entry),
    })),
  rename: (from, to) => renameSync(from, to),
  unlink: (path) => unlinkSync(path),
  rmdir: (path) => rmdirSync(path),
  chmod: (path, permissions) => chmodSync(path, permissions),
};
