// Pages of a log: entries read forward from a byte offset or backward from
// one, masked, filtered by level and text, in bounded reads whatever the
// size of the file. Offsets are cursors the page hands back.
import type { Workspace } from "../workspace.ts";
import { concatBytes } from "../_bytes.ts";
import { type ParsedPipelineLine, PipelineLogReader } from "../pipeline_line.ts";
import { type Masker, readMasked, STREAM_CHUNK } from "./_redacted_read.ts";

/** One entry of a log page: a line, or a pipeline entry with its continuation lines. */
export interface LogEntry {
  /** The byte offset of its first line. */
  o: number;
  /** The byte offset after its last line. */
  e: number;
  /** Its timestamp as written (pipeline log), else `""`. */
  ts: string;
  /** Its level (pipeline log), else `""`. */
  level: string;
  /** Its text: masked, escape sequences and control characters removed, capped. */
  text: string;
  /** Bytes left out because the entry is too long to show. */
  cut?: number;
  /** Set when its last line has no newline yet. */
  partial?: true;
}

/** What {@linkcode readLogPage} returns. */
export interface LogPage {
  /** The file, relative to the run directory. */
  path: string;
  /** The file's size when read. */
  size: number;
  /** The cursor to continue from: forward, the next unread byte; backward, the first read. */
  next: number;
  /** Backward: the end of what the page covers (a line start). */
  end: number;
  /** The entries, in file order. */
  entries: LogEntry[];
  /** Whether the page reaches the start of the file. */
  bof: boolean;
  /** Whether the page reaches the end of the file as it was. */
  eof: boolean;
}

/** How to read a page. */
export interface PageRequest {
  direction: "forward" | "backward";
  /** Forward: where to start (snapped to the next line start); backward: where to end (default: the end). */
  at?: number;
  /** How many entries (that match) at most. */
  limit: number;
  /** Levels to keep (`OTHER`: any other); all when empty. */
  levels?: readonly string[];
  /** Text to look for, case-insensitive, in the masked text. */
  q?: string;
  /** Forward: whether to include a last line that has no newline yet. */
  partial?: boolean;
  /**
   * The file may still be growing (its run is live): its unfinished last
   * line, and the end of a provider stream still open, are masked until
   * they end (`[redacted:live-tail]`), since they could be the start of a
   * secret.
   */
  live?: boolean;
  /** Bytes to scan at most (default 4 MiB). */
  budget?: number;
}

/** The pipeline levels the filter names; anything else is `OTHER`. */
export const LEVELS = ["STEP", "INFO", "OK", "WARN", "ERROR"];
const DEFAULT_BUDGET = 4 * 1024 * 1024;
/** The most of one entry shown: a provider log line can be megabytes. */
const MAX_SHOWN_BYTES = 16 * 1024;
const NL = 0x0a;

// CSI and OSC escape sequences, then any other escape and control character.
const ESCAPES =
  // deno-lint-ignore no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g;
// deno-lint-ignore no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Text as shown: escape sequences removed, other controls as U+FFFD, carriage returns dropped. */
export function cleanText(text: string): string {
  return text.replace(ESCAPES, "").replaceAll("\r", "").replace(CONTROLS, "\uFFFD");
}

const decoder = new TextDecoder();

interface Line {
  start: number;
  end: number; // After the newline (or at the end of the file for a partial line).
  bytes: Uint8Array; // At most MAX_SHOWN_BYTES.
  cut: number;
  partial: boolean;
}

interface Building {
  o: number;
  e: number;
  /** Grouped: the entry, its message extended by each continuation line. */
  parsed?: ParsedPipelineLine;
  /** Not grouped: the line. */
  text?: string;
  cut: number;
  partial: boolean;
}

/** Turns lines into entries, grouping continuation lines in pipeline logs. */
class EntryBuilder {
  readonly #grouped: boolean;
  readonly #reader = new PipelineLogReader();
  #current: Building | undefined;

  constructor(grouped: boolean) {
    this.#grouped = grouped;
  }

  /** Adds a line; returns the entry it completed, if it starts a new one. */
  push(line: Line): Building | undefined {
    const text = decoder.decode(line.bytes);
    if (!this.#grouped) {
      const done = this.#current;
      this.#current = {
        o: line.start,
        e: line.end,
        text,
        cut: line.cut,
        partial: line.partial,
      };
      return done;
    }
    const parsed = this.#reader.push(text);
    const current = this.#current;
    if (current !== undefined && current.parsed === parsed) {
      current.e = line.end;
      current.cut += line.cut;
      current.partial = line.partial;
      return undefined;
    }
    this.#current = {
      o: line.start,
      e: line.end,
      parsed,
      cut: line.cut,
      partial: line.partial,
    };
    return current;
  }

  /** The entry being built, ended. */
  end(): Building | undefined {
    const current = this.#current;
    this.#current = undefined;
    return current;
  }
}

