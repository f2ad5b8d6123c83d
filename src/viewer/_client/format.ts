// Numbers, sizes, durations and times as the pages show them; sizes and
// durations as the command line writes them.
import { formatBytes } from "../../_format_bytes.ts";
import { formatDuration } from "../../_format_duration.ts";
import type { RunJson } from "../_run_data.ts";

/** A count with thousands separators: "12,345". */
export function formatCount(n: number): string {
  return Number(n).toLocaleString("en-US");
}

/** A size ("3.4 MB"), or nothing when there is none. */
export function sizeText(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? "" : formatBytes(bytes);
}

/** A duration ("4.2 s", "3 min 5 s"), or nothing when there is none. */
export function durationText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !isFinite(ms)) return "";
  return formatDuration(ms);
}

/** A time on the timeline's axis, from its start: "0", "500 ms", "1.5 s", "2 min 30 s". */
export function axisText(ms: number): string {
  if (ms === 0) return "0";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${ms % 1000 ? (ms / 1000).toFixed(1) : ms / 1000} s`;
  const m = Math.floor(ms / 60000);
  const s = Math.round((ms % 60000) / 1000);
  if (ms < 3600000) return `${m} min${s ? ` ${s} s` : ""}`;
  const hours = Math.floor(ms / 3600000);
  const mins = Math.round((ms % 3600000) / 60000);
  return `${hours} h${mins ? ` ${mins} min` : ""}`;
}

/** An ISO time to the second: "2026-02-06 14:03:27 UTC"; nothing for none. */
export function timeText(iso: string | null | undefined): string {
  return iso ? `${String(iso).replace("T", " ").slice(0, 19)} UTC` : "";
}

/**
 * An ISO time, short, for table cells: "2026-02-06 14:03:27" (UTC, as the
 * column's head says); only "14:03:27" when it is on the day of `sameDay`.
 */
export function shortTime(iso: string | null | undefined, sameDay?: string): string {
  if (!iso) return "";
  const text = String(iso).replace("T", " ").slice(0, 19);
  return sameDay !== undefined && sameDay.slice(0, 10) === text.slice(0, 10)
    ? text.slice(11)
    : text;
}

/** How long a run took, or has been running; nothing when unknown. */
export function runDuration(run: RunJson): string {
  const start = Date.parse(run.startedAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : (run.live ? Date.now() : NaN);
  return isFinite(end - start) ? durationText(end - start) : "";
}
