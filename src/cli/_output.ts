// What the command writes, and how: colour only on a terminal and never
// with NO_COLOR; sizes, durations and tables for people, JSON for scripts.
import process from "node:process";
import type { RunStatus } from "../runs/list_runs.ts";
import type { Output } from "./output.ts";

export type { Output };

const isClosedPipe = (error: unknown) => (error as { code?: unknown } | null)?.code === "EPIPE";

// A reader that stopped reading (`runlog list | head -1`) ends the command
// quietly with 0, as `ls | head` does; Node reports EPIPE as an 'error'
// event, Bun throws it from write(), Deno does either.
function closedStdout(error: unknown): void {
  if (!isClosedPipe(error)) throw error;
  process.exit(0);
}

let watchingPipes = false;

/**
 * The process's own standard output and error. A closed standard output
 * ends the process at once, quietly, with exit code 0; a closed standard
 * error is ignored.
 */
export function processOutput(): Output {
  const tty = process.stdout.isTTY === true;
  const noColor = (process.env.NO_COLOR ?? "") !== "";
  if (!watchingPipes) {
    watchingPipes = true;
    process.stdout.on("error", closedStdout);
    process.stderr.on("error", (error: unknown) => {
      if (!isClosedPipe(error)) throw error;
    });
  }
  return {
    out: (text) => {
      try {
        process.stdout.write(text);
      } catch (error) {
        closedStdout(error);
      }
    },
    err: (text) => {
      try {
        process.stderr.write(text);
      } catch (error) {
        if (!isClosedPipe(error)) throw error;
      }
    },
    tty,
    color: tty && !noColor,
  };
}

// C0 controls, DEL and C1 controls (Unicode's Cc), the bidirectional
// marks, embeddings, overrides and isolates (which reorder the text shown
// after them: "Trojan Source"), and the line and paragraph separators.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const SHORT_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeUnsafe(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x80) return SHORT_ESCAPES[char] ?? `\\x${code.toString(16).padStart(2, "0")}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * `text` safe to print on a terminal: every control character (C0, DEL,
 * C1), bidirectional control and line separator written as an escape
 * (`\n`, `\t`, `\x1b`, `\x7f`, `\u{9b}`, `\u{202e}`), so that a string
 * from disk or an archive (a command in run.json, a file name, an entry
 * name, a lease's host) can neither move the cursor, recolour, retitle or
 * clear the terminal, nor break the layout of a table or line. Backslashes
 * stay as they are (Windows paths read as written).
 *
 * @param text Text from disk, an archive or the command line.
 * @param keep Control characters to leave as they are: `"\t"` for log
 *   content, `"\n"` for a stack trace.
 */
export function terminalSafe(text: string, keep = ""): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (char) => keep.includes(char) ? char : escapeUnsafe(char));
}

/**
 * A path printed alone for a script (`dir=$(runlog new)`): exact when the
 * output is a pipe, escaped by {@linkcode terminalSafe} on a terminal, as
 * `ls` does.
 */
export function printedPath(output: Output, path: string): string {
  return output.tty ? terminalSafe(path) : path;
}

const CODES: Record<string, string> = {
  bold: "1",
  dim: "2",
  red: "31",
  green: "32",
  yellow: "33",
  blue: "34",
  magenta: "35",
  cyan: "36",
};

/** `text` in a colour, when the output takes colour. */
export function paint(output: Output, style: keyof typeof CODES, text: string): string {
  return output.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

const STATUS_STYLE: Record<RunStatus, keyof typeof CODES> = {
  running: "cyan",
  idle: "blue",
  succeeded: "green",
  failed: "red",
  interrupted: "yellow",
  crashed: "magenta",
  unknown: "dim",
};

/** A run status, coloured by what it means. */
export function paintStatus(output: Output, status: RunStatus): string {
  return paint(output, STATUS_STYLE[status], status);
}

export { formatBytes } from "../_format_bytes.ts";
export { formatDuration } from "../_format_duration.ts";

// The length of text as shown: colour codes take no room.
// deno-lint-ignore no-control-regex
const shown = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "").length;

/** Rows as aligned columns, the first row a header. */
export function table(output: Output, rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => shown(r[c] ?? ""))));
  return rows.map((row, r) =>
    row.map((cell, c) => {
      const text = r === 0 ? paint(output, "bold", cell) : cell;
      return c === row.length - 1 ? text : text + " ".repeat(widths[c] - shown(cell) + 2);
    }).join("").trimEnd()
  ).join("\n") + "\n";
}

// What JSON.stringify leaves raw that a terminal may act on: DEL, C1
// controls, bidirectional controls, line separators (C0 it escapes itself).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * JSON for scripts: one document, two-space indented, ending in a newline.
 * Every control character is escaped (`\u001b`, `\u009b`, `\u202e`), so
 * that the document is safe on a terminal and parses to the same values.
 */
export function json(value: unknown): string {
  const text = JSON.stringify(value, (_key, v) => typeof v === "bigint" ? String(v) : v, 2);
  // Such characters occur only inside strings: escaping them keeps the values.
  return `${
    text.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
  }\n`;
}
