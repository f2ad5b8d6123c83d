// The scenario every runtime consumer runs against the installed package, as
// a user would: create a run, write run.json and every log, resume the run,
// then read the files back with node:fs (not through the library) and check
// them. The library is passed in, so the entry files decide how it is loaded
// (import, require) and which workspace adapter is used.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";

/**
 * Runs the scenario; throws on the first wrong result.
 *
 * @param {object} lib The main entry point of the package (`@ralph/runlog`).
 * @param {object} workspace A workspace rooted at a fresh empty directory.
 * @param {string} root That directory, absolute.
 * @param {string} runtime Written into the logs.
 * @returns {Promise<string>} What was checked.
 */
export async function scenario(lib, workspace, root, runtime) {
  const { EventLoopLogger, EventLoopTrace, PipelineLogger, RunLogContext } = lib;
  const ctx = await RunLogContext.create(workspace, {
    metadata: { command: "runlog-consumer", version: "0.0.0" },
  });

  const pipeline = await PipelineLogger.open(ctx);
  await pipeline.step("development");
  await pipeline.info(`hello from ${runtime}`);
  await pipeline.close();

  const events = await EventLoopLogger.open(ctx);
  const seq = await events.logEffect({
    phase: "Development",
    effect: "InvokePrompt",
    event: "PromptCompleted",
    context: { iteration: 1 },
    durationMs: 12,
  });
  await events.close();

  const trace = new EventLoopTrace(ctx);
  trace.push({ iteration: 1, effect: "InvokePrompt", event: "PromptCompleted" });
  await trace.dump("max_iterations", { phase: "Development" });

  const agent = await ctx.claimAgentLog("dev", 1);
  await agent.writer.write("agent output\n");
  await agent.writer.close();
  const provider = await ctx.openProviderLog("claude-stream_dev_1.jsonl");
  await provider.writer.write('{"type":"text"}\n');
  await provider.writer.close();

  await ctx.close({ status: "interrupted" });

  // A second process resuming the run would do this.
  const resumed = await RunLogContext.resume(workspace, ctx.runId.toString());
  check(resumed.runDir === ctx.runDir, `resumed into ${resumed.runDir}, not ${ctx.runDir}`);
  const metadata = await resumed.readRunMetadata();
  check(metadata.command === "runlog-consumer", "run.json read back");
  check(metadata.sessions?.length === 2, `two sessions, not ${metadata.sessions?.length}`);
  const again = await EventLoopLogger.open(resumed);
  check(again.nextSeq === seq + 1, `sequence continues at ${again.nextSeq}, not ${seq + 1}`);
  await again.logEffect({ phase: "Review", effect: "Invoke", event: "Done", durationMs: 3 });
  await again.close();
  const retry = await resumed.claimAgentLog("dev", 1);
  check(retry.path === resumed.agentLog("dev", 1, 1), `retry claimed ${retry.path}`);
  await retry.writer.close();
  await resumed.close({ status: "succeeded" });

  // Read back with node:fs.
  const dir = join(root, ctx.runDir);
  const text = (path) => readFile(join(dir, path), "utf8");
  const runJson = await text("run.json");
  check(
    runJson.startsWith(`{\n  "run_id": "${ctx.runId}",\n  "started_at_utc": `),
    `run.json: ${runJson.slice(0, 60)}`,
  );
  const written = JSON.parse(runJson);
  check(written.pid === process.pid, "run.json pid");
  check(written.status === "succeeded", `run.json status ${written.status}`);
  check(written.sessions.map((s) => s.status).join() === "interrupted,succeeded", "sessions");
  const pipelineLines = (await text("pipeline.log")).split("\n");
  check(
    /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] \[STEP\] development$/.test(pipelineLines[0]),
    "pipeline.log",
  );
  check(pipelineLines[1].endsWith(`[INFO] hello from ${runtime}`), "pipeline.log line 2");
  const eventLines = (await text("event_loop.log")).trimEnd().split("\n");
  check(eventLines.length === 2 && eventLines[1].startsWith("2 ts="), "event_loop.log");
  const parsed = lib.parseEventLoopLine(eventLines[0]);
  check(parsed?.effect === "InvokePrompt", `event_loop.log line 1: ${eventLines[0]}`);
  const traceLines = (await text("event_loop_trace.jsonl")).trimEnd().split("\n");
  check(JSON.parse(traceLines[1]).reason === "max_iterations", "event_loop_trace.jsonl");
  check((await text("agents/dev_1.log")) === "agent output\n", "agents/dev_1.log");
  check((await text("agents/dev_1_a1.log")) === "", "agents/dev_1_a1.log");
  check((await text("provider/claude-stream_dev_1.jsonl")) === '{"type":"text"}\n', "provider log");
  // Newer versions may add files (a lease, …): required ones must be there.
  const entries = await readdir(dir);
  const expected = ["agents", "debug", "event_loop.log", "event_loop_trace.jsonl"]
    .concat(["pipeline.log", "provider", "run.json"]);
  const absent = expected.filter((name) => !entries.includes(name));
  check(absent.length === 0, `run dir lacks ${absent.join(", ")}`);
  const more = entries.filter((name) => !expected.includes(name)).sort();
  return `${ctx.runDir}: run.json, 5 logs, resume ok` +
    (more.length > 0 ? `; the run dir also holds ${more.join(", ")}` : "");
}

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
}

/**
 * Prints the one result line the harness reads, and sets the exit code.
 *
 * @param {string} name The consumer's name.
 * @param {() => Promise<string>} body The test.
 */
export async function report(name, body) {
  try {
    console.log(`RESULT ok ${name}: ${await body()}`);
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.log(`RESULT fail ${name}: ${detail.replaceAll("\n", " ")}`);
    if (error instanceof Error && error.stack) console.error(error.stack);
    process.exitCode = 1;
  }
}
