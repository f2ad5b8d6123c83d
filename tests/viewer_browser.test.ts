// The viewer in a real browser: Debian's Chromium driven by playwright-core
// (no browser download), against `runlog serve` run as a subprocess under
// each of Deno, Bun and Node. playwright-core does not load under Deno and
// Bun, so the Node run of the suite drives the browser for all three.
//
// RUNLOG_SCREENSHOTS=1 also regenerates docs/screenshots/runs.png and
// docs/screenshots/run.png (1280×800) from a realistic workspace.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseEventLoopLine, RunLogContext } from "../mod.ts";
import { NodeWorkspace } from "../src/adapters/node.ts";
import {
  CHROMIUM,
  launchChromium,
  serveCommand,
  startServer,
  stopServer,
} from "./fixtures/viewer_harness.ts";
import { writeViewerRun } from "./fixtures/viewer_run.ts";
import { runtime, tempDir } from "./_runtime.ts";
import type { Bar, PageGlobals } from "./fixtures/viewer_page.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));
const RUST = fileURLToPath(new URL("../../shared/fixtures/ralph-rust/", import.meta.url));
const SCRIPT = "<script>alert(1)</script>";
const IMG = '"><img src=x onerror=alert(1)>';

const missing = !existsSync(CHROMIUM);
const SKIP = runtime !== "node"
  ? "playwright-core does not load under Deno and Bun; the Node run drives the browser " +
    "against servers under all three runtimes"
  : missing && process.env.CI === undefined
  ? `no Chromium at ${CHROMIUM}: apt-get install chromium`
  : false;

function reportCommand(server: string, root: string, id: string, out: string): string[] {
  const serve = serveCommand(server, root);
  const prefix = serve.slice(0, serve.indexOf("serve"));
  return [...prefix, "report", id, "--root", root, "-o", out];
}

function run(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The line a pipeline logger writes, for another process to append. */
function pipelineLine(message: string): string {
  return `[${new Date().toISOString()}] [INFO] ${message}\n`;
}

if (missing && process.env.CI !== undefined && runtime === "node") {
  test("viewer in Chromium: Chromium is installed", () => {
    assert.fail(`no Chromium at ${CHROMIUM}: on CI, apt-get install chromium before the tests`);
  });
}

type Page = import("playwright-core").Page;
type Context = import("playwright-core").BrowserContext;

async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (globalThis as unknown as PageGlobals).__runlog?.ready === true,
    null,
    {
      timeout: 15_000,
    },
  );
}

/** What a page did wrong: script errors, console errors, requests elsewhere, dialogs. */
function watch(page: Page, allowed: (url: string) => boolean) {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("request", (r) => {
    if (!allowed(r.url())) problems.push(`request to ${r.url()}`);
  });
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  return problems;
}

