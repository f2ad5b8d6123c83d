// Where a pack goes: a file (written to a temp sibling, renamed into place
// only once complete, so that a failed pack never leaves half an archive),
// or a WritableStream given by the caller.
import { link, lstat, open, realpath, rename, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { RunLogError } from "../run_log_error.ts";
import { errnoOf, mapError } from "../_map_error.ts";

/** The archive being written. */
export interface ArchiveSink {
  /** The absolute path of the archive, or `undefined` for a stream. */
  readonly path: string | undefined;
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the archive: renamed into place, or the stream closed. */
  commit(): Promise<void>;
  /** Drops the archive: the temp file removed, or the stream aborted. */
  abort(reason: unknown): Promise<void>;
}

function refuse(message: string): never {
  throw new RunLogError("invalid-argument", `packRun: ${message}`);
}

function randomHex(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** A sink writing into `stream`, closed at the end, aborted on failure. */
export function streamSink(stream: WritableStream<Uint8Array>): ArchiveSink {
  if (stream.locked) {
    refuse("the output stream is locked by another writer; pass a fresh WritableStream");
  }
  const writer = stream.getWriter();
  return {
    path: undefined,
    async write(chunk) {
      await writer.ready;
      await writer.write(chunk);
    },
    commit: () => writer.close(),
    abort: (reason) => writer.abort(reason).catch(() => {}),
  };
}

/**
 * A sink writing the file `output` (relative to the current directory),
 * refusing an existing file unless `overwrite`, and any place inside
 * `runDir` (an absolute directory, when the run is on disk).
 */
export async function fileSink(
  output: string,
  overwrite: boolean,
  runDir: string | undefined,
): Promise<ArchiveSink> {
  const target = resolve(output);
  const existing = await lstat(target).catch((error) => {
    if (errnoOf(error) === "ENOENT") return undefined;
    throw mapError(error, "packRun", output);
  });
  if (existing?.isDirectory()) {
    refuse(`the output '${output}' is a directory; give the path of the archive file to write`);
  }
  if (existing !== undefined && !overwrite) {
    refuse(
      `the output '${output}' already exists; choose another path, or pass ` +
        "{ overwrite: true } to replace it",
    );
  }
  let parent: string;
  try {
    parent = await realpath(dirname(target));
  } catch (error) {
    throw mapError(error, "packRun", output);
  }
  if (runDir !== undefined && (parent === runDir || parent.startsWith(runDir + sep))) {
    refuse(
      `the output '${output}' is inside the run directory being packed (${runDir}); ` +
        "write the archive somewhere else",
    );
  }
  const temp = join(parent, `.${basename(target)}.${randomHex()}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temp, "wx", 0o600);
  } catch (error) {
    throw mapError(error, "packRun", output);
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
        throw mapError(error, "packRun", output);
      }
    },
    async commit() {
      try {
        await handle.datasync(); // The archive is whole on disk before it has its name.
        await close();
        await placeFile(temp, target, output, overwrite);
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw error instanceof RunLogError ? error : mapError(error, "packRun", output);
      }
    },
    async abort() {
      await close().catch(() => {});
      await unlink(temp).catch(() => {});
    },
  };
}

// Gives the finished temp file its name. Without overwrite, a hard link is
// an exclusive "rename": it fails if a file appeared at the target meanwhile.
async function placeFile(temp: string, target: string, output: string, overwrite: boolean) {
  if (overwrite) return await rename(temp, target);
  try {
    await link(temp, target);
    await unlink(temp);
    return;
  } catch (error) {
    if (errnoOf(error) === "EEXIST") {
      refuse(
        `the output '${output}' appeared while the run was being packed; choose another ` +
          "path, or pass { overwrite: true } to replace it",
      );
    }
    // A file system without hard links: check, then rename.
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EMLINK"].includes(errnoOf(error) ?? "")) {
      throw error;
    }
  }
  if (await lstat(target).then(() => true, () => false)) {
    refuse(`the output '${output}' appeared while the run was being packed; choose another path`);
  }
  await rename(temp, target);
}
