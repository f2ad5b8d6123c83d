// A simulated agent pipeline on the real filesystem, crash and resume included:
//   npm run demo [-- <dir>]      deno task demo [<dir>]      bun examples/demo.ts [<dir>]
//
// A first process creates a run (run.json, pipeline and event loop logs,
// agent logs) and dies in the middle of it without closing anything, as a
// crash would. The run then lists as crashed. A second process resumes it at
// once (the dead process's lease is stale on this host), continues the event
// loop sequence, retries the agent in a log of its own, and closes the run as
// succeeded. Then the demo prints the run directory, the logs and run.json.
import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  EventLoopLogger,
  EventLoopTrace,
  listRuns,
  PipelineLogger,
  RunLogContext,
  type Workspace,
} from "../mod.ts";

// The demo picks the adapter of the runtime it runs on; the library never guesses.
async function workspaceFor(root: string): Promise<Workspace> {
  if ("Deno" in globalThis) {
    return new (await import("../src/adapters/deno.ts")).DenoWorkspace(root);
  }
  if ("Bun" in globalThis) return new (await import("../src/adapters/bun.ts")).BunWorkspace(root);
  return new (await import("../src/adapters/node.ts")).NodeWorkspace(root);
}

const runtime = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : `node ${process.version}`;

// The first process: works, then dies without closing its run.
async function crashingProcess(root: string): Promise<void> {
  const ctx = await RunLogContext.create(await workspaceFor(root), {
    metadata: {
      command: "demo",
      version: "1.0.0", // the orchestrator's own version, as run.json records it
      configSummary: { developerAgent: "claude", reviewerAgent: "codex", totalIterations: 2 },
    },
  });
  console.log(`[${runtime}] pid ${process.pid} created run ${ctx.runId}`);
  const pipeline = await PipelineLogger.open(ctx);
  const events = await EventLoopLogger.open(ctx);
  const trace = new EventLoopTrace(ctx);

  await pipeline.step("planning");
  const planner = await ctx.claimAgentLog("planning", 1, {
    header: { role: "Planner", agent: "claude", phase: "Planning" },
  });
  await planner.writer.write("planner: split the task into 2 steps\n");
  await planner.writer.close();
  await events.logEffect({
    phase: "Planning",
    effect: "InvokePrompt",
    event: "PromptCompleted",
    durationMs: 812,
  });
  trace.push({ iteration: 1, effect: "InvokePrompt", event: "PromptCompleted", phase: "Planning" });
  await pipeline.ok("planning done");

  await pipeline.step("development");
  const dev = await ctx.claimAgentLog("dev", 1);
  await dev.writer.write("developer: implemented step 1, then the agent hung\n");
  await events.logEffect({
    phase: "Development",
    effect: "InvokePrompt",
    event: "AgentTimedOut",
    context: { iteration: 1, agent_index: 0 },
    durationMs: 30_000,
  });
  trace.push({
    iteration: 2,
    effect: "InvokePrompt",
    event: "AgentTimedOut",
    phase: "Development",
  });
  await trace.dump("unrecoverable_handler_error", { phase: "Development", iteration: 2 });
  await pipeline.error("dev_1 timed out; the orchestrator dies here");
  // Every line above is on disk already: nothing is flushed or closed.
  console.log(`[${runtime}] pid ${process.pid} dies without closing the run`);
  process.exit(1);
}

// The second process: resumes the crashed run and finishes it.
async function resumingProcess(root: string): Promise<void> {
  const ws = await workspaceFor(root);
  const [crashed] = (await listRuns(ws)).runs;
  console.log(`[${runtime}] run ${crashed.id} is ${crashed.status}; pid ${process.pid} resumes it`);
  const ctx = await RunLogContext.resume(ws, crashed.runId);
  const pipeline = await PipelineLogger.open(ctx);
  const events = await EventLoopLogger.open(ctx); // continues at seq 3
  try {
    await pipeline.info(`resumed by pid ${process.pid}`);
    const retry = await ctx.claimAgentLog("dev", 1); // dev_1.log exists: this is dev_1_a1.log
    await retry.writer.write("developer (retry 1): implemented steps 1 and 2\n");
    await retry.writer.close();
    const stream = await ctx.openProviderLog("claude-stream_dev_1.jsonl");
    await stream.writer.write('{"type":"message","text":"done"}\n');
    await stream.writer.close();
    await events.logEffect({
      phase: "Development",
      effect: "InvokePrompt",
      event: "PromptCompleted",
      context: { iteration: 1, agent_index: 0, retry: retry.attempt ?? 0 },
      durationMs: 4_210,
    });
    await pipeline.ok("pipeline finished");
  } finally {
    await events.close();
    await pipeline.close();
    await ctx.close({ status: "succeeded" });
  }
  await printTree(ws, ctx.runDir);
  for (const log of [ctx.pipelineLog(), ctx.eventLoopLog(), ctx.runMetadata()]) {
    console.log(`\n${log.slice(ctx.runDir.length + 1)}:\n${await ws.read(log)}`);
  }
  const [done] = (await listRuns(ws)).runs;
  console.log(`\nrun ${done.id}: ${done.status}, ${done.metadata?.sessions?.length} sessions`);
}

async function printTree(ws: Workspace, dir: string, indent = ""): Promise<void> {
  if (indent === "") console.log(`\n${ws.root}/${dir}/`);
  for (const entry of await ws.readDir(dir)) {
    if (entry.isDir) {
      console.log(`${indent}  ${entry.name}/`);
      await printTree(ws, entry.path, `${indent}  `);
    } else {
      const size = await ws.fileSize(entry.path);
      console.log(
        `${indent}  ${entry.name.padEnd(32 - indent.length)} ${String(size).padStart(6)} B`,
      );
    }
  }
}

const [mode, dir] = process.argv.slice(2);
if (mode === "--crash") {
  await crashingProcess(dir);
} else {
  const root = mode ?? await mkdtemp(join(tmpdir(), "runlog-demo-"));
  const self = fileURLToPath(import.meta.url);
  const args = "Deno" in globalThis ? ["run", "-A", self] : [self];
  const first = spawnSync(process.execPath, [...args, "--crash", root], { stdio: "inherit" });
  if (first.status !== 1) {
    throw new Error(`the first process should have died with 1, not ${first.status}`);
  }
  await resumingProcess(root);
}
