// The commands that look at runs: list, show, path, tail, and prune.
import process from "node:process";
import type { Workspace } from "../workspace.ts";
import { WorkspaceError } from "../workspace_error.ts";
import { normalizeEntryPath } from "../_workspace_path.ts";
import { findRunInfo, listRuns, type RunInfo } from "../runs/list_runs.ts";
import { pruneRuns } from "../runs/prune_runs.ts";
import { runDirExists, runDirOf } from "../run_dir.ts";
import { parsePipelineLine } from "../pipeline_line.ts";
import type { RunId } from "../run_id.ts";
import type { LeaseHolder } from "../lease.ts";
import {
  formatBytes,
  formatDuration,
  json,
  type Output,
  paint,
  paintStatus,
  printedPath,
  table,
  terminalSafe,
} from "./_output.ts";
import { noMore, parse, parseDuration, parseSize, parseWhole, UsageError } from "./_usage.ts";
import { resolveRun, workspaceAt } from "./_workspace.ts";

function durationOf(run: RunInfo, now: number): string {
  const end = run.endedAt?.getTime() ?? (run.status === "running" ? now : undefined);
  return end === undefined ? "" : formatDuration(end - run.startedAt.getTime());
}

// Who holds a run, for people: its host and runtime come from the lease file.
function holderText(holder: LeaseHolder, withRuntime = false): string {
  const runtime = withRuntime ? `, ${terminalSafe(holder.runtime)}` : "";
  return `pid ${holder.pid} on ${terminalSafe(holder.host)}${runtime}`;
}

function runJson(run: RunInfo, root: string) {
  return {
    id: run.id,
    dir: `${root}/${run.dir}`,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    endedAt: run.endedAt?.toISOString(),
    holder: run.holder,
    bytes: run.bytes,
    metadata: run.metadata,
    problem: run.problem,
  };
}

/** runlog list: every run, newest first. */
export async function list(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    root: { type: "string" },
    json: { type: "boolean" },
    sizes: { type: "boolean" },
  });
  noMore(positionals);
  const ws = await workspaceAt(values.root ?? ".");
  const { runs, skipped } = await listRuns(ws, { sizes: values.sizes === true });
  if (values.json) {
    output.out(json({ runs: runs.map((r) => runJson(r, ws.root)), skipped }));
    return 0;
  }
  if (skipped.length > 0) {
    const incomplete = skipped.filter((entry) => entry.incomplete !== undefined).length;
    output.err(
      `${skipped.length} entr${skipped.length === 1 ? "y" : "ies"} of .agent not listed` +
        `${incomplete > 0 ? ` (${incomplete} incomplete run${incomplete === 1 ? "" : "s"})` : ""}` +
        "; --json lists them with the reasons\n",
    );
  }
  if (runs.length === 0) {
    output.err(`no runs in ${terminalSafe(ws.root)}/.agent\n`);
    return 0;
  }
  const now = Date.now();
  const rows = [[
    "RUN",
    "STATUS",
    "STARTED",
    "DURATION",
    ...(values.sizes ? ["SIZE"] : []),
    "HELD BY",
  ]];
  for (const run of runs) {
    rows.push([
      terminalSafe(run.id),
      paintStatus(output, run.status),
      run.startedAt.toISOString().replace("T", " ").slice(0, 19),
      durationOf(run, now),
      ...(values.sizes ? [formatBytes(run.bytes ?? 0)] : []),
      run.holder === undefined ? "" : holderText(run.holder),
    ]);
  }
  output.out(table(output, rows));
  return 0;
}

async function findRun(ws: Workspace, name: string | undefined): Promise<RunInfo> {
  const runId = await resolveRun(ws, name);
  const run = await findRunInfo(ws, runId);
  if (run === undefined) {
    throw new WorkspaceError("not-found", "show", runDirOf(runId), {
      detail: `no run '${runId}' here; runlog list shows the runs`,
    });
  }
  return run;
}

