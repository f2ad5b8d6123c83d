/// <reference lib="dom" />
// The viewer's JSON API as the page calls it: one function per route, typed
// with the server's own types, and the page URLs the links lead to.
import type { RunDetailJson, RunsJson, TraceJson } from "../_run_data.ts";
import type { TimelineChunk } from "../_timeline.ts";
import type { LogPage } from "../_log_lines.ts";
import type { MessagePage } from "../_message_page.ts";
import type { Comparison } from "../_compare.ts";
import type { LiveCursors } from "../_live.ts";

const enc = encodeURIComponent;

/**
 * GETs JSON from the viewer's API. A refusal becomes an error with the
 * server's message (and, for 403, how to get in).
 */
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
    cache: "no-store",
  });
  if (res.ok) return await res.json() as T;
  const text = await res.text();
  let message = `${res.status} ${res.statusText}`;
  try {
    message = (JSON.parse(text) as { error?: string }).error || message;
  } catch { /* Not JSON. */ }
  if (res.status === 403) {
    message += " (open the URL that runlog serve printed: it holds the token)";
  }
  throw new Error(message);
}

/** The page of a run. */
export function runHref(id: string): string {
  return `/run/${enc(id)}`;
}

/** The page comparing two runs. */
export function compareHref(a: string, b: string): string {
  return `/compare/${enc(a)}/${enc(b)}`;
}

/** A file of a run as it is (masked), to open in a new tab. */
export function rawHref(id: string, path: string): string {
  return `/api/runs/${enc(id)}/raw?path=${enc(path)}`;
}

/** Every run, and what in `.agent/` is not one. */
export function fetchRuns(): Promise<RunsJson> {
  return getJson("/api/runs");
}

/** A run: its metadata, status and files. */
export function fetchRun(id: string): Promise<RunDetailJson> {
  return getJson(`/api/runs/${enc(id)}`);
}

/** The effects of a run's event log from byte `from` on. */
export function fetchTimeline(id: string, from: number): Promise<TimelineChunk> {
  return getJson(`/api/runs/${enc(id)}/timeline?from=${from}`);
}

/** A run's crash trace, with earlier sessions' dumps. */
export function fetchTrace(id: string): Promise<TraceJson> {
  return getJson(`/api/runs/${enc(id)}/trace`);
}

/** How to read a page of a log. */
export interface LinesQuery {
  /** The file, relative to the run directory. */
  path: string;
  limit: number;
  /** Levels to keep; all when empty. */
  levels: readonly string[];
  /** Text to look for (lower case). */
  q: string;
  /** Forward from `at`, or backward up to `before` (default: the end). */
  dir: "forward" | "backward";
  at?: number;
  before?: number;
}

/** A page of a log's entries. */
export function fetchLines(id: string, query: LinesQuery): Promise<LogPage> {
  let url = `/api/runs/${enc(id)}/lines?path=${enc(query.path)}&limit=${query.limit}` +
    (query.levels.length ? `&level=${enc(query.levels.join(","))}` : "") +
    (query.q ? `&q=${enc(query.q)}` : "") + `&dir=${query.dir}`;
  if (query.at !== undefined) url += `&at=${query.at}`;
  if (query.before !== undefined) url += `&before=${query.before}`;
  return getJson(url);
}

/** A provider stream as messages, from byte `from` on. */
export function fetchMessages(id: string, path: string, from: number): Promise<MessagePage> {
  return getJson(`/api/runs/${enc(id)}/messages?path=${enc(path)}&from=${from}`);
}

/** Two runs compared. */
export function fetchComparison(a: string, b: string): Promise<Comparison> {
  return getJson(`/api/compare?a=${enc(a)}&b=${enc(b)}`);
}

/** The URL of a run's live event stream, from where the page is in each file. */
export function liveUrl(id: string, query: LiveCursors): string {
  return `/api/runs/${enc(id)}/live?events=${query.events}&pipeline=${query.pipeline}` +
    (query.file ? `&path=${enc(query.file.path)}&file=${query.file.at}` : "");
}
