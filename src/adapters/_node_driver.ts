import { closeSync, fstatSync, open, promises as fs, writeSync } from "node:fs";
import { promisify } from "node:util";
import type { FileKind, FsDriver } from "../fs_workspace.ts";

function kindOf(entry: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): FileKind {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "dir";
  return entry.isSymbolicLink() ? "symlink" : "other";
}

/** The {@linkcode FsDriver} over `node:fs`, shared by the Node and Bun adapters. */
export const nodeDriver: FsDriver = {
  async readFile(path) {
    const buffer = await fs.readFile(path);
    // A plain Uint8Array view, so results compare equal across runtimes.
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  },
  writeFile(path, data, append) {
    return append ? fs.appendFile(path, data) : fs.writeFile(path, data);
  },
  async writeNewFile(path, data, mode) {
    const handle = await fs.open(path, "wx", mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async stat(path, followLinks) {
    return kindOf(followLinks ? await fs.stat(path) : await fs.lstat(path));
  },
  unlink: (path) => fs.unlink(path),
  removeTree: (path) => fs.rm(path, { recursive: true }),
  async mkdir(path, recursive) {
    await fs.mkdir(path, { recursive });
  },
  async readDir(path) {
    const entries = await fs.readdir(path, { withFileTypes: true });
    return entries.map((entry) => ({ name: entry.name, kind: kindOf(entry) }));
  },
  rename: (from, to) => fs.rename(from, to),
  chmod: (path, mode) => fs.chmod(path, mode),
  async openAppend(path, exclusive) {
    // A raw descriptor, written with writeSync: one write(2) per line, with
    // no promise or thread-pool hop (as LogTape's Node file sink does).
    const fd = await openFd(path, exclusive ? "ax" : "a", 0o644);
    return {
      write: (data) => writeSync(fd, data),
      close: () => closeSync(fd),
    };
  },
  async size(path) {
    return (await fs.stat(path)).size;
  },
  async readRange(path, offset, length) {
    const handle = await fs.open(path, "r");
    try {
      const buffer = new Uint8Array(
        Math.min(length, Math.max(0, fstatSync(handle.fd).size - offset)),
      );
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(
          buffer,
          filled,
          buffer.length - filled,
          offset + filled,
        );
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  },
};

const openFd = promisify(open) as (path: string, flags: string, mode: number) => Promise<number>;
