// The one test command: runs the suite under Deno, Bun and Node in turn,
// streams their output, and ends with one line "N passed, N failed" summed
// over all three. Exits non-zero when anything failed or did not report.
import { spawn } from "node:child_process";
import process from "node:process";
import { bunBinary, nodeBinary } from "./_toolchain.ts";

interface Run {
  runtime: string;
  command: string;
  args: string[];
  // Reads [passed, failed] from the runner's own summary.
  summary(output: string): [number, number] | undefined;
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
    args: ["task", "test"],
    summary: (out) => {
      const m = /\|\s*(\d+) passed(?: \(\d+ steps?\))?\s*\|\s*(\d+) failed/.exec(out);
      return m ? [Number(m[1]), Number(m[2])] : undefined;
    },
  },
  {
    runtime: "bun",
    command: bunBinary(),
    // Bun's default is 5 s per test; the process tests take longer.
    args: ["test", "--timeout=120000", "./tests/"],
    summary: (out) => both(count(out, /^\s*(\d+) pass$/m), count(out, /^\s*(\d+) fail$/m)),
  },
  {
    runtime: "node",
    command: nodeBinary(),
    args: ["--test", "--test-reporter=spec", "tests/**/*.test.ts"],
    summary: (out) => both(count(out, /^ℹ pass (\d+)$/m), count(out, /^ℹ fail (\d+)$/m)),
  },
];

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
  passed += p;
  failed += f;
  lines.push(`${run.runtime}: ${p} passed, ${f} failed (exit ${output.code})`);
}
console.log(`\n${lines.join("\n")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
