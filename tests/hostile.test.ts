// Hostile inputs, table-driven, on this runtime's real filesystem: links
// and special files at every path runlog touches, junk in .agent/,
// corrupted files, and ids, names and values from plain JavaScript. Each
// case ends in a typed error or a documented recovery, never a hang, and a
// snapshot of everything outside the root shows nothing created, changed
// or removed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import {
  EventLoopLogger,
  EventLoopTrace,
  latestRun,
  listRuns,
  PipelineLogger,
  pruneRuns,
  RunLogContext,
  RunLogError,
  type Workspace,
  WorkspaceError,
} from "../mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";
import { gunzipSync, gzipSync } from "node:zlib";
import { packTar, unpackTar } from "modern-tar";
import { packRun } from "../src/pack/mod.ts";
import { assertTerminalSafe, captured, HOSTILE, HOSTILE_ESCAPED } from "./_terminal.ts";

const adapter = await nativeAdapter();

interface Env {
  ws: Workspace;
  root: string;
  outside: string;
  /** A run created and closed before the case, free to resume. */
  runId: string;
  runDir: string;
  /** Replaces a workspace path with a planted entry. */
  plant(path: string, kind: Plant): Promise<void>;
}

type Plant = "link-dir" | "link-file" | "dangling" | "fifo" | "file" | "dir" | "hardlink";

type Outcome = string | ((env: Env, error: unknown) => Promise<void> | void);

interface Case {
  name: string;
  act(env: Env): Promise<unknown>;
  /** An error code, or a check of the documented recovery (error undefined then). */
  expect: Outcome;
}

// Everything under `dir`: names, kinds, sizes, modes, content hashes.
async function snapshot(dir: string, skip: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string) => {
    for (const name of (await readdir(at)).sort()) {
      const path = join(at, name);
      if (path === skip) continue;
      const info = await lstat(path);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isSymbolicLink()) out.push(`${path} link ${await readlink(path)}`);
      else if (info.isDirectory()) {
        out.push(`${path} dir ${mode}`);
        await walk(path);
      } else if (info.isFile()) {
        const hash = createHash("sha256").update(await readFile(path)).digest("hex");
        out.push(`${path} file ${mode} ${info.size} ${hash} ${info.mtimeMs}`);
      } else out.push(`${path} special ${mode}`);
    }
  };
  await walk(dir);
  return out;
}

async function plantAt(abs: string, kind: Plant, outside: string): Promise<void> {
  await rm(abs, { recursive: true, force: true });
  if (kind === "link-dir") await symlink(join(outside, "dir"), abs);
  else if (kind === "link-file") await symlink(join(outside, "secret.txt"), abs);
  else if (kind === "dangling") await symlink(join(outside, "not-there"), abs);
  else if (kind === "fifo") execFileSync("mkfifo", [abs]);
  else if (kind === "hardlink") await link(join(outside, "secret.txt"), abs);
  else if (kind === "file") await writeFile(abs, "junk");
  else await mkdir(abs);
}

const SECRET = "root:$6$saltsalt$very-secret-hash:19000:0:99999:7:::\n";

async function run(c: Case): Promise<void> {
  const dir = await tempDir();
  try {
    const root = join(dir.path, "root");
    const outside = join(dir.path, "outside");
    await mkdir(join(outside, "dir", "precious"), { recursive: true });
    await writeFile(join(outside, "dir", "precious", "data.txt"), "keep me");
    await writeFile(join(outside, "secret.txt"), SECRET);
    await mkdir(root);
    const ws = adapter.make(root);
    const first = await RunLogContext.create(ws);
    await first.close();
    const env: Env = {
      ws,
      root,
      outside,
      runId: first.runId.toString(),
      runDir: first.runDir,
      plant: (path, kind) => plantAt(join(root, path), kind, outside),
    };
    const before = await snapshot(dir.path, root);
    let error: unknown;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("HUNG: no answer within 5 s")), 5000);
    });
    try {
      await Promise.race([c.act(env), hang]);
    } catch (caught) {
      error = caught;
    } finally {
      clearTimeout(timer);
    }
    if (error instanceof Error && error.message.startsWith("HUNG")) throw error;
    if (typeof c.expect === "string") {
      assert.ok(
        error instanceof WorkspaceError || error instanceof RunLogError,
        `expected a typed error "${c.expect}", got ${error}`,
      );
      assert.equal(error.code, c.expect, error.message);
      assert.ok(!error.message.includes("very-secret"), "an error quotes a file outside the root");
    } else {
      await c.expect(env, error);
    }
    assert.deepEqual(await snapshot(dir.path, root), before, "something outside the root changed");
  } finally {
    await dir.remove();
  }
}

const recovered = (check?: (env: Env) => Promise<void> | void): Outcome => async (env, error) => {
  if (error !== undefined) throw error;
  await check?.(env);
};

async function resumed(env: Env): Promise<RunLogContext> {
  return await RunLogContext.resume(env.ws, env.runId);
}

const cases: Case[] = [];

