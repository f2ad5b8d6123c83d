/**
 * The Deno filesystem adapter, on `Deno.*`. Needs `--allow-read` and
 * `--allow-write` for the workspace root.
 *
 * @example A run in the current directory, with the flags that let leases see crashed holders
 * ```ts ignore
 * // deno run --allow-read=. --allow-write=. --allow-sys=hostname --allow-run pipeline.ts
 * import { PipelineLogger, RunLogContext } from "@ralph/runlog";
 * import { DenoWorkspace } from "@ralph/runlog/deno";
 *
 * const ctx = await RunLogContext.create(new DenoWorkspace("."));
 * const log = await PipelineLogger.open(ctx);
 * await log.info(`run ${ctx.runId} started in ${ctx.runDir}`);
 * await log.close();
 * await ctx.close({ status: "succeeded" });
 * ```
 *
 * @module
 */
import { FsWorkspace, type WorkspaceOptions } from "../fs_workspace.ts";
import { assertRuntime } from "../_runtime_check.ts";
import type { DriverFile, FileInfo, FileKind, FsDriver, OpenMode } from "../fs_driver.ts";
import type { ProcessHost } from "../process_host.ts";
import { linuxProcessStart } from "./_proc_stat.ts";
// Deno.kill cannot send signal 0, the standard liveness probe.
import process from "node:process";
// The platform's rules for a root such as "." or "../x", as the other adapters.
import { resolve } from "node:path";

function kindOf(info: {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  isFifo?: boolean | null;
  isSocket?: boolean | null;
}): FileKind {
  if (info.isFile) return "file";
  if (info.isDirectory) return "dir";
  if (info.isSymlink) return "symlink";
  if (info.isFifo) return "fifo";
  return info.isSocket ? "socket" : "device";
}

function infoOf(info: Deno.FileInfo): FileInfo {
  return {
    kind: kindOf(info),
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? 0,
    mode: (info.mode ?? 0) & 0o777,
    dev: info.dev,
    ino: info.ino ?? 0,
    links: info.nlink ?? undefined,
  };
}

// Deno.open has no O_NOFOLLOW or O_NONBLOCK: a new file is made with
// createNew (O_EXCL, which never follows a link), and FsWorkspace checks
// every opened file against its lstat (see SECURITY.md for what remains).
const OPTIONS: Record<OpenMode, Deno.OpenOptions> = {
  "read": { read: true },
  "write": { write: true },
  "append": { append: true },
  "append-new": { append: true, createNew: true },
  "write-new": { write: true, createNew: true },
};

// One open file: a class, not closures, since listing many runs opens one
// file per run.
class DenoFile implements DriverFile {
  readonly #file: Deno.FsFile;
  // FsFile has no pread: seek, but only when the next read is elsewhere.
  #at = 0;
  constructor(file: Deno.FsFile) {
    this.#file = file;
  }
  stat(): FileInfo {
    return infoOf(this.#file.statSync());
  }
  read(buffer: Uint8Array, position: number): number {
    if (position !== this.#at) this.#file.seekSync(position, Deno.SeekMode.Start);
    const n = this.#file.readSync(buffer) ?? 0;
    this.#at = position + n;
    return n;
  }
  // writeSync: one write(2) per line, without an async hop.
  write(data: Uint8Array): number {
    return this.#file.writeSync(data);
  }
  truncate(length: number): void {
    this.#file.truncateSync(length);
  }
  sync(): void {
    this.#file.syncDataSync();
  }
  close(): void {
    this.#file.close();
  }
}

const denoDriver: FsDriver = {
  lstat(path) {
    // Deno has no lstat that answers "nothing there" without an error;
    // skipping its stack trace makes that answer a quarter cheaper.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return infoOf(Deno.lstatSync(path));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    } finally {
      Error.stackTraceLimit = limit;
    }
  },
  open: (path, mode, permissions) =>
    new DenoFile(Deno.openSync(path, { ...OPTIONS[mode], mode: permissions })),
  mkdir: (path, permissions) => Deno.mkdirSync(path, { mode: permissions }),
  readDir: (path) =>
    Array.from(Deno.readDirSync(path), (entry) => ({ name: entry.name, kind: kindOf(entry) })),
  rename: (from, to) => Deno.renameSync(from, to),
  unlink: (path) => Deno.removeSync(path),
  rmdir: (path) => Deno.removeSync(path),
  chmod: (path, permissions) => Deno.chmodSync(path, permissions),
};

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
   * Makes a workspace rooted at `root`, resolved against the current
   * directory now (`"."` and `"../x"` included), so a later `chdir` does not
   * move it.
   *
   * @param root The root directory.
   * @param options Who may read what the workspace creates.
   */
  constructor(root: string, options?: WorkspaceOptions) {
    assertRuntime("DenoWorkspace", "Deno", root);
    super(
      typeof root === "string" && root !== "" ? resolve(root) : root,
      denoDriver,
      { host: denoHost(), ...options },
    );
  }
}

function readStat(pid: number): string | undefined {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
}

// Deno asks for permissions. The host name needs --allow-sys=hostname or
// read access to /etc/hostname; liveness needs --allow-run (a signal-0
// probe), and a reused pid is told apart only with --allow-all (/proc).
// Without them leases go stale by their heartbeat alone (see README).
function denoHost(): ProcessHost {
  let name: string | undefined;
  try {
    name = Deno.hostname();
  } catch {
    name = readText("/etc/hostname");
  }
  return {
    pid: Deno.pid,
    hostname: name || "unknown",
    runtime: `deno ${Deno.version.deno}`,
    argv: [Deno.execPath(), ...Deno.args],
    processStart: (pid) => linuxProcessStart(readStat(pid)),
    isAlive(pid) {
      const stat = readStat(pid);
      if (stat !== undefined) return linuxProcessStart(stat) !== undefined;
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        const code = (error as { code?: string }).code;
        // ESRCH: no such process; EPERM: it exists, under another user; no
        // code: Deno refused the probe (no --allow-run), so we cannot tell.
        return code === "ESRCH" ? false : code === "EPERM" ? true : undefined;
      }
    },
    every(ms, tick) {
      const timer = setInterval(tick, ms);
      Deno.unrefTimer(timer);
      return () => clearInterval(timer);
    },
  };
}
