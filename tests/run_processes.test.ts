// Leases between real processes of this runtime: a live holder blocks
// resume and pruning, a killed one gives way at once, and two writers can
// never number lines alike.
import { test } from "node:test";
import { execFileSync, spawn } from "node:child_process";
import process from "node:process";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  EventLoopLogger,
  latestRun,
  parseEventLoopLine,
  pruneRuns,
  RunLogContext,
} from "../mod.ts";
import { nativeAdapter, runtime, tempDir } from "./_runtime.ts";
import { fixture, type ScriptProcess, startScript } from "./_processes.ts";
import { throwsRunLog } from "./_assert.ts";

const adapter = await nativeAdapter();

function seqsOf(text: string): number[] {
  return text.split("\n").filter((l) => l !== "").map((l) => parseEventLoopLine(l).seq);
}

test(
  `${adapter.name}: a live holder blocks resume and pruning; once SIGKILLed, resume succeeds at once`,
  {
    timeout: 60_000,
  },
  async () => {
    const dir = await tempDir();
    let holder: ScriptProcess | undefined;
    try {
      const ws = adapter.make(dir.path);
      const created = await RunLogContext.create(ws);
      await created.close();
      const id = created.runId.toString();
      holder = startScript(fixture("holder.ts"), [dir.path, id, "10000"]);
      await holder.waitForLine((l) => l.startsWith("ack "));

      const refused = await throwsRunLog(() => RunLogContext.resume(ws, id), "lease-held");
      assert.ok(refused.message.includes(`pid ${holder.child.pid}`), refused.message);
      assert.match(refused.message, /since \d{4}-\d\d-\d\dT/);
      assert.match(refused.message, /force: true/);
      const pruned = await pruneRuns(ws, { keep: 0 });
      assert.deepEqual(pruned.deleted, []);
      assert.match(
        pruned.kept[0].reason,
        new RegExp(`^running \\(lease held by pid ${holder.child.pid}`),
      );

      holder.child.kill("SIGKILL");
      await holder.exited;
      const started = Date.now();
      const ctx = await RunLogContext.resume(ws, id); // The dead holder's lease is stale at once.
      assert.ok(Date.now() - started < 2000, `resume took ${Date.now() - started} ms`);
      const log = await EventLoopLogger.open(ctx);
      const before = seqsOf(await readFile(join(dir.path, ctx.eventLoopLog()), "utf8"));
      assert.equal(log.nextSeq, before[before.length - 1] + 1);
      await log.close();
      await ctx.close({ status: "succeeded" });
    } finally {
      holder?.child.kill("SIGKILL");
      await holder?.exited;
      await dir.remove();
    }
  },
);

// A closed run, a holder (heartbeat 300 ms) that has written 20 lines, and
// `takeover` run against it; then every line must have its own number, 1..n.
async function takeoverOf(
  takeover: (start: (force?: "force") => ScriptProcess, first: ScriptProcess) => Promise<void>,
): Promise<void> {
  const dir = await tempDir();
  const writers: ScriptProcess[] = [];
  try {
    const created = await RunLogContext.create(adapter.make(dir.path));
    await created.close();
    const start = (force?: "force") => {
      const args = [dir.path, created.runId.toString(), "300", ...(force ? [force] : [])];
      const writer = startScript(fixture("holder.ts"), args);
      writers.push(writer);
      return writer;
    };
    const first = start();
    await first.waitForLine((l) => l.startsWith("ack 20"));
    await takeover(start, first);
    for (const writer of writers) writer.child.kill("SIGKILL");
    await Promise.all(writers.map((w) => w.exited));
    const seqs = seqsOf(await readFile(join(dir.path, created.eventLoopLog()), "utf8"));
    assert.equal(new Set(seqs).size, seqs.length, "a sequence number written twice");
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
  } finally {
    for (const writer of writers) writer.child.kill("SIGKILL");
    await Promise.all(writers.map((w) => w.exited));
    await dir.remove();
  }
}

const ackAbove = (n: number) => (l: string) => l.startsWith("ack ") && Number(l.slice(4)) > n;

