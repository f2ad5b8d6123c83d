// A small agent loop under Bun, with a failing agent retried:
//   bun examples/bun.ts [dir]
// In your project: bunx jsr add @ralph/runlog, then import "@ralph/runlog"
// and "@ralph/runlog/bun".
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventLoopLogger, latestRun, PipelineLogger, RunLogContext } from "../mod.ts";
import { BunWorkspace } from "../src/adapters/bun.ts";

const ws = new BunWorkspace(process.argv[2] ?? mkdtempSync(join(tmpdir(), "runlog-bun-")));
const ctx = await RunLogContext.create(ws, {
  metadata: { command: "agent-loop", version: "1.0.0" },
});
const pipeline = await PipelineLogger.open(ctx);
const events = await EventLoopLogger.open(ctx);
try {
  for (let attempt = 0; attempt < 3; attempt++) {
    // Each attempt gets its own log: dev_1.log, then dev_1_a1.log, dev_1_a2.log.
    const agent = await ctx.claimAgentLog("dev", 1, {
      header: { role: "Developer", agent: "claude", phase: "Development" },
    });
    const failed = attempt < 2; // The simulated agent succeeds on its third try.
    await agent.writer.write(failed ? "error: rate limited\n" : "done: 3 files changed\n");
    await agent.writer.close();
    await events.logEffect({
      phase: "Development",
      effect: "InvokeAgent",
      event: failed ? "AgentFailed" : "AgentSucceeded",
      context: { attempt, log: agent.path.slice(ctx.runDir.length + 1) },
      durationMs: 100 * (attempt + 1),
    });
    if (!failed) break;
    await pipeline.warn(`attempt ${attempt} failed; retrying`);
  }
  await pipeline.ok("agent succeeded");
} finally {
  await events.close();
  await pipeline.close();
  await ctx.close({ status: "succeeded" });
}

const run = await latestRun(ws, { finished: true });
const agents = (await ws.readDir(`${ctx.runDir}/agents`)).map((e) => e.name);
console.log(`bun: run ${run?.id} ${run?.status}; agent logs ${agents.join(", ")}`);
if (run?.status !== "succeeded" || agents.length !== 3) process.exit(1);
