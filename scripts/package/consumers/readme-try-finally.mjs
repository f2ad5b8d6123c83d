// The README's "Writing logs" snippet as plain JavaScript, in its portable
// form (try/finally), which every supported runtime runs.
import * as lib from "@ralph/runlog";
import { report } from "./scenario.mjs";

const { EventLoopLogger, MemoryWorkspace, PipelineLogger, RunLogContext } = lib;
await report("README try/finally", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace());
  const pipeline = await PipelineLogger.open(ctx);
  const events = await EventLoopLogger.open(ctx);
  try {
    await pipeline.step("development");
    await events.logEffect({ phase: "Development", effect: "E", event: "V", durationMs: 1 });
  } finally {
    await events.close();
    await pipeline.close();
    await ctx.close({ status: "succeeded" });
  }
  const log = await ctx.workspace.read(ctx.pipelineLog());
  if (!log.includes("[STEP] development")) throw new Error(`pipeline.log: ${log}`);
  const late = await pipeline.info("late").then(() => "accepted", (error) => error.code);
  if (late !== "closed") throw new Error(`a write after close was ${late}`);
  return "loggers and run closed in finally";
});
