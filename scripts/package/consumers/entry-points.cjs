// Every entry point of the package through require() (Node 20.19+, 22.12+):
// `node entry-points.cjs <empty dir>`.
const process = require("node:process");
const entries = [".", "/deno", "/node", "/bun", "/pack", "/viewer", "/cli", "/s3"];
const loaded = entries.map((entry) => require(`@ralph/runlog${entry === "." ? "" : entry}`));
const exported = loaded.map((module) => Object.keys(module).length);

import("./scenario.mjs").then(({ report }) =>
  report(`node ${process.version} require() of all 8 entry points`, async () => {
    const [lib, , { NodeWorkspace }, , { packRun, verifyPack }] = loaded;
    if (exported.some((n) => n === 0)) throw new Error(`an entry point is empty: ${exported}`);
    const root = process.argv[2];
    const ws = new NodeWorkspace(root);
    const ctx = await lib.RunLogContext.create(ws);
    await ctx.close({ status: "succeeded" });
    const archive = `${root}/run.tar.gz`;
    await packRun(ws, ctx.runId, { output: archive });
    const verified = await verifyPack(archive);
    if (!verified.ok) throw new Error(`verifyPack: ${JSON.stringify(verified.problems)}`);
    return `${exported.join("+")} exports; pack + verify`;
  })
);
