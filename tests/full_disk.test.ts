// A real full disk: a small tmpfs, mounted by the test (root only; CI runs
// as root and sets RUNLOG_REQUIRE_TMPFS=1 so that this cannot be skipped
// there). Lines written while the disk is full fail cleanly, unawaited ones
// never end the process, and once space is freed the log goes on with no
// glued line and no sequence number used twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import {
  EventLoopLogger,
  parseEventLoopLine,
  parsePipelineLog,
  PipelineLogger,
  RunLogContext,
  WorkspaceError,
} from "../mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";

const adapter = await nativeAdapter();

function mountTmpfs(dir: string, size: string): string | undefined {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    return undefined;
  } catch (error) {
    return String((error as { stderr?: unknown }).stderr ?? error).trim();
  }
}

test(`${adapter.name}: on a full disk, no line is glued or numbered twice, and logging resumes`, async (t) => {
  const dir = await tempDir();
  const mountPoint = join(dir.path, "disk");
  await mkdir(mountPoint);
  const why = mountTmpfs(mountPoint, "256k");
  if (why !== undefined) {
    if (process.env.RUNLOG_REQUIRE_TMPFS === "1") assert.fail(`cannot mount a tmpfs: ${why}`);
    t.skip(`cannot mount a tmpfs here (needs root): ${why}`);
    await dir.remove();
    return;
  }
  try {
    const ws = adapter.make(mountPoint);
    const ctx = await RunLogContext.create(ws);
    const events = await EventLoopLogger.open(ctx);
    const pipeline = await PipelineLogger.open(ctx);
    // Most of the disk goes to a filler, freed later.
    await writeFile(join(mountPoint, "filler"), new Uint8Array(200 * 1024));
    const payload = "p".repeat(300);
    const acked: number[] = [];
    const ackedMessages: string[] = [];
    let failures = 0;
    for (let i = 0; failures < 20 && i < 5000; i++) {
      // Every third call is fire-and-forget, as many loggers are used.
      if (i % 3 === 0) {
        void events.logEffect({
          phase: "Dev",
          effect: "Write",
          event: "Done",
          context: { payload },
          durationMs: i,
        });
        void pipeline.info(`unawaited ${i} ${payload}`);
        continue;
      }
      try {
        acked.push(
          await events.logEffect({
            phase: "Dev",
            effect: "Write",
            event: "Done",
            context: { payload },
            durationMs: i,
          }),
        );
        await pipeline.info(`message ${i} ${payload}`);
        ackedMessages.push(`message ${i} ${payload}`);
      } catch (error) {
        assert.ok(error instanceof WorkspaceError, String(error));
        assert.equal(error.code, "no-space", error.message);
        failures++;
      }
    }
    assert.ok(failures > 0, "the disk never filled");
    // Space is freed; logging goes on.
    await rm(join(mountPoint, "filler"));
    for (let i = 0; i < 5; i++) {
      let seq: number;
      try {
        seq = await events.logEffect({
          phase: "Dev",
          effect: "After",
          event: "Freed",
          durationMs: i,
        });
      } catch (error) {
        // The first call after the failures reports the unawaited ones, once.
        assert.match((error as Error).message, /nobody awaited it \(this one succeeded\)/);
        seq = events.nextSeq - 1;
      }
      acked.push(seq);
    }
    await events.close().catch(() => {});
    await pipeline.close().catch(() => {});

    const lines = (await ws.read(ctx.eventLoopLog())).split("\n");
    assert.equal(lines.pop(), "", "the log does not end with a newline");
    // A write cut short by the full disk leaves a fragment, ended on a line
    // of its own: a prefix of one line, never two lines glued together.
    const seqs: number[] = [];
    const complete: number[] = [];
    let fragments = 0;
    for (const line of lines) {
      assert.equal(line.split(" ts=").length <= 2, true, `glued lines: ${line.slice(0, 80)}`);
      seqs.push(Number(/^\d+/.exec(line)![0]));
      try {
        complete.push(parseEventLoopLine(line).seq);
      } catch {
        fragments++;
        assert.ok(!acked.includes(seqs[seqs.length - 1]), `acknowledged line torn: ${line}`);
      }
    }
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "sequence out of order");
    assert.equal(new Set(seqs).size, seqs.length, "a sequence number used twice");
    for (const seq of acked) assert.ok(complete.includes(seq), `acknowledged seq ${seq} missing`);
    t.diagnostic(`${failures} failed calls, ${fragments} fragments, ${complete.length} lines`);
    const entries = parsePipelineLog(await ws.read(ctx.pipelineLog()));
    for (const entry of entries.filter((e) => !e.exact)) {
      // A fragment: no level and no acknowledged message in it.
      assert.equal(entry.level, "", `a damaged pipeline entry: ${entry.message.slice(0, 60)}`);
    }
    for (const message of ackedMessages) {
      assert.equal(entries.filter((e) => e.message === message).length, 1, message.slice(0, 30));
    }
    // Resuming continues after the last line, never reusing a number.
    const resumed = await EventLoopLogger.open(ctx);
    assert.equal(resumed.nextSeq, seqs[seqs.length - 1] + 1);
    await resumed.close();
    await ctx.close({ status: "succeeded" });
  } finally {
    execFileSync("umount", [mountPoint]);
    await dir.remove();
  }
});
