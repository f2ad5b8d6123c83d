// What the pages show of runs, as JSON: the listing, one run's metadata,
// sessions and files, and its crash trace; every text masked.
import type { Workspace } from "../workspace.ts";
import { WorkspaceError } from "../workspace_error.ts";
import { RunId } from "../run_id.ts";
import { RunLogError } from "../run_log_error.ts";
import { runDirOf } from "../run_dir.ts";
import {
  findRunInfo,
  type RunInfo,
  type RunListing,
  type RunStatus,
  type SkippedEntry,
  treeBytes,
} from "../runs/list_runs.ts";
import type { RunMetadata } from "../run_metadata.ts";
import { normalizeEntryPath } from "../_workspace_path.ts";
import { HARD_LINK_SKIPPED } from "../_workspace_checks.ts";
import { EARLIER_DUMP } from "../event_loop_trace.ts";
import { type Masker, parseMaskedJson, readMasked } from "./_redacted_read.ts";
import { HttpError } from "./_http.ts";

/** A run as the pages show it. */
export interface RunJson {
  id: string;
  status: RunStatus;
  live: boolean;
  startedAt: string;
  endedAt?: string;
  bytes?: number;
  holder?: { pid: number; host: string; runtime: string; takenAt: string; heartbeatAt: string };
  /** Its `run.json`, masked. */
  metadata?: RunMetadata;
  problem?: string;
}

/** The runs page's listing: `GET /api/runs`. */
export interface RunsJson {
  /** The workspace. */
  root: string;
  redacted: boolean;
  /** Newest first. */
  runs: RunJson[];
  /** What in `.agent/` is not a run. */
  skipped: SkippedEntry[];
}

/** What a run page starts from: `GET /api/runs/<id>`, and a report's `detail`. */
export interface RunDetailJson {
  run: RunJson;
  files: RunFile[];
  skipped: SkippedFile[];
  /** Whether the run holds more files than listed (MAX_FILES). */
  filesCut: boolean;
  /** Whether the run has a crash trace. */
  trace: boolean;
  redacted: boolean;
}

/** The files of a run: `GET /api/runs/<id>/files`, and the live `files` event. */
export interface RunFilesJson {
  files: RunFile[];
  skipped: SkippedFile[];
  /** Whether there are more than MAX_FILES. */
  cut: boolean;
}

/** A file of a run. */
export interface RunFile {
  /** Relative to the run directory. */
  path: string;
  bytes: number;
}

/** Something in a run directory that is not served, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** The most files listed for one run; the page says when there are more. */
export const MAX_FILES = 5000;
const MAX_DEPTH = 8;
/** The largest trace read whole; of a larger one only the end is shown. */
export const MAX_TRACE_BYTES = 4 * 1024 * 1024;

/** A run for the pages: dates as ISO text, texts masked. */
export function runJson(run: RunInfo, masker: Masker): RunJson {
  const out: RunJson = {
    id: run.id,
    status: run.status,
    live: run.status === "running",
    startedAt: run.startedAt.toISOString(),
  };
  if (run.endedAt !== undefined) out.endedAt = run.endedAt.toISOString();
  if (run.bytes !== undefined) out.bytes = run.bytes;
  if (run.holder !== undefined) {
    const { pid, host, runtime, takenAt, heartbeatAt } = run.holder;
    out.holder = masker.json({ pid, host, runtime, takenAt, heartbeatAt });
  }
  if (run.metadata !== undefined) out.metadata = masker.json(run.metadata);
  if (run.problem !== undefined) out.problem = masker.text(run.problem);
  return out;
}

/** A run id from a URL, checked: anything else is a 404 that says so. */
export function parseRunId(text: string): RunId {
  try {
    return RunId.parse(text);
  } catch (error) {
    throw new HttpError(
      404,
      `no run ${JSON.stringify(text.slice(0, 100))}: ${(error as Error).message}`,
    );
  }
}

/**
 * One run as listed (in `listing` when given, else read alone), with its
 * size; a 404 naming it when there is none.
 */
export async function findRun(
  ws: Workspace,
  id: RunId,
  listing?: () => Promise<RunListing>,
): Promise<RunInfo> {
  const listed = listing === undefined
    ? await findRunInfo(ws, id)
    : (await listing()).runs.find((r) => r.id === id.toString());
  if (listed === undefined) {
    throw new RunLogError(
      "not-found",
      `no run '${id}' in ${ws.root}/.agent (or it is not a real directory); the runs page lists them`,
    );
  }
  const run = { ...listed };
  run.bytes = await treeBytes(ws, run.dir);
  return run;
}

/**
 * The workspace path of a file of a run, from a path relative to the run
 * directory: `..`, absolute paths, backslashes and NUL bytes are refused
 * here; links and special files by the workspace when it is read.
 */
