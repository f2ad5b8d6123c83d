// A small simulated agent pipeline on the real filesystem:
//   npm run demo [-- <dir>]      deno task demo [<dir>]      bun examples/demo.ts [<dir>]
// It creates a run, writes run.json, the pipeline and event loop logs, two
// agent logs and a crash trace, then resumes the run in a second process (as
// `--resume` after a crash would): the event loop sequence continues, a
// retry gets its own agent log. Then it prints the tree and the logs.
import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  EventLoopLogger,
  EventLoopTrace,
  PipelineLogger,
  RunLogContext,
  type Workspace,
} from "../mod.ts";
import { NodeWorkspace } from "../src/adapters/node.ts";

// The example picks the adapter of the runtime it runs on; the library
// itself never guesses.
async function workspaceFor(root: string): Promise<Workspace> {
  if ("Deno" in globalThis) {
    return new (await import("../src/adapters/deno.ts")).DenoWorkspace(root);
  }
  if ("Bun" in globalThis) return new (await import("../src/adapters/bun.ts")).BunWorkspace(root);
  return new NodeWorkspace(root);
}

function runtimeName(): string {
  return "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : `node ${process.version}`;
}

const effect = (phase: string, name: string, event: string, durationMs: number) => ({
  phase,
  effect: name,
  event,
  durationMs,
});

async function firstProcess(root: string): Promise<void> {
  const ws = await workspaceFor(root);
  const ctx = await RunLogContext.create(ws);
  console.log(`[${runtimeName()}] created run ${ctx.runId} in ${ws.root}`);
  await ctx.writeRunMetadata({
    runId: ctx.runId.toString(),
    startedAtUtc: new Date().toISOString(),
    command: "demo",
    resume: false,
    repoRoot: ws.root,
    ralphVersion: "0.1.0",
    pid: process.pid,
    configSummary: { developerAgent: "claude", reviewerAgent: "codex", totalIterations: 2 },
  });
  await using pipeline = await PipelineLogger.open(ctx);
  await using events = await EventLoopLogger.open(ctx);
  const trace = new EventLoopTrace(ctx);

  await pipeline.step("planning");
  const planner = await ctx.claimAgentLog("planning", 1);
  await planner.writer.write("planner: split the task into 2 steps\n");
  await planner.writer.close();
  await events.logEffect(effect("Planning", "InvokePrompt", "PromptCompleted", 812));
  trace.push({ iteration: 1, effect: "InvokePrompt", event: "PromptCompleted", phase: "Planning" });
  await pipeline.ok("planning done");

  await pipeline.step("development");
  const dev = await ctx.claimAgentLog("dev", 1);
  await dev.writer.write("developer: implemented step 1\n");
  await dev.writer.close();
  await events.logEffect({
    ...effect("Development", "InvokePrompt", "AgentTimedOut", 30_000),
    context: { iteration: 1, agent_index: 0 },
  });
  trace.push({
    iteration: 2,
    effect: "InvokePrompt",
    event: "AgentTimedOut",
    phase: "Development",
  });
  await pipeline.warn("dev_1 timed out; this process stops here");
  await trace.dump("unrecoverable_handler_error", { phase: "Development", iteration: 2 });

  // A second process picks the run up again, as a resume after a crash does.
  const self = fileURLToPath(import.meta.url);
  const args = "Deno" in globalThis ? ["run", "-A", self] : [self];
  const resumed = spawnSync(process.execPath, [...args, "--resume", ctx.runId.toString(), root], {
    stdio: "inherit",
  });
  if (resumed.status !== 0) throw new Error(`the resuming process failed (${resumed.status})`);
  await printTree(ws, ctx.runDir);
  for (const log of [ctx.pipelineLog(), ctx.eventLoopLog()]) {
    console.log(`\n${log.slice(ctx.runDir.length + 1)}:\n${await ws.read(log)}`);
  }
}

async function resumingProcess(runId: string, root: string): Promise<void> {
  const ws = await workspaceFor(root);
  const ctx = await RunLogContext.resume(ws, runId);
  console.log(`[${runtimeName()}] pid ${process.pid} resumed run ${ctx.runId}`);
  const metadata = await ctx.readRunMetadata();
  await ctx.writeRunMetadata({
    ...metadata,
    resume: true,
    command: "demo --resume",
    pid: process.pid,
  });
  await using pipeline = await PipelineLogger.open(ctx);
  await using events = await EventLoopLogger.open(ctx); // continues at seq 3
  await pipeline.info(`resumed by pid ${process.pid}`);
  const retry = await ctx.claimAgentLog("dev", 1); // dev_1.log exists: this is dev_1_a1.log
  await retry.writer.write("developer (retry 1): implemented steps 1 and 2\n");
  await retry.writer.close();
  const stream = await ctx.openProviderLog("claude-stream_dev_1.jsonl");
  await stream.writer.write('{"type":"message","text":"done"}\n');
  await stream.writer.close();
  await events.logEffect({
    ...effect("Development", "InvokePrompt", "PromptCompleted", 4_210),
    context: { iteration: 1, agent_index: 0, retry: retry.attempt ?? 0 },
  });
  await pipeline.ok("pipeline finished");
}

async function printTree(ws: Workspace, dir: string, indent = ""): Promise<void> {
  if (indent === "") console.log(`\n${ws.root}/${dir}/`);
  for (const entry of await ws.readDir(dir)) {
    if (entry.isDir) {
      console.log(`${indent}  ${entry.name}/`);
      await printTree(ws, entry.path, `${indent}  `);
    } else {
      const size = (await ws.readBytes(entry.path)).length;
      console.log(
        `${indent}  ${entry.name.padEnd(32 - indent.length)} ${String(size).padStart(6)} B`,
      );
    }
  }
}

const argv = process.argv.slice(2);
if (argv[0] === "--resume") {
  await resumingProcess(argv[1], argv[2]);
} else {
  await firstProcess(argv[0] ?? await mkdtemp(join(tmpdir(), "runlog-demo-")));
}
