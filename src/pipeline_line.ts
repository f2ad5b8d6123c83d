/**
 * Reading `pipeline.log`, as runlog and the Rust original write it. Each
 * entry starts with a header `[<timestamp>] [<LEVEL>] `:
 *
 * - runlog's format (`"runlog"`): `[2026-02-06T14:03:27.123Z] [INFO] message`,
 *   UTC to the millisecond, the message escaped on one line (`\\`, `\n`,
 *   `\r`, `\uXXXX`);
 * - the Rust format (`"rust"`): `[2026-02-06 15:03:27] [INFO] message`, the
 *   writer's local time to the second, the message as it was (raw line
 *   breaks included: the lines after the header that do not start with a
 *   header of their own continue its message). runlog's loggers write it too
 *   with `{ timestamps: "local" }`.
 *
 * @module
 */
import { RunLogError } from "./run_log_error.ts";

/**
 * One entry of `pipeline.log`, as {@linkcode parsePipelineLine} reads it.
 *
 * @example Entries of both formats in one log
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ParsedPipelineLine, parsePipelineLog } from "@ralph/runlog";
 *
 * const entries: ParsedPipelineLine[] = parsePipelineLog(
 *   "[2026-02-06 15:03:27] [STEP] Development\n" +
 *     "[2026-02-06T14:03:28.000Z] [OK] tests pass\n",
 * );
 * assert.deepEqual(entries.map((e) => [e.dialect, e.level, e.message]), [
 *   ["rust", "STEP", "Development"],
 *   ["runlog", "OK", "tests pass"],
 * ]);
 * assert.equal(entries[0].time, undefined); // local time, zone unknown
 * assert.equal(entries[1].time?.toISOString(), "2026-02-06T14:03:28.000Z");
 * ```
 */
export interface ParsedPipelineLine {
  /**
   * The timestamp as written: UTC ISO-8601 in runlog's format; local time to
   * the second (`2026-02-06 15:03:27`) in the Rust format, which names no
   * zone; `""` for text without a header (see {@linkcode PipelineLogReader}).
   */
  ts: string;
  /**
   * The time of a runlog (UTC) entry. Absent in the Rust format: its local
   * time cannot be converted without the writer's time zone.
   */
  time?: Date;
  /** `INFO`, `OK`, `WARN`, `ERROR`, `STEP`, or another upper-case word; `""` without a header. */
  level: string;
  /** The message, runlog's escapes decoded; the lines of a multi-line message joined with `\n`. */
  message: string;
  /** The format of the header: `"runlog"` (UTC) or `"rust"` (local time, message as written). */
  dialect: "runlog" | "rust";
  /**
   * `false` when the message may not be what was logged: a runlog line
   * holding a backslash that does not start one of runlog's escapes (kept
   * as written: runlog wrote backslashes unescaped before it escaped them as
   * `\\`, so such a line may also hold a `\n` that was text); text without a
   * header.
   */
  exact: boolean;
}

// runlog's UTC time or the Rust tool's local time, then an upper-case level.
// The space after the level may be missing when an editor trimmed it.
const HEADER =
  /^\[(\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d(?:\.\d+)?Z| \d\d:\d\d:\d\d))\] \[([A-Z]+)\](?: |$)/;
// The escapes runlog writes; any other backslash is taken as written.
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|([\s\S])|$)/g;

/**
 * Parses one `pipeline.log` line (with or without its `\n`), in runlog's
 * format or the Rust format; see {@linkcode ParsedPipelineLine}. A
 * continuation line of a multi-line Rust message has no header: read whole
 * logs with {@linkcode parsePipelineLog} or {@linkcode PipelineLogReader}.
 *
 * @example runlog's line and the Rust tool's
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePipelineLine } from "@ralph/runlog";
 *
 * const runlog = parsePipelineLine("[2026-02-06T14:03:27.123Z] [WARN] two\\nlines, one C:\\\\ drive\n");
 * assert.equal(runlog.message, "two\nlines, one C:\\ drive");
 * assert.equal(runlog.time?.toISOString(), "2026-02-06T14:03:27.123Z");
 *
 * const rust = parsePipelineLine("[2026-02-06 15:03:27] [STEP] development");
 * assert.deepEqual(rust, {
 *   ts: "2026-02-06 15:03:27",
 *   level: "STEP",
 *   message: "development",
 *   dialect: "rust",
 *   exact: true,
 * });
 * ```
 *
 * @param line The line.
 * @returns The entry.
 * @throws {RunLogError} `"invalid-log-line"` for a line without a header.
 */
