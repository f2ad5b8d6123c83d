// Probe, under Node: BunWorkspace needs Bun. Passes when that is reported at
// once, by the constructor; fails when the mistake surfaces later, as
// something else.
import process from "node:process";
import * as lib from "@ralph/runlog";
import { BunWorkspace } from "@ralph/runlog/bun";
import { report } from "./scenario.mjs";

const root = process.argv[2];
await report("BunWorkspace on Node fails early", async () => {
  let workspace;
  try {
    workspace = new BunWorkspace(root);
  } catch (error) {
    return `the constructor throws: ${error.message}`;
  }
  const done = [];
  try {
    const ctx = await lib.RunLogContext.create(workspace);
    done.push("create");
    const pipeline = await lib.PipelineLogger.open(ctx);
    await pipeline.info("x");
    await pipeline.close();
    done.push("pipeline log");
    await ctx.writeRunMetadata({
      runId: ctx.runId.toString(),
      startedAtUtc: new Date().toISOString(),
      command: "probe",
      resume: false,
      repoRoot: root,
      ralphVersion: "0.0.0",
    });
    done.push("writeRunMetadata");
    await ctx.readRunMetadata();
    done.push("readRunMetadata");
  } catch (error) {
    throw new Error(
      `the constructor accepts it; ${done.join(", ") || "nothing"} worked, then ` +
        `${error.name} code=${error.code} operation=${error.operation}: ${error.message}` +
        (error.cause ? ` (cause: ${error.cause.message})` : ""),
    );
  }
  throw new Error(`the constructor accepts it, and ${done.join(", ")} all work`);
});
