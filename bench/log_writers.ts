// Per-line cost of runlog's loggers and their peers, the cost of
// RunLogContext.create, and resume time on large logs, under the runtime
// that runs this file. Every figure has a baseline measured in the same
// process. Prints one JSON object.
//
//   <runtime> bench/log_writers.ts <data dir> [lines]
//
// <data dir> holds .agent/logs-<id>/event_loop.log files made by scripts/bench.ts.
import {
  closeSync,
  fdatasyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  type DriverFile,
  EventLoopLogger,
  type FsDriver,
  FsWorkspace,
  RunLogContext,
} from "../mod.ts";
import { type Subject, SUBJECTS } from "./_subjects.ts";
import { runtime } from "../tests/_runtime.ts";
import { workspaceFor } from "./_workspace.ts";

const [dataDir, linesArg] = process.argv.slice(2);
const LINES = Number(linesArg ?? 100_000);
const ROUNDS = 5;

async function timeLines(subject: Subject, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const result = subject.line(i);
    if (result instanceof Promise) await result;
  }
  return ((performance.now() - start) * 1e6) / count;
}

// Every subject, round after round, so that a slow moment of the machine
// hits all of them alike; the best round of each counts.
async function perLine() {
  const dir = await mkdtemp(join(tmpdir(), "runlog-bench-"));
  try {
    const open: { name: string; durable: boolean; subject: Subject; lines: number }[] = [];
    for (const kind of SUBJECTS) {
      const sub = join(dir, String(open.length));
      await mkdir(sub, { recursive: true });
      const subject = await kind.open(sub);
      const lines = Math.min(LINES, kind.maxLines ?? LINES);
      await timeLines(subject, Math.min(lines, 2000)); // Warm-up.
      open.push({ name: kind.name, durable: kind.durable, subject, lines });
    }
    const best = open.map(() => Infinity);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, s] of open.entries()) {
        // Timers run between rounds, as in any program: the lease's
        // heartbeat keeps runlog's write fence renewed.
        await new Promise((resolve) => setTimeout(resolve, 0));
        best[i] = Math.min(best[i], await timeLines(s.subject, s.lines));
      }
    }
    for (const s of open) await s.subject.close();
    return open.map((s, i) => ({ name: s.name, durable: s.durable, ns: best[i] }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// --- create: RunLogContext.create against the same system calls, made synchronously.

type Op = [name: string, path: string, arg?: string];

// Records the driver calls of one create, with paths relative to the root.
function recording(inner: FsDriver, root: string, ops: Op[]): FsDriver {
  const rel = (path: string) => path.slice(root.length);
  const file = (f: DriverFile, path: string): DriverFile => ({
    stat: () => (ops.push(["fstat", rel(path)]), f.stat()),
    read: (b, p) => (ops.push(["read", rel(path)]), f.read(b, p)),
    write: (d) => (ops.push(["write", rel(path), String(d.length)]), f.write(d)),
    truncate: (n) => (ops.push(["truncate", rel(path)]), f.truncate(n)),
    sync: () => (ops.push(["sync", rel(path)]), f.sync()),
    close: () => (ops.push(["close", rel(path)]), f.close()),
  });
  return {
    opensSafely: inner.opensSafely,
    lstat: (p) => (ops.push(["lstat", rel(p)]), inner.lstat(p)),
    open: (p, mode, perm) => (ops.push(["open", rel(p), mode]), file(inner.open(p, mode, perm), p)),
    mkdir: (p, perm) => (ops.push(["mkdir", rel(p)]), inner.mkdir(p, perm)),
    readDir: (p) => (ops.push(["readDir", rel(p)]), inner.readDir(p)),
    rename: (a, b) => (ops.push(["rename", rel(a), rel(b)]), inner.rename(a, b)),
    unlink: (p) => (ops.push(["unlink", rel(p)]), inner.unlink(p)),
    rmdir: (p) => (ops.push(["rmdir", rel(p)]), inner.rmdir(p)),
    chmod: (p, perm) => (ops.push(["chmod", rel(p)]), inner.chmod(p, perm)),
  };
}

// The recorded calls again, with this runtime's raw synchronous API, for a
// run id of its own.
function replay(ops: Op[], root: string, from: string, to: string): void {
  const at = (p: string) => join(root, p.replaceAll(from, to));
  const fds = new Map<string, number>();
  const files = new Map<string, Deno.FsFile>();
  const payload = new Uint8Array(64 * 1024);
  for (const [name, path, arg] of ops) {
    const abs = at(path);
    if ("Deno" in globalThis) {
      if (name === "lstat") {
        try {
          Deno.lstatSync(abs);
        } catch { /* missing, as for create */ }
      } else if (name === "mkdir") Deno.mkdirSync(abs, { mode: 0o700 });
      else if (name === "readDir") Array.from(Deno.readDirSync(abs));
      else if (name === "open") {
        files.set(abs, Deno.openSync(abs, { write: true, createNew: true, mode: 0o600 }));
      } else if (name === "write") files.get(abs)!.writeSync(payload.subarray(0, Number(arg)));
      else if (name === "sync") files.get(abs)!.syncDataSync();
      else if (name === "fstat") files.get(abs)!.statSync();
      else if (name === "close") files.get(abs)!.close();
      else if (name === "rename") Deno.renameSync(abs, at(arg!));
      else if (name === "proc") Deno.readTextFileSync(`/proc/${Deno.pid}/stat`);
    } else {
      if (name === "lstat") lstatSync(abs, { throwIfNoEntry: false });
      else if (name === "mkdir") mkdirSync(abs, { mode: 0o700 });
      else if (name === "readDir") readdirSync(abs, { withFileTypes: true });
      else if (name === "open") fds.set(abs, openSync(abs, "wx", 0o600));
      else if (name === "write") writeSync(fds.get(abs)!, payload, 0, Number(arg));
      else if (name === "sync") fdatasyncSync(fds.get(abs)!);
      else if (name === "close") closeSync(fds.get(abs)!);
      else if (name === "rename") renameSync(abs, at(arg!));
      else if (name === "proc") readFileSync(`/proc/${process.pid}/stat`);
    }
  }
}

async function create(count: number) {
  const dir = await mkdtemp(join(tmpdir(), "runlog-bench-create-"));
  try {
    const ws = await workspaceFor(dir);
    const ops: Op[] = [];
    const host = ws.host!;
    const recorder = new FsWorkspace(dir, recording((ws as FsWorkspace).driver, dir, ops), {
      host: {
        ...host,
        processStart: (pid) => (ops.push(["proc", ""]), host.processStart(pid)),
        every: host.every,
      },
    });
    await (await RunLogContext.create(recorder)).close();
    ops.length = 0;
    const traced = await RunLogContext.create(recorder);
    const tracedId = traced.runId.toString();
    const createOps = ops.slice(); // Not what close() does next.
    await traced.close();
    let next = 0;
    const best = { createUs: Infinity, floorUs: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      let start = performance.now();
      for (let i = 0; i < count; i++) await RunLogContext.create(ws);
      best.createUs = Math.min(best.createUs, ((performance.now() - start) * 1000) / count);
      start = performance.now();
      for (let i = 0; i < count; i++) replay(createOps, dir, tracedId, `replay-${next++}`);
      best.floorUs = Math.min(best.floorUs, ((performance.now() - start) * 1000) / count);
    }
    const calls: Record<string, number> = {};
    for (const [name] of createOps) calls[name] = (calls[name] ?? 0) + 1;
    return { ...best, calls };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Rust original's resume: read the whole log, take the last line's number. */
function originalResume(path: string): number {
  const content = readFileSync(path, "utf8");
  const last = content.split("\n").reverse().find((line) => line.trim() !== "");
  return Number(last?.split(/\s+/)[0] ?? 0) + 1;
}

async function resume() {
  const ws = await workspaceFor(dataDir);
  const results: Record<string, unknown>[] = [];
  for (const name of (await readdir(join(dataDir, ".agent"))).sort()) {
    const runId = name.slice("logs-".length);
    const ctx = await RunLogContext.resume(ws, runId, { create: true });
    const bytes = (await stat(join(dataDir, ctx.eventLoopLog()))).size;
    const times: number[] = [];
    let nextSeq = 0;
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      const log = await EventLoopLogger.open(ctx);
      times.push(performance.now() - start);
      nextSeq = log.nextSeq;
      await log.close();
    }
    await ctx.close();
    times.sort((a, b) => a - b);
    let originalMs: number | string;
    try {
      const start = performance.now();
      const seq = originalResume(join(dataDir, ctx.eventLoopLog()));
      originalMs = performance.now() - start;
      if (seq !== nextSeq) originalMs = `disagrees: ${seq} vs ${nextSeq}`;
    } catch (error) {
      originalMs = `fails: ${(error as Error).message.split("\n")[0]}`;
    }
    results.push({ bytes, nextSeq, resumeMs: times[3], originalMs });
  }
  return results;
}

console.log(
  JSON.stringify({
    runtime,
    lines: LINES,
    perLine: await perLine(),
    create: await create(LINES >= 100_000 ? 200 : 50),
    resume: await resume(),
  }),
);