// 1. Links and special files at every path runlog touches, with the flow
// that touches it.
const KINDS: Plant[] = ["link-dir", "link-file", "dangling", "fifo"];
for (const kind of KINDS) {
  cases.push(
    {
      name: `.agent is a ${kind}: create`,
      act: async (env) => {
        await env.ws.removeDirAll(".agent");
        await env.plant(".agent", kind);
        await RunLogContext.create(env.ws);
      },
      expect: kind === "fifo" ? "not-a-directory" : "symlink",
    },
    {
      name: `.agent is a ${kind}: resume`,
      act: async (env) => {
        await env.plant(".agent", kind);
        await resumed(env);
      },
      expect: kind === "fifo" ? "not-a-directory" : "symlink",
    },
    {
      name: `.agent is a ${kind}: removeDirAll of a run`,
      act: async (env) => {
        await env.plant(".agent", kind);
        await env.ws.removeDirAll(env.runDir);
      },
      expect: kind === "fifo" ? "not-a-directory" : "symlink",
    },
    {
      name: `the run directory is a ${kind}: resume`,
      act: async (env) => {
        await env.plant(env.runDir, kind);
        await resumed(env);
      },
      expect: kind === "fifo" ? "not-a-directory" : "symlink",
    },
    {
      name: `the run directory is a ${kind}: create skips its name`,
      act: async (env) => {
        await env.plant(env.runDir, kind);
        const ctx = await RunLogContext.create(env.ws, { baseRunId: env.runId });
        assert.equal(ctx.runId.collisionCounter, 1);
        await ctx.close();
      },
      expect: recovered(),
    },
  );
  for (const sub of ["agents", "provider", "debug"]) {
    cases.push({
      name: `${sub}/ is a ${kind}: resume`,
      act: async (env) => {
        await env.plant(`${env.runDir}/${sub}`, kind);
        await resumed(env);
      },
      expect: kind === "fifo" ? "already-exists" : "symlink",
    });
  }
  cases.push(
    {
      name: `agents/ turns into a ${kind} under a live run: claimAgentLog`,
      act: async (env) => {
        const ctx = await resumed(env);
        await env.plant(`${env.runDir}/agents`, kind);
        try {
          await ctx.claimAgentLog("dev", 1);
        } finally {
          await ctx.close();
        }
      },
      expect: kind === "fifo" ? "not-a-directory" : "symlink",
    },
    {
      name: `provider/ turns into a ${kind} under a live run: openProviderLog`,
      act: async (env) => {
        const ctx = await resumed(env);
        await env.plant(`${env.runDir}/provider`, kind);
        try {
          await ctx.openProviderLog("claude.jsonl");
        } finally {
          await ctx.close();
        }
      },
      expect: kind === "fifo" ? "not-a-directory" : "symlink",
    },
  );
  const regular = kind === "fifo" ? "not-a-regular-file" : "symlink";
  for (
    const [file, flow] of [
      ["pipeline.log", (ctx: RunLogContext) => PipelineLogger.open(ctx)],
      ["event_loop.log", (ctx: RunLogContext) => EventLoopLogger.open(ctx)],
    ] as const
  ) {
    cases.push({
      name: `${file} is a ${kind}: open its logger`,
      act: async (env) => {
        await env.plant(`${env.runDir}/${file}`, kind);
        const ctx = await resumed(env);
        try {
          await flow(ctx);
        } finally {
          await ctx.close();
        }
      },
      expect: regular,
    });
  }
  cases.push(
    {
      name: `run.json is a ${kind}: resume`,
      act: async (env) => {
        await env.plant(`${env.runDir}/run.json`, kind);
        await resumed(env);
      },
      expect: regular,
    },
    {
      name: `run.json is a ${kind}: readRunMetadata`,
      act: async (env) => {
        const ctx = await RunLogContext.attach(env.ws, env.runId);
        await env.plant(`${env.runDir}/run.json`, kind);
        await ctx.readRunMetadata();
      },
      expect: regular,
    },
    {
      name: `run.json turns into a ${kind} under a live run: close replaces nothing outside`,
      act: async (env) => {
        const ctx = await resumed(env);
        await env.plant(`${env.runDir}/run.json`, kind);
        await ctx.close({ status: "succeeded" });
      },
      expect: regular,
    },
    {
      name: `event_loop_trace.jsonl is a ${kind}: dump replaces the entry itself`,
      act: async (env) => {
        const ctx = await resumed(env);
        await env.plant(`${env.runDir}/event_loop_trace.jsonl`, kind);
        await new EventLoopTrace(ctx).dump("panic");
        await ctx.close();
      },
      expect: recovered(async (env) => {
        const info = await lstat(join(env.root, env.runDir, "event_loop_trace.jsonl"));
        assert.ok(info.isFile());
      }),
    },
    {
      name: `agents/dev_1.log is a ${kind}: the claim moves on to _a1`,
      act: async (env) => {
        await env.plant(`${env.runDir}/agents/dev_1.log`, kind);
        const ctx = await resumed(env);
        const claim = await ctx.claimAgentLog("dev", 1);
        await claim.writer.write("output\n");
        await claim.writer.close();
        assert.equal(claim.attempt, 1);
        await ctx.close();
      },
      expect: recovered(),
    },
    {
      name: `provider/p.jsonl is a ${kind}: the claim moves on to p_a1.jsonl`,
      act: async (env) => {
        await env.plant(`${env.runDir}/provider/p.jsonl`, kind);
        const ctx = await resumed(env);
        const claim = await ctx.openProviderLog("p.jsonl");
        await claim.writer.close();
        assert.equal(claim.attempt, 1);
        await ctx.close();
      },
      expect: recovered(),
    },
    {
      name: `the lease file is a ${kind}: resume refuses, naming it; force removes it`,
      act: async (env) => {
        const [lease] = (await env.ws.readDir(env.runDir)).filter((e) =>
          e.name.startsWith("lease.")
        );
        await env.plant(lease.path, kind);
        const error = await RunLogContext.resume(env.ws, env.runId).then(() => undefined, (e) => e);
        assert.equal(error?.code, "invalid-lease", String(error));
        assert.ok(error.message.includes(lease.path), error.message);
        await (await RunLogContext.resume(env.ws, env.runId, { force: true })).close();
      },
      expect: recovered(),
    },
    {
      name: `a crashed run's lease file is a ${kind}: listing, latest and prune serve every run`,
      act: async (env) => {
        const crashed = await RunLogContext.create(env.ws);
        const [lease] = (await env.ws.readDir(crashed.runDir)).filter((e) =>
          e.name.startsWith("lease.")
        );
        await env.plant(lease.path, kind);
        const { runs } = await listRuns(env.ws);
        assert.deepEqual(runs.map((r) => [r.id, r.status]), [
          [crashed.runId.toString(), "unknown"],
          [env.runId, "unknown"],
        ]);
        assert.ok(runs[0].problem?.includes(lease.path), runs[0].problem);
        assert.equal((await latestRun(env.ws))?.id, crashed.runId.toString());
        const pruned = await pruneRuns(env.ws, { keep: 0 });
        assert.deepEqual(pruned.deleted.map((r) => r.id), [env.runId]);
        assert.match(pruned.kept[0].reason, /could not be deleted: .*invalid|lease/);
      },
      expect: recovered(),
    },
    {
      name: `a run's debug/x is a ${kind}: pruning the run removes the entry, not its target`,
      act: async (env) => {
        await env.plant(`${env.runDir}/debug/x`, kind);
        const result = await pruneRuns(env.ws, { keep: 0 });
        assert.deepEqual(result.deleted.map((r) => r.id), [env.runId]);
      },
      expect: recovered(async (env) => {
        assert.deepEqual(await readdir(join(env.root, ".agent")), []);
      }),
    },
  );
}

