/// <reference lib="dom" />
// One entry of a log as a row of the log view, and whole in the detail
// pane below it: its timestamp, level and first line; what is left out.
import type { LogEntry } from "../_log_lines.ts";
import { isSeparator, type LogRow } from "./boot.ts";
import { add, clear, h } from "./dom.ts";
import { sizeText } from "./format.ts";

/** Shows `entry` in `row` (a row element of the view, reused). */
export function fillRow(row: HTMLElement, entry: LogRow, selected: boolean): void {
  clear(row);
  if (isSeparator(entry)) {
    row.className = "row sep";
    row.textContent = entry.sep;
    return;
  }
  row.className = "row" + (entry.level ? ` l-${entry.level}` : "") + (selected ? " selected" : "");
  row.dataset.offset = String(entry.o);
  if (entry.ts) add(row, h("span", { class: "ts" }, entry.ts));
  if (entry.level) add(row, h("span", { class: "lvl lvl-" + entry.level }, entry.level));
  const lines = entry.text.split("\n");
  add(
    row,
    lines[0] + (lines.length > 1 ? `  \u23ce +${lines.length - 1} lines` : "") +
      (entry.cut ? `  \u2026 ${sizeText(entry.cut)} more` : "") +
      (entry.partial ? "  (unfinished line)" : ""),
  );
}

/** An entry whole, as the detail pane shows it; `inReport`: no raw file to point to. */
export function entryDetail(entry: LogEntry, inReport: boolean): string {
  return (entry.ts ? `${entry.ts} ` : "") + (entry.level ? `[${entry.level}] ` : "") + entry.text +
    (entry.cut
      ? `\n\u2026 ${sizeText(entry.cut)} of this entry not shown` +
        (inReport ? "" : " (open the raw file)")
      : "");
}
