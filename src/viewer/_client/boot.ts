/// <reference lib="dom" />
// What the page starts from: the JSON in its `runlog-boot` element. The
// live viewer gives its mode alone (the page reads the rest from the API);
// a report holds all it shows.
import type { RunDetailJson, TraceJson } from "../_run_data.ts";
import type { TimelineChunk } from "../_timeline.ts";
import type { LogEntry } from "../_log_lines.ts";
import type { MessagePage } from "../_message_page.ts";

/** A row of a log that stands for lines left out. */
export interface LogSeparator {
  sep: string;
}

/** A row of a log view: an entry, or a separator where lines are left out. */
export type LogRow = LogEntry | LogSeparator;

/** Whether a row stands for lines left out. */
export function isSeparator(row: LogRow): row is LogSeparator {
  return Boolean((row as Partial<LogSeparator>).sep);
}

/** Everything a report shows, as `renderReport` puts it in the page. */
export interface ReportData {
  detail: RunDetailJson;
  /** The effects (without offsets: a report pages nothing). */
  timeline: TimelineChunk;
  /** What the timeline leaves out, when it does. */
  timelineNote: string;
  /** The logs in the report, by path relative to the run directory. */
  logs: Record<string, { entries: LogRow[] } | undefined>;
  /** The provider streams among them, as messages. */
  messages?: Record<string, MessagePage | undefined>;
  trace: TraceJson;
  /** What the report left out or summarised. */
  notes: string[];
}

/** The live viewer's page. */
export interface LiveBoot {
  mode: "live";
  redacted: boolean;
  /** The workspace. */
  root: string;
}

/** A report's page. */
export interface ReportBoot {
  mode: "report";
  redacted: boolean;
  /** When the report was made, ISO. */
  generatedAt: string;
  data: ReportData;
}

/** The page's starting data. */
export type Boot = LiveBoot | ReportBoot;

/** The boot data of this page. */
export function readBoot(): Boot {
  return JSON.parse(document.getElementById("runlog-boot")!.textContent!) as Boot;
}

/**
 * The server answers ?token= with a redirect to the URL without it; should
 * this page be shown at such a URL all the same (a proxy, a saved page),
 * the token leaves the address bar and this history entry before anything loads.
 */
export function dropTokenFromUrl(): void {
  if (/[?&]token=/.test(location.search) && globalThis.history && history.replaceState) {
    const kept = location.search.slice(1).split("&").filter((pair) =>
      pair.split("=")[0] !== "token"
    ).join("&");
    history.replaceState(null, "", location.pathname + (kept ? `?${kept}` : "") + location.hash);
  }
}
