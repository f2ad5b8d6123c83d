import type { Workspace } from "./workspace.ts";
import type { AppendHandle } from "./append_handle.ts";
import { WorkspaceError } from "./workspace_error.ts";
import { RunLogError } from "./run_log_error.ts";
import { utf8Length } from "./_utf8.ts";

/** How much of a log's end is read at a time to resume it. */
const TAIL_CHUNK_BYTES = 64 * 1024;

/**
 * The longest line the log writers write, in bytes. Longer lines are
 * refused when written, so that resuming can always find the last line
 * while holding at most this much of it in memory.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** What the end of a log file looks like. */
export interface LogTail {
  /** Whether the file ends inside a line (a crash cut the last write). */
  torn: boolean;
  /** The first bytes of that torn line, as text. */
  tornStart?: string;
  /** The last complete line that `accept` took, without its newline. */
  line?: string;
}

const NEWLINE = 0x0a;
// Enough of a torn line to read the sequence number at its start.
const TORN_START_BYTES = 32;
const decoder = new TextDecoder();

/**
 * Finds the last complete (newline-terminated) line of a log that `accept`
 * takes, reading the file backwards in chunks. A torn last line is never
 * taken, whatever its size; lines longer than {@linkcode MAX_LINE_BYTES}
 * are skipped without being held, so memory stays bounded. It usually reads
 * one chunk: the time grows with how far back the line is, not with the
 * file's size.
 */
export async function scanLogTail(
  ws: Workspace,
  path: string,
  accept: (line: string) => boolean,
): Promise<LogTail> {
  let size: number;
  try {
    size = await ws.fileSize(path);
  } catch (error) {
    if (error instanceof WorkspaceError && error.code === "not-found") return { torn: false };
    throw error;
  }
  let torn = false;
  // Where the torn end starts: after the file's last newline.
  let tornAt = 0;
  // The bytes of the line being assembled, from the last newline seen back
  // to where the scan is; `undefined` once they exceed the line limit.
  let pending: Uint8Array | undefined = new Uint8Array(0);
  // The bytes after the file's last newline are its torn end, never a line.
  let sawNewline = false;
  const take = (head: Uint8Array): void => {
    if (pending === undefined) return;
    if (pending.length + head.length > MAX_LINE_BYTES) {
      pending = undefined;
      return;
    }
    const joined = new Uint8Array(head.length + pending.length);
    joined.set(head);
    joined.set(pending, head.length);
    pending = joined;
  };
  // Ends the line assembled so far; returns it when it counts.
  const complete = (): string | undefined => {
    const bytes = pending;
    const counts = sawNewline && bytes !== undefined;
    sawNewline = true;
    pending = new Uint8Array(0);
    if (!counts) return undefined;
    const line = decoder.decode(bytes);
    return accept(line) ? line : undefined;
  };
  for (let start = size; start > 0;) {
    const length = Math.min(TAIL_CHUNK_BYTES, start);
    start -= length;
    const chunk = await ws.readRange(path, start, length);
    if (chunk.length !== length) break; // The file shrank under us: keep what we know.
    if (start + length === size) torn = chunk[length - 1] !== NEWLINE;
    let end = length;
    for (let i = lastNewline(chunk, end - 1); i >= 0; i = lastNewline(chunk, i - 1)) {
      if (!sawNewline) tornAt = start + i + 1;
      take(chunk.subarray(i + 1, end));
      const line = complete();
      if (line !== undefined) return await ended(ws, path, torn, tornAt, line);
      end = i;
    }
    take(chunk.subarray(0, end));
  }
  // The first line of the file has no newline before it.
  const line = size > 0 ? complete() : undefined;
  return await ended(ws, path, torn, tornAt, line);
}

// The tail found, with the start of a torn end read once (it may have been
// too long to hold while scanning).
async function ended(
  ws: Workspace,
  path: string,
  torn: boolean,
  tornAt: number,
  line: string | undefined,
): Promise<LogTail> {
  if (!torn) return { torn, line };
  const start = decoder.decode(await ws.readRange(path, tornAt, TORN_START_BYTES));
  return { torn, tornStart: start, line };
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

/**
 * Refuses a line longer than {@linkcode MAX_LINE_BYTES}, before anything is
 * written: such a line could not be found again when the log is resumed.
 */
export function assertLineLength(line: string, path: string, what: string): void {
  // Most lines are far shorter than a third of the limit: skip the count.
  if (line.length * 3 <= MAX_LINE_BYTES) return;
  const bytes = utf8Length(line);
  if (bytes > MAX_LINE_BYTES) throw lineTooLong(path, what, bytes);
}

/** The error for a line over {@linkcode MAX_LINE_BYTES} (of `bytes` bytes, when counted). */
export function lineTooLong(path: string, what: string, bytes?: number): RunLogError {
  return new RunLogError(
    "invalid-argument",
    `${what} for '${path}' would be ${bytes === undefined ? "longer" : `${bytes} bytes`}: ` +
      `a log line may have at most ${MAX_LINE_BYTES} bytes; write large payloads to a file ` +
      "under debug/ and log its path",
  );
}