async function files(ws: Workspace, dir: string): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  for (const entry of await ws.readDir(dir)) {
    if (entry.isDir) out.push(...await files(ws, entry.path));
    else if (entry.isFile) out.push({ path: entry.path, bytes: await ws.fileSize(entry.path) });
  }
  return out;
}

/** runlog show: one run's metadata, sessions and files. */
export async function show(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    root: { type: "string" },
    json: { type: "boolean" },
  });
  noMore(positionals.slice(1));
  const ws = await workspaceAt(values.root ?? ".");
  const run = await findRun(ws, positionals[0]);
  const contents = (await files(ws, run.dir)).map((f) => ({
    ...f,
    path: f.path.slice(run.dir.length + 1),
  }));
  run.bytes = contents.reduce((n, f) => n + f.bytes, 0);
  if (values.json) {
    output.out(json({ ...runJson(run, ws.root), files: contents }));
    return 0;
  }
  const m = run.metadata;
  const duration = durationOf(run, Date.now());
  // Every string below but the painted words and dates comes from disk.
  const lines = [
    `${paint(output, "bold", "run")}       ${terminalSafe(run.id)}`,
    `status    ${paintStatus(output, run.status)}${
      run.holder ? ` (${holderText(run.holder, true)})` : ""
    }`,
    `directory ${terminalSafe(`${ws.root}/${run.dir}`)}`,
    `started   ${run.startedAt.toISOString()}`,
    ...(run.endedAt ? [`ended     ${run.endedAt.toISOString()}`] : []),
    ...(duration ? [`duration  ${duration}`] : []),
    ...(m
      ? [
        `command   ${terminalSafe(m.command)}`,
        `version   ${terminalSafe(m.ralphVersion)}`,
        `repo      ${terminalSafe(m.repoRoot)}`,
      ]
      : []),
    ...(run.problem ? [`run.json  ${paint(output, "yellow", terminalSafe(run.problem))}`] : []),
    `size      ${formatBytes(run.bytes ?? 0)}`,
    "",
  ];
  output.out(lines.join("\n"));
  if (m?.sessions !== undefined && m.sessions.length > 0) {
    const rows = [["SESSION", "STARTED", "ENDED", "STATUS", "PID", "HOST", "COMMAND"]];
    m.sessions.forEach((s, i) =>
      rows.push([
        `${i + 1}${s.resume ? " (resume)" : ""}${s.recreated ? " (recreated)" : ""}`,
        ...[s.startedAtUtc, s.endedAtUtc, s.status].map((text) => terminalSafe(text ?? "")),
        s.pid === undefined ? "" : String(s.pid),
        ...[s.host, s.command].map((text) => terminalSafe(text ?? "")),
      ])
    );
    output.out("\n" + table(output, rows));
  }
  output.out(
    "\n" +
      table(output, [
        ["FILE", "SIZE"],
        ...contents.map((f) => [terminalSafe(f.path), formatBytes(f.bytes)]),
      ]),
  );
  return 0;
}

const FILE_ALIASES: Record<string, string> = {
  pipeline: "pipeline.log",
  events: "event_loop.log",
  trace: "event_loop_trace.jsonl",
  metadata: "run.json",
};

// A file of a run named on the command line: an alias or a relative path.
function runFile(runId: RunId, file: string | undefined, fallback: string): string {
  const name = file === undefined ? fallback : FILE_ALIASES[file] ?? file;
  return `${runDirOf(runId)}/${normalizeEntryPath(name, "path")}`;
}

/** runlog path: the absolute path of a run's directory, or of a file in it. */
export async function path(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, { root: { type: "string" } });
  noMore(positionals.slice(2));
  const ws = await workspaceAt(values.root ?? ".");
  const runId = await resolveRun(ws, positionals[0]);
  const target = positionals[1] === undefined
    ? runDirOf(runId)
    : runFile(runId, positionals[1], "");
  output.out(`${printedPath(output, `${ws.root}/${target}`)}\n`);
  return 0;
}

