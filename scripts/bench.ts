// Runs bench/log_writers.ts under Deno, Bun and Node and writes
// BENCHMARKS.md. Makes the 1 MB, 100 MB and 1 GB event loop logs once, in a
// temp directory removed at the end.
//   npm run bench [-- --quick]      (--quick: 10k lines, logs up to 100 MB)
import { spawnSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const quick = process.argv.includes("--quick");
const MB = 1024 * 1024;
const sizes = quick ? [1, 100] : [1, 100, 1024];
const data = mkdtempSync(join(tmpdir(), "runlog-bench-data-"));

function makeLog(megabytes: number, index: number): void {
  const runDir = join(data, ".agent", `logs-2026-02-06_14-03-27.12${index}Z`);
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
  // The true last line, so that a resume has a known answer.
  writeSync(fd, line(perChunk * megabytes + 1));
  closeSync(fd);
}

type Result = {
  runtime: string;
  lines: number;
  perLine: {
    floorNs: number;
    textFloorNs: number;
    originalNs: number;
    eventLoopNs: number;
    pipelineNs: number;
  };
  resume: { bytes: number; nextSeq: number; resumeMs: number; originalMs: number | string }[];
};

const results: Result[] = [];
try {
  sizes.forEach(makeLog);
  const runs: [string, string[]][] = [
    ["node_modules/.bin/deno", [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
    ]],
    ["node_modules/.bin/bun", []],
    ["node_modules/.bin/node", ["--max-old-space-size=4096"]],
  ];
  for (const [command, args] of runs) {
    console.error(`bench: ${command}`);
    const run = spawnSync(command, [
      ...args,
      "bench/log_writers.ts",
      data,
      quick ? "10000" : "100000",
    ], {
      encoding: "utf8",
      maxBuffer: 16 * MB,
    });
    if (run.status !== 0) throw new Error(`${command} failed (${run.status}): ${run.stderr}`);
    results.push(JSON.parse(run.stdout.trim().split("\n").at(-1)!));
  }
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
  `${quick ? "quick mode, " : ""}on this project's CI machine kind (2 cores). ` +
  "Every ratio divides by a baseline measured in the same run, on the same runtime.",
  "",
  "## Per-line cost",
  "",
  "- *floor*: a raw write of the pre-encoded line (bytes) on an already-open file descriptor " +
  "(`writeSync`, or `Deno.FsFile.writeSync`): the strictest baseline.",
  "- *text floor*: the same raw write of the same line given as text, encoded per line with " +
  "`TextEncoder`: the least any logger of text lines does.",
  "- *original*: the Rust original's way, opening, appending and closing the file per line " +
  "(`appendFileSync`, or `Deno.writeFileSync` with `append`).",
  "- `EventLoopLogger.logEffect` and `PipelineLogger.info` format a timestamped line, encode it " +
  "and write it through an `AppendHandle`, awaiting each call. Target: at most 2x the floor.",
  "",
  "| runtime | floor ns | text floor ns | EventLoopLogger ns | ÷ floor | ÷ text floor | PipelineLogger ns | ÷ floor | ÷ text floor | original ns | original ÷ EventLoopLogger |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (const r of results) {
  const p = r.perLine;
  out.push(
    `| ${r.runtime} | ${f(p.floorNs, 0)} | ${f(p.textFloorNs, 0)} | ${f(p.eventLoopNs, 0)} | ${
      f(p.eventLoopNs / p.floorNs)
    } | ${f(p.eventLoopNs / p.textFloorNs)} | ${f(p.pipelineNs, 0)} | ${
      f(p.pipelineNs / p.floorNs)
    } | ${f(p.pipelineNs / p.textFloorNs)} | ${f(p.originalNs, 0)} | ${
      f(p.originalNs / p.eventLoopNs, 1)
    } |`,
  );
}
const verdict = (name: string, ratio: (p: Result["perLine"]) => number) => {
  const misses = results.filter((r) => ratio(r.perLine) > 2);
  return misses.length === 0
    ? `- ${name}: within 2x the floor on every runtime.`
    : `- ${name}: **over 2x the floor** on ${
      misses.map((r) => `${r.runtime} (${f(ratio(r.perLine))}x)`).join(", ")
    }.`;
};
out.push(
  "",
  "Against the target:",
  "",
  verdict("PipelineLogger", (p) => p.pipelineNs / p.floorNs),
  verdict("EventLoopLogger", (p) => p.eventLoopNs / p.floorNs),
);
out.push(
  "",
  "## Resume: continuing the event loop sequence",
  "",
  "`EventLoopLogger.open` reads a bounded tail of the log (64 KiB chunks, at most 1 MiB); the " +
    "original reads the whole file. Median of 7 opens; the original's time is one run. Target: " +
    "flat in log size.",
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
const flat = results.every((r) => r.resume.every((x) => x.resumeMs / r.resume[0].resumeMs < 3));
out.push(
  "",
  flat
    ? "Resume time is flat: no runtime takes 3x its 1 MB time on a larger log."
    : "**Resume time is not flat** on at least one runtime: see the table.",
  "",
);
writeFileSync("BENCHMARKS.md", out.join("\n"));
console.log(out.join("\n"));