export function parsePipelineLine(line: string): ParsedPipelineLine {
  const text = line.endsWith("\n") ? line.slice(0, -1) : line;
  const entry = readHeaderLine(text);
  if (entry !== undefined) return entry;
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  throw new RunLogError(
    "invalid-log-line",
    `invalid pipeline log line ${JSON.stringify(shown)}: it does not start with ` +
      `"[<timestamp>] [<LEVEL>] "; if it continues a multi-line message, read the log ` +
      "with parsePipelineLog or a PipelineLogReader",
  );
}

function readHeaderLine(text: string): ParsedPipelineLine | undefined {
  const header = HEADER.exec(text);
  if (header === null) return undefined;
  const ts = header[1];
  const level = header[2];
  const raw = text.slice(header[0].length);
  if (ts.charCodeAt(10) !== 0x54 /* T */) {
    return { ts, level, message: raw, dialect: "rust", exact: true };
  }
  let exact = true;
  const message = raw.includes("\\")
    ? raw.replace(ESCAPE, (escape: string, hex?: string, char?: string) => {
      if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
      if (char === "\\") return "\\";
      if (char === "n") return "\n";
      if (char === "r") return "\r";
      exact = false;
      return escape;
    })
    : raw;
  const time = new Date(ts);
  return Number.isNaN(time.getTime())
    ? { ts, level, message, dialect: "runlog", exact }
    : { ts, time, level, message, dialect: "runlog", exact };
}

/**
 * Reads `pipeline.log` line by line, as `tail -f` receives it, grouping the
 * continuation lines of multi-line Rust-format messages into their entry.
 *
 * A line without a header continues the previous entry when that entry is
 * in the Rust format, its message joined with `\n`. Otherwise (at the start,
 * or after a runlog entry, whose messages never span lines: a line torn by a
 * crash, or the end of an entry whose header came before what was read) it
 * starts an entry with `ts` and `level` `""`, `dialect: "rust"` (the text is
 * taken as written) and `exact: false`, which the next lines without a header
 * continue. A continuation line that looks like a header cannot be told from
 * one: runlog's local format indents continuation lines for that reason.
 *
 * @example Following a log
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineLogReader } from "@ralph/runlog";
 *
 * const reader = new PipelineLogReader();
 * const entry = reader.push("[2026-02-06 15:03:27] [ERROR] multi-line error:");
 * assert.equal(reader.push("  caused by: timeout"), entry); // the same entry, extended
 * assert.equal(entry.message, "multi-line error:\n  caused by: timeout");
 * assert.notEqual(reader.push("[2026-02-06 15:03:28] [INFO] next"), entry);
 * ```
 */
export class PipelineLogReader {
  #last: ParsedPipelineLine | undefined = undefined;

  /**
   * Reads one physical line (without or with its `\n`).
   *
   * @param line The line.
   * @returns The entry the line belongs to: a new entry for a header line,
   * else the previous entry (the same object), its message extended.
   */
  push(line: string): ParsedPipelineLine {
    const text = line.endsWith("\n") ? line.slice(0, -1) : line;
    const entry = readHeaderLine(text);
    if (entry !== undefined) return (this.#last = entry);
    const last = this.#last;
    if (last !== undefined && last.dialect === "rust") {
      last.message += `\n${text}`;
      return last;
    }
    return (this.#last = { ts: "", level: "", message: text, dialect: "rust", exact: false });
  }
}

/**
 * Parses a whole `pipeline.log` (or any part of one that starts at a line),
 * continuation lines grouped as {@linkcode PipelineLogReader} does.
 *
 * @example A Rust multi-line message
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePipelineLog } from "@ralph/runlog";
 *
 * const entries = parsePipelineLog(
 *   "[2026-02-06 15:03:27] [ERROR] failed:\n  timeout\n[2026-02-06T14:03:28.000Z] [INFO] retry\n",
 * );
 * assert.deepEqual(entries.map((e) => [e.level, e.message]), [
 *   ["ERROR", "failed:\n  timeout"],
 *   ["INFO", "retry"],
 * ]);
 * ```
 *
 * @param text The log's text.
 * @returns Its entries, in order.
 */
export function parsePipelineLog(text: string): ParsedPipelineLine[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const reader = new PipelineLogReader();
  const entries: ParsedPipelineLine[] = [];
  for (const line of lines) {
    const entry = reader.push(line);
    if (entries[entries.length - 1] !== entry) entries.push(entry);
  }
  return entries;
}
