// Crash durability: a writer process is killed with SIGKILL at random
// moments, again and again, each new writer resuming the same log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseEventLoopLine, RunLogContext } from "../mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";
import { fixture, type ScriptProcess, startScript } from "./_processes.ts";
import { payloadFor } from "./fixtures/kill_payload.ts";

const ROUNDS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sequence numbers of the complete, valid lines, and how many complete lines are torn fragments. */
async function completeLines(file: string): Promise<{ seqs: number[]; fragments: number }> {
  const lines = (await readFile(file, "utf8")).split("\n");
  lines.pop(); // What follows the last newline: empty, or the torn last write.
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
  return { seqs, fragments };
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
      const lastComplete = round === 1 ? 0 : (await completeLines(logFile)).seqs.length;
      const writer = startScript(fixture("kill_writer.ts"), [dir.path, ctx.runId.toString()]);
      writers.push(writer);
      const ready = await writer.waitForLine((l) => l.startsWith("ready "));
      // A resumed writer continues right after the last complete line.
      assert.equal(
        Number(ready.slice(6)),
        lastComplete + 1,
        `round ${round} resumed at the wrong seq`,
      );
      await writer.waitForLine((l) => l.startsWith("ack "));
      await sleep(20 + Math.random() * 200);
      writer.child.kill("SIGKILL");
      await writer.exited;
      const acks = writer.lines.filter((l) => l.startsWith("ack ")).map((l) => Number(l.slice(4)));
      acknowledged = Math.max(acknowledged, ...acks);

      const { seqs, fragments } = await completeLines(logFile);
      assert.deepEqual(
        seqs,
        Array.from({ length: seqs.length }, (_, i) => i + 1),
        "sequence has gaps",
      );
      assert.ok(
        seqs.length >= acknowledged,
        `acked ${acknowledged} but only ${seqs.length} lines complete`,
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