// Hard links: another name of a file outside the root, planted where runlog
// appends, reads or packs. Never opened: the file outside stays as it was.
cases.push(
  ...(["pipeline.log", "event_loop.log"] as const).map((file): Case => ({
    name: `${file} is a hard link to a file outside: its logger refuses it`,
    act: async (env) => {
      await env.plant(`${env.runDir}/${file}`, "hardlink");
      const ctx = await resumed(env);
      try {
        await (file === "pipeline.log" ? PipelineLogger.open(ctx) : EventLoopLogger.open(ctx));
      } finally {
        await ctx.close();
      }
    },
    expect: "hard-link",
  })),
  {
    name: "agents/dev_1.log is a hard link: the claim moves on to _a1",
    act: async (env) => {
      await env.plant(`${env.runDir}/agents/dev_1.log`, "hardlink");
      const ctx = await resumed(env);
      const claim = await ctx.claimAgentLog("dev", 1);
      await claim.writer.write("output\n");
      await claim.writer.close();
      assert.equal(claim.attempt, 1);
      await ctx.close();
    },
    expect: recovered(),
  },
  {
    name: "run.json is a hard link: reading and rewriting it never touch the file outside",
    act: async (env) => {
      await env.plant(`${env.runDir}/run.json`, "hardlink");
      const [run] = (await listRuns(env.ws)).runs;
      assert.match(run.problem ?? "", /hard link/);
      assert.ok(!(run.problem ?? "").includes("very-secret"));
      // Resume keeps the unreadable file aside (a rename) and writes a new one.
      await (await resumed(env)).close();
    },
    expect: recovered(),
  },
  {
    name: "a hard link in debug/ is left out of sizes and never read",
    act: async (env) => {
      await env.plant(`${env.runDir}/debug/x`, "hardlink");
      const [run] = (await listRuns(env.ws, { sizes: true })).runs;
      assert.ok(run.bytes! < SECRET.length + 2000, String(run.bytes));
      await assert.rejects(env.ws.read(`${env.runDir}/debug/x`), /hard link/);
      await assert.rejects(env.ws.setReadonly(`${env.runDir}/debug/x`), /hard link/);
    },
    expect: recovered(),
  },
);

