// The runlog command, run for real as a subprocess of this runtime.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseEventLoopLine, parseRunMetadata, PipelineLogger, RunLogContext } from "../mod.ts";
import { nativeAdapter, runtime, tempDir } from "./_runtime.ts";
import { runlog, runlogCommand, type RunlogResult } from "./_processes.ts";

const adapter = await nativeAdapter();
const RUST = fileURLToPath(new URL("../../shared/fixtures/ralph-rust/", import.meta.url));

function sh(script: string, cwd: string): Promise<RunlogResult> {
  const quoted = runlogCommand().map((a) => `'${a}'`).join(" ");
  return new Promise((resolve) => {
    execFile(
      "sh",
      ["-c", script],
      { cwd, env: { ...process.env, RUNLOG: quoted } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
      },
    );
  });
}

test(
  `runlog (${runtime}): a shell loop built on new, log, event and close`,
  { timeout: 60_000 },
  async () => {
    const dir = await tempDir();
    try {
      // The most common Ralph loop: a while loop around an agent CLI.
      const result = await sh(
        `set -e
       dir=$(eval "$RUNLOG new --command 'ralph.sh' --version 1.2.3 --owner $$")
       i=1
       while [ $i -le 3 ]; do
         eval "$RUNLOG log latest --owner $$ 'iteration $i: agent started'"
         echo "agent output $i" > "$dir/agents/dev_$i.log"
         eval "$RUNLOG event latest --owner $$ --phase Development --effect InvokeAgent --event AgentDone --ms $((i * 100)) --ctx iteration=$i"
         i=$((i + 1))
       done
       eval "$RUNLOG log latest --owner $$ --level ok 'loop done'"
       eval "$RUNLOG close latest --owner $$ --status succeeded"
       echo "$dir"`,
        dir.path,
      );
      assert.equal(result.code, 0, result.stderr);
      const runDir = result.stdout.trim().split("\n").at(-1)!;
      assert.ok(runDir.startsWith(join(dir.path, ".agent/logs-")), runDir);
      const events = (await readFile(join(runDir, "event_loop.log"), "utf8")).trim().split("\n")
        .map((line) => parseEventLoopLine(line));
      assert.deepEqual(events.map((e) => [e.seq, e.durationMs, e.context]), [
        [1, 100, [["iteration", "1"]]],
        [2, 200, [["iteration", "2"]]],
        [3, 300, [["iteration", "3"]]],
      ]);
      const pipeline = await readFile(join(runDir, "pipeline.log"), "utf8");
      assert.match(pipeline, /\] \[INFO\] iteration 3: agent started\n.*\] \[OK\] loop done\n$/);
      const metadata = parseRunMetadata(await readFile(join(runDir, "run.json"), "utf8"));
      assert.equal(metadata.command, "ralph.sh");
      assert.equal(metadata.ralphVersion, "1.2.3");
      assert.equal(metadata.status, "succeeded");
      assert.equal(metadata.sessions?.length, 1);
      const listed = JSON.parse((await runlog(["list", "--json", "--root", dir.path])).stdout);
      assert.deepEqual(listed.runs.map((r: { status: string }) => r.status), ["succeeded"]);
    } finally {
      await dir.remove();
    }
  },
);

test(
  `runlog (${runtime}): a run is held by the shell that created it`,
  { timeout: 60_000 },
  async () => {
    const dir = await tempDir();
    try {
      const created = await sh(`eval "$RUNLOG new --owner $$"; sleep 1`, dir.path);
      assert.equal(created.code, 0, created.stderr);
      // The creating shell has exited: the run reads as crashed, and nobody may write it.
      const listed = JSON.parse((await runlog(["list", "--json", "--root", dir.path])).stdout);
      assert.equal(listed.runs[0].status, "crashed");
      const refused = await runlog([
        "event",
        "latest",
        "--root",
        dir.path,
        "--phase",
        "P",
        "--effect",
        "E",
        "--event",
        "V",
      ]);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /cannot write the event loop log of run '.*': no live process holds it/,
      );
    } finally {
      await dir.remove();
    }
  },
);

