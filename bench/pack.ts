// packRun against `tar czf` of the same run directory, and the redactor's
// cost per MB against one big alternation of the same rules. Prints one
// JSON object.
//
//   <runtime> bench/pack.ts <data dir> [--quick]
//
// <data dir> gets a 100 MB and a 1 GB run on first use (--quick: only the
// 100 MB one), kept for later runs. Each pack runs in a child process of
// this runtime (so that one pack's memory does not count in the next), at
// gzip level 6 like `tar czf`; its peak RSS is sampled in the child, and
// read from `/usr/bin/time -v` for both when GNU time is there. Archives are
// removed once measured.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { RunLogContext } from "../mod.ts";
import { createRedactor, packRun } from "../src/pack/mod.ts";
import { BUILTIN_PATTERNS } from "../src/redaction/redaction_patterns.ts";
import { runtime } from "../tests/_runtime.ts";
import { workspaceFor } from "./_workspace.ts";

const LEVEL = 6;
const MB = 1024 * 1024;
const rss = () => process.memoryUsage.rss?.() ?? process.memoryUsage().rss;

// ---- the child: packs one run, prints { seconds, bytesIn, bytesOut, before, peak }
if (process.argv[2] === "--child") {
  const [root, runId, output] = process.argv.slice(3);
  const ws = await workspaceFor(root);
  const before = rss();
  let peak = before;
  const sample = () => void (peak = Math.max(peak, rss()));
  const timer = setInterval(sample, 10);
  const started = performance.now();
  const summary = await packRun(ws, runId, { output, level: LEVEL, onProgress: sample });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  sample();
  console.log(
    JSON.stringify({ seconds, bytesIn: summary.bytesIn, bytesOut: summary.bytesOut, before, peak }),
  );
  process.exit(0);
}

const args = process.argv.slice(2);
const dataDir = args.find((a) => !a.startsWith("--"));
if (dataDir === undefined) {
  console.error("usage: <runtime> bench/pack.ts <data dir> [--quick]");
  process.exit(2);
}
const quick = args.includes("--quick");

const WORDS = ("the agent wrote a plan step tool call result error retry file diff review " +
  "commit branch test passed failed build lint phase development reviewer iteration prompt " +
  "stream delta content message role assistant user system json value id model usage").split(" ");

/** About `bytes` of provider-log JSONL, deterministic, with a few FAKE secrets. */
function logText(bytes: number, seed: number): string {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) & 0x7fffffff);
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const words = Array.from({ length: 4 + (next() % 24) }, () => WORDS[next() % WORDS.length]);
    let line = `{"seq":${i},"type":"content_block_delta","delta":{"text":"${words.join(" ")}"},` +
      `"id":"msg_${next().toString(36)}${next().toString(36)}"}`;
    if (i % 5000 === 0) {
      line = `{"tool_result":"export API_TOKEN=${next().toString(36)}x${seed}abcdefgh"}`;
    }
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n") + "\n";
}

/** A run of about `bytes`: mostly one provider log, plus the usual small files. */
async function makeRun(root: string, bytes: number): Promise<string> {
  const ws = await workspaceFor(root);
  const ctx = await RunLogContext.create(ws);
  await ws.write(ctx.pipelineLog(), logText(512 * 1024, 1).replaceAll('{"seq"', "[INFO] {"));
  await ws.write(ctx.eventLoopLog(), logText(256 * 1024, 2));
  for (let i = 1; i <= 4; i++) await ws.write(ctx.agentLog("dev", i), logText(128 * 1024, 10 + i));
  const pool = new TextEncoder().encode(logText(4 * MB, 3));
  const file = await open(join(root, ctx.providerLog("claude-stream_dev_1.jsonl")), "w");
  try {
    for (let written = 0; written < bytes; written += pool.length) await file.write(pool);
  } finally {
    await file.close();
  }
  await ctx.close({ status: "succeeded" });
  return `${ctx.runId}`;
}

interface Timed {
  seconds: number;
  maxRssMB?: number;
  stdout: string;
}

const gnuTime = existsSync("/usr/bin/time");

