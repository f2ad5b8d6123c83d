// listRuns and a dry-run pruneRuns over many runs, each against its raw
// counterpart (a directory listing plus the same run.json parsing; for the
// prune, plus the same .keep probes), in the same process, interleaved
// round by round. Prints one JSON object.
//
//   <runtime> bench/runs.ts <data dir> [runs]
//
// <data dir> is made here when empty: <runs> finished runs, as runlog
// leaves them (run.json with a session and a status, a released lease).
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  formatRunMetadata,
  listRuns,
  parseRunMetadata,
  pruneRuns,
  RunId,
  type RunMetadata,
} from "../mod.ts";
import { runtime } from "../tests/_runtime.ts";
import { workspaceFor } from "./_workspace.ts";

const [dataDir, countArg] = process.argv.slice(2);
const RUNS = Number(countArg ?? 10_000);
// Best of many rounds: a shared 2-core machine is noisy, and each round
// takes about a second.
const ROUNDS = 9;

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

// The baseline: what any tool must do to list runs with their metadata,
// kept as a listing keeps them (what survives costs the collector too).
function rawList(root: string): { name: string; metadata: RunMetadata }[] {
  const agent = join(root, ".agent");
  const runs = [];
  for (const name of readdirSync(agent)) {
    if (!name.startsWith("logs-")) continue;
    runs.push({
      name,
      metadata: parseRunMetadata(readFileSync(join(agent, name, "run.json"), "utf8")),
    });
  }
  return runs;
}

// The baseline of a dry prune keeping the newest 100: the raw listing, and
// for every older run a look for a pin, with the call that tells "nothing
// there" from a link, as pruneRuns must (existsSync follows links).
function rawPrune(root: string): number {
  const agent = join(root, ".agent");
  const runs = rawList(root).sort((a, b) => a.name < b.name ? 1 : -1);
  let pinned = 0;
  for (const { name } of runs.slice(100)) {
    if (lstatSync(join(agent, name, ".keep"), { throwIfNoEntry: false }) !== undefined) pinned++;
  }
  return pinned;
}

async function time(body: () => unknown): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

makeRuns(dataDir);
const ws = await workspaceFor(dataDir);
const best = { raw: Infinity, rawPrune: Infinity, list: Infinity, prune: Infinity };
for (let round = 0; round < ROUNDS; round++) {
  best.raw = Math.min(best.raw, await time(() => rawList(dataDir)));
  best.rawPrune = Math.min(best.rawPrune, await time(() => rawPrune(dataDir)));
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
  JSON.stringify({
    runtime,
    runs: RUNS,
    rawMs: best.raw,
    listMs: best.list,
    rawPruneMs: best.rawPrune,
    pruneMs: best.prune,
  }),
);
