// listRuns and a dry-run pruneRuns over many runs, against a raw directory
// listing plus the same run.json parsing, in the same process, interleaved
// round by round. Prints one JSON object.
//
//   <runtime> bench/runs.ts <data dir> [runs]
//
// <data dir> is made here when empty: <runs> finished runs, as runlog
// leaves them (run.json with a session and a status, a released lease).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { formatRunMetadata, listRuns, parseRunMetadata, pruneRuns, RunId } from "../mod.ts";
import { runtime } from "../tests/_runtime.ts";
import { workspaceFor } from "./_workspace.ts";

const [dataDir, countArg] = process.argv.slice(2);
const RUNS = Number(countArg ?? 10_000);

function makeRuns(root: string): void {
  const agent = join(root, ".agent");
  if (existsSync(agent)) return;
  const start = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < RUNS; i++) {
    const id = RunId.generate(new Date(start + i * 60_000)).toString();
    const dir = join(agent, `logs-${id}`);
    for (const sub of ["agents", "provider", "debug"]) {
      mkdirSync(join(dir, sub), { recursive: true });
    }
    const at = new Date(start + i * 60_000).toISOString();
    const ended = new Date(start + i * 60_000 + 30_000).toISOString();
    writeFileSync(
      join(dir, "run.json"),
      formatRunMetadata({
        runId: id,
        startedAtUtc: at,
        command: "ralph --dev",
        resume: false,
        repoRoot: root,
        ralphVersion: "0.6.3",
        pid: 1000 + i,
        sessions: [{
          startedAtUtc: at,
          resume: false,
          pid: 1000 + i,
          host: "bench",
          command: "ralph --dev",
          endedAtUtc: ended,
          status: "succeeded",
        }],
        endedAtUtc: ended,
        status: "succeeded",
      }),
    );
    writeFileSync(
      join(dir, "lease.1.json"),
      JSON.stringify({ pid: 1000 + i, host: "bench", released_at: ended }),
    );
    writeFileSync(join(dir, "pipeline.log"), `[${at}] [INFO] started\n`);
  }
}

// The baseline: what any tool must do to list runs with their metadata.
function rawList(root: string): number {
  const agent = join(root, ".agent");
  let n = 0;
  for (const name of readdirSync(agent)) {
    if (!name.startsWith("logs-")) continue;
    parseRunMetadata(readFileSync(join(agent, name, "run.json"), "utf8"));
    n++;
  }
  return n;
}

async function time(body: () => unknown): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

makeRuns(dataDir);
const ws = await workspaceFor(dataDir);
const best = { raw: Infinity, list: Infinity, prune: Infinity };
for (let round = 0; round < 5; round++) {
  best.raw = Math.min(best.raw, await time(() => rawList(dataDir)));
  best.list = Math.min(
    best.list,
    await time(async () => {
      const { runs } = await listRuns(ws);
      if (runs.length !== RUNS) throw new Error(`listed ${runs.length} runs`);
    }),
  );
  best.prune = Math.min(
    best.prune,
    await time(async () => {
      const result = await pruneRuns(ws, { keep: 100, dryRun: true });
      if (result.deleted.length !== RUNS - 100) throw new Error("wrong prune decision");
    }),
  );
}
console.log(
  JSON.stringify({ runtime, runs: RUNS, rawMs: best.raw, listMs: best.list, pruneMs: best.prune }),
);
