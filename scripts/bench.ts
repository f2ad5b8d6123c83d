// Runs the benchmarks under Deno, Bun and Node and writes BENCHMARKS.md.
//   npm run bench [-- --quick]
// --quick is the CI smoke run: fewer lines and runs, logs up to 100 MB,
// written to a temp file (BENCHMARKS.md comes from full runs only).
// Every ratio divides by a baseline measured in the same process.
// With a Ceph RGW on this machine (scripts/rgw/start-rgw.sh, as .ci/run
// starts it), the S3 run store too (bench/s3.ts).
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { AWAITED_FLOOR, SUBJECTS } from "../bench/_subjects.ts";
import { CHROMIUM } from "../tests/fixtures/viewer_harness.ts";
import { bunBinary, denoBinary, nodeBinary } from "./_toolchain.ts";

const quick = process.argv.includes("--quick");
const MB = 1024 * 1024;
const LINES = quick ? 10_000 : 100_000;
const RUNS = quick ? 1_000 : 10_000;
const logSizes = quick ? [1, 100] : [1, 100, 1024];
const RUNTIMES: [name: string, command: string, args: string[]][] = [
  ["deno", denoBinary(), ["run", "-A"]],
  ["bun", bunBinary(), []],
  ["node", nodeBinary(), ["--max-old-space-size=4096"]],
];
const data = mkdtempSync(join(tmpdir(), "runlog-bench-data-"));

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * MB });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

function lastJson(output: string) {
  return JSON.parse(output.trim().split("\n").at(-1)!);
}

// Event loop logs of 1 MB to 1 GB for the resume figures, made once.
function makeLog(megabytes: number, index: number): void {
  const runDir = join(data, "logs", ".agent", `logs-2026-02-06_14-03-27.12${index}Z`);
  mkdirSync(runDir, { recursive: true });
  const line = (seq: number) =>
    `${seq} ts=2026-02-06T14:03:27.123Z phase=Development effect=InvokePrompt event=PromptCompleted ctx=iteration=3 ms=1234\n`;
  let chunk = "";
  let seq = 1;
  while (chunk.length < MB) chunk += line(seq++);
  const perChunk = seq - 1;
  const fd = openSync(join(runDir, "event_loop.log"), "w");
  const bytes = new TextEncoder().encode(chunk);
  for (let i = 0; i < megabytes; i++) writeSync(fd, bytes);
  writeSync(fd, line(perChunk * megabytes + 1)); // The known last line.
  closeSync(fd);
}

// Kills a child right after its last call and counts its lines on disk.
function durability(command: string, args: string[], index: number, lines: number): number {
  const dir = mkdtempSync(join(data, "kill-"));
  try {
    const child = spawnSync(command, [
      ...args,
      "bench/durability.ts",
      dir,
      String(index),
      String(lines),
    ], {
      encoding: "utf8",
    });
    if (child.signal !== "SIGKILL") {
      throw new Error(`durability child ended ${child.status}: ${child.stderr}`);
    }
    const path = /^path (.*)$/m.exec(child.stdout)?.[1];
    if (path === undefined || !existsSync(path)) return 0;
    return readFileSync(path, "utf8").split("\n").filter((l) => l !== "").length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface PerLine {
  name: string;
  durable: boolean;
  ns: number;
}
interface Result {
  runtime: string;
  perLine: PerLine[];
  kept: number[];
  create: { createUs: number; floorUs: number; calls: Record<string, number> };
  resume: { bytes: number; nextSeq: number; resumeMs: number; originalMs: number | string }[];
  runs: { runs: number; rawMs: number; listMs: number; rawPruneMs: number; pruneMs: number };
  pack: PackResult;
}
interface PackSide {
  seconds: number;
  mbPerSecond: number;
  bytesOut: number;
  extraRssMB?: number;
  maxRssMB?: number;
}
interface PackResult {
  runs: { size: string; bytes: number; runlog: PackSide; tar: PackSide }[];
  redaction: {
    msPerMB: number;
    mbPerSecond: number;
    secretsFound: number;
    rules: number;
    naive: { mbPerSecond: number };
    timesNaive: number;
  };
}
interface ViewerServerResult {
  timeToInteractiveMs: { median: number };
  hoverMs: number;
  log: { streamedBytes: number; streamMBps: number; rssBaselineMB: number; rssPeakMB: number };
}
interface ViewerResult {
  effects: number;
  logBytes: number;
  servers: Record<string, ViewerServerResult>;
}

interface S3Result {
  runtime: string;
  ship: { bytes: number; shipMBps: number; rawMBps: number; ratio: number };
  list: { runs: number; keys: number; rawMs: number; listMs: number; ratio: number };
}

// The endpoint of the Ceph RGW the S3 tests use, if one runs on this machine
// (S3_ENDPOINT and AWS_* exported, as .ci/run does, or found by start-rgw.sh).
function rgwEnv(): Record<string, string> | undefined {
  const { S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION } = process.env;
  if (S3_ENDPOINT && AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY) {
    return {
      AWS_ENDPOINT_URL_S3: S3_ENDPOINT,
      AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY,
      AWS_REGION: AWS_REGION ?? "us-east-1",
    };
  }
  const script = "scripts/rgw/start-rgw.sh";
  if (spawnSync("bash", [script, "status"], { stdio: "ignore" }).status !== 0) return undefined;
  // Running: start only prints its variables again.
  const started = spawnSync("bash", [script, "start"], { encoding: "utf8" });
  const vars = Object.fromEntries(
    started.stdout.split("\n").map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line))
      .filter((m) => m !== null).map((m) => [m[1], m[2]]),
  );
  if (!vars.S3_ENDPOINT) return undefined;
  return {
    AWS_ENDPOINT_URL_S3: vars.S3_ENDPOINT,
    AWS_ACCESS_KEY_ID: vars.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: vars.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: vars.AWS_REGION,
  };
}