// Lease files that are not leases, or state the impossible.
cases.push(
  {
    name:
      "an empty lease.9999999999999999.json (past 2^53) in a crashed run: listing, prune and resume answer",
    act: async (env) => {
      const crashed = await RunLogContext.create(env.ws); // never closed
      const id = crashed.runId.toString();
      await env.ws.write(`${crashed.runDir}/lease.9999999999999999.json`, "");
      const { runs } = await listRuns(env.ws);
      const bad = runs.find((r) => r.id === id)!;
      assert.equal(bad.status, "unknown");
      assert.match(bad.problem ?? "", /lease\.9999999999999999\.json.*past 2\^53-1/);
      assert.equal(runs.find((r) => r.id === env.runId)?.status, "unknown"); // closed without status
      const error = await RunLogContext.resume(env.ws, id).then(() => undefined, (e) => e);
      assert.equal(error?.code, "invalid-lease");
      assert.match(error.message, /lease\.9999999999999999\.json/);
      await pruneRuns(env.ws, { keep: 5 });
      await (await RunLogContext.resume(env.ws, id, { force: true })).close();
      assert.equal((await listRuns(env.ws)).runs.find((r) => r.id === id)?.problem, undefined);
    },
    expect: recovered(),
  },
  {
    name: "a garbage lease.9999999999999998.json: resume refuses naming it, force takes the run",
    act: async (env) => {
      await env.ws.write(`${env.runDir}/lease.9999999999999998.json`, "garbage");
      const error = await RunLogContext.resume(env.ws, env.runId).then(() => undefined, (e) => e);
      assert.equal(error?.code, "invalid-lease");
      const ctx = await RunLogContext.resume(env.ws, env.runId, { force: true });
      const log = await EventLoopLogger.open(ctx);
      await log.logEffect({ phase: "P", effect: "E", event: "V", durationMs: 0 });
      await log.close();
      await ctx.close();
    },
    expect: recovered(),
  },
  ...([
    ["pid 0", { pid: 0 }, "crashed"],
    ["pid -1", { pid: -1 }, "crashed"],
    ["a heartbeat a year ahead, from another host", {
      host: "elsewhere",
      heartbeat_at: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    }, "crashed"],
    // A shell's lease, seen from elsewhere: it waits for a command, it did not crash.
    ["no heartbeat (heartbeat_ms 0), from another host", {
      host: "elsewhere",
      heartbeat_ms: 0,
    }, "idle"],
  ] as const).map(([what, fields, status]): Case => ({
    name: `a lease with ${what} is stale: ${status}, resumable, prunable`,
    act: async (env) => {
      const ctx = await RunLogContext.create(env.ws);
      const lease = (await env.ws.readDir(ctx.runDir)).find((e) => e.name.startsWith("lease."))!;
      // The creator (this process) stays alive: only the lease says otherwise.
      const holder = { ...JSON.parse(await env.ws.read(lease.path)), ...fields };
      await env.ws.writeAtomic(lease.path, JSON.stringify(holder));
      assert.equal((await latestRun(env.ws))?.status, status);
      await (await RunLogContext.resume(env.ws, ctx.runId)).close({ status: "failed" });
      const result = await pruneRuns(env.ws, { keep: 0 });
      assert.equal(result.deleted.length, 2);
    },
    expect: recovered(),
  })),
);

// 2. Junk in .agent/.
cases.push(
  {
    name: "a stray file, a junk directory and a link in .agent: listRuns skips and reports them",
    act: async (env) => {
      await env.plant(".agent/logs-not-an-id", "dir");
      await env.plant(".agent/notes.txt", "file");
      await env.plant(".agent/logs-2026-01-01_00-00-00.000Z", "link-dir");
      const { runs, skipped } = await listRuns(env.ws);
      assert.deepEqual(runs.map((r) => r.id), [env.runId]);
      assert.deepEqual(skipped.map((s) => s.name).sort(), [
        "logs-2026-01-01_00-00-00.000Z",
        "logs-not-an-id",
        "notes.txt",
      ]);
    },
    expect: recovered(),
  },
  {
    name: "a file named .agent/.pruning-x: prune deletes what it should and reports the file",
    act: async (env) => {
      await env.plant(".agent/.pruning-x", "file");
      await env.plant(".agent/.pruning-link", "link-dir");
      const result = await pruneRuns(env.ws, { keep: 0 });
      assert.deepEqual(result.deleted.map((r) => r.id), [env.runId]);
      assert.deepEqual(result.skipped.map((s) => s.path).sort(), [
        ".agent/.pruning-link",
        ".agent/.pruning-x",
      ]);
      assert.match(result.skipped[0].reason, /left alone/);
    },
    expect: recovered(async (env) => {
      assert.deepEqual((await readdir(join(env.root, ".agent"))).sort(), [
        ".pruning-link",
        ".pruning-x",
      ]);
    }),
  },
  {
    name: "a run whose create was cut short (no run.json): skipped, never latest, pruned once old",
    act: async (env) => {
      const id = "2020-01-01_00-00-00.000Z";
      for (const sub of ["agents", "provider", "debug"]) {
        await env.ws.createDirAll(`.agent/logs-${id}/${sub}`);
      }
      await env.ws.write(`.agent/logs-${id}/lease.1.json`, "");
      const fresh = await RunLogContext.create(env.ws);
      await env.ws.remove(fresh.runMetadata()); // killed before run.json, a moment ago
      const { runs, skipped } = await listRuns(env.ws);
      assert.deepEqual(runs.map((r) => r.id), [env.runId]);
      assert.deepEqual(skipped.map((s) => s.incomplete?.toString()).sort(), [
        id,
        fresh.runId.toString(),
      ]);
      assert.equal((await latestRun(env.ws))?.id, env.runId);
      const result = await pruneRuns(env.ws, { keep: 5 });
      assert.deepEqual(result.cleaned, [`.agent/logs-${id}`]);
      assert.deepEqual(result.skipped.map((s) => s.path), [fresh.runDir]);
    },
    expect: recovered(),
  },
  {
    name: ".agent is a regular file: create",
    act: async (env) => {
      await env.ws.removeDirAll(".agent");
      await env.plant(".agent", "file");
      await RunLogContext.create(env.ws);
    },
    expect: "not-a-directory",
  },
);

