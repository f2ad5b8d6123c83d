// Leases between real processes of this runtime: a live holder blocks
// resume and pruning, a killed one gives way at once, and two writers can
// never number lines alike.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { EventLoopLogger, parseEventLoopLine, pruneRuns, RunLogContext } from "../mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";
import { fixture, type ScriptProcess, startScript } from "./_processes.ts";
import { throwsRunLog } from "./_assert.ts";

const adapter = await nativeAdapter();

function seqsOf(text: string): number[] {
  return text.split("\n").filter((l) => l !== "").map((l) => parseEventLoopLine(l).seq);
}

test(
  `${adapter.name}: a live holder blocks resume and pruning; once SIGKILLed, resume succeeds at once`,
  {
    timeout: 60_000,
  },
  async () => {
    const dir = await tempDir();
    let holder: ScriptProcess | undefined;
    try {
      const ws = adapter.make(dir.path);
      const created = await RunLogContext.create(ws);
      await created.close();
      const id = created.runId.toString();
      holder = startScript(fixture("holder.ts"), [dir.path, id, "10000"]);
      await holder.waitForLine((l) => l.startsWith("ack "));

      const refused = await throwsRunLog(() => RunLogContext.resume(ws, id), "lease-held");
      assert.ok(refused.message.includes(`pid ${holder.child.pid}`), refused.message);
      assert.match(refused.message, /since \d{4}-\d\d-\d\dT/);
      assert.match(refused.message, /force: true/);
      const pruned = await pruneRuns(ws, { keep: 0 });
      assert.deepEqual(pruned.deleted, []);
      assert.match(
        pruned.kept[0].reason,
        new RegExp(`^running \\(lease held by pid ${holder.child.pid}`),
      );

      holder.child.kill("SIGKILL");
      await holder.exited;
      const started = Date.now();
      const ctx = await RunLogContext.resume(ws, id); // The dead holder's lease is stale at once.
      assert.ok(Date.now() - started < 2000, `resume took ${Date.now() - started} ms`);
      const log = await EventLoopLogger.open(ctx);
      const before = seqsOf(await readFile(join(dir.path, ctx.eventLoopLog()), "utf8"));
      assert.equal(log.nextSeq, before[before.length - 1] + 1);
      await log.close();
      await ctx.close({ status: "succeeded" });
    } finally {
      holder?.child.kill("SIGKILL");
      await holder?.exited;
      await dir.remove();
    }
  },
);

test(`${adapter.name}: a forced takeover stops the old writer first: no sequence number twice`, {
  timeout: 60_000,
}, async () => {
  const dir = await tempDir();
  const writers: ScriptProcess[] = [];
  try {
    const ws = adapter.make(dir.path);
    const created = await RunLogContext.create(ws);
    await created.close();
    const id = created.runId.toString();
    const first = startScript(fixture("holder.ts"), [dir.path, id, "300"]);
    writers.push(first);
    await first.waitForLine((l) => l.startsWith("ack 20"));
    // Without force, a second writer is refused.
    const blocked = startScript(fixture("holder.ts"), [dir.path, id, "300"]);
    writers.push(blocked);
    assert.equal(await blocked.waitForLine((l) => l.startsWith("refused")), "refused lease-held");
    // With force, it takes over, and the first one stops before it writes.
    const second = startScript(fixture("holder.ts"), [dir.path, id, "300", "force"]);
    writers.push(second);
    await second.waitForLine((l) => l.startsWith("ack "));
    assert.equal(await first.waitForLine((l) => l.startsWith("stopped")), "stopped lease-lost");
    await second.waitForLine((l) => l.startsWith("ack ") && Number(l.slice(4)) > 30);
    second.child.kill("SIGKILL");
    await second.exited;
    const seqs = seqsOf(await readFile(join(dir.path, created.eventLoopLog()), "utf8"));
    assert.equal(new Set(seqs).size, seqs.length, "a sequence number written twice");
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
  } finally {
    for (const writer of writers) writer.child.kill("SIGKILL");
    await Promise.all(writers.map((w) => w.exited));
    await dir.remove();
  }
});
