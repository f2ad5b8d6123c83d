/**
 * The Deno filesystem adapter, on `Deno.*`. Needs `--allow-read` and
 * `--allow-write` for the workspace root.
 *
 * @module
 */
import { FsWorkspace } from "../fs_workspace.ts";
import type { FileKind, FsDriver } from "../fs_workspace.ts";

function kindOf(info: { isFile: boolean; isDirectory: boolean; isSymlink: boolean }): FileKind {
  if (info.isFile) return "file";
  if (info.isDirectory) return "dir";
  return info.isSymlink ? "symlink" : "other";
}

const denoDriver: FsDriver = {
  readFile: (path) => Deno.readFile(path),
  writeFile: (path, data, append) => Deno.writeFile(path, data, { append }),
  async writeNewFile(path, data, mode) {
    using file = await Deno.open(path, { write: true, createNew: true, mode });
    for (let written = 0; written < data.length;) {
      written += await file.write(data.subarray(written));
    }
    await file.syncData();
  },
  async stat(path, followLinks) {
    return kindOf(followLinks ? await Deno.stat(path) : await Deno.lstat(path));
  },
  unlink: (path) => Deno.remove(path),
  removeTree: (path) => Deno.remove(path, { recursive: true }),
  mkdir: (path, recursive) => Deno.mkdir(path, { recursive }),
  async readDir(path) {
    const entries: { name: string; kind: FileKind }[] = [];
    for await (const entry of Deno.readDir(path)) {
      entries.push({ name: entry.name, kind: kindOf(entry) });
    }
    return entries;
  },
  rename: (from, to) => Deno.rename(from, to),
  chmod: (path, mode) => Deno.chmod(path, mode),
  async openAppend(path, exclusive) {
    const file = await Deno.open(path, {
      append: true,
      create: !exclusive,
      createNew: exclusive,
      mode: 0o644,
    });
    // writeSync: one write(2) per line, without an async hop.
    return { write: (data) => file.writeSync(data), close: () => file.close() };
  },
  async size(path) {
    return (await Deno.stat(path)).size;
  },
  async readRange(path, offset, length) {
    using file = await Deno.open(path, { read: true });
    const size = (await file.stat()).size;
    const buffer = new Uint8Array(Math.min(length, Math.max(0, size - offset)));
    await file.seek(offset, Deno.SeekMode.Start);
    let filled = 0;
    while (filled < buffer.length) {
      const n = await file.read(buffer.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  },
};

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(path);
}

/**
 * A {@linkcode Workspace} on the real filesystem through `Deno.*`.
 *
 * @example Creating a run under Deno
 * ```ts ignore
 * import { RunLogContext } from "@ralph/runlog";
 * import { DenoWorkspace } from "@ralph/runlog/deno";
 *
 * const ctx = await RunLogContext.create(new DenoWorkspace(Deno.cwd()));
 * console.log(ctx.runDir);
 * ```
 */
export class DenoWorkspace extends FsWorkspace {
  /**
   * Makes a workspace rooted at `root`; a relative root is resolved against
   * the current directory now.
   *
   * @param root The root directory.
   */
  constructor(root: string) {
    super(
      typeof root === "string" && root !== "" && !isAbsolute(root) ? `${Deno.cwd()}/${root}` : root,
      denoDriver,
    );
  }
}
