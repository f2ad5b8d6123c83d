// The one test command: runs the suite under Deno, Bun and Node in turn,
// streams their output, measures the line coverage of src/ under each, and
// ends with one line "N passed, N failed" summed over all three. Exits
// non-zero when anything failed or did not report, or when a runtime's
// coverage falls below its floor (COVERAGE_FLOORS).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { bunBinary, denoBinary, nodeBinary } from "./_toolchain.ts";

/**
 * The least line coverage of src/ each runtime must keep, in percent: what
 * it was when measured first, rounded down. Raise them as tests are added.
 */
const COVERAGE_FLOORS: Record<string, number> = { deno: 91, bun: 92, node: 95 };

const coverageDir = mkdtempSync(join(tmpdir(), "runlog-coverage-"));
const lcov = (runtime: string) => join(coverageDir, `${runtime}.lcov`);

interface Run {
  runtime: string;
  command: string;
  args: string[];
  // Reads [passed, failed] from the runner's own summary.
  summary(output: string): [number, number] | undefined;
  // Turns what the run left into an lcov file, when the runner cannot write one itself.
  lcov?(): void;
}

const count = (output: string, pattern: RegExp) => {
  const match = pattern.exec(output);
  return match ? Number(match[1]) : undefined;
};
const both = (passed?: number, failed?: number): [number, number] | undefined =>
  passed === undefined || failed === undefined ? undefined : [passed, failed];

const runs: Run[] = [
  {
    runtime: "deno",
    // The shim: `deno task` runs the real binary.
    command: "node_modules/.bin/deno",
    // The "test" task of deno.json: the suite plus every JSDoc @example.
    args: ["task", "test", `--coverage=${join(coverageDir, "deno")}`],
    summary: (out) => {
      const m = /\|\s*(\d+) passed(?: \(\d+ steps?\))?\s*\|\s*(\d+) failed/.exec(out);
      return m ? [Number(m[1]), Number(m[2])] : undefined;
    },
    lcov: () =>
      void spawnSync(denoBinary(), [
        "coverage",
        join(coverageDir, "deno"),
        "--lcov",
        `--output=${lcov("deno")}`,
      ]),
  },
  {
    runtime: "bun",
    command: bunBinary(),
    // Bun's default is 5 s per test; the process tests take longer.
    args: [
      "test",
      "--timeout=120000",
      "--coverage",
      "--coverage-reporter=lcov",
      `--coverage-dir=${join(coverageDir, "bun")}`,
      "./tests/",
    ],
    summary: (out) => both(count(out, /^\s*(\d+) pass$/m), count(out, /^\s*(\d+) fail$/m)),
    lcov: () => {
      const dir = join(coverageDir, "bun");
      const file = readdirSync(dir).find((name) => name.endsWith(".info"));
      if (file !== undefined) renameSync(join(dir, file), lcov("bun"));
    },
  },
  {
    runtime: "node",
    command: nodeBinary(),
    args: [
      "--test",
      "--experimental-test-coverage",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=lcov",
      `--test-reporter-destination=${lcov("node")}`,
      "tests/**/*.test.ts",
    ],
    summary: (out) => both(count(out, /^ℹ pass (\d+)$/m), count(out, /^ℹ fail (\d+)$/m)),
  },
];

// The line coverage of the files under src/ in an lcov file: lines hit of lines found.
function srcCoverage(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  let found = 0;
  let hit = 0;
  for (const record of text.split("end_of_record")) {
    const source = /^SF:(.*)$/m.exec(record)?.[1] ?? "";
    if (!/[\\/]src[\\/]/.test(source) && !source.startsWith("src/")) continue;
    found += Number(/^LF:(\d+)$/m.exec(record)?.[1] ?? 0);
    hit += Number(/^LH:(\d+)$/m.exec(record)?.[1] ?? 0);
  }
  return found === 0 ? undefined : (100 * hit) / found;
}

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const lines: string[] = [];
for (const run of runs.filter((r) => only.length === 0 || only.includes(r.runtime))) {
  console.log(`\n=== ${run.runtime}: ${run.command} ${run.args.join(" ")}`);
  const output = await new Promise<{ text: string; code: number | null }>((resolve) => {
    const child = spawn(run.command, run.args, {
      env: { ...process.env, NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (chunk) => {
      text += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      text += chunk;
      process.stderr.write(chunk);
    });
    child.on("error", (error) => resolve({ text: `${text}\n${error}`, code: -1 }));
    child.on("close", (code) => resolve({ text, code }));
  });
  const counts = run.summary(output.text);
  let [p, f] = counts ?? [0, 0];
  // A crash, a compile error or a missing summary is a failure too.
  if (counts === undefined || (output.code !== 0 && f === 0)) f += 1;
  run.lcov?.();
  const coverage = srcCoverage(lcov(run.runtime));
  const floor = COVERAGE_FLOORS[run.runtime];
  // Coverage below the floor fails the run, as a failed test would.
  if (coverage === undefined || coverage < floor) f += 1;
  passed += p;
  failed += f;
  const measured = coverage === undefined
    ? "coverage not measured"
    : `src/ line coverage ${coverage.toFixed(1)}% (floor ${floor}%)`;
  lines.push(`${run.runtime}: ${p} passed, ${f} failed (exit ${output.code}); ${measured}`);
}
rmSync(coverageDir, { recursive: true, force: true });
console.log(`\n${lines.join("\n")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
