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
import {
  fixture,
  runlog,
  runlogCommand,
  type RunlogResult,
  type ScriptProcess,
  startScript,
} from "./_processes.ts";
import { json, terminalSafe } from "../src/cli/_output.ts";
import { VERSION } from "../src/_version.ts";
import { parseDuration, parseSize, parseWhole } from "../src/cli/_usage.ts";
import { assertTerminalSafe, captured, HOSTILE, HOSTILE_ESCAPED } from "./_terminal.ts";

const adapter = await nativeAdapter();
const RUST = fileURLToPath(new URL("./fixtures/ralph-rust/", import.meta.url));

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
  `runlog (${runtime}): new, event, log and close as four separate shells, as CI steps run`,
  { timeout: 60_000 },
  async () => {
    const dir = await tempDir();
    try {
      const step = async (command: string) => {
        const result = await sh(`eval "$RUNLOG ${command}"`, dir.path);
        assert.equal(result.code, 0, `${command}: ${result.stderr}`);
        return result.stdout.trim();
      };
      const status = async () =>
        JSON.parse((await runlog(["list", "--json", "--root", dir.path])).stdout).runs[0].status;
      const runDir = await step("new --command ci-job");
      // Its shell has exited: the run waits for its next step, neither running nor crashed.
      assert.equal(await status(), "idle");
      const event = "--phase Build --effect Compile --event Compiled";
      assert.equal(await step(`event latest ${event} --ctx step=2`), "1");
      assert.equal(await status(), "idle");
      await step("log latest 'step 3: tests started'");
      assert.equal(await step(`event latest ${event} --ctx step=4`), "2");
      await step("close latest --status succeeded");
      assert.equal(await status(), "succeeded");
      const metadata = parseRunMetadata(await readFile(join(runDir, "run.json"), "utf8"));
      // A session per step that took the run: new, the two events, and close.
      assert.equal(metadata.sessions?.length, 4);
      assert.deepEqual(metadata.sessions!.map((s) => s.resume), [false, true, true, true]);
      assert.equal(metadata.sessions!.at(-1)?.status, "succeeded");
      const seqs = (await readFile(join(runDir, "event_loop.log"), "utf8")).trim().split("\n")
        .map((line) => parseEventLoopLine(line).seq);
      assert.deepEqual(seqs, [1, 2]);
      assert.match(await readFile(join(runDir, "pipeline.log"), "utf8"), /step 3: tests started/);
      // A closed run is not continued by a stray command: `latest` may be an old run.
      const late = await sh(`eval "$RUNLOG event latest ${event}"`, dir.path);
      assert.equal(late.code, 1);
      assert.match(late.stderr, /it was closed at .* \(succeeded\); create a new run/);
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

test(
  `runlog (${runtime}): tail -f ends when the writer is killed, the run is idle or removed, each with its code`,
  {
    timeout: 60_000,
  },
  async () => {
    const dir = await tempDir();
    const holders: ScriptProcess[] = [];
    try {
      const ws = adapter.make(dir.path);
      const follow = (id: string) => runlog(["tail", "-f", id, "--root", dir.path]);
      // A writer killed with SIGKILL while the run is followed: crashed, 3.
      const created = await RunLogContext.create(ws);
      await created.close();
      const id = created.runId.toString();
      const holder = startScript(fixture("holder.ts"), [dir.path, id, "300"]);
      holders.push(holder);
      await holder.waitForLine((l) => l.startsWith("ack 3"));
      const following = follow(id);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      holder.child.kill("SIGKILL");
      const killed = await following;
      assert.equal(killed.code, 3, killed.stderr);
      assert.match(killed.stderr, /crashed: its holder died/);
      // Already crashed when the tail starts: it ends at once.
      const started = Date.now();
      assert.equal((await follow(id)).code, 3);
      assert.ok(Date.now() - started < 5000);
      // Idle: its shell has exited between two runlog commands, 4.
      const idle = await sh(`eval "$RUNLOG new"`, dir.path);
      const idleId = idle.stdout.trim().slice(idle.stdout.trim().lastIndexOf("/logs-") + 6);
      const idleTail = await follow(idleId);
      assert.equal(idleTail.code, 4, idleTail.stderr);
      assert.match(idleTail.stderr, /is idle/);
      // Removed while followed (a prune): 5.
      const live = await RunLogContext.create(ws);
      const watcher = follow(live.runId.toString());
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await ws.removeDirAll(live.runDir);
      const removed = await watcher;
      assert.equal(removed.code, 5, removed.stderr);
      assert.match(removed.stderr, /was removed while it was followed/);
    } finally {
      for (const h of holders) h.child.kill("SIGKILL");
      await Promise.all(holders.map((h) => h.exited));
      await dir.remove();
    }
  },
);

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
      [["list", "--frob"], 2, /unknown option --frob; this command takes/],
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
    assert.equal((await runlog(["--version"])).stdout.trim(), VERSION);
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

test("`terminalSafe()` escapes every control, bidi and separator character, and nothing else", () => {
  const unsafe = [
    ...Array.from({ length: 0x20 }, (_, i) => i),
    ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i), // DEL and C1
    0x061c,
    0x200e,
    0x200f,
    0x2028,
    0x2029,
    0x202a,
    0x202b,
    0x202c,
    0x202d,
    0x202e,
    0x2066,
    0x2067,
    0x2068,
    0x2069,
  ];
  for (const code of unsafe) {
    const char = String.fromCharCode(code);
    const shown = terminalSafe(`a${char}b`);
    assertTerminalSafe(shown, `U+${code.toString(16)}`);
    assert.match(shown, /^a\\(x[0-9a-f]{2}|[nrt]|u\{[0-9a-f]+\})b$/, JSON.stringify(shown));
  }
  assert.equal(
    terminalSafe("\u001b\n\r\t\u007f\u009b\u202e"),
    "\\x1b\\n\\r\\t\\x7f\\u{9b}\\u{202e}",
  );
  assert.equal(terminalSafe(HOSTILE), HOSTILE_ESCAPED);
  // Printable text, backslashes (Windows paths) and other scripts as they are.
  const plain = "C:\\runs\\logs-1 ~!@#$%^&*()_+ é ß 日本 😀 \u00a0\u200b";
  assert.equal(terminalSafe(plain), plain);
  // What the caller keeps: tabs in log content, newlines in a stack trace.
  assert.equal(terminalSafe("a\tb\nc\u001b", "\t"), "a\tb\\nc\\x1b");
  assert.equal(terminalSafe("a\tb\nc", "\n"), "a\\tb\nc");
});

test("`json()` escapes what JSON.stringify leaves raw, and parses back to the same values", () => {
  let every = "";
  for (let code = 0; code < 0x10000; code++) {
    if (code < 0xd800 || code > 0xdfff) every += String.fromCharCode(code);
  }
  const value = { [HOSTILE]: every, list: [HOSTILE, "\u2029\u061c"] };
  const text = json(value);
  assertTerminalSafe(text, "json()");
  assert.deepEqual(JSON.parse(text), value);
  assert.ok(text.includes("\\u009b") && text.includes("\\u202e") && text.includes("\\u007f"));
  assert.equal(json({ n: 1n }), '{\n  "n": "1"\n}\n');
});

test(`runlog (${runtime}): a closed standard output ends the command quietly, with 0`, {
  timeout: 60_000,
}, async () => {
  const dir = await tempDir();
  try {
    const ws = adapter.make(dir.path);
    let time = Date.parse("2026-01-01T00:00:00Z");
    let last: RunLogContext | undefined;
    for (let i = 0; i < 150; i++) {
      last = await RunLogContext.create(ws, { clock: () => new Date(time += 1000) });
      await last.close({ status: "succeeded" });
    }
    // Far more than a pipe holds (64 KiB): the command is still writing when head exits.
    const line = "[2026-01-01T00:00:00.000Z] [INFO] a line of the log, long enough to fill\n";
    await ws.write(last!.pipelineLog(), line.repeat(40_000));
    for (const args of [["list", "--json"], ["tail", "-n", "all", "latest"]]) {
      const result = await sh(
        `{ eval "$RUNLOG ${
          args.join(" ")
        } --root '${dir.path}'" 2>stderr.txt; echo $? >code.txt; } | head -1`,
        dir.path,
      );
      assert.equal(result.stdout.split("\n").length, 2, result.stdout);
      const code = (await readFile(join(dir.path, "code.txt"), "utf8")).trim();
      const stderr = await readFile(join(dir.path, "stderr.txt"), "utf8");
      assert.deepEqual([code, stderr], ["0", ""], args.join(" "));
    }
  } finally {
    await dir.remove();
  }
});

test(`runlog (${runtime}): a hostile run.json is shown escaped by the real process`, async () => {
  const dir = await tempDir();
  try {
    const ctx = await RunLogContext.create(adapter.make(dir.path), {
      metadata: { command: HOSTILE, version: HOSTILE },
    });
    await ctx.close();
    const shown = await runlog(["show", "latest", "--root", dir.path]);
    assert.equal(shown.code, 0, shown.stderr);
    assertTerminalSafe(shown.stdout, "show");
    assert.ok(shown.stdout.split("\n").includes(`command   ${HOSTILE_ESCAPED}`), shown.stdout);
    const listed = await runlog(["list", "--json", "--root", dir.path]);
    assertTerminalSafe(listed.stdout, "list --json");
    assert.equal(JSON.parse(listed.stdout).runs[0].metadata.ralphVersion, HOSTILE);
  } finally {
    await dir.remove();
  }
});

// Every numeric option, with values out of its range: usage errors (exit 2)
// naming the option and the range.
const WHOLE_OPTIONS: [string[], string, number, number][] = [
  [["new", "--owner"], "--owner", 1, 2 ** 31 - 1],
  [["log", "latest", "x", "--owner"], "--owner", 1, 2 ** 31 - 1],
  [
    ["event", "latest", "--phase", "P", "--effect", "E", "--event", "V", "--owner"],
    "--owner",
    1,
    2 ** 31 - 1,
  ],
  [["close", "latest", "--owner"], "--owner", 1, 2 ** 31 - 1],
  [
    ["event", "latest", "--phase", "P", "--effect", "E", "--event", "V", "--ms"],
    "--ms",
    0,
    Number.MAX_SAFE_INTEGER,
  ],
  [["tail", "latest", "--lines"], "--lines", 0, Number.MAX_SAFE_INTEGER],
  [["prune", "--keep"], "--keep", 0, Number.MAX_SAFE_INTEGER],
  [["pack", "latest", "--level"], "--level", 0, 9],
  [["serve", "--no-open", "--port"], "--port", 0, 65535],
];

test("runlog: out-of-range numeric options are usage errors naming the option and its range", async () => {
  const dir = await tempDir();
  try {
    const checked: string[] = [];
    const refused = async (args: string[], message: RegExp) => {
      const result = await captured([...args, "--root", dir.path]);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(" "));
      assert.match(result.stderr, /\nUsage: runlog /);
      checked.push(args.join(" "));
    };
    for (const [args, option, min, max] of WHOLE_OPTIONS) {
      const range = new RegExp(
        `^runlog \\w+: ${option} .*: use a whole number from ${min} to ${max}\\b`,
      );
      const values = ["-1", "1.5", "NaN", "1e3", "0x10", "", `${max + 1}`, "99999999999999999999"];
      if (min > 0) values.push(`${min - 1}`);
      for (const value of values) {
        await refused([...args.slice(0, -1), `${args.at(-1)}=${value}`], range);
      }
    }
    for (const value of ["-1d", "1.5", "104249992d", "99999999999999999999s", "7 d"]) {
      await refused(
        ["prune", `--older-than=${value}`],
        /--older-than .*: use a number and a unit, as in 7d, 12h, 30m, from 0s to 104249991d/,
      );
    }
    for (const value of ["-5GB", "9008TB", "99999999999999999999", "1e3", "5 XB"]) {
      await refused(
        ["prune", `--max-size=${value}`],
        /--max-size .*: use a size such as 5GB, 500MB or 2GiB, from 0 to 9007TB/,
      );
    }
    assert.ok(checked.length >= 80, `${checked.length}`);
  } finally {
    await dir.remove();
  }
});