// 3. Corrupted files.
cases.push(
  {
    name: "run.json is not JSON: resume keeps it aside and records a new session",
    act: async (env) => {
      await env.ws.write(`${env.runDir}/run.json`, "{ not json");
      const ctx = await resumed(env);
      assert.equal((await ctx.readRunMetadata()).sessions?.length, 1);
      await ctx.close();
    },
    expect: recovered(async (env) => {
      const names = await readdir(join(env.root, env.runDir));
      const aside = names.find((n) => n.startsWith("run.json.unreadable-"));
      assert.ok(aside, names.join());
      assert.equal(await readFile(join(env.root, env.runDir, aside), "utf8"), "{ not json");
    }),
  },
  {
    name: "run.json of 17 MiB: readRunMetadata refuses it without reading it",
    act: async (env) => {
      await env.ws.write(`${env.runDir}/run.json`, " ".repeat(17 * 1024 * 1024));
      await (await RunLogContext.attach(env.ws, env.runId)).readRunMetadata();
    },
    expect: "too-large",
  },
  {
    name: "run.json is not UTF-8: readRunMetadata",
    act: async (env) => {
      await env.ws.writeBytes(`${env.runDir}/run.json`, new Uint8Array([0xff, 0xfe, 0x7b]));
      await (await RunLogContext.attach(env.ws, env.runId)).readRunMetadata();
    },
    expect: "io",
  },
  {
    name: "run.json is a directory: resume",
    act: async (env) => {
      await env.plant(`${env.runDir}/run.json`, "dir");
      await resumed(env);
    },
    expect: "is-a-directory",
  },
  {
    name: "run.json is missing: resume writes it anew",
    act: async (env) => {
      await env.ws.remove(`${env.runDir}/run.json`);
      const ctx = await resumed(env);
      assert.equal((await ctx.readRunMetadata()).runId, env.runId);
      await ctx.close();
    },
    expect: recovered(),
  },
  {
    name: "event_loop.log ends in seq 2^53+1: open refuses it",
    act: async (env) => {
      await env.ws.write(
        `${env.runDir}/event_loop.log`,
        "9007199254740993 ts=2026-02-06T14:03:27.123Z phase=P effect=E event=V ms=1\n",
      );
      const ctx = await resumed(env);
      try {
        await EventLoopLogger.open(ctx);
      } finally {
        await ctx.close();
      }
    },
    expect: "invalid-log-line",
  },
  {
    name: "event_loop.log ends in 3 MB without a newline: open skips and ends it",
    act: async (env) => {
      await env.ws.write(
        `${env.runDir}/event_loop.log`,
        "4 ts=2026-02-06T14:03:27.123Z phase=P effect=E event=V ms=1\n" + "x".repeat(3e6),
      );
      const ctx = await resumed(env);
      const log = await EventLoopLogger.open(ctx);
      assert.equal(await log.logEffect({ phase: "P", effect: "E", event: "V", durationMs: 0 }), 5);
      await log.close();
      await ctx.close();
    },
    expect: recovered(),
  },
  {
    name: "the lease file holds garbage: resume takes the run over",
    act: async (env) => {
      const [lease] = (await env.ws.readDir(env.runDir)).filter((e) => e.name.startsWith("lease."));
      await env.ws.write(lease.path, "garbage");
      await (await resumed(env)).close();
    },
    expect: recovered(),
  },
  {
    name: "temp files of a killed atomic write: resume removes them",
    act: async (env) => {
      await env.ws.write(`${env.runDir}/.run.json.0123456789abcdef.tmp`, "{ half");
      await (await resumed(env)).close();
    },
    expect: recovered(async (env) => {
      const names = await readdir(join(env.root, env.runDir));
      assert.ok(!names.some((n) => n.endsWith(".tmp")), names.join());
    }),
  },
);

