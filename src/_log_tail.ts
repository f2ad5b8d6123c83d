import type { Workspace } from "./workspace.ts";
import type { AppendHandle } from "./append_handle.ts";
import { WorkspaceError } from "./workspace_error.ts";

/** How much of a log's end is read at a time, and at most, to resume it. */
const TAIL_CHUNK_BYTES = 64 * 1024;
export const TAIL_LIMIT_BYTES = 1024 * 1024;

/** What the end of a log file looks like. */
export interface LogTail {
  /** Whether the file ends inside a line (a crash cut the last write). */
  torn: boolean;
  /** The last complete line that `accept` took, without its newline. */
  line?: string;
  /** Whether the scan stopped at the byte limit before the start of the file. */
  truncated: boolean;
}

const NEWLINE = 0x0a;
const decoder = new TextDecoder();

/**
 * Finds the last complete (newline-terminated) line of a log that `accept`
 * takes, reading the file backwards in chunks: never more than `limit`
 * bytes, whatever the file's size. A torn last line is never taken.
 */
export async function scanLogTail(
  ws: Workspace,
  path: string,
  accept: (line: string) => boolean,
  limit = TAIL_LIMIT_BYTES,
): Promise<LogTail> {
  let size: number;
  try {
    size = await ws.fileSize(path);
  } catch (error) {
    if (error instanceof WorkspaceError && error.code === "not-found") {
      return { torn: false, truncated: false };
    }
    throw error;
  }
  let start = size;
  let buffer = new Uint8Array(0);
  let torn = false;
  // Newlines at indices below this have not been examined yet.
  let unexamined = 0;
  while (start > 0 && size - start < limit) {
    const length = Math.min(TAIL_CHUNK_BYTES, start);
    start -= length;
    const chunk = await ws.readRange(path, start, length);
    if (chunk.length !== length) break; // The file shrank under us: keep what we know.
    if (buffer.length === 0) torn = chunk[chunk.length - 1] !== NEWLINE;
    const joined = new Uint8Array(chunk.length + buffer.length);
    joined.set(chunk);
    joined.set(buffer, chunk.length);
    buffer = joined;
    unexamined += chunk.length;
    // Walk complete lines backwards: each ends at a newline and starts after
    // the previous newline, or at the start of the file.
    let end = lastNewline(buffer, unexamined - 1);
    while (end >= 0) {
      const previous = lastNewline(buffer, end - 1);
      if (previous < 0 && start > 0) break; // It begins in a chunk not read yet.
      const line = decoder.decode(buffer.subarray(previous + 1, end));
      if (accept(line)) return { torn, line, truncated: false };
      end = previous;
    }
    unexamined = end + 1;
  }
  return { torn, truncated: start > 0 };
}

// TypedArray#lastIndexOf counts a negative start from the end; never here.
function lastNewline(bytes: Uint8Array, from: number): number {
  return from < 0 ? -1 : bytes.lastIndexOf(NEWLINE, from);
}

/**
 * Opens a log for appending after {@linkcode scanLogTail} looked at it. When
 * a crash cut the last line, that line is ended first, so that the next
 * line stands on its own instead of merging into the fragment.
 */
export async function openLogAfter(
  ws: Workspace,
  path: string,
  tail: LogTail,
): Promise<AppendHandle> {
  const handle = await ws.openAppend(path);
  if (tail.torn) await handle.write("\n");
  return handle;
}
