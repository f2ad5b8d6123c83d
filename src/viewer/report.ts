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
import { openOutputFile } from "../_output_file.ts";
import { formatBytes } from "../_format_bytes.ts";
import { KEEP_FILE, toRunId } from "../run_dir.ts";
import type { RedactionPattern } from "../redaction/redaction_patterns.ts";
import { makeMasker } from "./_redacted_read.ts";
import { type LogEntry, readLogPage } from "./_log_lines.ts";
import { readTimeline, type TimelineChunk } from "./_timeline.ts";
import { findRun, listRunFiles, readTrace, type RunFile, runJson } from "./_run_data.ts";
import { isFailedEffect, isProviderStream, logsOfEffect, parseLogName } from "./_effect_logs.ts";
import { type MessagePage, readMessagePage } from "./_message_page.ts";
import { isLeaseFileName } from "../lease.ts";
import { EARLIER_DUMP } from "../event_loop_trace.ts";
import { pageHashes, pageHtml } from "./_page.ts";
import { invalidArgument } from "../_invalid_argument.ts";

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
/**
 * The logs a report holds: a run whose logs (pipeline, agents, provider,
 * debug) take at most this many bytes is in the report whole; a larger run
 * gets this much, the logs that matter first (see {@linkcode renderReport}).
 */
export const REPORT_LOGS_BUDGET = 8 * 1024 * 1024;
/**
 * The provider streams in a report are also there as messages, in the
 * report's order of importance, until the streams read for them take this
 * many bytes; the others show as lines only.
 */
export const REPORT_MESSAGES_BUDGET = 4 * 1024 * 1024;
/** Over the budget, a log larger than this is represented by its end. */
const FILE_TAIL_BYTES = 256 * 1024;
const TIMELINE_BYTES = 64 * 1024 * 1024;
const PIPELINE_HEAD = 500;
const PIPELINE_TAIL = 2000;
// Shown elsewhere in the report (the trace tab holds every dump), or nothing to show.
const SKIP_FILES = new Set([
  "run.json",
  "event_loop.log",
  "pipeline.log",
  "event_loop_trace.jsonl",
  KEEP_FILE,
]);

function isSkipped(path: string): boolean {
  return SKIP_FILES.has(path) || isLeaseFileName(path) || EARLIER_DUMP.test(path);
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function checkOptions(options: unknown): ReportOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw invalidArgument("report", "the options", options, "an object");
  }
  const o = options as ReportOptions;
  if (o.redact !== undefined && typeof o.redact !== "boolean") {
    throw invalidArgument("report", "redact", o.redact, "a boolean");
  }
  return o;
}

type Row = LogEntry | { sep: string };