test(`${adapter.name}: a forced takeover stops the old writer first: no sequence number twice`, {
  timeout: 60_000,
}, () =>
  takeoverOf(async (start, first) => {
    // Without force, a second writer is refused.
    const blocked = start();
    assert.equal(await blocked.waitForLine((l) => l.startsWith("refused")), "refused lease-held");
    // With force, it takes over, and the first one stops before it writes.
    const second = start("force");
    await second.waitForLine((l) => l.startsWith("ack "));
    assert.equal(await first.waitForLine((l) => l.startsWith("stopped")), "stopped lease-lost");
    await second.waitForLine(ackAbove(30));
  }));

// kill(1): Deno's child.kill() does not send SIGSTOP and SIGCONT as such.
function signal(script: ScriptProcess, name: "STOP" | "CONT"): void {
  execFileSync("kill", [`-${name}`, String(script.child.pid)]);
}

test(
  `${adapter.name}: a holder stopped (SIGSTOP) through a forced takeover writes nothing after it`,
  {
    timeout: 60_000,
  },
  () =>
    takeoverOf(async (start, first) => {
      // Stopped between two lines, its timers frozen: it cannot notice anything.
      signal(first, "STOP");
      const second = start("force");
      const ready = Number((await second.waitForLine((l) => l.startsWith("ready "))).slice(6));
      await second.waitForLine(ackAbove(ready + 20));
      // Continued while the new holder writes: its next line must be refused.
      // (Acks already in the pipe may still arrive: each is of a line from before.)
      signal(first, "CONT");
      assert.equal(await first.waitForLine((l) => l.startsWith("stopped")), "stopped lease-lost");
      const late = first.lines.filter((l) => l.startsWith("ack ") && Number(l.slice(4)) >= ready);
      assert.deepEqual(late, [], "the stopped holder wrote after the takeover");
      await second.waitForLine(ackAbove(ready + 40));
    }),
);

test(
  "Deno with only --allow-read and --allow-write for the root: a crashed run resumes within 5 s",
  {
    skip: runtime !== "deno" && "Deno's permissions",
    timeout: 60_000,
  },
  async () => {
    const dir = await tempDir();
    const flags = [`--allow-read=${dir.path}`, `--allow-write=${dir.path}`];
    const deno = (args: string[]) =>
      spawn(process.execPath, ["run", ...flags, fixture("narrow_holder.ts"), dir.path, ...args]);
    const holder = deno(["create"]);
    try {
      const id = await new Promise<string>((resolve, reject) => {
        let out = "";
        let err = "";
        holder.stdout!.on("data", (chunk) => {
          out += chunk;
          const match = /ready (\S+)\n/.exec(out);
          if (match) resolve(match[1]);
        });
        holder.stderr!.on("data", (chunk) => (err += chunk));
        holder.on("exit", (code) => reject(new Error(`holder exited ${code}: ${err}`)));
      });
      // Its lease says nothing another process could check but the heartbeat.
      const ws = adapter.make(dir.path);
      const runDir = `.agent/logs-${id}`;
      const lease = (await ws.readDir(runDir)).find((e) => e.name.startsWith("lease."))!;
      const record = JSON.parse(await ws.read(lease.path));
      assert.deepEqual([record.host, record.heartbeat_ms], ["unknown", 750]);
      assert.equal((await latestRun(ws))?.status, "running");
      holder.kill("SIGKILL");
      const killedAt = Date.now();
      const resumer = deno(["resume", id]);
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        let err = "";
        resumer.stdout!.on("data", (chunk) => (out += chunk));
        resumer.stderr!.on("data", (chunk) => (err += chunk));
        resumer.on(
          "exit",
          (code) =>
            code === 0 ? resolve(out.trim()) : reject(new Error(`resume exited ${code}: ${err}`)),
        );
      });
      const waited = Date.now() - killedAt;
      assert.match(line, /^resumed \d+ \d+$/);
      assert.ok(waited < 5000, `resumed ${waited} ms after the kill`);
      assert.equal((await latestRun(ws))?.status, "succeeded");
      console.log(`resumed ${waited} ms after kill -9, with only scoped read and write`);
    } finally {
      holder.kill("SIGKILL");
      await dir.remove();
    }
  },
);
