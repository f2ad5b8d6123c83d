// TypeScript consumer of `await using` (type-checked only): for a tsconfig
// whose lib has Symbol.asyncDispose (esnext.disposable, esnext, or @types/node).
import { EventLoopLogger, PipelineLogger, RunLogContext } from "@ralph/runlog";
import { NodeWorkspace } from "@ralph/runlog/node";

export async function run(root: string): Promise<string> {
  const ctx = await RunLogContext.create(new NodeWorkspace(root));
  await using pipeline = await PipelineLogger.open(ctx);
  await using events = await EventLoopLogger.open(ctx);
  await using agent = (await ctx.claimAgentLog("dev", 1)).writer;
  await pipeline.step("development");
  await events.logEffect({ phase: "Development", effect: "E", event: "V", durationMs: 1 });
  await agent.write("agent output\n");
  return ctx.runDir;
}