// The S3 bench of each runtime against the local RGW, in one bucket kept between
// runs (bench/s3.ts makes its 10,000 listed runs there once, and reuses them).
async function benchS3(env: Record<string, string>): Promise<S3Result[]> {
  const { S3Client } = await import("../src/s3/s3_client.ts");
  const bucket = "runlog-bench";
  await new S3Client({
    endpoint: env.AWS_ENDPOINT_URL_S3,
    region: env.AWS_REGION,
    bucket,
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
  }).createBucket();
  const out: S3Result[] = [];
  for (const [runtime, command, args] of RUNTIMES) {
    console.error(`bench: s3 ${runtime}`);
    const result = spawnSync(command, [
      ...args,
      "bench/s3.ts",
      bucket,
      data,
      ...(quick ? ["--quick"] : []),
    ], { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * MB });
    if (result.status !== 0) throw new Error(`bench/s3.ts on ${runtime} failed: ${result.stderr}`);
    out.push(lastJson(result.stdout));
  }
  return out;
}

const KILL_LINES = 2000;
const results: Result[] = [];
let viewer: ViewerResult | undefined;
let s3: S3Result[] | undefined;
try {
  logSizes.forEach(makeLog);
  for (const [runtime, command, args] of RUNTIMES) {
    console.error(`bench: ${runtime}`);
    const writers = lastJson(
      run(command, [...args, "bench/log_writers.ts", join(data, "logs"), String(LINES)]),
    );
    const kept = SUBJECTS.map((_, i) => durability(command, args, i, KILL_LINES));
    const runsDir = join(data, "runs");
    const runs = lastJson(run(command, [...args, "bench/runs.ts", runsDir, String(RUNS)]));
    // The pack bench prints its JSON over several lines.
    const pack = JSON.parse(
      run(command, [...args, "bench/pack.ts", join(data, "pack"), ...(quick ? ["--quick"] : [])]),
    );
    results.push({
      runtime,
      perLine: writers.perLine,
      kept,
      create: writers.create,
      resume: writers.resume,
      runs,
      pack,
    });
  }
  // The viewer: Node drives Chromium against `runlog serve` on each runtime.
  if (!existsSync(CHROMIUM) && process.getuid?.() === 0) {
    spawnSync("bash", ["scripts/install_chromium.sh"], { stdio: ["ignore", "ignore", "inherit"] });
  }
  if (existsSync(CHROMIUM)) {
    console.error("bench: viewer");
    viewer = lastJson(run(nodeBinary(), [
      "bench/viewer.ts",
      data,
      "--servers",
      "deno,bun,node",
      ...(quick ? ["--effects", "10000", "--log-gb", "0.1", "--rounds", "1"] : []),
    ]));
  }
  const env = rgwEnv();
  if (env !== undefined) s3 = await benchS3(env);
} finally {
  rmSync(data, { recursive: true, force: true });
}