// 4. Ids, names and values from plain JavaScript.
const BAD_IDS: unknown[] = [
  "x/../../etc",
  "../../../tmp/evil",
  "/etc",
  "2026-02-06_14-03-27.123Z/../../x",
  "",
  "2026-02-06_14-03-27.123Z\0",
  "2026-02-06_14-03-27.123Z-00",
  "2026-02-30_14-03-27.123Z",
  "2026-02-06_14-03-27.123Z\n",
  "２０２６-02-06_14-03-27.123Z",
  "x".repeat(100_000),
  12345,
  null,
  { toString: () => "2026-02-06_14-03-27.123Z" },
];
for (const id of BAD_IDS) {
  cases.push({
    name: `resume with the id ${JSON.stringify(String(id)).slice(0, 40)}`,
    act: (env) => RunLogContext.resume(env.ws, id as string),
    expect: "invalid-run-id",
  });
}
const BAD_PHASES: unknown[] = ["", "..", "../x", "a/b", "a\\b", "x\0", "dev\n", "é".repeat(150), 7];
for (const phase of BAD_PHASES) {
  cases.push({
    name: `claimAgentLog with the phase ${JSON.stringify(String(phase)).slice(0, 40)}`,
    act: async (env) => {
      const ctx = await RunLogContext.attach(env.ws, env.runId);
      await ctx.claimAgentLog(phase as string, 1);
    },
    expect: "invalid-name",
  });
}
const BAD_CALLS: [string, (ctx: RunLogContext) => Promise<unknown>, string][] = [
  ["write(12345)", async (ctx) => {
    const h = await ctx.workspace.openAppend(ctx.pipelineLog());
    await h.write(12345 as unknown as string);
  }, "invalid-argument"],
  ["write(null)", async (ctx) => {
    const h = await ctx.workspace.openAppend(ctx.pipelineLog());
    await h.write(null as unknown as string);
  }, "invalid-argument"],
  ["a level holding a newline", async (ctx) => {
    const log = await PipelineLogger.open(ctx);
    await log.log("INFO] x\n[2026" as "INFO", "forged");
  }, "invalid-argument"],
  ["a clock returning a number", async (ctx) => {
    const log = await PipelineLogger.open(ctx, { clock: () => 5 as unknown as Date });
    await log.info("x");
  }, "invalid-argument"],
  ["a clock returning an invalid Date", async (ctx) => {
    const log = await EventLoopLogger.open(ctx, { clock: () => new Date(Number.NaN) });
    await log.logEffect({ phase: "P", effect: "E", event: "V", durationMs: 1 });
  }, "invalid-argument"],
  ["a context value that is a BigInt, a symbol and a circular object", async (ctx) => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const log = await EventLoopLogger.open(ctx);
    await log.logEffect({
      phase: "P",
      effect: "E",
      event: "V",
      extra: [10n, Symbol("s"), Object.create(null)],
      context: { big: 2n ** 70n, circular },
      durationMs: 1,
    });
    await log.close();
    const text = await ctx.workspace.read(ctx.eventLoopLog());
    assert.match(text, /extra=\[10,Symbol\(s\),\{\}\]/);
    assert.match(text, /big=1180591620717411303424,circular="\{\\"self\\":\\"\[Circular\]\\"\}"/);
  }, "ok"],
  ["metadata extra holding a BigInt", async (ctx) => {
    const metadata = await ctx.readRunMetadata();
    await ctx.writeRunMetadata({ ...metadata, extra: { n: 1n } });
  }, "invalid-metadata"],
  ["a lone surrogate in the command", async (ctx) => {
    const metadata = await ctx.readRunMetadata();
    await ctx.writeRunMetadata({ ...metadata, command: "ralph \ud83d end" });
    const text = await ctx.workspace.read(ctx.runMetadata());
    assert.ok(text.includes('"command": "ralph \ufffd end"'), text);
  }, "ok"],
  ["a logEffect record that is not an object", async (ctx) => {
    await (await EventLoopLogger.open(ctx)).logEffect(null as never);
  }, "invalid-argument"],
  ["a 2 MiB effect value", async (ctx) => {
    await (await EventLoopLogger.open(ctx)).logEffect({
      phase: "P",
      effect: "x".repeat(2 * 1024 * 1024),
      event: "V",
      durationMs: 1,
    });
  }, "invalid-argument"],
];
for (const [name, call, code] of BAD_CALLS) {
  cases.push({
    name,
    act: async (env) => {
      const ctx = await resumed(env);
      try {
        await call(ctx);
      } finally {
        await ctx.close().catch(() => {});
      }
    },
    expect: code === "ok" ? recovered() : code,
  });
}

// 5. Terminal injection: strings from disk and archives that would rewrite
// the terminal reach it escaped, from every command, as text and as JSON.
async function cli(env: Env, args: string[], tty = false) {
  return await captured([...args, "--root", env.root], tty);
}

