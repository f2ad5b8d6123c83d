// TypeScript consumer: type-checked only, by tsc without @types/node, with
// the tsconfig variants of check.ts. Touches every call the runtime scenario
// makes. (In the repository, `deno check` reads it against the source.)
import {
  type AppendHandle,
  EventLoopLogger,
  EventLoopTrace,
  parseEventLoopLine,
  PipelineLogger,
  RunLogContext,
  type RunMetadata,
  type Workspace,
  WorkspaceError,
} from "@ralph/runlog";
import { BunWorkspace } from "@ralph/runlog/bun";
import { DenoWorkspace } from "@ralph/runlog/deno";
import { NodeWorkspace } from "@ralph/runlog/node";

export async function run(root: string): Promise<string> {
  const workspace: Workspace = new NodeWorkspace(root);
  const ctx: RunLogContext = await RunLogContext.create(workspace, { clock: () => new Date() });
  const metadata: RunMetadata = {
    runId: ctx.runId.toString(),
    startedAtUtc: new Date().toISOString(),
    command: "runlog-consumer",
    resume: false,
    repoRoot: workspace.root,
    ralphVersion: "0.0.0",
  };
  await ctx.writeRunMetadata(metadata);

  const pipeline = await PipelineLogger.open(ctx);
  await pipeline.step("development");
  await pipeline.close();
  const events = await EventLoopLogger.open(ctx);
  const seq: number = await events.logEffect({
    phase: "Development",
    effect: "InvokePrompt",
    event: "PromptCompleted",
    context: { iteration: 1 },
    durationMs: 12,
  });
  await events.close();
  const trace = new EventLoopTrace(ctx, { capacity: 10 });
  trace.push({ iteration: 1 });
  const tracePath: string = await trace.dump("max_iterations", { phase: "Development" });

  const agent = await ctx.claimAgentLog("dev", 1);
  const writer: AppendHandle = agent.writer;
  await writer.write("agent output\n");
  writer.writeSync(new Uint8Array([10]));
  await writer.close();
  const provider = await ctx.openProviderLog("claude-stream_dev_1.jsonl");
  await provider.writer.close();

  const resumed = await RunLogContext.resume(workspace, ctx.runId.toString());
  const read: RunMetadata = await resumed.readRunMetadata();
  const effect: string = parseEventLoopLine("1 ts=x phase=P effect=E event=V duration_ms=1").effect;
  const others: Workspace[] = [new BunWorkspace(root), new DenoWorkspace(root)];
  // The declarations are real types, not `any`:
  // @ts-expect-error: the agent index is a number
  ctx.agentLog("dev", "1");
  const failure: unknown = undefined;
  const code = failure instanceof WorkspaceError ? failure.code : "none";
  return `${seq} ${tracePath} ${read.command} ${effect} ${others.length} ${code}`;
}
