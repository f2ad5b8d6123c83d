/**
 * Open files for appending: one system call per write, so that a written
 * line survives a crash of the process and never interleaves with another
 * writer's line.
 *
 * @module
 */
import { WorkspaceError } from "./workspace_error.ts";
import { mapError } from "./_map_error.ts";
import { FailureReport } from "./_failure_report.ts";
import { describeValue } from "./_describe_value.ts";

/**
 * A file open for appending, from {@linkcode Workspace.openAppend}.
 *
 * Once `write` has resolved, the data is in the operating system's hands:
 * it survives a `kill -9` of the process (not a power cut). Each `write` is
 * one `write(2)` on a file opened with `O_APPEND`, so lines written by
 * several processes to one file never interleave inside a line.
 *
 * A write that fails (a full disk) never glues what comes next onto what
 * it left: when it wrote part of its bytes, the handle ends that fragment
 * with a newline, in the same system call as its next write. A failed
 * `write` that nobody awaits never becomes an unhandled rejection; it is
 * reported by the next `write` (whose own bytes are written) and by
 * `close()`.
 *
 * @example Appending lines, closed automatically
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * {
 *   await using log = await ws.openAppend("app.log");
 *   await log.write("first line\n");
 *   await log.write(new TextEncoder().encode("second line\n"));
 * }
 * assert.equal(await ws.read("app.log"), "first line\nsecond line\n");
 * ```
 */
export interface AppendHandle {
  /** The workspace-relative path of the file. */
  readonly path: string;
  /** Appends text (as UTF-8) or bytes in one system call. */
  write(data: string | Uint8Array): Promise<void>;
  /**
   * The same write, done before returning, with the same durability. For
   * hot paths and for `exit` handlers, which cannot await.
   *
   * @throws {WorkspaceError} As `write` rejects.
   */
  writeSync(data: string | Uint8Array): void;
  /**
   * Closes the file. Rejects with the failures of writes that nobody
   * awaited, or with the close's own failure. Closing again does nothing.
   */
  close(): Promise<void>;
  /** Closes the file, for `await using`. */
  // @ts-ignore: a consumer's lib may lack esnext.disposable (no @types/node); the key is then unknown.
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The primitive under an {@linkcode AppendHandle}: a file opened in append
 * mode, written synchronously. Supplied by a workspace or an `FsDriver`.
 *
 * @example A target that takes at most 4 bytes per call, as a short write would
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendHandle, type AppendTarget } from "@ralph/runlog";
 *
 * const calls: string[] = [];
 * const target: AppendTarget = {
 *   write(data) {
 *     calls.push(new TextDecoder().decode(data.subarray(0, 4))); // copied: data is reused
 *     return Math.min(data.length, 4);
 *   },
 *   close() {},
 * };
 * await appendHandle("short.log", target).write("hello!\n");
 * assert.deepEqual(calls, ["hell", "o!\n"]); // the handle wrote the rest
 * ```
 */
export interface AppendTarget {
  /**
   * Writes as much of `data` as one system call takes; returns the byte
   * count. `data` is valid only during the call (the handle reuses its
   * buffer): copy what you keep.
   */
  write(data: Uint8Array): number;
  /** Releases the file. */
  close(): void | Promise<void>;
}

const encoder = new TextEncoder();
const RESOLVED = Promise.resolve();
const SCRATCH_BYTES = 8192;
const NEWLINE = 0x0a;

// TextEncoder#encode allocates, and in V8 costs more than the write of a
// short line itself; encodeInto a scratch buffer is several times cheaper.
// Reusing the buffer is safe because the target writes synchronously.
function encodeText(text: string, scratch: Uint8Array): Uint8Array {
  const { read, written } = encoder.encodeInto(text, scratch);
  return read === text.length ? scratch.subarray(0, written) : encoder.encode(text);
}

function withNewlineFirst(bytes: Uint8Array): Uint8Array {
  const joined = new Uint8Array(bytes.length + 1);
  joined[0] = NEWLINE;
  joined.set(bytes, 1);
  return joined;
}

/**
 * Wraps an {@linkcode AppendTarget} into an {@linkcode AppendHandle} that
 * reports failures as `WorkspaceError`s naming `path`.
 *
 * @example A handle over a target that fails, as a full disk does
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendHandle, WorkspaceError } from "@ralph/runlog";
 *
 * const enospc = Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
 * const log = appendHandle("agent.log", {
 *   write() {
 *     throw enospc;
 *   },
 *   close() {},
 * });
 * await assert.rejects(
 *   log.write("line\n"),
 *   (error) =>
 *     error instanceof WorkspaceError && error.code === "no-space" && error.path === "agent.log",
 * );
 * await log.close();
 * ```
 *
 * @param path The workspace-relative path, for error messages.
 * @param target The open file.
 * @returns The handle.
 */
export function appendHandle(path: string, target: AppendTarget): AppendHandle {
  let closed = false;
  // A failed write left part of its bytes: end them before the next write.
  let fragment = false;
  const scratch = new Uint8Array(SCRATCH_BYTES);
  const failures = new FailureReport();
  const writeSync = (data: string | Uint8Array): void => {
    if (closed) {
      throw new WorkspaceError("closed", "write", path);
    }
    let bytes: Uint8Array;
    if (typeof data === "string") bytes = encodeText(data, scratch);
    else if (data instanceof Uint8Array) bytes = data;
    else {
      throw new WorkspaceError("invalid-argument", "write", path, {
        detail: `write takes a string or a Uint8Array, got ${describeValue(data)}`,
      });
    }
    if (fragment) bytes = withNewlineFirst(bytes);
    let done = 0;
    try {
      while (done < bytes.length) {
        const n = target.write(done === 0 ? bytes : bytes.subarray(done));
        if (!(n > 0)) throw new Error(`write made no progress (${n} bytes)`);
        done += n;
      }
      fragment = false;
    } catch (error) {
      if (done > 0) fragment = done < bytes.length;
      throw mapError(error, "write", path);
    }
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const unobserved = failures.takeUnobserved();
    try {
      await target.close();
    } catch (error) {
      throw mapError(error, "close", path);
    }
    if (unobserved !== undefined) throw unobserved;
  };
  return {
    path,
    // Synchronous underneath: the bytes are written when the promise is
    // made, in call order, and a short line costs one system call.
    write(data: string | Uint8Array): Promise<void> {
      try {
        writeSync(data);
      } catch (error) {
        return failures.reject(error);
      }
      return failures.resolve(RESOLVED);
    },
    writeSync,
    close,
    [Symbol.asyncDispose]: close,
  };
}
