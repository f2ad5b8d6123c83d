// The README's "Writing logs" snippet as plain JavaScript: `await using`
// needs explicit resource management in the runtime itself.
import * as lib from "@ralph/runlog";
import { report } from "./scenario.mjs";

const { EventLoopLogger, MemoryWorkspace, PipelineLogger, RunLogContext } = lib;
await report("README await using", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace());
  let disposed;
  {
    await using pipeline = await PipelineLogger.open(ctx);
    await using events = await EventLoopLogger.open(ctx);
    await pipeline.step("development");
    await events.logEffect({ phase: "Development", effect: "E", event: "V", durationMs: 1 });
    disposed = pipeline;
  }
  const log = await ctx.workspace.read(ctx.pipelineLog());
  if (!log.includes("[STEP] development")) throw new Error(`pipeline.log: ${log}`);
  // Closed at the end of the block, so a write must now fail.
  const late = await disposed.info("late").then(() => "accepted", (error) => error.code);
  if (late !== "closed") throw new Error(`a write after the block was ${late}`);
  return "await using parsed, loggers closed at the end of the block";
});