/** Runs a command, under `/usr/bin/time -v` when there, and times it. */
function run(command: string, commandArgs: string[]): Promise<Timed> {
  const [cmd, cmdArgs] = gnuTime
    ? ["/usr/bin/time", ["-v", command, ...commandArgs]]
    : [command, commandArgs];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, cmdArgs, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${command} exited with ${code}: ${stderr}`));
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({
        seconds,
        stdout,
        ...(kb === null ? {} : { maxRssMB: Math.round(Number(kb[1]) / 1024) }),
      });
    });
  });
}

function selfCommand(): { command: string; args: string[] } {
  const self = fileURLToPath(import.meta.url);
  return runtime === "deno"
    ? { command: process.execPath, args: ["run", "-A", self] }
    : { command: process.execPath, args: [self] };
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

async function benchRun(root: string, runId: string) {
  const output = join(root, `bench-${process.pid}.tar.gz`);
  try {
    const self = selfCommand();
    const ours = await run(self.command, [...self.args, "--child", root, runId, output]);
    const child = JSON.parse(ours.stdout.trim().split("\n").at(-1)!);
    rmSync(output, { force: true });
    const tar = await run("tar", ["czf", output, "-C", join(root, ".agent"), `logs-${runId}`]);
    const tarBytes = statSync(output).size;
    return {
      bytes: child.bytesIn,
      runlog: {
        seconds: round(child.seconds, 2),
        mbPerSecond: round(child.bytesIn / MB / child.seconds),
        peakRssMB: Math.round(child.peak / MB),
        extraRssMB: Math.round((child.peak - child.before) / MB),
        ...(ours.maxRssMB === undefined ? {} : { maxRssMB: ours.maxRssMB }),
        bytesOut: child.bytesOut,
      },
      tar: {
        seconds: round(tar.seconds, 2),
        mbPerSecond: round(child.bytesIn / MB / tar.seconds),
        ...(tar.maxRssMB === undefined ? {} : { maxRssMB: tar.maxRssMB }),
        bytesOut: tarBytes,
      },
    };
  } finally {
    rmSync(output, { force: true });
  }
}

/**
 * Every built-in rule as one big alternation, the naive way to run a
 * gitleaks-like rule set in JavaScript: what the redactor's keyword pass
 * is measured against.
 */
function naiveAlternation(): RegExp {
  const plain = (source: string) =>
    source.replace(/\(\?<[A-Za-z0-9_]+>/g, "(?:").replace(
      /\\k<pem_label>/g,
      "(?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?",
    );
  const parts = BUILTIN_PATTERNS.map((p) => ({ source: plain(p.source), i: p.flags === "i" }));
  try {
    // Each rule with its own case sensitivity (RegExp modifiers).
    return new RegExp(
      parts.map((p) => p.i ? `(?i:${p.source})` : `(?:${p.source})`).join("|"),
      "g",
    );
  } catch {
    return new RegExp(parts.map((p) => `(?:${p.source})`).join("|"), "gi");
  }
}

/**
 * The redactor alone over 64 MB of log text in 256 KiB chunks, and the
 * naive alternation over the same bytes (only finding matches: no masks,
 * no checks, no stream of chunks).
 */
function benchRedaction() {
  const pool = new TextEncoder().encode(logText(8 * MB, 5));
  const chunk = 256 * 1024;
  const total = 64 * MB;
  const redactor = createRedactor();
  const started = performance.now();
  let out = 0;
  for (let done = 0; done < total; done += chunk) {
    const at = done % (pool.length - chunk);
    out += redactor.push(pool.subarray(at, at + chunk)).length;
  }
  out += redactor.flush().length;
  const ms = performance.now() - started;
  const naive = naiveAlternation();
  const latin1 = new TextDecoder("latin1");
  const naiveStarted = performance.now();
  let matches = 0;
  for (let done = 0; done < total; done += chunk) {
    const at = done % (pool.length - chunk);
    const text = latin1.decode(pool.subarray(at, at + chunk));
    naive.lastIndex = 0;
    while (naive.exec(text) !== null) matches++;
  }
  const naiveMs = performance.now() - naiveStarted;
  return {
    bytes: out,
    mbPerSecond: round(out / MB / (ms / 1000)),
    msPerMB: round(ms / (out / MB), 2),
    nsPerByte: round((ms * 1e6) / out, 2),
    secretsFound: Object.values(redactor.counts).reduce((a, b) => a + b, 0),
    rules: BUILTIN_PATTERNS.length,
    naive: {
      mbPerSecond: round(total / MB / (naiveMs / 1000)),
      matches,
    },
    timesNaive: round(naiveMs / ms, 2),
  };
}

mkdirSync(dataDir, { recursive: true });
const index = join(dataDir, "runs.json");
const runs: Record<string, string> = existsSync(index)
  ? JSON.parse(readFileSync(index, "utf8"))
  : {};
const sizes: [string, number][] = [
  ["100 MB", 100 * MB],
  ...(quick ? [] : [["1 GB", 1024 * MB] as [string, number]]),
];
const results = [];
for (const [name, bytes] of sizes) {
  if (runs[name] === undefined || !existsSync(join(dataDir, ".agent", `logs-${runs[name]}`))) {
    runs[name] = await makeRun(dataDir, bytes);
    writeFileSync(index, JSON.stringify(runs, null, 2));
  }
  results.push({ size: name, ...(await benchRun(dataDir, runs[name])) });
}
console.log(JSON.stringify(
  {
    benchmark: "pack",
    runtime: `${runtime} ${
      runtime === "deno"
        ? (globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno
        : runtime === "bun"
        ? (process.versions as Record<string, string>).bun
        : process.versions.node
    }`,
    level: LEVEL,
    timeTool: gnuTime ? "/usr/bin/time -v" : undefined,
    runs: results,
    redaction: benchRedaction(),
  },
  null,
  2,
));
