// The run viewer under load: a run of 100,000 effects opened in headless
// Chromium (from navigation to a drawn timeline answering a hover), and the
// memory of `runlog serve` while a 1 GB log streams through its log endpoint
// and is paged through. Servers under Node, and Deno and Bun when asked.
// Prints one JSON object.
//
//   node bench/viewer.ts <data dir> [--servers node,deno,bun] [--effects 100000] [--log-gb 1]
//
// Needs /usr/bin/chromium (apt-get install chromium). <data dir> gets a
// fresh workspace, removed at the end.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { NodeWorkspace } from "../src/adapters/node.ts";
import { writeViewerRun } from "../tests/fixtures/viewer_run.ts";
import { launchChromium, startServer, stopServer } from "../tests/fixtures/viewer_harness.ts";
import type { PageGlobals } from "../tests/fixtures/viewer_page.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    servers: { type: "string", default: "node" },
    effects: { type: "string", default: "100000" },
    "log-gb": { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
  },
});
const dataDir = positionals[0];
if (dataDir === undefined) {
  console.error(
    "usage: node bench/viewer.ts <data dir> [--servers node,deno,bun] [--effects N] [--log-gb G]",
  );
  process.exit(2);
}
const EFFECTS = Number(values.effects);
const LOG_BYTES = Math.round(Number(values["log-gb"]) * 1e9);
const ROUNDS = Number(values.rounds);
const root = join(dataDir, `viewer-bench-${process.pid}`);

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function writeHugeLog(path: string, bytes: number): Promise<number> {
  const line =
    "[2026-02-06T09:00:00.000Z] [INFO] step: the agent edited src/app.ts, ran the tests, all green\n";
  const block = Buffer.from(line.repeat(Math.floor(16 * 1024 * 1024 / line.length)));
  const file = await open(path, "w", 0o600);
  let written = 0;
  try {
    while (written < bytes) {
      written += (await file.write(block, 0, Math.min(block.length, bytes - written))).bytesWritten;
    }
  } finally {
    await file.close();
  }
  return written;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

mkdirSync(root, { recursive: true });
const result: Record<string, unknown> = {
  bench: "viewer",
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGB: round(totalmem() / 1e9) },
  effects: EFFECTS,
};
try {
  const ws = new NodeWorkspace(root);
  let t = performance.now();
  const run = await writeViewerRun(ws, {
    effects: EFFECTS,
    status: "failed",
    timeScale: 0.05,
    agentIterations: 20,
  });
  result.generateMs = Math.round(performance.now() - t);
  result.eventLogBytes = (await stat(join(root, run.runDir, "event_loop.log"))).size;
  t = performance.now();
  const hugePath = join(root, run.runDir, "agents/huge.log");
  result.logBytes = await writeHugeLog(hugePath, LOG_BYTES);
  result.writeLogMs = Math.round(performance.now() - t);

  const context = await launchChromium(join(root, "chromium-profile"));
  const servers: Record<string, unknown> = {};
  try {
    for (const server of values.servers!.split(",")) {
      const { child, url } = await startServer(server, root, { stderr: "inherit" });
      const base = url.split("?")[0];
      const token = url.split("token=")[1];
      const out: Record<string, unknown> = {};
      try {
        const page = context.pages()[0] ?? await context.newPage();
        await page.goto(url); // Sets the cookie; not measured.
        await page.waitForFunction(() =>
          (globalThis as unknown as PageGlobals).__runlog?.ready === true
        );
        const tti: number[] = [];
        const drawn: number[] = [];
        const hover: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          const started = Date.now();
          await page.goto(`${base}run/${run.runId}`);
          await page.waitForFunction(
            (n) =>
              (globalThis as unknown as PageGlobals).__runlog?.ready === true &&
              (globalThis as unknown as PageGlobals).__runlog.timeline.count() === n,
            run.effects,
            { timeout: 60_000, polling: 10 },
          );
          drawn.push(
            await page.evaluate(() => (globalThis as unknown as PageGlobals).__runlog.readyAt),
          );
          const bars = await page.evaluate(() => {
            const all = (globalThis as unknown as PageGlobals).__runlog.timeline.bars(0, 2000);
            return all.filter((b: { w: number }) => b.w >= 1).slice(0, 50);
          });
          const bar = bars[Math.floor(bars.length / 2)] ??
            (await page.evaluate(() =>
              (globalThis as unknown as PageGlobals).__runlog.timeline.bars(0, 1)
            ))[0];
          const box = (await page.locator("#timeline-canvas").boundingBox())!;
          const hovered = Date.now();
          await page.mouse.move(
            box.x + bar.x + Math.max(bar.w / 2, 0.5),
            box.y + bar.y + bar.h / 2,
          );
          await page.waitForFunction(
            () => (globalThis as unknown as PageGlobals).__runlog.timeline.hovered() !== null,
            null,
            {
              polling: 10,
            },
          );
          const now = Date.now();
          hover.push(now - hovered);
          tti.push(now - started);
          await page.mouse.move(0, 0);
        }
        out.timeToInteractiveMs = { median: median(tti), rounds: tti };
        out.timelineDrawnInPageMs = { median: round(median(drawn)), rounds: drawn.map(round) };
        out.hoverMs = median(hover);

        // The 1 GB log: streamed whole through the raw endpoint, then paged.
        const pid = child.pid!;
        const baseline = rssMb(pid);
        let peak = baseline;
        const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 25);
        t = performance.now();
        const response = await fetch(`${base}api/runs/${run.runId}/raw?path=agents/huge.log`, {
          headers: { "X-Runlog-Token": token },
        });
        const reader = response.body!.getReader();
        let streamed = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          streamed += value.length;
        }
        const streamMs = performance.now() - t;
        const pages: number[] = [];
        for (
          const query of [
            "dir=backward",
            `dir=forward&at=${Math.floor(LOG_BYTES / 2)}`,
            `dir=backward&before=${Math.floor(LOG_BYTES / 3)}`,
            "dir=backward&q=needle-not-there",
            "dir=backward&level=ERROR",
          ]
        ) {
          const p0 = performance.now();
          const page = await fetch(
            `${base}api/runs/${run.runId}/lines?path=agents/huge.log&limit=300&${query}`,
            {
              headers: { "X-Runlog-Token": token },
            },
          );
          await page.json();
          pages.push(round(performance.now() - p0));
        }
        clearInterval(sampler);
        out.log = {
          streamedBytes: streamed,
          streamMs: Math.round(streamMs),
          streamMBps: round(streamed / 1e6 / (streamMs / 1000)),
          pageMs: pages,
          rssBaselineMB: round(baseline),
          rssPeakMB: round(peak),
        };
      } finally {
        await stopServer(child);
      }
      servers[server] = out;
    }
  } finally {
    await context.close();
  }
  result.servers = servers;
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