async function checkTimeline(page: Page, logPath: string): Promise<void> {
  const expected = (await readFile(logPath, "utf8")).trimEnd().split("\n").map((l) =>
    parseEventLoopLine(l)
  );
  await page.evaluate(() => (globalThis as unknown as PageGlobals).__runlog.timeline.fit());
  const bars: Bar[] = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).__runlog.timeline.bars()
  );
  const phases: string[] = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).__runlog.timeline.phases()
  );
  assert.equal(bars.length, expected.length, "one bar per effect");
  assert.deepEqual(bars.map((b) => b.seq), expected.map((e) => e.seq), "in the log's order");
  assert.deepEqual(bars.map((b) => b.ms), expected.map((e) => e.durationMs));
  assert.deepEqual(
    bars.map((b) => phases[b.lane]),
    expected.map((e) => e.phase),
    "a lane per phase",
  );
  const scale = Number(await page.getAttribute("#timeline-canvas", "data-scale"));
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i];
    assert.ok(
      Math.abs(b.w - b.ms * scale) < 1e-6,
      `bar ${b.seq}: width proportional to its duration`,
    );
    if (i > 0) {
      assert.ok(b.x >= bars[i - 1].x + bars[i - 1].w - 1e-6, `bar ${b.seq} after the one before`);
    }
  }
  const gaps = bars.slice(1).filter((b, i) => b.x - (bars[i].x + bars[i].w) > 1e-9).length;
  assert.ok(gaps > bars.length / 2, "the gaps between effects are kept");
  // What is drawn: the colour of its phase at the middle of wide bars; the lane's background beside them.
  const colours: string[] = await page.evaluate(
    (lanes) =>
      lanes.map((l: number) => (globalThis as unknown as PageGlobals).__runlog.timeline.colour(l)),
    phases.map((_, i) => i),
  );
  const wide = bars.filter((b) => b.w >= 6).slice(0, 40);
  assert.ok(wide.length >= 5, "some bars are wide enough to sample");
  const samples = await page.evaluate((points) => {
    const canvas = (globalThis as unknown as PageGlobals).document.getElementById(
      "timeline-canvas",
    )!;
    const ratio = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext("2d")!;
    return points.map(([x, y]) => {
      const d = ctx.getImageData(Math.floor(x * ratio), Math.floor(y * ratio), 1, 1).data;
      return "#" + [d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, "0")).join("");
    });
  }, wide.map((b) => [b.x + b.w / 2, b.y + b.h / 2]));
  wide.forEach((b, i) =>
    assert.equal(samples[i], colours[b.lane], `bar ${b.seq} is drawn in its phase's colour`)
  );
  const laneOf = (lane: number) => bars.filter((b) => b.lane === lane);
  const empty: [number, number][] = [];
  for (let lane = 0; lane < phases.length && empty.length < 6; lane++) {
    const own = laneOf(lane);
    for (let i = 1; i < own.length && empty.length < 6; i++) {
      const from = own[i - 1].x + own[i - 1].w;
      if (own[i].x - from > 8) empty.push([from + (own[i].x - from) / 2, own[i].y + own[i].h / 2]);
    }
  }
  assert.ok(empty.length > 0, "some lane has room between its bars");
  const background = await page.evaluate((points) => {
    const canvas = (globalThis as unknown as PageGlobals).document.getElementById(
      "timeline-canvas",
    )!;
    const ratio = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext("2d")!;
    return points.map(([x, y]) =>
      Array.from(ctx.getImageData(Math.floor(x * ratio), Math.floor(y * ratio), 1, 1).data)
    );
  }, empty);
  for (const pixel of background) {
    assert.ok(
      pixel[0] > 240 && pixel[1] > 240 && pixel[2] > 240,
      `a gap is the lane's background, got ${pixel}`,
    );
  }
  // Hovering a bar shows its line.
  const target = wide[Math.floor(wide.length / 2)];
  const box = (await page.locator("#timeline-canvas").boundingBox())!;
  await page.mouse.move(box.x + target.x + target.w / 2, box.y + target.y + target.h / 2);
  await page.waitForFunction(
    (seq) =>
      (globalThis as unknown as PageGlobals).document.getElementById("timeline-tip")?.dataset
        .seq === String(seq),
    target.seq,
    { timeout: 2000 },
  );
  const tip = await page.textContent("#timeline-tip");
  const line = expected.find((e) => e.seq === target.seq)!;
  assert.ok(tip!.includes(`${line.seq} ts=`) && tip!.includes(`effect=${line.effect}`), tip!);
  await page.mouse.move(0, 0);
}

