// The runlog command as npm and Bun users run it, from the installed
// package's JavaScript: `<runtime> cli-program.mjs <empty dir>`. It must
// print its usage when called bare (never nothing), and list runs.
import process from "node:process";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { report } from "./scenario.mjs";

const root = process.argv.at(-1);
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const cli = fileURLToPath(import.meta.resolve("@ralph/runlog/cli"));
const runlog = (args) => {
  const prefix = runtime === "deno" ? ["run", "-A", cli] : [cli];
  return spawnSync(process.execPath, [...prefix, ...args], { encoding: "utf8" });
};

await report(`${runtime} ${process.version} runlog from node_modules`, () => {
  const bare = runlog([]);
  if (bare.status !== 2 || !bare.stderr.includes("Usage: runlog <command>")) {
    throw new Error(
      `bare: exit ${bare.status}, stderr ${JSON.stringify(bare.stderr.slice(0, 200))}`,
    );
  }
  const made = runlog(["new", "--root", root, "--command", "cli-program"]);
  if (made.status !== 0) throw new Error(`new: ${made.stderr}`);
  const listed = runlog(["list", "--json", "--root", root]);
  const runs = listed.status === 0 ? JSON.parse(listed.stdout).runs : [];
  if (runs.length !== 1) throw new Error(`list: exit ${listed.status} ${listed.stderr}`);
  return `usage when bare; new and list: ${runs[0].id}`;
});