test(`runlog (${runtime}): tail -f shows lines another process appends within 500 ms`, {
  timeout: 60_000,
}, async () => {
  const dir = await tempDir();
  const [command, ...prefix] = runlogCommand();
  const follower = spawn(command, [...prefix, "tail", "-f", "latest", "--root", dir.path], {
    env: { ...process.env, NO_COLOR: "1" },
  });
  try {
    const ws = adapter.make(dir.path);
    const ctx = await RunLogContext.create(ws);
    const log = await PipelineLogger.open(ctx);
    await log.info("before the tail");
    let seen = "";
    const waiters: { text: string; resolve: () => void }[] = [];
    follower.stdout.setEncoding("utf8");
    follower.stdout.on("data", (chunk: string) => {
      seen += chunk;
      for (const w of waiters.filter((w) => seen.includes(w.text))) w.resolve();
    });
    const appear = (text: string) =>
      new Promise<void>((resolve) => {
        if (seen.includes(text)) resolve();
        else waiters.push({ text, resolve });
      });
    await appear("before the tail");
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      await log.info(`live line ${i}`);
      await appear(`live line ${i}`);
      const delay = Date.now() - started;
      assert.ok(delay < 500, `line ${i} appeared after ${delay} ms`);
    }
    await log.close();
    // The run ends: the tail ends too, after printing everything.
    const exited = new Promise<number | null>((resolve) => follower.on("exit", resolve));
    await ctx.close({ status: "succeeded" });
    assert.equal(await exited, 0);
    assert.ok(!seen.includes("\u001b["), "colour without a terminal");
  } finally {
    follower.kill();
    await dir.remove();
  }
});

test(`runlog (${runtime}): tail reads a run the Rust tool wrote, continuation lines included`, async () => {
  const dir = await tempDir();
  try {
    const runDir = join(dir.path, ".agent/logs-2026-02-06_14-03-27.123Z");
    await mkdir(runDir, { recursive: true });
    for (const file of ["run.json", "pipeline.log", "event_loop.log"]) {
      await copyFile(join(RUST, file), join(runDir, file));
    }
    const pipeline = await runlog(["tail", "-n", "all", "latest", "--root", dir.path]);
    assert.equal(pipeline.code, 0, pipeline.stderr);
    assert.equal(pipeline.stdout, await readFile(join(RUST, "pipeline.log"), "utf8"));
    const events = await runlog(["tail", "-n", "2", "latest", "events", "--root", dir.path]);
    assert.deepEqual(events.stdout.trim().split("\n").map((l) => parseEventLoopLine(l).seq), [
      6,
      7,
    ]);
    const list = JSON.parse((await runlog(["list", "--json", "--root", dir.path])).stdout);
    assert.equal(list.runs[0].status, "unknown");
    const shown = JSON.parse(
      (await runlog(["show", "latest", "--json", "--root", dir.path])).stdout,
    );
    assert.equal(shown.metadata.ralphVersion, "0.6.3");
  } finally {
    await dir.remove();
  }
});

test(`runlog (${runtime}): list, show, path and prune, as text and JSON`, async () => {
  const dir = await tempDir();
  try {
    const ws = adapter.make(dir.path);
    const ids: string[] = [];
    let time = Date.parse("2026-01-01T00:00:00Z");
    for (let i = 0; i < 3; i++) {
      const ctx = await RunLogContext.create(ws, { clock: () => new Date(time += 3600_000) });
      await ctx.close({ status: i === 1 ? "failed" : "succeeded" });
      ids.push(ctx.runId.toString());
    }
    const text = await runlog(["list", "--root", dir.path, "--sizes"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^RUN +STATUS +STARTED +DURATION +SIZE/);
    assert.ok(text.stdout.indexOf(ids[2]) < text.stdout.indexOf(ids[0]), "newest first");
    assert.equal(
      (await runlog(["path", ids[1], "events", "--root", dir.path])).stdout,
      `${ws.root}/.agent/logs-${ids[1]}/event_loop.log\n`,
    );
    const shown = JSON.parse((await runlog(["show", ids[1], "--json", "--root", dir.path])).stdout);
    assert.equal(shown.status, "failed");
    assert.ok(shown.files.some((f: { path: string }) => f.path === "run.json"));
    const dry = JSON.parse(
      (await runlog(["prune", "--keep", "1", "--dry-run", "--json", "--root", dir.path])).stdout,
    );
    assert.deepEqual(dry.deleted.map((r: { id: string }) => r.id), [ids[1], ids[0]]);
    const pruned = await runlog([
      "prune",
      "--older-than",
      "1000d",
      "--keep",
      "1",
      "--root",
      dir.path,
    ]);
    assert.match(pruned.stdout, /0 run\(s\) deleted; 3 kept/);
    const real = await runlog(["prune", "--keep", "2", "--root", dir.path]);
    assert.match(real.stdout, /1 run\(s\) deleted/);
    assert.equal(
      JSON.parse((await runlog(["list", "--json", "--root", dir.path])).stdout).runs.length,
      2,
    );
  } finally {
    await dir.remove();
  }
});

test(`runlog (${runtime}): usage errors exit with 2, failures with 1, help with 0`, async () => {
  const dir = await tempDir();
  try {
    const cases: [string[], number, RegExp][] = [
      [[], 2, /Usage: runlog <command>/],
      [["frobnicate"], 2, /unknown command "frobnicate"/],
      [["list", "--frob"], 2, /Unknown option '--frob'/],
      [["event", "latest", "--phase", "P"], 2, /--effect is required/],
      [["prune"], 2, /give a policy/],
      [["prune", "--older-than", "soon"], 2, /use a number and a unit/],
      [["prune", "--max-size", "huge"], 2, /use a size such as 5GB/],
      [["log", "latest", "--level", "LOUD", "x"], 2, /--level LOUD/],
      [["show", "x/../../etc"], 1, /invalid run id/],
      [["tail", "latest"], 1, /there is no run in .* yet/],
      [["path", "2026-02-06_14-03-27.123Z", "../../etc/passwd"], 1, /'\.\.' segments are refused/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runlog([...args, "--root", dir.path]);
      assert.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(" "));
    }
    for (
      const command of ["new", "log", "event", "close", "list", "show", "path", "tail", "prune"]
    ) {
      const help = await runlog([command, "--help"]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`^Usage: runlog ${command}`));
    }
    assert.equal((await runlog(["--version"])).stdout.trim(), "0.1.0");
  } finally {
    await dir.remove();
  }
});