async function serverRound(context: Context, server: string, t: TestContext): Promise<void> {
  const latencies: number[] = [];
  const rootDir = await tempDir(`runlog-browser-${server}-`);
  const root = rootDir.path;
  const ws = new NodeWorkspace(root);
  const done = await writeViewerRun(ws, {
    effects: 150,
    status: "failed",
    seed: 7,
    command: `ralph ${SCRIPT} ${IMG}`,
  });
  const live = await writeViewerRun(ws, {
    effects: 30,
    status: "running",
    seed: 8,
    start: new Date("2026-02-07T10:00:00Z"),
  });
  const { child, url } = await startServer(server, root);
  const base = url.split("?")[0];
  const origin = base.slice(0, -1);
  try {
    // Without the token: refused.
    for (
      const path of [
        "",
        "api/runs",
        `run/${done.runId}`,
        `api/runs/${done.runId}/raw?path=run.json`,
      ]
    ) {
      const response = await fetch(base + path);
      assert.equal(response.status, 403, `${server}: /${path} without the token`);
      await response.body?.cancel();
    }
    // The browser without the token (this server's cookie is not set yet): refused.
    const stranger = await context.newPage();
    assert.equal((await stranger.goto(`${base}run/${done.runId}`))?.status(), 403);
    assert.match((await stranger.textContent("body"))!, /missing or wrong token/);
    await stranger.close();
    const page = await context.newPage();
    const problems = watch(page, (u) => u.startsWith(origin) || u.startsWith("data:"));
    try {
      // The runs page.
      await page.goto(url);
      await waitReady(page);
      assert.equal(page.url(), base, "the token leaves the address bar");
      await page.waitForSelector(`tr[data-run-id="${live.runId}"]`);
      const rows = await page.$$eval(
        "tbody tr[data-run-id]",
        (trs) => trs.map((tr) => [tr.getAttribute("data-run-id"), tr.getAttribute("data-status")]),
      );
      assert.deepEqual(rows, [[live.runId, "running"], [done.runId, "failed"]]);
      assert.match((await page.textContent(`tr[data-run-id="${live.runId}"]`))!, /live/);
      await page.selectOption("#status-filter", "failed");
      assert.equal(await page.locator("tbody tr[data-run-id]").count(), 1);

      // The finished run: timeline against event_loop.log, hostile text as text, an agent log.
      await page.goto(`${base}run/${done.runId}`);
      await waitReady(page);
      await checkTimeline(page, join(root, done.runDir, "event_loop.log"));
      assert.equal(await page.locator("img").count(), 0, "no planted element");
      assert.ok(
        (await page.textContent("#run-head"))!.includes(`ralph ${SCRIPT} ${IMG}`),
        "run.json as text",
      );
      const bars: Bar[] = await page
        .evaluate(() => (globalThis as unknown as PageGlobals).__runlog.timeline.bars(2, 3));
      const box = (await page.locator("#timeline-canvas").boundingBox())!;
      await page.mouse.click(
        box.x + bars[0].x + Math.max(bars[0].w / 2, 0.5),
        box.y + bars[0].y + bars[0].h / 2,
      );
      await page.click('#effect button[data-open="agents/dev_1.log"]');
      await page.waitForFunction(() =>
        ((globalThis as unknown as PageGlobals).__runlog.logs["agents/dev_1.log"]?.count() ?? 0) >
          10
      );
      const texts: string[] = await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).__runlog.logs["agents/dev_1.log"].texts()
      );
      assert.ok(texts.includes(`<b>not markup</b> ${IMG}`), "the agent log line as text");
      assert.equal(await page.locator(".logview b, .logview img").count(), 0);
      await page.click('button[data-tab="pipeline"]');
      await page.check('input[data-level="ERROR"]');
      await page.waitForFunction(() => {
        const texts = (globalThis as unknown as PageGlobals).__runlog.logs["pipeline.log"].texts();
        return texts.length > 0 && texts.every((t: string) => /failed|exiting/.test(t));
      });
      await page.click('button[data-tab="trace"]');
      await page.waitForSelector("#trace tbody tr");

      // The live run: lines another process appends appear within a second, across a resume.
      await page.goto(`${base}run/${live.runId}`);
      await waitReady(page);
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__runlog.live > 0);
      const before: number = await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).__runlog.timeline.count()
      );
      assert.equal(before, live.effects);
      const appendFrom = async (text: string, seq: number) => {
        const event = `${seq} ts=${
          new Date().toISOString()
        } phase=Review effect=LiveCheck event=Seen ms=5\n`;
        const script =
          `const fs=require("fs");fs.appendFileSync(${
            JSON.stringify(join(root, live.runDir, "pipeline.log"))
          },${JSON.stringify(pipelineLine(text))});` +
          `fs.appendFileSync(${JSON.stringify(join(root, live.runDir, "event_loop.log"))},${
            JSON.stringify(event)
          });`;
        const wrote = await run([process.execPath, "-e", script]);
        assert.equal(wrote.code, 0, wrote.stderr);
        const started = Date.now();
        await page.waitForFunction(
          ([marker, count]) => {
            const r = (globalThis as unknown as PageGlobals).__runlog;
            return r.logs["pipeline.log"].texts().includes(marker) && r.timeline.count() === count;
          },
          [text, seq] as const,
          { timeout: 3000, polling: 20 },
        );
        return Date.now() - started;
      };
      const first = await appendFrom(`appended by another process (${server})`, before + 1);
      assert.ok(first < 1000, `${server}: the line appeared after ${first} ms`);
      latencies.push(first);
      await live.open!.pipeline.close();
      await live.open!.events.close();
      await live.open!.ctx.close({ status: "interrupted" });
      await page.waitForFunction(
        () =>
          (globalThis as unknown as PageGlobals).document.querySelector("#run-head .badge")
            ?.textContent === "interrupted",
        null,
        { timeout: 5000 },
      );
      const resumed = await RunLogContext.resume(ws, live.runId);
      await page.waitForFunction(
        () =>
          (globalThis as unknown as PageGlobals).document.querySelector("#run-head .badge")
            ?.textContent === "running",
        null,
        { timeout: 5000 },
      );
      assert.equal(await page.locator("#sessions tbody tr").count(), 2);
      const second = await appendFrom(`appended after the resume (${server})`, before + 2);
      assert.ok(second < 1000, `${server}: after the resume, the line appeared after ${second} ms`);
      latencies.push(second);
      await resumed.close({ status: "succeeded" });

      // The two runs compared.
      await page.goto(`${base}compare/${done.runId}/${live.runId}`);
      await waitReady(page);
      assert.equal(
        await page.textContent('[data-side="A"] [data-k="effects"]'),
        String(done.effects),
      );
      assert.equal(
        await page.textContent('[data-side="B"] [data-k="effects"]'),
        String(before + 2),
      );
      assert.match((await page.textContent("#divergence"))!, /differ first at position \d+/);
      assert.ok(await page.locator("#phases tbody tr").count() >= 5);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }

    // The report, from disk.
    const out = join(root, "report.html");
    const made = await run(reportCommand(server, root, done.runId, out));
    assert.equal(made.code, 0, made.stderr);
    const report = await context.newPage();
    const reportProblems = watch(report, (u) => u.startsWith("file://") || u.startsWith("data:"));
    try {
      await report.goto(`file://${out}`);
      await waitReady(report);
      await checkTimeline(report, join(root, done.runDir, "event_loop.log"));
      assert.ok(
        await report.evaluate(() =>
          (globalThis as unknown as PageGlobals).__runlog.logs["pipeline.log"].count() > 50
        ),
      );
      assert.equal(await report.locator("img").count(), 0);
      assert.deepEqual(reportProblems, []);
    } finally {
      await report.close();
    }
    t.diagnostic(
      `${server}: runs page, run page, timeline, live lines (${
        latencies.join(" and ")
      } ms), compare, ` +
        "resume and report checked",
    );
  } finally {
    await stopServer(child);
    await rootDir.remove();
  }
}

