// A file written where the user asked, outside any workspace: to a temp
// sibling first, given its name only once complete (so that a failure never
// leaves half a file), and never over a file that appeared meanwhile.
import { link, lstat, open, realpath, rename, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { RunLogError } from "./run_log_error.ts";
import { errnoOf, mapError } from "./_map_error.ts";
import { tempName } from "./_temp_files.ts";

/** A file being written. */
export interface OutputFile {
  /** Its absolute path. */
  readonly path: string;
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes it to disk and gives it its name. */
  commit(): Promise<void>;
  /** Drops it: the temp file removed. */
  abort(reason: unknown): Promise<void>;
}

/** Who writes, for messages: `packRun` writing an `archive`. */
export interface OutputFileOptions {
  caller: string;
  what: string;
  overwrite: boolean;
  /** An absolute directory the file must not be in (the run being packed). */
  notInside?: string;
}

/**
 * Opens the file `output` (relative to the current directory) for writing,
 * refusing a directory, an existing file unless `overwrite`, and any place
 * inside `notInside`.
 */
export async function openOutputFile(
  output: string,
  { caller, what, overwrite, notInside }: OutputFileOptions,
): Promise<OutputFile> {
  const refuse = (message: string): never => {
    throw new RunLogError("invalid-argument", `${caller}: ${message}`);
  };
  const exists = () =>
    refuse(
      `the output '${output}' already exists; choose another path, or pass ` +
        "{ overwrite: true } (--force on the command line) to replace it",
    );
  const target = resolve(output);
  const existing = await lstat(target).catch((error) => {
    if (errnoOf(error) === "ENOENT") return undefined;
    throw mapError(error, caller, output);
  });
  if (existing?.isDirectory()) {
    refuse(`the output '${output}' is a directory; give the path of the ${what} file to write`);
  }
  if (existing !== undefined && !overwrite) exists();
  let parent: string;
  try {
    parent = await realpath(dirname(target));
  } catch (error) {
    throw mapError(error, caller, output);
  }
  if (notInside !== undefined && (parent === notInside || parent.startsWith(notInside + sep))) {
    refuse(
      `the output '${output}' is inside the run directory being packed (${notInside}); ` +
        `write the ${what} somewhere else`,
    );
  }
  const temp = join(parent, tempName(basename(target)));
  let handle: FileHandle;
  try {
    handle = await open(temp, "wx", 0o600);
  } catch (error) {
    throw mapError(error, caller, output);
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    path: target,
    async write(chunk) {
      try {
        for (let done = 0; done < chunk.length;) {
          done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
        }
      } catch (error) {
        throw mapError(error, caller, output);
      }
    },
    async commit() {
      try {
        await handle.datasync(); // Whole on disk before it has its name.
        await close();
        if (!await place(temp, target, overwrite)) {
          refuse(
            `the output '${output}' appeared while the ${what} was being written; choose ` +
              "another path, or pass { overwrite: true } to replace it",
          );
        }
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw error instanceof RunLogError ? error : mapError(error, caller, output);
      }
    },
    async abort() {
      await close().catch(() => {});
      await unlink(temp).catch(() => {});
    },
  };
}

// Gives the finished temp file its name; false when a file appeared there
// meanwhile. Without overwrite, a hard link is an exclusive "rename".
async function place(temp: string, target: string, overwrite: boolean): Promise<boolean> {
  if (overwrite) {
    await rename(temp, target);
    return true;
  }
  try {
    await link(temp, target);
    await unlink(temp);
    return true;
  } catch (error) {
    if (errnoOf(error) === "EEXIST") return false;
    // A file system without hard links: check, then rename.
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EMLINK"].includes(errnoOf(error) ?? "")) {
      throw error;
    }
  }
  if (await lstat(target).then(() => true, () => false)) return false;
  await rename(temp, target);
  return true;
}