export function runFilePath(id: RunId, relative: string | null): string {
  if (relative === null || relative === "") {
    throw new HttpError(400, "name a file of the run with ?path=, such as ?path=pipeline.log");
  }
  let normal: string;
  try {
    normal = normalizeEntryPath(relative, "view");
  } catch (error) {
    if (error instanceof WorkspaceError) {
      throw new HttpError(
        403,
        `refused path ${JSON.stringify(relative.slice(0, 200))}: only files inside the run ` +
          `directory are served (${error.message})`,
      );
    }
    throw error;
  }
  return `${runDirOf(id)}/${normal}`;
}

/** Every regular file of a run (up to MAX_FILES), and what is skipped. */
export async function listRunFiles(ws: Workspace, runDir: string): Promise<RunFilesJson> {
  const files: RunFile[] = [];
  const skipped: SkippedFile[] = [];
  let cut = false;
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await ws.readDir(dir)) {
      if (files.length >= MAX_FILES) {
        cut = true;
        return;
      }
      const rel = entry.path.slice(runDir.length + 1);
      if (entry.isDir) {
        if (depth < MAX_DEPTH) await walk(entry.path, depth + 1);
        else skipped.push({ path: rel, reason: "nested too deep" });
      } else if (entry.isFile) {
        try {
          files.push({ path: rel, bytes: await ws.fileSize(entry.path) });
        } catch (error) {
          if (!(error instanceof WorkspaceError)) throw error;
          skipped.push({
            path: rel,
            reason: error.code === "hard-link" ? HARD_LINK_SKIPPED : error.code,
          });
        }
      } else {
        skipped.push({
          path: rel,
          reason: entry.isSymlink
            ? "a symbolic link, never followed"
            : "not a regular file (FIFO, socket or device)",
        });
      }
    }
  };
  await walk(runDir, 0);
  return { files, skipped, cut };
}

/** The crash trace of a run, when there is one: its entries parsed, masked. */
export interface TraceJson {
  present: boolean;
  /** The file, relative to the run directory. */
  path: string;
  entries: unknown[];
  final?: unknown;
  /** Bytes at the start left out (a trace over MAX_TRACE_BYTES). */
  cut: number;
  /** Lines that are not JSON. */
  invalid: number;
  /**
   * The dumps of earlier sessions (`event_loop_trace.<n>.jsonl`), oldest
   * first, at most MAX_EARLIER_DUMPS of the latest; on the latest dump only.
   */
  earlier?: TraceJson[];
}

/** The most earlier dumps read besides the latest. */
export const MAX_EARLIER_DUMPS = 20;

/**
 * Reads `event_loop_trace.jsonl` (its last MAX_TRACE_BYTES), masked, with
 * the dumps of earlier sessions that crashed before a resume.
 */
export async function readTrace(ws: Workspace, runDir: string, masker: Masker): Promise<TraceJson> {
  const numbers: number[] = [];
  for (const entry of await ws.readDir(runDir)) {
    const n = EARLIER_DUMP.exec(entry.name)?.[1];
    if (n !== undefined && entry.isFile) numbers.push(Number(n));
  }
  numbers.sort((a, b) => a - b);
  const earlier: TraceJson[] = [];
  for (const n of numbers.slice(-MAX_EARLIER_DUMPS)) {
    earlier.push(await readDump(ws, runDir, `event_loop_trace.${n}.jsonl`, masker));
  }
  const latest = await readDump(ws, runDir, "event_loop_trace.jsonl", masker);
  return earlier.length === 0 ? latest : { ...latest, present: true, earlier };
}

async function readDump(
  ws: Workspace,
  runDir: string,
  name: string,
  masker: Masker,
): Promise<TraceJson> {
  const path = `${runDir}/${name}`;
  let size: number;
  try {
    size = await ws.fileSize(path);
  } catch (error) {
    if (error instanceof WorkspaceError && error.code === "not-found") {
      return { present: false, path: name, entries: [], cut: 0, invalid: 0 };
    }
    throw error;
  }
  const start = Math.max(0, size - MAX_TRACE_BYTES);
  let text = new TextDecoder().decode(await readMasked(ws, path, start, size, masker));
  if (start > 0) text = text.slice(text.indexOf("\n") + 1);
  const trace: TraceJson = { present: true, path: name, entries: [], cut: start, invalid: 0 };
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = parseMaskedJson(line);
    } catch {
      trace.invalid++;
      trace.entries.push({ unreadable: line.slice(0, 2000) });
      continue;
    }
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (kind === "final_state") trace.final = value;
    else trace.entries.push(value);
  }
  return trace;
}
