// The viewer and the report in a hostile workspace, on this runtime's real
// filesystem: lease files that are not leases never stall `runlog serve`,
// which stops on SIGTERM whatever the files; a hard link to a file outside
// the root is never listed as a file, served, or embedded in a report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { link, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RunLogContext } from "../mod.ts";
import { createViewer, renderReport } from "../src/viewer/mod.ts";
import { nativeAdapter, tempDir } from "./_runtime.ts";
import { runlogCommand } from "./_processes.ts";

const adapter = await nativeAdapter();
const SECRET = "OUTSIDE-THE-ROOT-CANARY";

test("runlog serve answers at once and stops on SIGTERM, whatever stands at lease names", {
  timeout: 60_000,
}, async () => {
  const dir = await tempDir();
  const ws = adapter.make(dir.path);
  // Two crashed runs: one with an empty lease past 2^53, one with a FIFO as its lease.
  const past = await RunLogContext.create(ws, { heartbeatMs: 0 });
  await ws.write(`${past.runDir}/lease.9999999999999999.json`, "");
  const fifo = await RunLogContext.create(ws, { heartbeatMs: 0 });
  const [lease] = (await ws.readDir(fifo.runDir)).filter((e) => e.name.startsWith("lease."));
  await ws.remove(lease.path);
  execFileSync("mkfifo", [join(dir.path, lease.path)]);
  const done = await RunLogContext.create(ws);
  await done.close({ status: "succeeded" });

  const [command, ...prefix] = runlogCommand();
  const child = spawn(command, [...prefix, "serve", "--root", dir.path, "--no-open"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let out = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: string) => {
        out += chunk;
        const match = /^\s*(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43})$/m.exec(out);
        if (match) resolve(match[1]);
      });
      child.on("exit", (code) => reject(new Error(`serve exited (${code}): ${out}${stderr}`)));
    });
    const token = url.split("token=")[1];
    const base = url.split("?")[0];
    const ask = async (path: string) => {
      const started = Date.now();
      const response = await fetch(`${base}${path}`, {
        headers: { "X-Runlog-Token": token },
        signal: AbortSignal.timeout(5000),
      });
      assert.ok(Date.now() - started < 5000, `${path} took ${Date.now() - started} ms`);
      return response;
    };
    const listing = await ask("api/runs");
    assert.equal(listing.status, 200);
    const { runs } = await listing.json();
    const byId = new Map(runs.map((r: { id: string }) => [r.id, r]));
    const statusOf = (ctx: RunLogContext) =>
      (byId.get(ctx.runId.toString()) as { status: string; problem?: string }) ?? {};
    assert.equal(statusOf(done).status, "succeeded");
    for (const bad of [past, fifo]) {
      assert.equal(statusOf(bad).status, "unknown");
      assert.match(statusOf(bad).problem ?? "", /lease/);
      assert.equal((await ask(`api/runs/${bad.runId}`)).status, 200);
    }
    child.kill("SIGTERM");
    const code = await Promise.race([
      exited,
      new Promise((resolve) => setTimeout(() => resolve("still running"), 10_000)),
    ]);
    assert.notEqual(code, "still running", "serve ignored SIGTERM");
  } finally {
    child.kill("SIGKILL");
    await dir.remove();
  }
});

test("a hard link to a file outside is never listed, served nor embedded in a report", async () => {
  const dir = await tempDir();
  try {
    const outside = join(dir.path, "outside.txt");
    await writeFile(outside, `${SECRET}\n`);
    const root = join(dir.path, "root");
    await mkdir(root);
    const ws = adapter.make(root);
    const ctx = await RunLogContext.create(ws);
    await ctx.close({ status: "failed" });
    await link(outside, join(root, ctx.runDir, "debug", "planted.txt"));
    await link(outside, join(root, ctx.runDir, "agents", "dev_1.log"));

    const viewer = createViewer(ws);
    const get = (path: string) =>
      viewer(
        new Request(`http://127.0.0.1${path}`, { headers: { "X-Runlog-Token": viewer.token } }),
      );
    const detail = await (await get(`/api/runs/${ctx.runId}`)).json();
    const paths = detail.files.map((f: { path: string }) => f.path);
    assert.ok(!paths.includes("debug/planted.txt") && !paths.includes("agents/dev_1.log"), paths);
    const skipped = new Map(
      detail.skipped.map((s: { path: string; reason: string }) => [s.path, s.reason]),
    );
    for (const path of ["debug/planted.txt", "agents/dev_1.log"]) {
      assert.match(String(skipped.get(path)), /hard link/);
      for (const route of ["raw", "lines"]) {
        const response = await get(`/api/runs/${ctx.runId}/${route}?path=${path}`);
        assert.equal(response.status, 403, `${route} ${path}`);
        assert.ok(!(await response.text()).includes(SECRET));
      }
    }
    viewer.close();
    const { html } = await renderReport(ws, ctx.runId);
    assert.ok(!html.includes(SECRET), "the report embeds the file outside");
    assert.ok(html.includes("planted.txt"), "the report lists what it left out");
  } finally {
    await dir.remove();
  }
});