const POLL_MS = 100;
const READ_BYTES = 256 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Colours a pipeline line's level, for people on a terminal.
function render(output: Output, line: string): string {
  if (!output.color || !line.startsWith("[")) return line;
  try {
    const { level } = parsePipelineLine(line);
    const style = level === "ERROR"
      ? "red"
      : level === "WARN"
      ? "yellow"
      : level === "OK"
      ? "green"
      : level === "STEP"
      ? "cyan"
      : undefined;
    return style === undefined
      ? line
      : line.replace(`[${level}]`, paint(output, style, `[${level}]`));
  } catch {
    return line;
  }
}

// A log line as printed: exact into a pipe (the user's own data, as cat
// prints it), with every control character but the tab escaped on a
// terminal, so that a hostile log cannot rewrite the screen. There the
// carriage return of a Windows line end is left out: it would show nothing.
function shownLine(output: Output, line: string): string {
  if (!output.tty) return render(output, line);
  return render(output, terminalSafe(line.endsWith("\r") ? line.slice(0, -1) : line, "\t"));
}

async function sizeOrZero(ws: Workspace, file: string): Promise<number> {
  try {
    return await ws.fileSize(file);
  } catch (error) {
    if (error instanceof WorkspaceError && error.code === "not-found") return 0;
    throw error;
  }
}

/**
 * runlog tail: the last lines of a run's log (pipeline.log by default);
 * with -f, new lines as they are written, until the run ends or Ctrl-C.
 */
export async function tail(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    root: { type: "string" },
    follow: { type: "boolean", short: "f" },
    lines: { type: "string", short: "n" },
  });
  noMore(positionals.slice(2));
  const count = values.lines === undefined
    ? 10
    : values.lines === "all"
    ? Infinity
    : parseWhole(values.lines, "--lines");
  const ws = await workspaceAt(values.root ?? ".");
  const runId = await resolveRun(ws, positionals[0]);
  const file = runFile(runId, positionals[1], "pipeline.log");
  let stopped = false;
  const stop = () => (stopped = true);
  process.on("SIGINT", stop);
  try {
    const decoder = new TextDecoder();
    let offset = 0;
    let pending = "";
    // A file that may still come is waited for; one that is not there is named.
    if (!values.follow && !(await ws.exists(file))) {
      throw new WorkspaceError("not-found", "tail", file, {
        detail: `run '${runId}' has no such file; runlog show ${runId} lists its files`,
      });
    }
    // The last lines first: read back from the end, no more than needed.
    const size = await sizeOrZero(ws, file);
    if (count !== Infinity) {
      let start = size;
      let newlines = 0;
      while (start > 0 && newlines <= count) {
        const from = Math.max(0, start - READ_BYTES);
        const chunk = await ws.readRange(file, from, start - from);
        for (let i = chunk.length - 1; i >= 0; i--) {
          if (chunk[i] === 0x0a && ++newlines > count) {
            start = from + i + 1;
            break;
          }
        }
        if (newlines <= count) start = from;
      }
      offset = start;
    }
    const emit = (text: string) => {
      const lines = (pending + text).split("\n");
      pending = lines.pop()!;
      for (const line of lines) output.out(`${shownLine(output, line)}\n`);
    };
    const drain = async () => {
      const now = await sizeOrZero(ws, file);
      if (now < offset) {
        output.err(`runlog: ${terminalSafe(file)} was truncated; reading it from the start\n`);
        offset = 0;
        pending = "";
      }
      while (offset < now) {
        const chunk = await ws.readRange(file, offset, Math.min(READ_BYTES, now - offset));
        if (chunk.length === 0) break;
        offset += chunk.length;
        emit(decoder.decode(chunk, { stream: true }));
      }
    };
    await drain();
    if (!values.follow) {
      if (pending !== "") output.out(`${shownLine(output, pending)}\n`);
      return 0;
    }
    let checked = 0;
    let code = 0;
    for (let first = true; !stopped; first = false) {
      if (!first) await sleep(POLL_MS);
      // Gone: nothing more can come (a prune, or rm -r).
      if (!(await runDirExists(ws, runDirOf(runId)))) {
        output.err(`runlog: run '${runId}' was removed while it was followed\n`);
        code = TAIL_REMOVED;
        break;
      }
      await drain();
      if (Date.now() - checked < 1000) continue;
      checked = Date.now();
      const ending = endOfFollow(await findRunInfo(ws, runId));
      if (ending !== undefined) {
        await drain();
        if (ending.note !== undefined) output.err(`runlog: run '${runId}' ${ending.note}\n`);
        code = ending.code;
        break;
      }
    }
    if (pending !== "") output.out(`${shownLine(output, pending)}\n`);
    return code;
  } finally {
    process.off("SIGINT", stop);
  }
}