const f = (n: number, digits = 2) => n.toFixed(digits);
const size = (bytes: number) =>
  bytes >= 1024 * MB ? `${f(bytes / 1024 / MB, 1)} GB` : `${Math.round(bytes / MB)} MB`;
const out: string[] = [
  "# Benchmarks",
  "",
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, ` +
  `${quick ? "**quick mode** (CI smoke run), " : ""}on this project's CI machine kind (2 cores, ` +
  "Linux x64). Every ratio divides by a baseline measured in the same process, on the same " +
  "runtime; absolute times vary with the machine, ratios much less.",
  "",
  "## Per-line cost against pino and LogTape",
  "",
  `${
    LINES.toLocaleString("en")
  } lines of about 130 bytes per logger, every logger in one process ` +
  "per runtime, round after round (best of 5 rounds each), so that a slow moment of the machine " +
  "hits all of them alike.",
  "",
  "- *floor*: a raw `write(2)` of the pre-encoded line on an open file (`writeSync`, or " +
  "`Deno.FsFile.writeSync`), what no logger can beat; *floor + TextEncoder.encode*: the same " +
  "with the line encoded from text on each call, the least a logger of text does; *floor + " +
  "await*: the same write, then the caller awaits a resolved promise, as it awaits a runlog call: " +
  "the baseline of the awaited rows.",
  "- *survives kill -9*: a child process logs " + KILL_LINES + " lines, awaiting each call that " +
  "returns a promise, and kills itself with SIGKILL right after the last one returns: lines found " +
  "on disk. Buffered loggers lose what they had not flushed.",
  "- runlog's loggers write each line with one `write(2)` before the call returns, so a line is " +
  "as durable whether or not the caller awaits the promise (which only reports a failure): " +
  "both are shown. pino and LogTape calls return nothing to await.",
  "",
];
for (const r of results) {
  const floor = r.perLine[0].ns;
  out.push(
    `### ${r.runtime}`,
    "",
    "| logger | survives kill -9 | ns per line | ÷ floor | ns over floor |",
    "| --- | --- | ---: | ---: | ---: |",
  );
  r.perLine.forEach((p, i) => {
    const kept = r.kept[i];
    const survives = kept === KILL_LINES
      ? `yes (${kept}/${KILL_LINES})`
      : `**no**: ${kept}/${KILL_LINES}`;
    out.push(
      `| ${p.name} | ${survives} | ${f(p.ns, 0)} | ${f(p.ns / floor)} | ${f(p.ns - floor, 0)} |`,
    );
  });
  out.push("");
}
const ns = (r: Result, name: string) => r.perLine.find((p) => p.name === name)!.ns;
const ratio = (r: Result, name: string, base = r.perLine[0].name) => ns(r, name) / ns(r, base);
const ratios = (name: string, base?: string) =>
  results.map((r) => `${f(ratio(r, name, base))}x on ${r.runtime}`).join(", ");
const verdict = (name: string) => {
  const misses = results.filter((r) => ratio(r, name) > 1.3);
  return misses.length === 0
    ? `- ${name}: within 1.3x the floor on every runtime (${ratios(name)}).`
    : `- ${name}: **over 1.3x the floor**: ${ratios(name)}.`;
};
// An awaited call also pays the caller's await: against the floor, and
// against the floor plus that await.
const awaitedVerdict = (name: string) => {
  const within = results.every((r) => ratio(r, name, AWAITED_FLOOR) <= 1.3);
  return `${verdict(name)} Against *floor + await*: ${ratios(name, AWAITED_FLOOR)}${
    within ? ", within 1.3x" : " (**over 1.3x**)"
  }.`;
};
const durablePeers = (r: Result) =>
  r.perLine.filter((p, i) =>
    !p.name.startsWith("runlog") && !p.name.startsWith("floor") && r.kept[i] === KILL_LINES
  );
