// Which logs a report holds: a run that fits is there whole; a larger one
// gets the logs of its failed effects first, then those of its last
// iterations, and the page says what it left out and how to get it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventLoopLogger, MemoryWorkspace, RunLogContext } from "../mod.ts";
import { renderReport, REPORT_LOGS_BUDGET } from "../src/viewer/report.ts";
import { logsOfEffect } from "../src/viewer/_effect_logs.ts";
import { formatBytes } from "../src/_format_bytes.ts";

const FAILED = new Set([5, 77, 190]);

// An agent loop of 200 iterations, one dev log each (a retry at 77), with
// `logBytes` of output per log; iterations 5, 77 and 190 fail.
async function agentRun(logBytes: number) {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws);
  const events = await EventLoopLogger.open(ctx);
  for (let i = 1; i <= 200; i++) {
    const attempts = i === 77 ? [undefined, 1] : [undefined];
    for (const attempt of attempts) {
      await ws.write(
        ctx.agentLog("dev", i, attempt),
        `${`iteration ${i} output\n`.repeat(logBytes / 20)}`,
      );
    }
    await events.logEffect({
      phase: "Development",
      effect: "InvokeDevelopmentAgent",
      event: FAILED.has(i) ? "AgentFailed" : "AgentCompleted",
      context: { iteration: i, agent_index: 1 },
      durationMs: 10,
    });
  }
  await events.close();
  await ctx.close({ status: "failed" });
  return { ws, ctx };
}

async function reportData(ws: MemoryWorkspace, ctx: RunLogContext) {
  const { html, notes } = await renderReport(ws, ctx.runId);
  const json = /<script type="application\/json" id="runlog-boot">(.*?)<\/script>/s.exec(html)![1];
  const logs = Object.keys(JSON.parse(json).data.logs);
  return { logs, notes };
}

test("renderReport() holds every log of a run that fits its budget", async () => {
  const { ws, ctx } = await agentRun(1_000);
  const { logs, notes } = await reportData(ws, ctx);
  const agentLogs = logs.filter((path) => path.startsWith("agents/"));
  assert.equal(agentLogs.length, 201, "every agent log, retries included");
  assert.deepEqual(notes, []);
});

test("renderReport() of a large run takes failed effects' logs first, then the last iterations", async () => {
  const { ws, ctx } = await agentRun(50_000); // about 10 MB of agent logs
  const { logs, notes } = await reportData(ws, ctx);
  for (const i of FAILED) assert.ok(logs.includes(`agents/dev_${i}.log`), `failed ${i}`);
  assert.ok(logs.includes("agents/dev_77_a1.log"), "the failed retry");
  for (const i of [200, 199, 198]) assert.ok(logs.includes(`agents/dev_${i}.log`), `last ${i}`);
  assert.ok(!logs.includes("agents/dev_1.log"), "an early, successful iteration is left out");
  const held = logs.filter((path) => path.startsWith("agents/")).length;
  assert.ok(held * 50_000 <= REPORT_LOGS_BUDGET, `${held} logs over the budget`);
  const budget = formatBytes(REPORT_LOGS_BUDGET);
  assert.ok(
    notes.some((n) => n.includes(`more than the ${budget} a report holds`)),
    notes.join("\n"),
  );
  assert.ok(notes.some((n) => new RegExp(`runlog pack ${ctx.runId}`).test(n)));
  assert.ok(notes.some((n) => /listed but not included: agents\/dev_/.test(n)));
});

test("logsOfEffect() goes by the iteration before an agent's own index, and by attempt", () => {
  const paths = [
    "agents/dev_1.log",
    "agents/dev_68.log",
    "agents/dev_68_a1.log",
    "agents/review_68.log",
  ];
  const effect = (detail: string) => ({ phase: "Development", detail });
  assert.deepEqual(logsOfEffect(effect("ctx=iteration=68,agent_index=1"), paths), [
    "agents/dev_68_a1.log",
    "agents/dev_68.log",
  ]);
  assert.deepEqual(logsOfEffect(effect("ctx=iteration=68,attempt=1"), paths), [
    "agents/dev_68_a1.log",
  ]);
  assert.deepEqual(logsOfEffect(effect("ctx=agent_index=1"), paths), ["agents/dev_1.log"]);
  assert.deepEqual(logsOfEffect({ phase: "Review", detail: "ctx=iteration=68" }, paths), [
    "agents/review_68.log",
  ]);
});
