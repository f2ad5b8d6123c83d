/**
 * A run as one self-contained HTML file: the run page of the viewer with
 * its data inside (no network, no external asset; it opens from
 * `file://`), masked, and summarised so that it stays a few megabytes
 * whatever the size of the run. The page says what was left out.
 *
 * @module
 */
import type { Workspace } from "../workspace.ts";
import type { RunId } from "../run_id.ts";
import { RunLogError } from "../run_log_error.ts";
import { describeValue } from "../_describe_value.ts";
import { openOutputFile } from "../_output_file.ts";
import { formatBytes } from "../_format_bytes.ts";
import { KEEP_FILE, toRunId } from "../run_log_context.ts";
import type { RedactionPattern } from "../pack/redaction_patterns.ts";
import { makeMasker } from "./_redacted_read.ts";
import { type LogEntry, readLogPage } from "./_log_lines.ts";
import { readTimeline } from "./_timeline.ts";
import { findRun, listRunFiles, readTrace, runJson } from "./_run_data.ts";
import { pageHashes, pageHtml } from "./_page.ts";

/** Options of {@linkcode renderReport} and {@linkcode writeReport}. */
export interface ReportOptions {
  /** Mask secrets (default `true`); `false` puts the logs in as they are. */
  redact?: boolean;
  /** Redaction patterns of your own, used after the built-in ones. */
  patterns?: readonly RedactionPattern[];
  /** {@linkcode writeReport}: replace an existing file (default: refuse). */
  overwrite?: boolean;
}

/** A rendered report. */
export interface RenderedReport {
  /** The HTML page. */
  html: string;
  /** What was left out or summarised, as the page says it. */
  notes: string[];
  /** How many effects the timeline holds. */
  effects: number;
}

/** What {@linkcode writeReport} wrote. */
export interface ReportSummary extends Omit<RenderedReport, "html"> {
  /** The absolute path of the report. */
  path: string;
  /** Its size in bytes. */
  bytes: number;
}

/** The most effects in a report's timeline. */
export const REPORT_MAX_EFFECTS = 200_000;
const TIMELINE_BYTES = 64 * 1024 * 1024;
const PIPELINE_HEAD = 500;
const PIPELINE_TAIL = 2000;
const FILE_ENTRIES = 200;
const FILE_BYTES = 32 * 1024;
const MAX_LOG_FILES = 60;
const LOGS_BUDGET = 2 * 1024 * 1024;
// Shown elsewhere in the report, or nothing to show. (lease.ts keeps its
// pattern of lease file names to itself.)
const SKIP_FILES = new Set([
  "run.json",
  "event_loop.log",
  "pipeline.log",
  "event_loop_trace.jsonl",
  KEEP_FILE,
]);
const LEASE_FILE = /^lease\.\d+\.json$/;

function isSkipped(path: string): boolean {
  return SKIP_FILES.has(path) || LEASE_FILE.test(path);
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function checkOptions(options: unknown): ReportOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw new RunLogError(
      "invalid-argument",
      `report: the options must be an object, got ${describeValue(options)}`,
    );
  }
  const o = options as ReportOptions;
  if (o.redact !== undefined && typeof o.redact !== "boolean") {
    throw new RunLogError(
      "invalid-argument",
      `report: redact must be a boolean, got ${describeValue(o.redact)}`,
    );
  }
  return o;
}

type Row = LogEntry | { sep: string };

