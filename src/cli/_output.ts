// What the command writes, and how: colour only on a terminal and never
// with NO_COLOR; sizes, durations and tables for people, JSON for scripts.
import process from "node:process";
import type { RunStatus } from "../runs/list_runs.ts";

/** Where a command writes; tests pass their own. */
export interface Output {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Whether standard output is a terminal (progress bars, colour). */
  readonly tty: boolean;
  /** Whether to colour the output. */
  readonly color: boolean;
}

/** The process's own standard output and error. */
export function processOutput(): Output {
  const tty = process.stdout.isTTY === true;
  const noColor = (process.env.NO_COLOR ?? "") !== "";
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    tty,
    color: tty && !noColor,
  };
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

/** A duration for people: "850 ms", "42 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

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

/** JSON for scripts: one document, two-space indented, ending in a newline. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, (_key, v) => typeof v === "bigint" ? String(v) : v, 2)}\n`;
}
