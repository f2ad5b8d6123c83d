import { promises as fs } from "node:fs";
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
};