test(`runlog (${runtime}): prints no colour when its output is not a terminal`, async () => {
  const dir = await tempDir();
  try {
    const ctx = await RunLogContext.create(adapter.make(dir.path));
    await ctx.close({ status: "failed" });
    const envs: Record<string, string>[] = [{}, { NO_COLOR: "1" }, { TERM: "xterm-256color" }];
    for (const env of envs) {
      const result = await runlog(["list", "--root", dir.path], env);
      assert.ok(!result.stdout.includes("\u001b["), JSON.stringify(env));
    }
  } finally {
    await dir.remove();
  }
});

test(
  `runlog (${runtime}): pack masks secrets, verify names a tampered file`,
  { timeout: 60_000 },
  async () => {
    const dir = await tempDir();
    try {
      const ws = adapter.make(dir.path);
      const ctx = await RunLogContext.create(ws);
      const secret = ["sk", "proj", "A".repeat(48)].join("-");
      await ws.write(ctx.agentLog("dev", 1), `export OPENAI_API_KEY=${secret}\n`);
      await ctx.close({ status: "succeeded" });
      const archive = join(dir.path, "run.tar.gz");
      const packed = await runlog(["pack", "latest", "-o", archive, "--json", "--root", dir.path]);
      assert.equal(packed.code, 0, packed.stderr);
      assert.ok(Object.values(JSON.parse(packed.stdout).redactions).length > 0, packed.stdout);
      const verified = await runlog(["verify", archive]);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, /ok, \d+ files match the manifest/);
      // The secret is nowhere in the archive, and the run on disk still holds it.
      const unpacked = join(dir.path, "unpacked");
      await mkdir(unpacked);
      await new Promise<void>((resolve, reject) =>
        execFile(
          "tar",
          ["xzf", archive, "-C", unpacked],
          (error) => (error ? reject(error) : resolve()),
        )
      );
      const agentLog = await readFile(
        join(unpacked, `logs-${ctx.runId}`, "agents/dev_1.log"),
        "utf8",
      );
      assert.ok(!agentLog.includes(secret), agentLog);
      assert.ok((await ws.read(ctx.agentLog("dev", 1))).includes(secret));
      // Tampering: the archive rebuilt with one byte of one file changed.
      await writeFile(join(unpacked, `logs-${ctx.runId}`, "pipeline.log"), "tampered\n", {
        flag: "a",
      });
      const tampered = join(dir.path, "tampered.tar.gz");
      await new Promise<void>((resolve, reject) =>
        execFile(
          "tar",
          ["czf", tampered, "-C", unpacked, `logs-${ctx.runId}`],
          (error) => error ? reject(error) : resolve(),
        )
      );
      const failed = await runlog(["verify", tampered]);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /pipeline\.log/);
      const refused = await runlog(["pack", "latest", "-o", archive, "--root", dir.path]);
      assert.equal(refused.code, 1, "an existing archive is not replaced without --force");
      assert.equal((await runlog(["pack", "latest", "--level", "12", "--root", dir.path])).code, 2);
      assert.equal((await runlog(["verify"])).code, 2);
    } finally {
      await dir.remove();
    }
  },
);
