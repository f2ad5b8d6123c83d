// A small agent loop under Deno, end to end:
//   deno run --allow-read --allow-write --allow-sys=hostname --allow-run examples/deno.ts [dir]
// In your project: import { ... } from "jsr:@ralph/runlog" and "jsr:@ralph/runlog/deno".
import { EventLoopLogger, listRuns, PipelineLogger, RunLogContext } from "../mod.ts";
import { DenoWorkspace } from "../src/adapters/deno.ts";

const root = Deno.args[0] ?? await Deno.makeTempDir({ prefix: "runlog-deno-" });
const ws = new DenoWorkspace(root);

// `await using` closes the loggers and the run at the end of the block,
// however it is left; the run then records no status, so set one first.
{
  await using ctx = await RunLogContext.create(ws, { metadata: { command: "agent-loop" } });
  await using pipeline = await PipelineLogger.open(ctx);
  await using events = await EventLoopLogger.open(ctx);
  for (let iteration = 1; iteration <= 3; iteration++) {
    await pipeline.step(`iteration ${iteration}`);
    const agent = await ctx.claimAgentLog("dev", iteration);
    const started = performance.now();
    await agent.writer.write(`agent output of iteration ${iteration}\n`); // The agent's stream.
    await agent.writer.close();
    await events.logEffect({
      phase: "Development",
      effect: "InvokeAgent",
      event: iteration < 3 ? "ChangesMade" : "TaskComplete",
      context: { iteration },
      durationMs: Math.round(performance.now() - started),
    });
  }
  await pipeline.ok("task complete");
  await ctx.close({ status: "succeeded" }); // `await using` then has nothing left to do.
}

const [run] = (await listRuns(ws)).runs;
console.log(`deno: run ${run.id} ${run.status} in ${ws.root}/${run.dir}`);
if (run.status !== "succeeded") Deno.exit(1);