/** `tail -f`'s exit code when the run crashed (its holder died). */
export const TAIL_CRASHED = 3;
/** `tail -f`'s exit code when nobody holds the run, between two runlog commands. */
export const TAIL_IDLE = 4;
/** `tail -f`'s exit code when the run's directory went away. */
export const TAIL_REMOVED = 5;

// Whether following a run ends now, with which code: its end (0), a crash,
// idleness; a run of unknown state (the Rust tool's) is followed on.
function endOfFollow(run: RunInfo | undefined): { code: number; note?: string } | undefined {
  if (run === undefined) return { code: TAIL_REMOVED, note: "was removed while it was followed" };
  if (run.status === "crashed") {
    return { code: TAIL_CRASHED, note: "crashed: its holder died without closing it" };
  }
  if (run.status === "idle") {
    return {
      code: TAIL_IDLE,
      note: "is idle: no process holds it now (between two runlog commands); follow it again " +
        "when it continues",
    };
  }
  if (run.status !== "running" && run.endedAt !== undefined) return { code: 0 };
  return undefined;
}

/** runlog prune: deletes runs by a policy, never a live or pinned one. */
export async function prune(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    root: { type: "string" },
    keep: { type: "string" },
    "older-than": { type: "string" },
    "max-size": { type: "string" },
    "dry-run": { type: "boolean" },
    json: { type: "boolean" },
  });
  noMore(positionals);
  if (
    values.keep === undefined && values["older-than"] === undefined &&
    values["max-size"] === undefined
  ) {
    throw new UsageError("give a policy: --keep N, --older-than 7d or --max-size 5GB");
  }
  const policy = {
    ...(values.keep === undefined ? {} : { keep: parseWhole(values.keep, "--keep") }),
    ...(values["older-than"] === undefined
      ? {}
      : { olderThan: parseDuration(values["older-than"], "--older-than") }),
    ...(values["max-size"] === undefined
      ? {}
      : { maxTotalBytes: parseSize(values["max-size"], "--max-size") }),
  };
  const ws = await workspaceAt(values.root ?? ".");
  const result = await pruneRuns(ws, { ...policy, dryRun: values["dry-run"] === true });
  if (values.json) {
    output.out(json(result));
    return 0;
  }
  const verb = result.dryRun ? "would delete" : "deleted";
  const rows = [["RUN", "", "WHY"]];
  for (const r of result.deleted) {
    rows.push([terminalSafe(r.id), paint(output, "red", verb), terminalSafe(r.reason)]);
  }
  for (const r of result.kept) {
    rows.push([terminalSafe(r.id), paint(output, "green", "kept"), terminalSafe(r.reason)]);
  }
  for (const r of result.skipped) {
    rows.push([terminalSafe(r.path), paint(output, "yellow", "skipped"), terminalSafe(r.reason)]);
  }
  if (rows.length > 1) output.out(table(output, rows));
  const freed = result.deleted.reduce((sum, r) => sum + (r.bytes ?? 0), 0);
  output.out(
    `${result.deleted.length} run(s) ${verb}${freed > 0 ? `, ${formatBytes(freed)}` : ""}; ` +
      `${result.kept.length} kept${
        result.cleaned.length ? `; ${result.cleaned.length} leftover(s) cleaned` : ""
      }${result.skipped.length ? `; ${result.skipped.length} skipped` : ""}\n`,
  );
  return 0;
}
