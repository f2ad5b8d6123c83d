// Real races: separate processes, released at the same instant, contending
// for one name in one shared root.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseRunMetadata, RunId, RunLogContext } from "../mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";
import { race } from "./_processes.ts";
import process from "node:process";
import { runCli } from "../src/cli/mod.ts";

const RACERS = 32;
const FROZEN = "2026-02-06T14:03:27.123Z";

test(`RunLogContext.create() gives each of ${RACERS} racing processes its own complete directory`, {
  timeout: 120_000,
}, async () => {
  const dir = await tempDir();
  try {
    const claims = await race(
      Array.from({ length: RACERS }, () => [dir.path, "run", FROZEN]),
    ) as { runId: string; runDir: string }[];
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
      // Each racer exited holding its lease, as a crash would leave it.
      assert.deepEqual(
        (await readdir(join(dir.path, claim.runDir))).sort(),
        ["agents", "debug", "lease.1.json", "provider", "run.json"],
      );
      const metadata = parseRunMetadata(
        await readFile(join(dir.path, claim.runDir, "run.json"), "utf8"),
      );
      assert.equal(metadata.runId, claim.runId);
    }
  } finally {
    await dir.remove();
  }
});

test(
  `RunLogContext.claimAgentLog() gives ${RACERS} racing processes distinct files after the highest`,
  {
    timeout: 120_000,
  },
  async () => {
    const dir = await tempDir();
    try {
      const ctx = await RunLogContext.create((await nativeAdapter()).make(dir.path));
      // A gap is never filled: with dev_1 and dev_1_a2 there, claims start at _a3.
      for (const attempt of [undefined, 2]) {
        await (await ctx.workspace.openAppend(ctx.agentLog("dev", 1, attempt))).close();
      }
      const claims = await race(
        Array.from({ length: RACERS }, () => [dir.path, "agent-log", ctx.runId.toString()]),
      ) as { path: string; pid: number }[];
      assert.equal(new Set(claims.map((c) => c.path)).size, RACERS, "two processes shared a log");
      const expected = Array.from({ length: RACERS }, (_, i) => ctx.agentLog("dev", 1, i + 3));
      assert.deepEqual(claims.map((c) => c.path).sort(), expected.sort());
      for (const claim of claims) {
        assert.equal(
          await readFile(join(dir.path, claim.path), "utf8"),
          `claimed by ${claim.pid}\n`,
        );
      }
      await ctx.close();
    } finally {
      await dir.remove();
    }
  },
);

const RESUMERS = 6;

test(
  `RunLogContext.resume(): of ${RESUMERS} processes resuming one run at once, exactly one wins`,
  {
    timeout: 120_000,
  },
  async () => {
    const dir = await tempDir();
    try {
      const ctx = await RunLogContext.create((await nativeAdapter()).make(dir.path));
      await ctx.close();
      // Round 1: a closed run, no lease. Round 2: the lease of round 1's
      // winner, which exited without releasing it (a crash).
      for (const round of [1, 2]) {
        const results = await race(
          Array.from({ length: RESUMERS }, () => [dir.path, "resume", ctx.runId.toString()]),
        ) as { won: boolean; pid: number; code?: string; sessions?: number }[];
        const winners = results.filter((r) => r.won);
        assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results)}`);
        assert.equal(winners[0].sessions, round + 1);
        for (const loser of results.filter((r) => !r.won)) {
          assert.equal(loser.code, "lease-held", `round ${round}: ${JSON.stringify(loser)}`);
        }
      }
    } finally {
      await dir.remove();
    }
  },
);

test("AppendHandle lines from 4 processes appending at once never interleave", {
  timeout: 120_000,
}, async () => {
  const dir = await tempDir();
  const WRITERS = 4;
  const LINES = 150;
  try {
    await race(
      Array.from(
        { length: WRITERS },
        (_, w) => [dir.path, "append", "shared.log", String(w), String(LINES)],
      ),
    );
    const lines = (await readFile(join(dir.path, "shared.log"), "utf8")).split("\n");
    assert.equal(lines.pop(), "");
    assert.equal(lines.length, WRITERS * LINES);
    const next = Array(WRITERS).fill(0);
    for (const line of lines) {
      const match = /^(\d) (\d+) ([a-z]+)$/.exec(line);
      assert.ok(match, `malformed line starting ${JSON.stringify(line.slice(0, 40))}`);
      const [writer, i, payload] = [Number(match[1]), Number(match[2]), match[3]];
      assert.equal(i, next[writer]++, `writer ${writer} out of order`);
      assert.equal(
        payload,
        String.fromCharCode(97 + writer).repeat(payload.length),
        "mixed payload",
      );
      assert.equal(payload.length, 1024 + ((i * 7919 + writer * 104729) % (47 * 1024)));
    }
  } finally {
    await dir.remove();
  }
});

const COMMANDS = 8;

test(`runlog event: ${COMMANDS} commands of one shell at once number their lines 1..${COMMANDS}`, {
  timeout: 120_000,
}, async () => {
  const dir = await tempDir();
  try {
    // This test process plays the shell that drives the run: `runlog new`
    // leaves the lease with it, and each `runlog event --owner` takes it in turn.
    const owner = String(process.pid);
    const out: string[] = [];
    const quiet = { out: (t: string) => out.push(t), err: () => {}, tty: false, color: false };
    assert.equal(await runCli(["new", "--root", dir.path, "--owner", owner], quiet), 0);
    const runDir = out.join("").trim();
    const runId = runDir.slice(runDir.lastIndexOf("/logs-") + "/logs-".length);
    const results = await race(
      Array.from({ length: COMMANDS }, () => [dir.path, "cli-event", runId, owner]),
    ) as { code: number; seq: number; stderr: string }[];
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const expected = Array.from({ length: COMMANDS }, (_, i) => i + 1);
    assert.deepEqual(results.map((r) => r.seq).sort((a, b) => a - b), expected);
    const lines = (await readFile(join(runDir, "event_loop.log"), "utf8")).trimEnd().split("\n");
    assert.deepEqual(lines.map((l) => Number(l.split(" ")[0])).sort((a, b) => a - b), expected);
    // The last command handed the lease back to the shell.
    const [lease] = (await readdir(runDir)).filter((name) => name.startsWith("lease."));
    const holder = JSON.parse(await readFile(join(runDir, lease), "utf8"));
    assert.deepEqual([holder.pid, holder.for_pid, holder.released_at], [
      process.pid,
      undefined,
      undefined,
    ]);
  } finally {
    await dir.remove();
  }
});
