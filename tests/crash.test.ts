// Crash durability: a writer process is killed with SIGKILL at random
// moments, again and again, each new writer resuming the same log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { latestRun, listRuns, parseEventLoopLine, pruneRuns, RunLogContext } from "../mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";
import { fixture, type ScriptProcess, startScript } from "./_processes.ts";
import { payloadFor } from "./fixtures/kill_payload.ts";

const ROUNDS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The sequence numbers of the complete, valid lines, how many complete
 * lines are torn fragments, and whether the file ends in a torn write.
 */
async function completeLines(
  file: string,
): Promise<{ seqs: number[]; fragments: number; torn: boolean }> {
  const lines = (await readFile(file, "utf8")).split("\n");
  const torn = lines.pop() !== ""; // What follows the last newline: empty, or the torn last write.
  const seqs: number[] = [];
  let fragments = 0;
  for (const line of lines) {
    let entry;
    try {
      entry = parseEventLoopLine(line);
    } catch {
      fragments++; // A torn line from an earlier kill, ended on resume.
      continue;
    }
    assert.deepEqual(
      entry.context,
      [["payload", payloadFor(entry.seq)]],
      `line ${entry.seq} corrupted`,
    );
    assert.equal(entry.durationMs, entry.seq);
    seqs.push(entry.seq);
  }
  return { seqs, fragments, torn };
}

test(`EventLoopLogger keeps every acknowledged line through ${ROUNDS} kill -9s at random moments`, {
  timeout: 120_000,
}, async () => {
  const dir = await tempDir();
  const writers: ScriptProcess[] = [];
  try {
    const ctx = await RunLogContext.create((await nativeAdapter()).make(dir.path));
    await ctx.close(); // Each writer resumes the run, taking over a killed one's lease at once.
    const logFile = join(dir.path, ctx.eventLoopLog());
    let acknowledged = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const before = round === 1 ? { seqs: [], torn: false } : await completeLines(logFile);
      const writer = startScript(fixture("kill_writer.ts"), [dir.path, ctx.runId.toString()]);
      writers.push(writer);
      const ready = await writer.waitForLine((l) => l.startsWith("ready "));
      // A resumed writer continues right after the last complete line, or
      // after the torn one that took the next number.
      assert.equal(
        Number(ready.slice(6)),
        (before.seqs.at(-1) ?? 0) + (before.torn ? 2 : 1),
        `round ${round} resumed at the wrong seq`,
      );
      await writer.waitForLine((l) => l.startsWith("ack "));
      await sleep(20 + Math.random() * 200);
      writer.child.kill("SIGKILL");
      await writer.exited;
      const acks = writer.lines.filter((l) => l.startsWith("ack ")).map((l) => Number(l.slice(4)));
      acknowledged = Math.max(acknowledged, ...acks);

      const { seqs, fragments } = await completeLines(logFile);
      // Increasing, never twice; a gap only where a torn line took its number.
      const gaps = seqs.filter((seq, i) => seq !== (i === 0 ? 1 : seqs[i - 1] + 1));
      assert.ok(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]), `not increasing: ${seqs}`);
      assert.ok(gaps.length <= fragments, `gaps at ${gaps} with ${fragments} torn lines`);
      assert.ok(
        seqs.includes(acknowledged) || acknowledged === 0,
        `acked ${acknowledged} but it is not among the complete lines`,
      );
      assert.ok(fragments <= round - 1, `${fragments} torn lines after ${round} kills`);
    }
  } finally {
    for (const writer of writers) writer.child.kill("SIGKILL");
    await Promise.all(writers.map((w) => w.exited));
    await dir.remove();
  }
});

test("resume removes the temp files of run.json writes killed with SIGKILL", {
  timeout: 120_000,
}, async () => {
  const dir = await tempDir();
  const writers: ScriptProcess[] = [];
  try {
    const ws = (await nativeAdapter()).make(dir.path);
    const ctx = await RunLogContext.create(ws);
    await ctx.close();
    const runDir = join(dir.path, ctx.runDir);
    let litter = 0;
    for (let round = 0; round < 15; round++) {
      const writer = startScript(fixture("metadata_writer.ts"), [dir.path, ctx.runId.toString()]);
      writers.push(writer);
      await writer.waitForLine((l) => l === "ready");
      await sleep(5 + Math.random() * 40);
      writer.child.kill("SIGKILL");
      await writer.exited;
      litter += (await readdir(runDir)).filter((n) => n.endsWith(".tmp")).length;
    }
    const resumed = await RunLogContext.resume(ws, ctx.runId);
    const left = (await readdir(runDir)).filter((n) => n.endsWith(".tmp"));
    assert.deepEqual(left, [], "temp files left after resume");
    // run.json is whole: the killed writes were never half visible.
    assert.equal((await resumed.readRunMetadata()).runId, ctx.runId.toString());
    await resumed.close();
    console.log(`temp files found between kills: ${litter}`);
  } finally {
    for (const w of writers) w.child.kill("SIGKILL");
    await Promise.all(writers.map((w) => w.exited));
    await dir.remove();
  }
});

test("kill -9 during create never leaves a directory that lists as a run, nor is latest", {
  timeout: 120_000,
}, async () => {
  const dir = await tempDir();
  const creators: ScriptProcess[] = [];
  try {
    const ws = (await nativeAdapter()).make(dir.path);
    let incomplete = 0;
    for (let round = 0; round < 30; round++) {
      const creator = startScript(fixture("creator.ts"), [dir.path]);
      creators.push(creator);
      await creator.waitForLine((l) => l.startsWith("created "));
      await sleep(Math.random() * 15);
      creator.child.kill("SIGKILL");
      await creator.exited;
      const { runs, skipped } = await listRuns(ws);
      for (const run of runs) {
        assert.equal(run.problem, undefined, `round ${round}: ${run.id}: ${run.problem}`);
      }
      const latest = await latestRun(ws);
      assert.ok(latest !== undefined && latest.metadata !== undefined, `round ${round}`);
      incomplete = skipped.filter((entry) => entry.incomplete !== undefined).length;
    }
    // Young ones stay (a create may be under way), reported as skipped.
    const pruned = await pruneRuns(ws, { keep: 1_000 });
    assert.equal(pruned.skipped.length, incomplete);
    console.log(`kills that left an incomplete run directory: ${incomplete} of 30`);
  } finally {
    for (const c of creators) c.child.kill("SIGKILL");
    await Promise.all(creators.map((c) => c.exited));
    await dir.remove();
  }
});