function toEntry(b: Building): LogEntry {
  let text = b.parsed === undefined ? b.text! : b.parsed.message;
  let cut = b.cut;
  if (text.length > MAX_SHOWN_BYTES) {
    cut += text.length - MAX_SHOWN_BYTES;
    text = text.slice(0, MAX_SHOWN_BYTES);
  }
  const entry: LogEntry = {
    o: b.o,
    e: b.e,
    ts: b.parsed?.ts ?? "",
    level: b.parsed?.level ?? "",
    text: cleanText(text),
  };
  if (cut > 0) entry.cut = cut;
  if (b.partial) entry.partial = true;
  return entry;
}

/** Whether an entry passes the level and text filters of a request. */
function filterOf(request: PageRequest): (entry: LogEntry) => boolean {
  const levels = request.levels ?? [];
  const q = (request.q ?? "").toLowerCase();
  return (entry) => {
    if (levels.length > 0) {
      const level = LEVELS.includes(entry.level) ? entry.level : "OTHER";
      if (!levels.includes(level)) return false;
    }
    return q === "" || entry.text.toLowerCase().includes(q);
  };
}

/** Splits bytes into lines, keeping at most MAX_SHOWN_BYTES of each. */
class LineSplitter {
  #start: number;
  #parts: Uint8Array[] = [];
  #kept = 0;
  #total = 0;

  constructor(start: number) {
    this.#start = start;
  }

  get start(): number {
    return this.#start;
  }

  get pending(): boolean {
    return this.#total > 0;
  }

