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
  listRuns,
  PipelineLogger,
  pruneRuns,
  RunLogContext,
  RunLogError,
  type Workspace,
  WorkspaceError,
} from "../mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";

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

type Plant = "link-dir" | "link-file" | "dangling" | "fifo" | "file" | "dir";

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
      name: `the lease file is a ${kind}: resume`,
      act: async (env) => {
        const [lease] = (await env.ws.readDir(env.runDir)).filter((e) =>
          e.name.startsWith("lease.")
        );
        await env.plant(lease.path, kind);
        await resumed(env);
      },
      expect: regular,
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

test(`the hostile-input table has at least 80 cases (${cases.length})`, () => {
  assert.ok(cases.length >= 80, `${cases.length}`);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, "duplicate case names");
});

for (const c of cases) {
  test(`${adapter.name}: hostile: ${c.name}`, { timeout: 20_000 }, () => run(c));
}