// A printed document: safe on a terminal, the hostile text escaped in it.
function assertEscaped(text: string, what: string, escaped = HOSTILE_ESCAPED): void {
  assertTerminalSafe(text, what);
  assert.ok(text.includes(escaped), `${what}: no ${escaped} in ${JSON.stringify(text)}`);
}

async function rewriteJson(
  file: string,
  edit: (data: Record<string, unknown>) => void,
): Promise<void> {
  const data = JSON.parse(await readFile(file, "utf8"));
  edit(data);
  await writeFile(file, JSON.stringify(data, null, 2));
}

cases.push(
  {
    name: "terminal: run.json strings holding control characters: show and list, text and JSON",
    act: async (env) => {
      await rewriteJson(join(env.root, env.runDir, "run.json"), (data) => {
        data.command = HOSTILE;
        data.ralph_version = HOSTILE;
        data.repo_root = HOSTILE;
        const [session] = data.sessions as Record<string, unknown>[];
        session.host = HOSTILE;
        session.command = HOSTILE;
      });
      const shown = await cli(env, ["show", "latest"]);
      assert.equal(shown.code, 0, shown.stderr);
      assertEscaped(shown.stdout, "show");
      // The layout holds: one line each, the hostile text inside it.
      assert.match(shown.stdout, /^command {3}a\\x1b.*\\tz$/m);
      assert.match(shown.stdout, /^version {3}a\\x1b.*\\tz$/m);
      for (const args of [["show", "latest", "--json"], ["list", "--json"]]) {
        const result = await cli(env, args);
        assertEscaped(result.stdout, args.join(" "), "\\u001b[2J");
        const data = JSON.parse(result.stdout);
        const metadata = args[0] === "show" ? data.metadata : data.runs[0].metadata;
        // Escaped for the terminal, the same values for a script.
        assert.equal(metadata.command, HOSTILE);
        assert.equal(metadata.sessions[0].host, HOSTILE);
      }
      assertTerminalSafe((await cli(env, ["list"])).stdout, "list");
    },
    expect: recovered(),
  },
  {
    name: "terminal: a run.json status holding control characters: the problem is shown escaped",
    act: async (env) => {
      await rewriteJson(join(env.root, env.runDir, "run.json"), (data) => {
        data.status = HOSTILE;
        (data.sessions as Record<string, unknown>[])[0].status = HOSTILE;
      });
      for (const args of [["show", "latest"], ["list"], ["show", "latest", "--json"]]) {
        const result = await cli(env, args);
        assert.equal(result.code, 0, result.stderr);
        assertTerminalSafe(result.stdout + result.stderr, args.join(" "));
      }
      assertEscaped((await cli(env, ["show", "latest"])).stdout, "show", "\\u{202e}evil");
    },
    expect: recovered(),
  },
  {
    name: "terminal: file names holding control characters: show, list and prune, text and JSON",
    act: async (env) => {
      await writeFile(join(env.root, env.runDir, "debug", HOSTILE), "x");
      await mkdir(join(env.root, ".agent", `junk${HOSTILE}`));
      const shown = await cli(env, ["show", "latest"]);
      assertEscaped(shown.stdout, "show", `debug/${HOSTILE_ESCAPED}`);
      const json = await cli(env, ["show", "latest", "--json"]);
      assertTerminalSafe(json.stdout, "show --json");
      assert.ok(
        JSON.parse(json.stdout).files.some((f: { path: string }) => f.path === `debug/${HOSTILE}`),
      );
      const listed = await cli(env, ["list", "--json"]);
      assertTerminalSafe(listed.stdout, "list --json");
      assert.deepEqual(JSON.parse(listed.stdout).skipped.map((s: { name: string }) => s.name), [
        `junk${HOSTILE}`,
      ]);
      for (const args of [["list"], ["prune", "--keep", "0", "--dry-run"]]) {
        const result = await cli(env, args);
        assert.equal(result.code, 0, result.stderr);
        assertTerminalSafe(result.stdout + result.stderr, args.join(" "));
      }
      // A path printed alone: exact into a pipe, for dir=$(runlog path …); escaped on a terminal.
      const piped = await cli(env, ["path", "latest", `debug/${HOSTILE}`]);
      assert.ok(piped.stdout.endsWith(`/debug/${HOSTILE}\n`), piped.stdout);
      const onTerminal = await cli(env, ["path", "latest", `debug/${HOSTILE}`], true);
      assertEscaped(onTerminal.stdout, "path on a terminal");
    },
    expect: recovered(),
  },
  {
    name: "terminal: a lease whose host and runtime hold control characters: list, show, event",
    act: async (env) => {
      const live = await RunLogContext.create(env.ws, { heartbeatMs: 0 });
      const [lease] = (await env.ws.readDir(live.runDir)).filter((e) =>
        e.name.startsWith("lease.")
      );
      // A live holder on another machine, whose lease file names a hostile host.
      await rewriteJson(join(env.root, lease.path), (data) => {
        Object.assign(data, {
          pid: 4242,
          host: HOSTILE,
          runtime: HOSTILE,
          heartbeat_at: new Date().toISOString(),
          heartbeat_ms: 60_000,
        });
        delete data.process_start;
      });
      for (const args of [["list"], ["show", "latest"]]) {
        const result = await cli(env, args);
        assert.equal(result.code, 0, result.stderr);
        assertEscaped(result.stdout, args.join(" "), `pid 4242 on ${HOSTILE_ESCAPED}`);
      }
      const listed = await cli(env, ["list", "--json"]);
      assertTerminalSafe(listed.stdout, "list --json");
      assert.equal(JSON.parse(listed.stdout).runs[0].holder.host, HOSTILE);
      // Refused: the error printed names the holder, escaped.
      const refused = await cli(env, [
        "event",
        "latest",
        "--phase",
        "P",
        "--effect",
        "E",
        "--event",
        "V",
      ]);
      assert.equal(refused.code, 1, refused.stderr);
      assertEscaped(refused.stderr, "event", `host '${HOSTILE_ESCAPED}'`);
    },
    expect: recovered(),
  },
  {
    name: "terminal: a pack with crafted entry names: verify, text and JSON",
    act: async (env) => {
      const packed = join(env.root, "run.tar.gz");
      await packRun(env.ws, env.runId, { output: packed });
      const entries = await unpackTar(gunzipSync(await readFile(packed)));
      // Names that would make the terminal read "ok" after a failed verify.
      const forged = `\r\u001b[2K${packed}: ok, 3 files match the manifest\u001b[8m`;
      const tampered = join(env.root, "tampered.tar.gz");
      await writeFile(
        tampered,
        gzipSync(
          await packTar([
            ...entries,
            ...[forged, HOSTILE].map((name) => ({
              header: { name: `logs-${env.runId}/debug/${name}`, size: 1, type: "file" as const },
              data: new Uint8Array([0x78]),
            })),
          ]),
        ),
      );
      const text = await captured(["verify", tampered]);
      assert.equal(text.code, 1);
      assertEscaped(text.stderr, "verify", `debug/${HOSTILE_ESCAPED}`);
      assert.ok(text.stderr.includes("debug/\\r\\x1b[2K"), text.stderr);
      assert.ok(!/^\S*: ok/m.test(text.stdout + text.stderr), text.stderr);
      const json = await captured(["verify", tampered, "--json"]);
      assert.equal(json.code, 1);
      assertTerminalSafe(json.stdout, "verify --json");
      assert.deepEqual(
        JSON.parse(json.stdout).problems.map((p: { path: string }) => p.path),
        [`debug/${forged}`, `debug/${HOSTILE}`],
      );
    },
    expect: recovered(),
  },
  {
    name:
      "terminal: a log holding control characters: tail escapes it on a terminal, exact into a pipe",
    act: async (env) => {
      const log = join(env.root, env.runDir, "pipeline.log");
      const line = `[2026-02-06T14:03:27.123Z] [INFO] ${HOSTILE}\n`;
      await writeFile(log, line, { flag: "a" });
      const onTerminal = await cli(env, ["tail", "-n", "2", "latest"], true);
      assert.equal(onTerminal.code, 0, onTerminal.stderr);
      // Tabs stay; the CR of the CR LF inside is left out; the rest is escaped.
      assertTerminalSafe(onTerminal.stdout, "tail on a terminal", true);
      assert.ok(
        onTerminal.stdout.endsWith(
          "[INFO] a\\x1b[2J\\x1b]0;pwned\\x07\nok\\u{9b}31m\\u{202e}evil\\u{2066}x\\x7f\tz\n",
        ),
        onTerminal.stdout,
      );
      const piped = await cli(env, ["tail", "-n", "2", "latest"]);
      assert.equal(piped.stdout, line);
    },
    expect: recovered(),
  },
  {
    name: "terminal: arguments and names quoted by error messages are printed escaped",
    act: async (env) => {
      const calls: [string[], number][] = [
        [[HOSTILE], 2], // An unknown command.
        [["show", HOSTILE], 1], // Not a run id.
        [["list", `--${HOSTILE}`], 2], // An unknown option.
        [["tail", "latest", "-n", HOSTILE], 2],
        [["verify", join(env.root, HOSTILE)], 1], // A missing archive.
      ];
      for (const [args, code] of calls) {
        const result = args[0] === "verify" ? await captured(args) : await cli(env, args);
        assert.equal(result.code, code, result.stderr);
        assertTerminalSafe(result.stderr, args.join(" "));
        assert.ok(/\\x1b|\\u001b/.test(result.stderr), result.stderr);
      }
    },
    expect: recovered(),
  },
);

test(`the hostile-input table has at least 80 cases (${cases.length})`, () => {
  assert.ok(cases.length >= 80, `${cases.length}`);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, "duplicate case names");
});

for (const c of cases) {
  test(`${adapter.name}: hostile: ${c.name}`, { timeout: 20_000 }, () => run(c));
}
