// A small simulated agent pipeline on the real filesystem:
//   npm run demo [-- <dir>]      deno task demo [<dir>]      bun examples/demo.ts [<dir>]
// It creates a run, writes run.json and a few logs, then resumes the run in
// a second process (as `--resume` after a crash would) and prints the tree.
import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { RunLogContext, type Workspace } from "../mod.ts";
import { NodeWorkspace } from "../src/adapters/node.ts";

const encoder = new TextEncoder();

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

async function log(ws: Workspace, path: string, line: string): Promise<void> {
  await ws.appendBytes(path, encoder.encode(`[${new Date().toISOString()}] ${line}\n`));
}

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
  await log(ws, ctx.pipelineLog(), "[INFO] pipeline started");
  await log(ws, ctx.agentLog("planning", 1), "planner: split the task into 2 steps");
  await log(ws, ctx.pipelineLog(), "[OK] planning done");
  await log(ws, ctx.agentLog("dev", 1), "developer: implemented step 1");
  await log(ws, ctx.pipelineLog(), "[WARN] dev_1 timed out; the process dies here");

  // A second process picks the run up again, as a resume after a crash does.
  const self = fileURLToPath(import.meta.url);
  const args = "Deno" in globalThis ? ["run", "-A", self] : [self];
  const resumed = spawnSync(process.execPath, [...args, "--resume", ctx.runId.toString(), root], {
    stdio: "inherit",
  });
  if (resumed.status !== 0) throw new Error(`the resuming process failed (${resumed.status})`);
  await printTree(ws, ctx.runDir);
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
  await log(ws, ctx.pipelineLog(), "[INFO] resumed");
  await log(ws, ctx.agentLog("dev", 1, 1), "developer (retry 1): implemented step 1 and 2");
  await log(ws, ctx.providerLog("claude-stream_dev_1.jsonl"), '{"type":"message","text":"done"}');
  await log(ws, ctx.pipelineLog(), "[OK] pipeline finished");
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
  const root = argv[0] ?? await mkdtemp(join(tmpdir(), "runlog-demo-"));
  await firstProcess(root);
  console.log(`\npipeline.log:`);
  const ws = await workspaceFor(root);
  const runs = await ws.readDir(".agent");
  const last = runs[runs.length - 1].path;
  console.log(await ws.read(`${last}/pipeline.log`));
}