  /**
   * Feeds bytes at file offset `at`; calls `line` for each line completed.
   * A line's bytes may be a view of `bytes`: valid during the call only.
   */
  feed(bytes: Uint8Array, at: number, line: (l: Line) => boolean): boolean {
    let from = 0;
    for (let nl = bytes.indexOf(NL); nl !== -1; nl = bytes.indexOf(NL, from)) {
      if (this.#total === 0 && nl - from <= MAX_SHOWN_BYTES) {
        // A whole line of this chunk, as most are: lent, not copied.
        const start = this.#start;
        this.#start = at + nl + 1;
        const whole: Line = {
          start,
          end: this.#start,
          bytes: bytes.subarray(from, nl),
          cut: 0,
          partial: false,
        };
        from = nl + 1;
        if (!line(whole)) return false;
        continue;
      }
      this.#add(bytes.subarray(from, nl));
      from = nl + 1;
      if (!line(this.#take(at + from, false))) return false;
    }
    this.#add(bytes.subarray(from));
    return true;
  }

  /** The partial line held, ended at `end`. */
  rest(end: number): Line {
    return this.#take(end, true);
  }

  #add(bytes: Uint8Array): void {
    this.#total += bytes.length;
    const room = MAX_SHOWN_BYTES - this.#kept;
    if (room <= 0 || bytes.length === 0) return;
    const part = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.#parts.push(part.slice());
    this.#kept += part.length;
  }

  #take(end: number, partial: boolean): Line {
    const line = {
      start: this.#start,
      end,
      bytes: concatBytes(this.#parts),
      cut: this.#total - this.#kept,
      partial,
    };
    this.#start = end;
    this.#parts = [];
    this.#kept = 0;
    this.#total = 0;
    return line;
  }
}

/** A request with its defaults, as forward and backward read it. */
interface Scan {
  at?: number;
  limit: number;
  budget: number;
  partial: boolean;
  live: boolean;
  /** Whether lines without a header continue the entry before (`pipeline.log`). */
  grouped: boolean;
  /** Whether an entry passes the level and text filters. */
  keep: (entry: LogEntry) => boolean;
}

/** A page without the file's name and size. */
type Found = Omit<LogPage, "path" | "size">;

const EMPTY = new Uint8Array(0);

/**
 * Reads one page of a run's log file (`path` workspace-relative, `name`
 * as shown; `pipeline.log` is read in entries, lines without a header
 * continuing the entry before). Reads at most the budget plus one chunk and
 * the masking context on each side, whatever the size of the file.
 * `knownSize`: the file's size, when the caller has just taken it.
 */
export async function readLogPage(
  ws: Workspace,
  path: string,
  name: string,
  request: PageRequest,
  masker: Masker,
  knownSize?: number,
): Promise<LogPage> {
  const size = knownSize ?? await ws.fileSize(path);
  const scan: Scan = {
    at: request.at,
    limit: request.limit,
    budget: request.budget ?? DEFAULT_BUDGET,
    partial: request.partial === true,
    live: request.live === true,
    grouped: name === "pipeline.log",
    keep: filterOf(request),
  };
  const found = request.direction === "forward"
    ? await forward(ws, path, size, scan, masker)
    : await backward(ws, path, size, scan, masker);
  return { path: name, size, ...found };
}

async function forward(
  ws: Workspace,
  path: string,
  size: number,
  scan: Scan,
  masker: Masker,
): Promise<Found> {
  let from = Math.min(Math.max(0, scan.at ?? 0), size);
  // Started inside a line (a jump): the page starts at the next line.
  let skipping = from > 0 && (await ws.readRange(path, from - 1, 1))[0] !== NL;
  const entries: LogEntry[] = [];
  const builder = new EntryBuilder(scan.grouped);
  const splitter = new LineSplitter(from);
  let next = from;
  let stopped = false;
  const add = (b: Building | undefined): boolean => {
    if (b === undefined) return true;
    const entry = toEntry(b);
    if (scan.keep(entry)) entries.push(entry);
    return entries.length < scan.limit;
  };
  const onLine = (line: Line): boolean => {
    if (skipping) {
      skipping = false;
      from = line.end;
      return true;
    }
    if (!add(builder.push(line))) {
      // The entry the line starts is for the next page.
      next = line.start;
      stopped = true;
      return false;
    }
    return true;
  };
  let pos = from;
  while (!stopped && pos < size && pos - from < scan.budget) {
    const end = Math.min(size, pos + STREAM_CHUNK);
    const chunk = await readMasked(ws, path, pos, end, masker, scan.live);
    if (chunk.length === 0) break;
    splitter.feed(chunk, pos, onLine);
    pos += chunk.length;
  }
  if (!stopped) {
    // Still inside the first line after the whole budget: go on from where it stopped.
    next = skipping ? pos : splitter.start;
    if (pos >= size && splitter.pending && !skipping && scan.partial) {
      if (add(builder.push(splitter.rest(pos)))) add(builder.end());
    } else {
      add(builder.end());
    }
  }
  return { next, end: next, entries, bof: from === 0, eof: !stopped && pos >= size };
}

async function backward(
  ws: Workspace,
  path: string,
  size: number,
  scan: Scan,
  masker: Masker,
): Promise<Found> {
  const before = Math.min(Math.max(0, scan.at ?? size), size);
  let a = before;
  let want = STREAM_CHUNK;
  // Read so far: [a, before). Reading further up cannot change the entries
  // from `settled` on (each starts at a whole line, and in a pipeline log at
  // a header), so they are parsed once; the bytes before them (`head`, from
  // `a`: a first line not read whole, and lines without a header that may
  // continue an entry further up) are parsed again with the next read.
  let head: Uint8Array = EMPTY;
  let settled = before;
  let final: LogEntry[] = []; // [settled, end), in file order.
  let finalMatched: LogEntry[] = [];
  let endAt: number | undefined; // The end of the page, once known.
  for (;;) {
    const from = Math.max(0, a - want);
    const bytes = await readMasked(ws, path, from, a, masker, scan.live);
    // [a, settled), or [a, before) while nothing is settled.
    const window = concatBytes([bytes, head].filter((p) => p.length > 0));
    a = from;
    want = Math.min(want * 2, 1024 * 1024);
    const exhausted = a === 0 || before - a >= scan.budget;
    // A last line without its newline yet is not a line: it belongs to the next read.
    let end = endAt ?? before;
    if (endAt === undefined && before === size) {
      end = a + window.lastIndexOf(NL) + 1;
      if (end === a && !exhausted) {
        head = window;
        continue;
      }
    }
    let first = 0;
    if (a > 0) {
      first = window.indexOf(NL) + 1;
      if ((first === 0 || a + first > end) && !exhausted) {
        head = window;
        continue;
      }
      if (a + first > end) first = end - a;
    }
    endAt = end;
    // Whole lines [a + first, settled or end) of the window, as entries.
    const upTo = final.length > 0 ? settled : end;
    const fresh: LogEntry[] = [];
    const builder = new EntryBuilder(scan.grouped);
    const splitter = new LineSplitter(a + first);
    const collect = (b: Building | undefined) => {
      if (b !== undefined) fresh.push(toEntry(b));
    };
    splitter.feed(window.subarray(first, upTo - a), a + first, (line) => {
      collect(builder.push(line));
      return true;
    });
    if (splitter.pending) collect(builder.push(splitter.rest(upTo)));
    collect(builder.end());
    // Lines without a header at the top may continue an entry further up
    // (the first settled entry has a header).
    let top = 0;
    if (scan.grouped && a > 0) {
      while (top < fresh.length && fresh[top].level === "") top++;
      if (top === fresh.length && final.length === 0 && exhausted) top = 0;
    }
    const kept = fresh.slice(top);
    const matched = kept.filter(scan.keep);
    if (matched.length + finalMatched.length < scan.limit && !exhausted) {
      if (kept.length > 0) {
        settled = kept[0].o;
        final = kept.concat(final);
        finalMatched = matched.concat(finalMatched);
      }
      head = window.subarray(0, settled - a);
      continue;
    }
    const all = matched.concat(finalMatched);
    const taken = all.slice(-scan.limit);
    const firstKept = kept[0] ?? final[0];
    const next = all.length > scan.limit
      ? taken[0].o
      : firstKept !== undefined
      ? firstKept.o
      : a + (a > 0 ? first : 0);
    return { next, end, entries: taken, bof: next === 0, eof: end >= size };
  }
}
