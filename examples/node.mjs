// A small agent loop under Node, in plain JavaScript (ESM), interrupted by
// Ctrl-C or a failure and recorded as such:
//   node examples/node.mjs [dir]
// In your project: npx jsr add @ralph/runlog, then import "@ralph/runlog"
// and "@ralph/runlog/node" (Node 20.19+, 22.12+, 24). From this checkout it
// needs Node 22.18+, which runs the TypeScript sources.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { EventLoopLogger, listRuns, PipelineLogger, RunLogContext } from "../mod.ts";
import { NodeWorkspace } from "../src/adapters/node.ts";

const ws = new NodeWorkspace(process.argv[2] ?? mkdtempSync(join(tmpdir(), "runlog-node-")));
const ctx = await RunLogContext.create(ws, { metadata: { command: "agent-loop" } });
const pipeline = await PipelineLogger.open(ctx);
const events = await EventLoopLogger.open(ctx);
let status = "succeeded";
const interrupt = () => (status = "interrupted");
process.once("SIGINT", interrupt);
try {
  for (let iteration = 1; iteration <= 5 && status === "succeeded"; iteration++) {
    // Fire and forget is safe: the line is written before the call returns,
    // and a failure is reported by the next call or by close().
    pipeline.info(`iteration ${iteration}`);
    await events.logEffect({
      phase: iteration <= 2 ? "Planning" : "Development",
      effect: "InvokeAgent",
      event: "Done",
      context: { iteration },
      durationMs: 10 * iteration,
    });
    if (iteration === 4) throw new Error("the agent produced an invalid patch");
  }
} catch (error) {
  status = "failed";
  await pipeline.error(`loop stopped: ${error.message}`);
} finally {
  process.off("SIGINT", interrupt);
  await events.close();
  await pipeline.close();
  await ctx.close({ status });
}

const [run] = (await listRuns(ws)).runs;
console.log(`node: run ${run.id} ${run.status} after ${run.metadata.sessions.length} session(s)`);
if (run.status !== "failed") process.exit(1);
