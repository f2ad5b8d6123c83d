// Pages of a provider stream as messages: its lines read forward from a
// byte offset, masked (the same redaction as every other read, deltas
// joined only after their secrets are masked), parsed and assembled, in
// bounded reads whatever the size of the file. A page ends at a line; a
// message still open where it ends is read again by the next page.
import type { Workspace } from "../workspace.ts";
import { concatBytes } from "../_bytes.ts";
import { cleanText } from "./_log_lines.ts";
import { maskedStream, type Masker, parseMaskedJson } from "./_redacted_read.ts";
import { MessageAssembler, type StreamMessage } from "./_stream_messages.ts";

/** What {@linkcode readMessagePage} returns. */
export interface MessagePage {
  /** The file, relative to the run directory. */
  path: string;
  /** The file's size when read. */
  size: number;
  /** Where the page starts (a line start). */
  from: number;
  /**
   * Where the next page starts: after the last line read, or at the start
   * of a message not ended yet (the next page holds it again, whole).
   */
  next: number;
  /** Whether every complete line of the file (as it was) was read. */
  eof: boolean;
  /** The messages, in the order they began. */
  messages: StreamMessage[];
  /** Lines read. */
  lines: number;
  /** JSON lines that are no message of a known stream. */
  other: number;
  /** Lines that are not JSON. */
  invalid: number;
  /** Lines longer than MAX_MESSAGE_LINE, not read. */
  skipped: number;
}

/** How to read a page. */
export interface MessageRequest {
  /** Where to start (snapped to the next line start); default 0. */
  from?: number;
  /** Bytes to read at most, plus the line that crosses it (default 4 MiB). */
  budget?: number;
  /** Messages at most (default 1000). */
  maxMessages?: number;
  /**
   * The file may still be growing (its run is live): the end of a stream
   * still open is masked until it goes on (`live-tail`), and an unfinished
   * last line is left for the next page.
   */
  live?: boolean;
}

/** The longest line read: a stream's line is an event, rarely more than a few kB. */
export const MAX_MESSAGE_LINE = 1024 * 1024;
const DEFAULT_BUDGET = 4 * 1024 * 1024;
const DEFAULT_MAX_MESSAGES = 1000;
const NL = 0x0a;
const decoder = new TextDecoder();

/**
 * Reads one page of a provider stream (`path` workspace-relative, `name`
 * as shown) as messages. Reads at most the budget, the line crossing it
 * and the masking context, whatever the size of the file. `knownSize`:
 * the file's size, when the caller has just taken it.
 */
export async function readMessagePage(
  ws: Workspace,
  path: string,
  name: string,
  request: MessageRequest,
  masker: Masker,
  knownSize?: number,
): Promise<MessagePage> {
  const size = knownSize ?? await ws.fileSize(path);
  let from = Math.min(Math.max(0, request.from ?? 0), size);
  const budget = Math.max(1, request.budget ?? DEFAULT_BUDGET);
  const maxMessages = Math.max(1, request.maxMessages ?? DEFAULT_MAX_MESSAGES);
  const live = request.live === true;
  // Started inside a line (a cursor from elsewhere): the page starts at the next one.
  let skipping = from > 0 && (await ws.readRange(path, from - 1, 1))[0] !== NL;
  const assembler = new MessageAssembler(from === 0);
  const page: MessagePage = {
    path: name,
    size,
    from,
    next: from,
    eof: false,
    messages: [],
    lines: 0,
    other: 0,
    invalid: 0,
    skipped: 0,
  };

  // One line's bytes [o, e): true to go on, false when the page is full.
  const line = (bytes: Uint8Array, o: number, e: number): boolean => {
    let text = decoder.decode(bytes).trim();
    if (text.startsWith("data:")) text = text.slice(5).trim(); // A stream saved as SSE.
    if (text === "" || text === "[DONE]" || text.startsWith("event:") || text.startsWith(":")) {
      page.lines++;
      return true;
    }
    let value: unknown;
    try {
      value = parseMaskedJson(text);
    } catch {
      page.lines++;
      page.invalid++;
      return true;
    }
    const before = assembler.count;
    const use = assembler.push(value, o, e);
    if (assembler.count > maxMessages && assembler.count > before) {
      assembler.dropLast(); // It begins the next page.
      return false;
    }
    page.lines++;
    if (use === "unknown") page.other++;
    return true;
  };

  let lineStart = from;
  let carry: Uint8Array[] = [];
  let carried = 0;
  let overlong = false;
  let stopped = false;
  let readTo = from;
  const limit = Math.min(size, from + budget + MAX_MESSAGE_LINE);
  const pieces = maskedStream(ws, path, from, limit, masker, live);
  try {
    for await (const piece of pieces) {
      const bytes = piece.bytes;
      readTo = piece.offset + bytes.length;
      let at = 0;
      for (let nl = bytes.indexOf(NL, at); nl !== -1; nl = bytes.indexOf(NL, at)) {
        const end = piece.offset + nl + 1;
        const whole = carried === 0
          ? bytes.subarray(at, nl)
          : concatBytes([...carry, bytes.subarray(at, nl)]);
        at = nl + 1;
        if (skipping) {
          skipping = false;
          page.from = from = end;
        } else if (overlong) {
          page.skipped++;
          page.lines++;
        } else if (!line(whole, lineStart, end)) {
          stopped = true;
          break;
        }
        carry = [];
        carried = 0;
        overlong = false;
        lineStart = end;
        if (end - from >= budget) {
          stopped = true;
          break;
        }
      }
      if (stopped) break;
      const rest = bytes.subarray(at);
      if (!overlong && rest.length > 0) {
        carried += rest.length;
        if (carried > MAX_MESSAGE_LINE) {
          overlong = true;
          carry = [];
        } else carry.push(rest.slice());
      }
    }
  } finally {
    await pieces.return(undefined);
  }
  // The end of the file without a newline: a line of a finished file, or
  // (live) one still being written, left for the next page.
  if (!stopped && readTo >= size && carried > 0 && !overlong && !skipping && !live) {
    if (line(concatBytes(carry), lineStart, size)) lineStart = size;
    else stopped = true;
  }
  page.eof = !stopped && readTo >= size && (lineStart >= size || live || overlong);
  page.messages = assembler.finish(cleanText);
  page.next = lineStart;
  // A message under way where the page ends is read again, whole, by the
  // next page: a live one as long as it streams; one cut by the budget only
  // when it began after this page did (else the page would never move on).
  if (stopped || live) {
    const open = page.messages.filter((m) => m.open && (m.o > from || (live && !stopped)));
    if (open.length > 0) page.next = Math.min(...open.map((m) => m.o));
  }
  return page;
}
