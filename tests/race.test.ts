// A real race: separate processes, released at the same instant with the
// same frozen clock, each claiming a run in one shared root.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RunId } from "../mod.ts";
import { scriptCommand, tempDir } from "./_runtime.ts";

const RACERS = 32;
const FROZEN = "2026-02-06T14:03:27.123Z";
const CHILD = fileURLToPath(new URL("./fixtures/claim_run.ts", import.meta.url));

interface Racer {
  child: ChildProcess;
  lines: string[];
  stderr: string;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function startRacer(root: string): Racer {
  const { command, args } = scriptCommand(CHILD);
  const child = spawn(command, [...args, root, FROZEN], { stdio: ["pipe", "pipe", "pipe"] });
  const racer = { child, lines: [] as string[], stderr: "" } as Racer;
  let buffer = "";
  racer.ready = new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const line of parts) {
        racer.lines.push(line);
        if (line === "ready") resolve();
      }
    });
    child.on(
      "exit",
      (code) => reject(new Error(`racer exited (${code}) before ready: ${racer.stderr}`)),
    );
  });
  child.stderr!.on("data", (chunk) => (racer.stderr += chunk));
  racer.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  return racer;
}

test(`RunLogContext.create() gives each of ${RACERS} racing processes its own complete directory`, async () => {
  const dir = await tempDir();
  const racers: Racer[] = [];
  try {
    for (let i = 0; i < RACERS; i++) racers.push(startRacer(dir.path));
    await Promise.all(racers.map((r) => r.ready));
    // Every racer is loaded and waiting; release them all at one instant.
    const startAt = Date.now() + 300;
    for (const r of racers) r.child.stdin!.end(`${startAt}\n`);
    const codes = await Promise.all(racers.map((r) => r.exited));
    codes.forEach((code, i) => assert.equal(code, 0, racers[i].stderr));

    const claims = racers.map((r) => JSON.parse(r.lines.find((l) => l.startsWith("{"))!));
    const ids = claims.map((c) => RunId.parse(c.runId));
    assert.equal(new Set(claims.map((c) => c.runId)).size, RACERS, "two processes shared an id");
    // All used the one frozen millisecond, so the counters must be exactly 0..N-1.
    assert.deepEqual(
      ids.map((id) => id.collisionCounter).sort((a, b) => a - b),
      Array.from({ length: RACERS }, (_, i) => i),
    );
    const dirs = await readdir(join(dir.path, ".agent"));
    assert.equal(dirs.length, RACERS);
    for (const claim of claims) {
      assert.ok(dirs.includes(claim.runDir.slice(".agent/".length)));
      assert.deepEqual(
        (await readdir(join(dir.path, claim.runDir))).sort(),
        ["agents", "debug", "provider"],
      );
    }
  } finally {
    for (const r of racers) r.child.kill();
    await dir.remove();
  }
});