/**
 * Renders the report of a run: its metadata and sessions, the timeline of
 * its effects (up to {@linkcode REPORT_MAX_EFFECTS}), its logs and its
 * crash traces; masked unless `redact: false`. A run whose logs take at
 * most {@linkcode REPORT_LOGS_BUDGET} is in the report whole. A larger one
 * gets that much: the start and end of its pipeline log, then the logs of
 * its failed effects, then those of its last iterations, then the rest,
 * each whole when small, else its end; the page says what it left out,
 * and that `runlog pack` writes every file.
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
  // A live run's files may end in a line still being written: it is masked.
  const live = run.status === "running";
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
  const candidates = files.filter((f) => !isSkipped(f.path));
  const pipeline = files.find((f) => f.path === "pipeline.log");
  const total = candidates.reduce((n, f) => n + f.bytes, pipeline?.bytes ?? 0);
  // A run that fits is in the report whole; a larger one, what matters first.
  const whole = total <= REPORT_LOGS_BUDGET;
  let budget = REPORT_LOGS_BUDGET;
  if (pipeline !== undefined) {
    const rows = whole || pipeline.bytes <= budget / 4
      ? await wholeRows(ws, `${run.dir}/pipeline.log`, "pipeline.log", pipeline.bytes, masker, live)
      : await pipelineRows(ws, `${run.dir}/pipeline.log`, masker, notes, live);
    budget -= Math.min(pipeline.bytes, budget / 4);
    logs["pipeline.log"] = { entries: rows };
  } else {
    logs["pipeline.log"] = { entries: [] };
  }
  const left: RunFile[] = [];
  const ends: string[] = [];
  for (const file of whole ? candidates : byImportance(candidates, timeline)) {
    const path = `${run.dir}/${file.path}`;
    if (whole || file.bytes <= Math.min(budget, FILE_TAIL_BYTES * 4)) {
      logs[file.path] = { entries: await wholeRows(ws, path, file.path, file.bytes, masker, live) };
      budget -= file.bytes;
    } else if (budget >= FILE_TAIL_BYTES) {
      const page = await readLogPage(ws, path, file.path, {
        direction: "backward",
        limit: Number.MAX_SAFE_INTEGER,
        budget: FILE_TAIL_BYTES,
        live,
      }, masker);
      const rows: Row[] = page.entries;
      if (page.next > 0) {
        rows.unshift({
          sep: `… the first ${formatBytes(page.next)} of this file are not in this report …`,
        });
        ends.push(file.path);
      }
      logs[file.path] = { entries: rows };
      budget -= FILE_TAIL_BYTES;
    } else {
      left.push(file);
    }
  }
  if (!whole) {
    notes.push(
      `The run's logs take ${formatBytes(total)}, more than the ${
        formatBytes(REPORT_LOGS_BUDGET)
      } a report holds: the logs of failed effects come first, then those of the last ` +
        `iterations, then the rest. runlog pack ${run.id} writes every file (masked), and ` +
        "runlog serve shows them all.",
    );
  }
  if (ends.length > 0) {
    notes.push(
      `Of ${count(ends.length)} long log(s), only the last ${formatBytes(FILE_TAIL_BYTES)} ` +
        `are included: ${ends.slice(0, 10).join(", ")}${ends.length > 10 ? ", …" : ""}.`,
    );
  }
  if (left.length > 0) {
    notes.push(
      `${count(left.length)} file(s) (${
        formatBytes(left.reduce((n, f) => n + f.bytes, 0))
      }) are listed but not included: ${left.slice(0, 10).map((f) => f.path).join(", ")}${
        left.length > 10 ? ", …" : ""
      }.`,
    );
  }
  // Provider streams in the report are also there as messages, from the
  // first line the report holds of each, the most important first, within
  // their own budget.
  const messages: Record<string, MessagePage> = {};
  let messagesBudget = REPORT_MESSAGES_BUDGET;
  let linesOnly = 0;
  for (const [path, log] of Object.entries(logs)) {
    if (!isProviderStream(path)) continue;
    const first = log.entries.find((row): row is LogEntry => !("sep" in row));
    if (first === undefined) continue;
    const size = files.find((f) => f.path === path)?.bytes ?? 0;
    if (size - first.o > messagesBudget) {
      linesOnly++;
      continue;
    }
    messagesBudget -= size - first.o;
    messages[path] = await readMessagePage(
      ws,
      `${run.dir}/${path}`,
      path,
      {
        from: first.o,
        budget: size - first.o + 1,
        maxMessages: Number.MAX_SAFE_INTEGER,
        live,
      },
      masker,
      size,
    );
  }
  if (linesOnly > 0) {
    notes.push(
      `${count(linesOnly)} provider stream(s) show as lines only: as messages too, they would ` +
        `pass the ${formatBytes(REPORT_MESSAGES_BUDGET)} this report gives messages.`,
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
      messages,
      trace,
      notes,
    },
  }, csp);
  return { html, notes, effects: timeline.seq.length };
}

// The files of a large run in the order the report takes them: the logs
// of failed effects (latest failure first), then agent and provider logs
// of the last iterations (highest index and attempt first), then the rest.
function byImportance(files: RunFile[], timeline: TimelineChunk): RunFile[] {
  const paths = files.map((f) => f.path);
  const order = new Map<string, number>();
  const take = (path: string) => {
    if (!order.has(path)) order.set(path, order.size);
  };
  const { strings } = timeline;
  for (let n = timeline.seq.length - 1; n >= 0; n--) {
    const detail = strings[timeline.detail[n]];
    if (!isFailedEffect(strings[timeline.event[n]], detail)) continue;
    for (const path of logsOfEffect({ phase: strings[timeline.phase[n]], detail }, paths)) {
      take(path);
    }
  }
  const named = files.flatMap((f) => {
    const name = parseLogName(f.path);
    return name === undefined ? [] : [{ path: f.path, name }];
  });
  named.sort((a, b) => b.name.index - a.name.index || b.name.attempt - a.name.attempt);
  for (const { path } of named) take(path);
  for (const path of [...paths].sort()) take(path);
  return [...files].sort((a, b) => order.get(a.path)! - order.get(b.path)!);
}

// A log whole, as entries (each line a row).
async function wholeRows(
  ws: Workspace,
  path: string,
  name: string,
  size: number,
  masker: ReturnType<typeof makeMasker>,
  live: boolean,
): Promise<Row[]> {
  const page = await readLogPage(ws, path, name, {
    direction: "forward",
    limit: Number.MAX_SAFE_INTEGER,
    partial: true,
    budget: size + 1,
    live,
  }, masker);
  return page.entries;
}

async function pipelineRows(
  ws: Workspace,
  path: string,
  masker: ReturnType<typeof makeMasker>,
  notes: string[],
  live: boolean,
): Promise<Row[]> {
  const head = await readLogPage(ws, path, "pipeline.log", {
    direction: "forward",
    limit: PIPELINE_HEAD + PIPELINE_TAIL,
    partial: true,
    budget: 3 * 1024 * 1024,
    live,
  }, masker);
  if (head.eof) return head.entries;
  const first = head.entries.slice(0, PIPELINE_HEAD);
  const firstEnd = first.length > 0 ? first[first.length - 1].e : 0;
  const tail = await readLogPage(ws, path, "pipeline.log", {
    direction: "backward",
    limit: PIPELINE_TAIL,
    budget: 2 * 1024 * 1024,
    live,
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
    throw invalidArgument("writeReport", "output", output, "a file path");
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
