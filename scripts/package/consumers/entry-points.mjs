// Every entry point of the package, loaded as an ES module and used once:
// `<runtime> entry-points.mjs <empty dir>` under Node, Bun and Deno. A
// runtime dependency missing from the package fails the imports here.
import process from "node:process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as lib from "@ralph/runlog";
import { DenoWorkspace } from "@ralph/runlog/deno";
import { NodeWorkspace } from "@ralph/runlog/node";
import { BunWorkspace } from "@ralph/runlog/bun";
import { packRun, verifyPack } from "@ralph/runlog/pack";
import { createViewer, renderReport } from "@ralph/runlog/viewer";
import { runCli } from "@ralph/runlog/cli";
import { S3RunStore, S3StoreWorkspace } from "@ralph/runlog/s3";
import { report } from "./scenario.mjs";

const root = process.argv.at(-1);
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const Workspace = { deno: DenoWorkspace, bun: BunWorkspace, node: NodeWorkspace }[runtime];

await report(`${runtime} ${process.version} all 8 entry points`, async () => {
  const ws = new Workspace(root);
  const ctx = await lib.RunLogContext.create(ws, { metadata: { command: "entry-points" } });
  const log = await lib.PipelineLogger.open(ctx);
  await log.info("key sk-ant-api03-" + "A".repeat(90) + " in a line");
  await log.close();
  await ctx.close({ status: "succeeded" });

  const archive = join(root, "run.tar.gz");
  const summary = await packRun(ws, ctx.runId, { output: archive });
  const verified = await verifyPack(archive);
  check(verified.ok, `verifyPack: ${JSON.stringify(verified.problems)}`);
  const masked = Object.values(summary.redactions).reduce((a, b) => a + b, 0);
  check(masked >= 1, `packRun masked ${masked} secrets`);

  const viewer = createViewer(ws);
  const answer = await viewer(
    new Request(`http://127.0.0.1/api/runs`, { headers: { "X-Runlog-Token": viewer.token } }),
  );
  const { runs } = await answer.json();
  check(runs[0]?.id === ctx.runId.toString(), `viewer /api/runs: ${JSON.stringify(runs)}`);
  viewer.close();
  const { html } = await renderReport(ws, ctx.runId);
  check(html.startsWith("<!doctype html>"), "renderReport");
  check(!html.includes("A".repeat(90)), "the report holds the secret");

  let out = "";
  const code = await runCli(["list", "--json", "--root", root], {
    out: (text) => void (out += text),
    err: () => {},
    tty: false,
    color: false,
  });
  check(code === 0 && JSON.parse(out).runs.length === 1, `runlog list: ${code} ${out}`);
  check(
    JSON.parse(await readFile(join(root, ctx.runDir, "run.json"), "utf8")).status === "succeeded",
    "run.json",
  );
  // The S3 entry point (and aws4fetch): a store from the AWS variables, seen as a workspace.
  const store = S3RunStore.fromUrl("s3://agent-runs/team-a", {
    env: {
      AWS_ACCESS_KEY_ID: "AKIAPACKAGECHECK0001",
      AWS_SECRET_ACCESS_KEY: "package-check-secret-0123456789",
      AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9",
    },
  });
  const view = new S3StoreWorkspace(store);
  check(view.root === "s3://agent-runs/team-a", `S3StoreWorkspace root: ${view.root}`);
  const refused = await view.write(".agent/x", "x").then(() => undefined, (error) => error);
  check(refused?.code === "permission-denied", `S3StoreWorkspace write: ${refused}`);
  return "pack + verify, viewer API and report, runlog list, an S3 store view";
});

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
}