/**
 * Renders the report of a run: its metadata and sessions, the timeline of
 * its effects (up to {@linkcode REPORT_MAX_EFFECTS}), the start and end of
 * its pipeline log, the end of each agent and provider log (up to about
 * 2 MB of logs in all), and its crash trace; masked unless `redact: false`.
 *
 * @example A report in memory
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventLoopLogger, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { renderReport } from "@ralph/runlog/viewer";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * const events = await EventLoopLogger.open(ctx);
 * await events.logEffect({ phase: "Development", effect: "InvokeAgent", event: "Done", durationMs: 1200 });
 * await events.close();
 * await ctx.close({ status: "succeeded" });
 *
 * const report = await renderReport(ws, ctx.runId);
 * assert.equal(report.effects, 1);
 * assert.ok(report.html.startsWith("<!doctype html>"));
 * assert.ok(!/https?:\/\//.test(report.html)); // nothing to fetch
 * ```
 *
 * @param ws The workspace.
 * @param runId The run.
 * @param options Redaction.
 * @returns The page, and what it leaves out.
 * @throws {RunLogError} `"invalid-run-id"`; `"not-found"` for a run that does not exist.
 */
export async function renderReport(
  ws: Workspace,
  runId: RunId | string,
  options?: ReportOptions,
): Promise<RenderedReport> {
  const opts = checkOptions(options);
  const id = toRunId(runId);
  const masker = makeMasker(opts.redact !== false, opts.patterns);
  const run = await findRun(ws, id);
  const { files, skipped, cut } = await listRunFiles(ws, run.dir);
  const notes: string[] = [];
  if (cut) {
    notes.push(`The run holds more files than listed here: the first ${count(files.length)}.`);
  }

  const timeline = await readTimeline(ws, `${run.dir}/event_loop.log`, 0, masker, {
    maxBytes: TIMELINE_BYTES,
    maxEffects: REPORT_MAX_EFFECTS,
  });
  const timelineNote = timeline.done ? "" : `This report's timeline holds the first ` +
    `${count(timeline.seq.length)} effects (${formatBytes(timeline.next)} of event_loop.log); ` +
    `the remaining ${formatBytes(timeline.size - timeline.next)} are not included.`;
  if (timelineNote) notes.push(timelineNote);

  const logs: Record<string, { entries: Row[] }> = {};
  if (files.some((f) => f.path === "pipeline.log")) {
    logs["pipeline.log"] = {
      entries: await pipelineRows(ws, `${run.dir}/pipeline.log`, masker, notes),
    };
  } else {
    logs["pipeline.log"] = { entries: [] };
  }
  let budget = LOGS_BUDGET;
  const left: string[] = [];
  let truncated = 0;
  const candidates = files.filter((f) => !isSkipped(f.path)).sort((a, b) =>
    rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : 1)
  );
  for (const file of candidates) {
    if (Object.keys(logs).length > MAX_LOG_FILES || budget <= 0) {
      left.push(file.path);
      continue;
    }
    const page = await readLogPage(ws, `${run.dir}/${file.path}`, file.path, {
      direction: "backward",
      limit: FILE_ENTRIES,
      budget: FILE_BYTES,
    }, masker);
    const rows: Row[] = page.entries;
    budget -= page.entries.reduce((n, e) => n + e.text.length, 0);
    if (page.next > 0) {
      rows.unshift({
        sep: `… the first ${formatBytes(page.next)} of this file are not in this report …`,
      });
      truncated++;
    }
    logs[file.path] = { entries: rows };
  }
  if (left.length > 0) {
    notes.push(
      `${count(left.length)} more file(s) are listed but not included (about ` +
        `${formatBytes(LOGS_BUDGET)} of logs at most): ${left.slice(0, 10).join(", ")}` +
        `${left.length > 10 ? ", …" : ""}.`,
    );
  }
  if (truncated > 0) {
    notes.push(
      `Of ${count(truncated)} long log(s), only the last ${count(FILE_ENTRIES)} lines ` +
        `(${formatBytes(FILE_BYTES)} at most) are included.`,
    );
  }
  const trace = await readTrace(ws, run.dir, masker);
  const { script, style } = await pageHashes();
  const csp = `default-src 'none'; script-src '${script}'; style-src '${style}'; img-src data:`;
  const html = pageHtml({
    mode: "report",
    redacted: masker.on,
    generatedAt: new Date().toISOString(),
    data: {
      detail: {
        run: runJson(run, masker),
        files,
        skipped,
        filesCut: cut,
        trace: trace.present,
        redacted: masker.on,
      },
      // Offsets serve paging only: the report pages nothing.
      timeline: { ...timeline, off: [] },
      timelineNote,
      logs,
      trace,
      notes,
    },
  }, csp);
  return { html, notes, effects: timeline.seq.length };
}