/** A workspace for the screenshots: several runs, one of each status, and one by the Rust tool. */
async function screenshotWorkspace(root: string): Promise<{ ws: NodeWorkspace; failed: string }> {
  const ws = new NodeWorkspace(root);
  // Dates shortly before now, so that the running run's duration reads true.
  const hour = 3_600_000;
  const ago = (hours: number) =>
    new Date(Math.floor((Date.now() - hours * hour) / 60_000) * 60_000);
  await writeViewerRun(ws, {
    effects: 90,
    status: "succeeded",
    seed: 3,
    start: ago(75),
    command: "ralph --iterations 12 --prompt PROMPT.md",
  });
  await writeViewerRun(ws, {
    effects: 40,
    status: "interrupted",
    seed: 4,
    start: ago(51),
    command: "ralph --resume --reviewer codex",
  });
  const rust = join(root, ".agent/logs-2026-02-06_14-03-27.123Z");
  await mkdir(rust, { recursive: true });
  for (const file of ["run.json", "pipeline.log", "event_loop.log", "event_loop_trace.jsonl"]) {
    await copyFile(join(RUST, file), join(rust, file));
  }
  const failed = await writeViewerRun(ws, {
    effects: 160,
    status: "failed",
    seed: 5,
    start: ago(27),
    command: "ralph --iterations 40 --reviewer codex --max-fix-attempts 2",
  });
  await writeViewerRun(ws, {
    effects: 60,
    status: "running",
    seed: 6,
    start: ago(1.2),
    command: "ralph --iterations 40 --developer claude",
  });
  return { ws, failed: failed.runId };
}

test(
  "viewer in Chromium: runs and run pages, timeline, live lines and report, served by Deno, Bun and Node",
  {
    skip: SKIP,
    timeout: 300_000,
  },
  async (t) => {
    const userData = await tempDir("runlog-chromium-");
    const context = await launchChromium(userData.path);
    try {
      for (const server of ["deno", "bun", "node"]) {
        await t.test(
          `served by ${server}`,
          { timeout: 120_000 },
          (t) => serverRound(context, server, t),
        );
      }
    } finally {
      await context.close();
      await userData.remove();
    }
  },
);

test("viewer in Chromium: screenshots of the runs page and a run page", {
  skip: SKIP ||
    (process.env.RUNLOG_SCREENSHOTS !== "1" &&
      "set RUNLOG_SCREENSHOTS=1 to regenerate docs/screenshots/"),
  timeout: 120_000,
}, async () => {
  const root = await tempDir("runlog-screens-");
  const userData = await tempDir("runlog-chromium-");
  const { failed } = await screenshotWorkspace(root.path);
  const { child, url } = await startServer("node", root.path);
  const context = await launchChromium(userData.path);
  try {
    const out = join(repo, "docs/screenshots");
    await mkdir(out, { recursive: true });
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(url);
    await waitReady(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, "runs.png") });
    await page.goto(`${url.split("?")[0]}run/${failed}`);
    await waitReady(page);
    // Select a failed test run, whose agent logs the panel offers, and hover a review.
    const bars: Bar[] = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).__runlog.timeline.bars()
    );
    const box = (await page.locator("#timeline-canvas").boundingBox())!;
    const failure = bars.find((b) => b.failed && b.w > 2)!;
    await page.mouse.click(box.x + failure.x + failure.w / 2, box.y + failure.y + 4);
    const hover = bars.filter((b) => b.lane === 2 && b.w > 3)[3];
    await page.mouse.move(box.x + hover.x + hover.w / 2, box.y + hover.y + 4);
    await page.waitForSelector("#timeline-tip:not([hidden])");
    await page.screenshot({ path: join(out, "run.png") });
  } finally {
    await context.close();
    await stopServer(child);
    await root.remove();
    await userData.remove();
  }
});
