// What verifyPack reads: a file (read 256 KiB at a time), a stream, or any
// async iterable of bytes, as one ReadableStream.
import { open, stat } from "node:fs/promises";
import { RunLogError } from "../run_log_error.ts";
import { WorkspaceError } from "../workspace_error.ts";
import { mapError } from "../_map_error.ts";
import { describeValue } from "../_describe_value.ts";

const CHUNK = 256 * 1024;

/** The bytes of `source`; throws only when a file cannot be opened. */
export async function byteSource(source: unknown): Promise<ReadableStream<Uint8Array>> {
  if (typeof source === "string" && source !== "") return await fileStream(source);
  if (source instanceof ReadableStream) return source;
  if (typeof source === "object" && source !== null && Symbol.asyncIterator in source) {
    return ReadableStream.from(source as AsyncIterable<Uint8Array>);
  }
  throw new RunLogError(
    "invalid-argument",
    `verifyPack: the archive must be a file path, a ReadableStream or an async iterable ` +
      `of bytes, got ${describeValue(source)}`,
  );
}

async function fileStream(path: string): Promise<ReadableStream<Uint8Array>> {
  // Checked first: opening a FIFO would block until someone writes to it.
  const info = await stat(path).catch((error) => {
    throw mapError(error, "verifyPack", path);
  });
  if (!info.isFile()) {
    throw new WorkspaceError(
      info.isDirectory() ? "is-a-directory" : "not-a-regular-file",
      "verifyPack",
      path,
      {
        detail: `'${path}' is not a regular file; give the path of a .tar.gz, or pass a stream ` +
          "for a pipe",
      },
    );
  }
  const handle = await open(path, "r").catch((error) => {
    throw mapError(error, "verifyPack", path);
  });
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const buffer = new Uint8Array(CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) {
          await close();
          controller.close();
        } else controller.enqueue(buffer.subarray(0, bytesRead));
      } catch (error) {
        await close().catch(() => {});
        controller.error(mapError(error, "verifyPack", path));
      }
    },
    cancel: () => close(),
  });
}