function rank(path: string): number {
  return path.startsWith("agents/") ? 0 : path.startsWith("provider/") ? 1 : 2;
}

async function pipelineRows(
  ws: Workspace,
  path: string,
  masker: ReturnType<typeof makeMasker>,
  notes: string[],
): Promise<Row[]> {
  const head = await readLogPage(ws, path, "pipeline.log", {
    direction: "forward",
    limit: PIPELINE_HEAD + PIPELINE_TAIL,
    partial: true,
    budget: 3 * 1024 * 1024,
  }, masker);
  if (head.eof) return head.entries;
  const first = head.entries.slice(0, PIPELINE_HEAD);
  const firstEnd = first.length > 0 ? first[first.length - 1].e : 0;
  const tail = await readLogPage(ws, path, "pipeline.log", {
    direction: "backward",
    limit: PIPELINE_TAIL,
    budget: 2 * 1024 * 1024,
  }, masker);
  const last = tail.entries.filter((e) => e.o >= firstEnd);
  const gap = (last[0]?.o ?? tail.size) - firstEnd;
  notes.push(
    `pipeline.log is ${formatBytes(tail.size)}: this report holds its first ` +
      `${count(first.length)} and last ${count(last.length)} entries; ${
        formatBytes(gap)
      } in between ` +
      "are not included.",
  );
  return [
    ...first,
    ...(gap > 0
      ? [{ sep: `… ${formatBytes(gap)} of pipeline.log not included in this report …` }]
      : []),
    ...last,
  ];
}

/**
 * Writes the report of a run to a file, atomically: to a temporary file
 * beside it (mode 0600: it holds logs), flushed, then given its name. An
 * existing file is refused unless `overwrite`.
 *
 * @example Writing a report next to the current directory's runs
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { writeReport } from "@ralph/runlog/viewer";
 *
 * const ws = new MemoryWorkspace(); // or new NodeWorkspace(process.cwd()), …
 * const ctx = await RunLogContext.create(ws);
 * await ctx.close({ status: "succeeded" });
 *
 * const dir = await mkdtemp(join(tmpdir(), "runlog-report-"));
 * const summary = await writeReport(ws, ctx.runId, join(dir, "report.html"));
 * assert.match(await readFile(summary.path, "utf8"), /^<!doctype html>/);
 * await assert.rejects(writeReport(ws, ctx.runId, summary.path), /already exists/);
 * await rm(dir, { recursive: true });
 * ```
 *
 * @param ws The workspace.
 * @param runId The run.
 * @param output The file to write, relative to the current directory.
 * @param options Redaction.
 * @returns Where it went, its size and what it leaves out.
 * @throws {RunLogError} `"invalid-argument"` for an output that is a
 * directory; `"not-found"` for a missing run.
 * @throws {WorkspaceError} when the file cannot be written, naming it.
 */
export async function writeReport(
  ws: Workspace,
  runId: RunId | string,
  output: string,
  options?: ReportOptions,
): Promise<ReportSummary> {
  if (typeof output !== "string" || output === "") {
    throw new RunLogError(
      "invalid-argument",
      `writeReport: output must be a file path, got ${describeValue(output)}`,
    );
  }
  const file = await openOutputFile(output, {
    caller: "writeReport",
    what: "report",
    overwrite: options?.overwrite === true,
  });
  let bytes: Uint8Array;
  let rendered: RenderedReport;
  try {
    rendered = await renderReport(ws, runId, options);
    bytes = new TextEncoder().encode(rendered.html);
    await file.write(bytes);
  } catch (error) {
    await file.abort(error);
    throw error;
  }
  await file.commit();
  const { notes, effects } = rendered;
  return { path: file.path, bytes: bytes.length, notes, effects };
}