const ahead = results.every((r) =>
  r.perLine.filter((p) => p.name.startsWith("runlog")).every((p) =>
    durablePeers(r).every((q) => p.ns < q.ns)
  )
);
out.push(
  "Against the targets:",
  "",
  verdict("runlog EventLoopLogger.logEffect, not awaited"),
  verdict("runlog PipelineLogger.info, not awaited"),
  awaitedVerdict("runlog EventLoopLogger.logEffect, awaited"),
  awaitedVerdict("runlog PipelineLogger.info, awaited"),
  ahead
    ? "- Both loggers, awaited or not, are ahead of every crash-durable peer on every runtime."
    : "- **Not ahead of every crash-durable peer**: see the tables.",
  "",
  "## Creating a run",
  "",
  "`RunLogContext.create` (claim, layout, lease, `run.json` flushed to disk) against its *syscall " +
    "floor*: the very system calls it makes, recorded through a driver and replayed with the " +
    "runtime's raw synchronous API, best of 5 rounds. Target: at most 1.5x.",
  "",
  "| runtime | create µs | syscall floor µs | ÷ floor | system calls |",
  "| --- | ---: | ---: | ---: | --- |",
);
for (const r of results) {
  const calls = Object.entries(r.create.calls).map(([k, v]) => `${v} ${k}`).join(", ");
  out.push(
    `| ${r.runtime} | ${f(r.create.createUs, 0)} | ${f(r.create.floorUs, 0)} | ${
      f(r.create.createUs / r.create.floorUs)
    } | ${calls} |`,
  );
}
out.push(
  "",
  "## Resume: continuing the event loop sequence",
  "",
  "`EventLoopLogger.open` reads the log backwards from its end (64 KiB at a time) to its last " +
    "complete line; the original reads the whole file. Median of 7 opens; the original's time is " +
    "one run. Target: flat in log size.",
  "",
  "| runtime | log size | EventLoopLogger.open ms | ÷ 1 MB time | original (read all) ms |",
  "| --- | ---: | ---: | ---: | --- |",
);
for (const r of results) {
  const base = r.resume[0].resumeMs;
  for (const x of r.resume) {
    const original = typeof x.originalMs === "number" ? f(x.originalMs, 1) : x.originalMs;
    out.push(
      `| ${r.runtime} | ${size(x.bytes)} | ${f(x.resumeMs, 3)} | ${
        f(x.resumeMs / base)
      } | ${original} |`,
    );
  }
}
out.push(
  "",
  "## Listing and pruning runs",
  "",
  `${RUNS.toLocaleString("en")} finished runs. *raw list*: a directory listing plus reading and ` +
    "validating each `run.json` with the same parser, kept in an array as a listing keeps them " +
    "(`readdirSync`, `readFileSync`, `parseRunMetadata`). *raw prune*: the raw list, then for " +
    "each run beyond the newest 100 a look for a `.keep` pin with `lstatSync` (`existsSync` " +
    "would follow a link). `listRuns` adds the containment checks, made afresh in each call " +
    "(`.agent` and its run directories checked once per call through `readEach`, from one " +
    "listing), and each run's status; a dry-run `pruneRuns({ keep: 100 })` adds the same " +
    "`.keep` probes through `existsEach`. Best of 9 rounds, interleaved. Target: within 1.5x.",
  "",
  "| runtime | raw list ms | listRuns ms | ÷ raw | raw prune ms | pruneRuns dry run ms | ÷ raw |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
);
for (const r of results) {
  out.push(
    `| ${r.runtime} | ${f(r.runs.rawMs, 1)} | ${f(r.runs.listMs, 1)} | ${
      f(r.runs.listMs / r.runs.rawMs)
    } | ${f(r.runs.rawPruneMs, 1)} | ${f(r.runs.pruneMs, 1)} | ${
      f(r.runs.pruneMs / r.runs.rawPruneMs)
    } |`,
  );
}
out.push(
  "",
  "## Packing a run",
  "",
  "`packRun` (tar.gz at gzip level 6, secrets masked, SHA-256 manifest) of a run of provider " +
    "logs against `tar czf` of the same directory, each in a fresh process. *extra RSS*: the " +
    "packing process's peak resident memory above what it had before packing (target: under " +
    "64 MB whatever the run's size); *max RSS*: the whole process, from `/usr/bin/time -v`. " +
    "Target: throughput comparable to `tar czf`. Over a long pack V8 grows its young " +
    "generation, which is most of the difference between 100 MB and 1 GB; it stays bounded " +
    "(`--v8-flags=--max-semi-space-size=4` caps it on Deno).",
  "",
  "| runtime | run | packRun s | MB/s | tar czf MB/s | ÷ tar time | extra RSS MB | max RSS MB (tar) |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
);
for (const r of results) {
  for (const x of r.pack.runs) {
    out.push(
      `| ${r.runtime} | ${x.size} | ${f(x.runlog.seconds, 1)} | ${f(x.runlog.mbPerSecond, 0)} | ${
        f(x.tar.mbPerSecond, 0)
      } | ${f(x.runlog.seconds / x.tar.seconds)} | ${x.runlog.extraRssMB ?? "–"} | ${
        x.runlog.maxRssMB ?? "–"
      } (${x.tar.maxRssMB ?? "–"}) |`,
    );
  }
}
out.push(
  "",
  "The redactor alone, 64 MB of provider-log text (stream-json deltas) in 256 KiB chunks, " +
    "against one big alternation of the same rules run naively over the same bytes in the " +
    "same process (finding matches only: no checks, no masks, no delta joining). Target: " +
    "pack stays at 0.75x `tar czf` throughput or better.",
  "",
  "| runtime | rules | ms per MB | MB/s | naive alternation MB/s | times faster | secrets found |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...results.map((r) =>
    `| ${r.runtime} | ${r.pack.redaction.rules} | ${f(r.pack.redaction.msPerMB, 1)} | ${
      f(r.pack.redaction.mbPerSecond, 0)
    } | ${f(r.pack.redaction.naive.mbPerSecond, 0)} | ${
      f(r.pack.redaction.timesNaive, 1)
    } | ${r.pack.redaction.secretsFound} |`
  ),
);
out.push("", "## The viewer", "");
if (viewer === undefined) {
  out.push(`Not measured: no Chromium at ${CHROMIUM} (\`scripts/install_chromium.sh\`, as root).`);
} else {
  out.push(
    `\`runlog serve\` on each runtime, driven from Node through headless Chromium. *open*: ` +
      `from navigation to the run page of ${viewer.effects.toLocaleString("en")} effects until ` +
      "its whole timeline is drawn and answers a hover (median of rounds; target: under 1 s " +
      `for 100,000). *stream*: a ${size(viewer.logBytes)} log read whole through the raw ` +
      "endpoint, then paged through (five pages, two of them searches), with the server's " +
      "resident memory before and at its peak (target: bounded whatever the log's size).",
    "",
    "| server | open ms | hover ms | stream MB/s | RSS before MB | RSS peak MB |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const [server, v] of Object.entries(viewer.servers)) {
    out.push(
      `| ${server} | ${f(v.timeToInteractiveMs.median, 0)} | ${f(v.hoverMs, 0)} | ${
        f(v.log.streamMBps, 0)
      } | ${f(v.log.rssBaselineMB, 0)} | ${f(v.log.rssPeakMB, 0)} |`,
    );
  }
}
out.push("", "## The S3 run store", "");
if (s3 === undefined) {
  out.push(
    "Not measured: no S3 engine on this machine (`scripts/rgw/start-rgw.sh start` runs the " +
      "Ceph RGW the S3 tests use).",
  );
} else {
  const [first] = s3;
  out.push(
    "Against a Ceph RGW 16.2 on 127.0.0.1 (memstore), from each runtime, best of rounds. *ship*: " +
      `\`shipRun\` of a run with one ${size(first.ship.bytes)} log (8 MiB segments, each hashed ` +
      "with SHA-256 and sent with it signed, then the manifest, run.json and the lease) against " +
      "one raw PUT of the same bytes, already in memory, in the same process; target: at least " +
      `0.8x its throughput. *list*: \`S3RunStore.listRuns\` over ${
        first.list.runs.toLocaleString("en")
      } runs (${first.list.keys.toLocaleString("en")} keys) against a raw ListObjectsV2 walk of ` +
      "the same keys; target: at most 1.5x its time.",
    "",
    "| runtime | shipRun MB/s | raw PUT MB/s | ÷ raw | listRuns ms | raw walk ms | ÷ raw |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...s3.map((r) =>
      `| ${r.runtime} | ${f(r.ship.shipMBps, 0)} | ${f(r.ship.rawMBps, 0)} | ${f(r.ship.ratio)} | ${
        f(r.list.listMs, 0)
      } | ${f(r.list.rawMs, 0)} | ${f(r.list.ratio)} |`
    ),
  );
}
out.push("");
// A quick run is a smoke test: its figures never replace the full run's
// BENCHMARKS.md, and CI leaves the tree as it found it.
const target = quick ? join(tmpdir(), `runlog-bench-quick-${process.pid}.md`) : "BENCHMARKS.md";
writeFileSync(target, out.join("\n"));
// Checked in as `deno fmt` writes it (aligned tables), so that fmt --check passes.
if (!quick) run(denoBinary(), ["fmt", "--quiet", target]);
console.log(out.join("\n"));
console.log(`\nwritten to ${target}`);