test("runlog: numeric options take every value of their range, bounds included", () => {
  for (const [, option, min, max] of WHOLE_OPTIONS) {
    assert.equal(parseWhole(String(min), option), min);
    assert.equal(parseWhole(String(max), option), max);
    assert.equal(parseWhole(`00${min + 1}`, option), min + 1);
  }
  assert.equal(parseDuration("104249991d", "--older-than"), 104249991 * 86_400_000);
  assert.equal(parseDuration("1.5h", "--older-than"), 5_400_000);
  assert.equal(parseDuration("0s", "--older-than"), 0);
  assert.equal(parseSize("9007TB", "--max-size"), 9007e12);
  assert.equal(parseSize("1.5GiB", "--max-size"), 1.5 * 1024 ** 3);
  assert.equal(parseSize("0", "--max-size"), 0);
});

test("runlog: papercuts: a missing file or root is named, help of a command, readable option errors", async () => {
  const dir = await tempDir();
  try {
    const ws = adapter.make(dir.path);
    const ctx = await RunLogContext.create(ws);
    await ctx.close();
    const missing = await captured(["tail", "latest", "nothere.log", "--root", dir.path]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nothere\.log.*has no such file; runlog show .* lists its files/);
    for (const command of ["list", "new", "show latest", "prune --keep 1"]) {
      const result = await captured([...command.split(" "), "--root", "/nonexistent/root"]);
      assert.equal(result.code, 1, command);
      assert.match(
        result.stderr,
        /the workspace root '\/nonexistent\/root' is not a directory; pass --root/,
        command,
      );
    }
    const help = await captured(["help", "verify"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: runlog verify/);
    // The overview gives each command's whole first sentence.
    const overview = (await captured(["help"])).stdout;
    assert.match(overview, / verify +Checks .*SHA-256, nothing missing or added\.\n/);
    for (
      const [args, message] of [
        [["list", "--bogus"], /unknown option --bogus; this command takes --root, --json, --sizes/],
        [["list", "--json=3"], /--json takes no value/],
        [["pack", "latest", "-o"], /--output needs a value/],
      ] as const
    ) {
      const result = await captured([...args]);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /positional argument|ERR_PARSE_ARGS/);
    }
  } finally {
    await dir.remove();
  }
});
