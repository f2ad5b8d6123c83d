// The viewer in a real browser: Debian's Chromium driven by playwright-core
// (no browser download), against `runlog serve` run as a subprocess under
// each of Deno, Bun and Node. playwright-core does not load under Deno and
// Bun, so the Node run of the suite drives the browser for all three.
//
// RUNLOG_SCREENSHOTS=1 also regenerates the README's screenshots in
// docs/screenshots/ (runs, run, stream, compare at 1280×800; dark at 760
// px) from a realistic workspace.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { EventLoopLogger, parseEventLoopLine, PipelineLogger, RunLogContext } from "../mod.ts";
import { NodeWorkspace } from "../src/adapters/node.ts";
import { isFailedEffect, parseLogName } from "../src/viewer/_effect_logs.ts";
import {
  CHROMIUM,
  launchChromium,
  serveCommand,
  startServer,
  stopServer,
} from "./fixtures/viewer_harness.ts";
import { writeViewerRun } from "./fixtures/viewer_run.ts";
import { corpusRunFiles, openaiStream } from "./fixtures/secret_corpus.ts";
import { runtime, tempDir } from "./_runtime.ts";
import type { Bar, PageGlobals } from "./fixtures/viewer_page.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));
const RUST = fileURLToPath(new URL("./fixtures/ralph-rust/", import.meta.url));
const CRASHER = fileURLToPath(new URL("./fixtures/viewer_crasher.ts", import.meta.url));
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

/** The effects of an event log, in order. */
async function effectsOf(logPath: string) {
  return (await readFile(logPath, "utf8")).trimEnd().split("\n").map((l) => parseEventLoopLine(l));
}

/** The sequence numbers of an event log's failed effects, as the page and the report count them. */
async function failedSeqs(logPath: string): Promise<number[]> {
  return (await effectsOf(logPath)).filter((e) =>
    isFailedEffect(e.event, e.extra.length ? `extra=[${e.extra.join(",")}]` : "")
  ).map((e) => e.seq);
}

/**
 * A run whose first session crashes (a process that exits without closing
 * it, after `first` effects) and which this process resumes 20 minutes
 * later for `more` effects, one of them failing, then closes with `status`.
 */
async function crashedRun(
  ws: NodeWorkspace,
  root: string,
  options: {
    start: string;
    seed: number;
    first: number;
    more: number;
    status: "succeeded" | "failed";
  },
): Promise<{ runId: string; runDir: string; effects: number; first: number }> {
  const made = await run([
    process.execPath,
    CRASHER,
    root,
    JSON.stringify({ effects: options.first, seed: options.seed, start: options.start }),
  ]);
  assert.equal(made.code, 0, made.stderr);
  const first: { runId: string; runDir: string; effects: number } = JSON.parse(made.stdout);
  const effects = await effectsOf(join(root, first.runDir, "event_loop.log"));
  let now = Date.parse(effects[effects.length - 1].ts) + 20 * 60_000;
  const clock = () => new Date(now);
  const ctx = await RunLogContext.resume(ws, first.runId, {
    clock,
    metadata: { command: "ralph --resume" },
  });
  const pipeline = await PipelineLogger.open(ctx, { clock });
  const events = await EventLoopLogger.open(ctx, { clock });
  await pipeline.warn("resumed: the last session ended without closing the run");
  for (let i = 0; i < options.more; i++) {
    const ms = 5_000 + (i % 4) * 9_000;
    now += 800 + ms;
    const iteration = 30 + Math.floor(i / 3);
    const review = i % 3 === 2;
    await events.logEffect({
      phase: review ? "Review" : "Development",
      effect: review ? "InvokeReviewerAgent" : i % 3 ? "RunTests" : "InvokeDeveloperAgent",
      event: i === 4 ? "TestsFailed" : review ? "ReviewCompleted" : "Done",
      durationMs: ms,
      context: { iteration },
    });
  }
  if (options.status === "failed") await pipeline.error("giving up after the resume");
  await pipeline.close();
  await events.close();
  await ctx.close({ status: options.status });
  return { ...first, effects: first.effects + options.more, first: first.effects };
}

/**
 * The files tab: groups in order (agents, provider, other), natural order
 * within each, the filter, and a file opened beside the list, in sight.
 */
async function checkFiles(page: Page, server: string): Promise<void> {
  await page.click('button[data-tab="files"]');
  const groups = await page.$$eval(
    ".file-group",
    (els) => els.map((e) => e.getAttribute("data-group")),
  );
  assert.deepEqual(groups, ["agents", "provider", "other"], `${server}: the groups in order`);
  const agents = await page.$$eval(
    '[data-group="agents"] button[data-file]',
    (els) => els.map((e) => e.getAttribute("data-file")!),
  );
  const byName = (a: string, b: string) => {
    const x = parseLogName(a)!;
    const y = parseLogName(b)!;
    return x.phase.localeCompare(y.phase) || x.index - y.index || x.attempt - y.attempt;
  };
  assert.ok(agents.length >= 20, `${server}: ${agents.length} agent logs`);
  assert.deepEqual(
    agents,
    [...agents].sort(byName),
    `${server}: natural order (dev_1, dev_2, dev_10)`,
  );
  assert.ok(agents.indexOf("agents/dev_2.log") < agents.indexOf("agents/dev_10.log"));
  const all = await page.locator(".file-row").count();
  await page.fill("#file-filter", "dev_1");
  const shown = await page.$$eval(
    "button[data-file]",
    (els) => els.map((e) => e.getAttribute("data-file")!),
  );
  assert.ok(shown.length >= 4 && shown.every((p) => p.includes("dev_1")), `${server}: ${shown}`);
  assert.match(
    (await page.textContent("#file-count"))!,
    new RegExp(`^${shown.length} of \\d+ files$`),
  );
  await page.fill("#file-filter", "");
  assert.equal(await page.locator(".file-row").count(), all);
  // The last agent log, at the bottom of a list taller than its box: shown beside it, in sight.
  const last = agents[agents.length - 1];
  await page.click(`button[data-file="${last}"]`);
  await page.waitForFunction(
    (p) => ((globalThis as unknown as PageGlobals).__runlog.logs[p]?.count() ?? 0) > 0,
    last,
  );
  const viewport = page.viewportSize()!;
  const list = (await page.locator(".file-list").boundingBox())!;
  const view = (await page.locator("#file-view").boundingBox())!;
  const title = (await page.locator("#file-title").boundingBox())!;
  assert.equal(await page.textContent("#file-title"), last);
  assert.ok(view.x >= list.x + list.width, `${server}: the file is beside the list`);
  assert.ok(
    list.height < viewport.height,
    `${server}: the list (${list.height} px) fits the screen`,
  );
  assert.ok(
    title.y >= 0 && title.y + title.height <= viewport.height,
    `${server}: the file's title is in sight (at ${title.y})`,
  );
  const lines = (await page.locator("#file-view .viewport").boundingBox())!;
  assert.ok(lines.y < viewport.height - 100, `${server}: its lines are in sight`);
}

/** Opens a provider stream of the files tab, and resolves its messages once shown. */
async function openStream(page: Page, path: string) {
  await page.click(`button[data-file="${path}"]`);
  await page.waitForFunction(
    (p) =>
      ((globalThis as unknown as PageGlobals).__runlog.messages[p]?.messages().length ?? 0) > 0,
    path,
    { timeout: 10_000 },
  );
  return await page.evaluate(
    (p) => (globalThis as unknown as PageGlobals).__runlog.messages[p].messages(),
    path,
  );
}

/** A provider stream as messages (role, text, tool call), and its raw lines. */
async function checkStream(
  page: Page,
  server: string,
  chatPath: string,
  chatText: string,
): Promise<void> {
  const path = "provider/claude-stream_dev_1.jsonl";
  const messages = await openStream(page, path);
  assert.deepEqual(
    messages.map((m) => m.role),
    ["system", "assistant", "user", "assistant", "user", "assistant", "result"],
    `${server}: the roles`,
  );
  assert.deepEqual(messages[1].blocks.map((b) => [b.kind, b.name ?? ""]), [["text", ""], [
    "tool_call",
    "Read",
  ]]);
  assert.equal(
    messages[1].blocks[0].text,
    "I'll read src/module_1.ts first, to see how the cache evicts entries.",
    `${server}: the text's deltas joined`,
  );
  assert.match(
    messages[1].blocks[1].text,
    /"file_path": "\/home\/dev\/project\/src\/module_1\.ts"/,
  );
  const card = page.locator(`.streamview[data-path="${path}"] .message[data-role="assistant"]`)
    .first();
  assert.equal(await card.locator(".role").textContent(), "assistant");
  assert.equal(await card.locator('[data-kind="tool_call"] .tool-name').textContent(), "Read");
  assert.match((await card.locator('[data-kind="text"]').textContent())!, /first, to see how/);
  assert.ok(
    await card.locator('[data-kind="tool_call"] pre').isVisible(),
    "the tool's input shows",
  );
  assert.equal(await page.locator(".streamview img, .streamview b").count(), 0, "text as text");
  const last = await page.locator('.streamview .message[data-role="assistant"]').last()
    .textContent();
  assert.ok(last!.includes("<b>not markup</b>"), `${server}: ${last}`);
  // The raw lines, and back.
  await page.click('button[data-view="raw"]');
  await page.waitForFunction(
    (p) => ((globalThis as unknown as PageGlobals).__runlog.logs[p]?.count() ?? 0) > 20,
    path,
  );
  assert.equal(await page.isVisible(".messages"), false);
  assert.equal(
    await page.evaluate(
      (p) => (globalThis as unknown as PageGlobals).__runlog.messages[p].raw(),
      path,
    ),
    true,
  );
  await page.click('button[data-view="messages"]');
  assert.equal(await page.isVisible(".messages"), true);
  // OpenAI Chat Completions chunks.
  const chat = await openStream(page, chatPath);
  assert.deepEqual(chat.map((m) => [m.role, m.blocks.map((b) => b.text)]), [["assistant", [
    chatText,
  ]]]);
}

/** Every failure has a marker of its own lane at Fit; clicking one picks its effect. */
async function checkFailureLane(page: Page, server: string, logPath: string): Promise<void> {
  const expected = await failedSeqs(logPath);
  assert.ok(expected.length >= 3, `${server}: ${expected.length} failures`);
  await page.evaluate(() => (globalThis as unknown as PageGlobals).__runlog.timeline.fit());
  const markers = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).__runlog.timeline.failures()
  );
  assert.deepEqual(markers.map((m) => m.seq), expected, `${server}: a marker per failure`);
  const canvas = (await page.locator("#timeline-canvas").boundingBox())!;
  for (const m of markers) assert.ok(m.x >= 0 && m.x <= canvas.width, `marker ${m.seq} at ${m.x}`);
  // Drawn: the failure colour at the top of each marker.
  const pixels = await page.evaluate((points) => {
    const c = (globalThis as unknown as PageGlobals).document.getElementById("timeline-canvas")!;
    const ratio = c.width / c.clientWidth;
    const ctx = c.getContext("2d")!;
    return points.map(([x, y]) =>
      Array.from(ctx.getImageData(Math.floor(x * ratio), Math.floor(y * ratio), 1, 1).data)
    );
  }, markers.map((m) => [m.x, m.y + 2]));
  pixels.forEach((p, i) =>
    assert.ok(p[0] > 150 && p[1] < 110 && p[2] < 110, `marker ${markers[i].seq} drawn red: ${p}`)
  );
  // Click one far from the others: it is picked, and the panel shows it as failed.
  const lone = markers.find((m, i) =>
    (i === 0 || m.x - markers[i - 1].x > 14) &&
    (i === markers.length - 1 || markers[i + 1].x - m.x > 14)
  )!;
  assert.ok(lone !== undefined, `${server}: a marker apart from the others`);
  await page.mouse.click(canvas.x + lone.x, canvas.y + lone.y + 5);
  await page.waitForFunction(
    (seq) => (globalThis as unknown as PageGlobals).__runlog.timeline.selected() === seq,
    lone.seq,
    { timeout: 3000 },
  );
  const panel = (await page.textContent("#effect h3"))!;
  assert.ok(panel.startsWith(`#${lone.seq} `) && panel.includes("failed"), panel);
  // The next failure, by its button.
  const after = expected[expected.indexOf(lone.seq) + 1] ?? expected[0];
  await page.click('button[data-step="next"]');
  assert.equal(
    await page.evaluate(() => (globalThis as unknown as PageGlobals).__runlog.timeline.selected()),
    after,
  );
}

/** A crash and a resume marked on the timeline; each session's status in the table. */
async function checkCrash(
  page: Page,
  server: string,
  crashed: { effects: number; first: number },
): Promise<void> {
  const statuses = await page.$$eval(
    "#sessions tbody tr",
    (rows) => rows.map((r) => r.getAttribute("data-status")),
  );
  assert.deepEqual(statuses, ["crashed", "succeeded"], `${server}: the sessions' statuses`);
  assert.equal(await page.textContent("#sessions tbody tr:first-child .badge"), "crashed");
  await page.evaluate(() => (globalThis as unknown as PageGlobals).__runlog.timeline.fit());
  const marks = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).__runlog.timeline.marks()
  );
  assert.deepEqual(
    marks.map((m) => m.kind),
    ["crash", "resume"],
    `${server}: ${JSON.stringify(marks)}`,
  );
  const bars: Bar[] = await page.evaluate(
    (n) => (globalThis as unknown as PageGlobals).__runlog.timeline.bars(n - 1, n + 1),
    crashed.first,
  );
  assert.ok(
    Math.abs(marks[0].x - (bars[0].x + bars[0].w)) < 1,
    "the crash after the last effect before it",
  );
  assert.ok(Math.abs(marks[1].x - bars[1].x) < 1, "the resume at the first effect after it");
  assert.equal(
    await page.evaluate(() => (globalThis as unknown as PageGlobals).__runlog.timeline.count()),
    crashed.effects,
  );
}

/**
 * Elements wider than the page that no scrolling box holds (a table in
 * `.table-scroll`, a log's viewport), and whether the page itself scrolls
 * sideways. In-page code, as text: the test is typed without the DOM.
 */
const OVERFLOW = `(() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) {
    out.push("the page is " + document.documentElement.scrollWidth + " px wide");
  }
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") {
        return p.getBoundingClientRect().right <= width + 1;
      }
    }
    return false;
  };
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || (r.right <= width + 1 && r.left >= -1)) continue;
    if (!scrolls(el)) out.push(el.tagName.toLowerCase() + "." + el.className + " to " + Math.round(r.right));
  }
  return out.slice(0, 10);
})()`;

/** The page's background and text colours, and a pixel of the timeline's background, as [r, g, b]. */
const SCHEME = `(() => {
  const rgb = (text) => (text.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 3).map(Number);
  const style = getComputedStyle(document.body);
  const canvas = document.querySelector("canvas.timeline");
  let pixel = null;
  if (canvas) pixel = Array.from(canvas.getContext("2d").getImageData(2, 2, 1, 1).data).slice(0, 3);
  return { background: rgb(style.backgroundColor), text: rgb(style.color), canvas: pixel };
})()`;

/** Relative luminance of an sRGB colour, 0 (black) to 1 (white). */
function luminance([r, g, b]: number[]): number {
  const c = [r, g, b].map((v) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/** The pages in dark mode, 760 px wide: dark colours, nothing wider than the page. */
async function darkRound(
  context: Context,
  server: string,
  base: string,
  ids: { crashed: string; compareA: string; compareB: string },
): Promise<void> {
  const page = await context.newPage();
  const problems = watch(page, (u) => u.startsWith(base.slice(0, -1)) || u.startsWith("data:"));
  try {
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize({ width: 760, height: 900 });
    const check = async (what: string, canvas: boolean) => {
      const scheme = await page.evaluate(SCHEME) as {
        background: number[];
        text: number[];
        canvas: number[] | null;
      };
      assert.ok(
        luminance(scheme.background) < 0.05,
        `${server} ${what}: background ${scheme.background}`,
      );
      assert.ok(luminance(scheme.text) > 0.6, `${server} ${what}: text ${scheme.text}`);
      if (canvas) {
        assert.ok(
          scheme.canvas !== null && luminance(scheme.canvas) < 0.05,
          `${what}: canvas ${scheme.canvas}`,
        );
      }
      assert.deepEqual(await page.evaluate(OVERFLOW), [], `${server} ${what}: wider than 760 px`);
    };
    await page.goto(base);
    await waitReady(page);
    await check("runs page", false);
    await page.goto(`${base}run/${ids.crashed}`);
    await waitReady(page);
    await check("run page", true);
    // Session dates on one line each: the sessions table's rows stay one line high.
    const heights = await page.$$eval(
      "#sessions tbody tr",
      (rows) => rows.map((r) => r.getBoundingClientRect().height),
    );
    assert.ok(heights.every((h) => h < 40), `${server}: session rows ${heights}`);
    // Narrow: the list folds once a file is open, the file in sight; the button brings the list back.
    await page.click('button[data-tab="files"]');
    await page.click('button[data-file="agents/dev_3.log"]');
    await page.waitForFunction(
      () =>
        ((globalThis as unknown as PageGlobals).__runlog.logs["agents/dev_3.log"]?.count() ?? 0) >
          0,
    );
    assert.equal(await page.isVisible("#file-groups"), false, `${server}: the list folded`);
    const title = (await page.locator("#file-title").boundingBox())!;
    assert.ok(
      title.y >= 0 && title.y + title.height <= 900,
      `${server}: the file in sight at ${title.y}`,
    );
    await check("run page with a file open", true);
    await page.click(".list-toggle");
    assert.equal(await page.isVisible("#file-groups"), true, `${server}: the list back`);
    await page.click('button[data-file="provider/claude-stream_dev_2.jsonl"]');
    await page.waitForSelector('.streamview .message[data-role="assistant"]');
    await check("run page with a stream open", true);
    await page.goto(`${base}compare/${ids.compareA}/${ids.compareB}`);
    await waitReady(page);
    await check("compare page", true);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
}

/**
 * Opening the printed URL: the token leaves the address bar and the
 * history, the cookie holds a value bound to the port, never the token, and
 * the page loads its data. A page shown at a token URL all the same (here
 * by a route of the browser) removes the token itself before it loads.
 */
async function checkLanding(
  context: Context,
  url: string,
  server: string,
  cookiesBefore: number,
): Promise<void> {
  const token = url.split("token=")[1];
  const base = url.split("?")[0];
  const port = new URL(url).port;
  const page = await context.newPage();
  try {
    await page.goto(url);
    await waitReady(page);
    await page.waitForSelector("tbody tr[data-run-id]");
    const seen = await page.evaluate(() => {
      const g = globalThis as unknown as {
        location: { href: string };
        history: { length: number };
      };
      return { href: g.location.href, entries: g.history.length };
    });
    assert.equal(seen.href, base, `${server}: the address bar holds no token`);
    // The history: the blank page it opened on, then the landing; nothing between.
    assert.equal(seen.entries, 2, `${server}: no history entry for the token URL`);
    await page.goBack();
    assert.equal(page.url(), "about:blank", `${server}: back goes to the page before`);
    const cookies = (await context.cookies(base)).filter((c) => c.name.startsWith("runlog_"));
    assert.equal(cookies.length, cookiesBefore + 1, `${server}: one cookie more`);
    const own = cookies.find((c) => c.name.startsWith(`runlog_${port}_`));
    assert.ok(own !== undefined, `${server}: a cookie named after port ${port}`);
    assert.ok(!own.value.includes(token), `${server}: the cookie does not hold the token`);
    assert.ok(own.httpOnly && own.sameSite === "Strict", `${server}: HttpOnly, SameSite=Strict`);

    // A page at a token URL: its own script removes the token from the entry.
    const html = await fetch(base, { headers: { "X-Runlog-Token": token } });
    const headers = Object.fromEntries(html.headers);
    const body = await html.text();
    const fake = `${base}?token=${token}&keep=1#top`;
    await page.route(
      (u) => u.searchParams.get("token") === token,
      (route) => route.fulfill({ status: 200, headers, body }),
    );
    await page.goto(fake);
    await waitReady(page);
    await page.waitForSelector("tbody tr[data-run-id]");
    assert.equal(
      await page.evaluate(() =>
        (globalThis as unknown as { location: { href: string } }).location.href
      ),
      `${base}?keep=1#top`,
      `${server}: the page removed the token`,
    );
  } finally {
    await page.close();
  }
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
  const crashed = await crashedRun(ws, root, {
    start: "2026-02-05T09:00:00.000Z",
    seed: 9,
    first: 40,
    more: 12,
    status: "succeeded",
  });
  // An OpenAI Chat Completions stream beside Claude Code's and Codex's.
  const chatPath = "provider/openai-chat_dev_2.jsonl";
  const chatText = "The cache test passes now: the eviction keeps the newest entries.";
  await ws.write(`${done.runDir}/${chatPath}`, openaiStream(chatText.match(/.{1,9}/g)!));
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
    // The browser without the token: refused, though it sends this server
    // the session cookies that the servers before it set on other ports.
    const elsewhere = (await context.cookies(origin)).filter((c) => c.name.startsWith("runlog_"));
    const stranger = await context.newPage();
    assert.equal((await stranger.goto(`${base}run/${done.runId}`))?.status(), 403);
    const refusal = (await stranger.textContent("body"))!;
    assert.match(refusal, /This URL needs the viewer's token/);
    assert.match(refusal, /Open the URL that runlog serve printed/);
    assert.ok(!refusal.includes(done.runId), "nothing of the run");
    assert.equal(await stranger.locator("script").count(), 0);
    await stranger.close();
    await checkLanding(context, url, server, elsewhere.length);
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
      assert.deepEqual(rows, [
        [live.runId, "running"],
        [done.runId, "failed"],
        [crashed.runId, "succeeded"],
      ]);
      assert.match((await page.textContent(`tr[data-run-id="${live.runId}"]`))!, /live/);
      await page.selectOption("#status-filter", "failed");
      assert.equal(await page.locator("tbody tr[data-run-id]").count(), 1);

      // The finished run: timeline against event_loop.log, hostile text as text, an agent log.
      await page.goto(`${base}run/${done.runId}`);
      await waitReady(page);
      await checkTimeline(page, join(root, done.runDir, "event_loop.log"));
      await checkFailureLane(page, server, join(root, done.runDir, "event_loop.log"));
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
      assert.deepEqual(
        await page.$$eval(
          "#effect button[data-open]",
          (bs) => bs.map((b) => b.getAttribute("data-open")),
        ),
        ["agents/dev_1.log", "provider/claude-stream_dev_1.jsonl"],
        "the logs of iteration 1, by logsOfEffect",
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
      await page.waitForSelector('table.trace[data-dump="event_loop_trace.jsonl"] tbody tr');
      await checkFiles(page, server);
      await checkStream(page, server, chatPath, chatText);

      // The crashed and resumed run.
      await page.goto(`${base}run/${crashed.runId}`);
      await waitReady(page);
      await checkCrash(page, server, crashed);

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
      const failures = [
        (await failedSeqs(join(root, done.runDir, "event_loop.log"))).length,
        (await failedSeqs(join(root, live.runDir, "event_loop.log"))).length,
      ];
      assert.ok(failures[0] > 0);
      assert.deepEqual(
        [
          await page.textContent('[data-side="A"] [data-k="failures"]'),
          await page.textContent('[data-side="B"] [data-k="failures"]'),
        ],
        failures.map(String),
        `${server}: failure counts`,
      );
      // Two timelines, one above the other on one axis, each from its run's start.
      const timelines = await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).__runlog.timelines!.map((t) => ({
          count: t.count(),
          scale: t.scale(),
          failures: t.failures().length,
          first: t.bars(0, 1)[0],
        }))
      );
      assert.deepEqual(timelines.map((t) => t.count), [done.effects, before + 2]);
      assert.deepEqual(timelines.map((t) => t.failures), failures);
      assert.equal(timelines[0].scale, timelines[1].scale, "the same axis");
      const canvases = await page.locator("#compare-timelines canvas.timeline").all();
      assert.equal(canvases.length, 2);
      const [boxA, boxB] = [await canvases[0].boundingBox(), await canvases[1].boundingBox()];
      assert.ok(boxA!.x === boxB!.x && boxA!.width === boxB!.width, "aligned one above the other");
      assert.ok(boxB!.y > boxA!.y + boxA!.height);
      await page.click('[data-side="A"] button[aria-label="Zoom in"]');
      await page.waitForFunction(
        (scale) => {
          const [a, b] = (globalThis as unknown as PageGlobals).__runlog.timelines!;
          return a.scale() > scale * 1.5 && a.scale() === b.scale();
        },
        timelines[0].scale,
      );
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }

    await darkRound(context, server, base, {
      crashed: crashed.runId,
      compareA: done.runId,
      compareB: crashed.runId,
    });

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
      // Its provider streams as messages too.
      await report.click('button[data-tab="files"]');
      await report.click('button[data-file="provider/claude-stream_dev_1.jsonl"]');
      await report.waitForSelector(
        '.streamview .message[data-role="assistant"] [data-kind="tool_call"]',
      );
      assert.equal(await report.locator(".streamview img").count(), 0);
      assert.deepEqual(reportProblems, []);
    } finally {
      await report.close();
    }
    t.diagnostic(
      `${server}: runs page, run page, timeline, failure lane, files, streams, crash marks, ` +
        `live lines (${
          latencies.join(" and ")
        } ms), compare, resume, dark 760 px and report checked`,
    );
  } finally {
    await stopServer(child);
    await rootDir.remove();
  }
}

/** A workspace for the screenshots: several runs, one of each status, one that crashed and was resumed, and one by the Rust tool. */
async function screenshotWorkspace(
  root: string,
): Promise<{ ws: NodeWorkspace; failed: string; succeeded: string }> {
  const ws = new NodeWorkspace(root);
  // Dates shortly before now, so that the running run's duration reads true.
  const hour = 3_600_000;
  const ago = (hours: number) =>
    new Date(Math.floor((Date.now() - hours * hour) / 60_000) * 60_000);
  const succeeded = await writeViewerRun(ws, {
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
  const failed = await crashedRun(ws, root, {
    start: ago(27).toISOString(),
    seed: 5,
    first: 110,
    more: 45,
    status: "failed",
  });
  await writeViewerRun(ws, {
    effects: 60,
    status: "running",
    seed: 6,
    start: ago(1.2),
    command: "ralph --iterations 40 --developer claude",
  });
  return { ws, failed: failed.runId, succeeded: succeeded.runId };
}

test(
  "viewer in Chromium: runs, run and compare pages, failure lane, crash marks, files, streams, dark mode at 760 px, live lines and report, served by Deno, Bun and Node",
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

/** Every probe found in `text`, mask labels set aside (they name kinds). */
function corpusLeaks(text: string, probes: readonly string[]): string[] {
  const plain = text.replace(/\[redacted:[A-Za-z0-9._-]+\]/g, "");
  return probes.filter((probe) => plain.includes(probe));
}

/**
 * The redaction corpus in the page: a finished run and a live one (its last
 * lines unfinished, its streams open), every log opened; the DOM, the log
 * views' rows and the raw downloads hold none of the planted secrets.
 */
async function corpusRound(context: Context, server: string): Promise<void> {
  const rootDir = await tempDir(`runlog-corpus-${server}-`);
  const ws = new NodeWorkspace(rootDir.path);
  const runs: { id: string; probes: string[]; files: string[]; ctx: RunLogContext }[] = [];
  for (const live of [false, true]) {
    const ctx = await RunLogContext.create(ws);
    const { files, probes } = corpusRunFiles(live);
    for (const [path, text] of files) await ws.write(`${ctx.runDir}/${path}`, text);
    if (!live) await ctx.close({ status: "succeeded" });
    runs.push({ id: `${ctx.runId}`, probes, files: [...files.keys()], ctx });
  }
  const { child, url } = await startServer(server, rootDir.path);
  const base = url.split("?")[0];
  const page = await context.newPage();
  try {
    await page.goto(url);
    await waitReady(page);
    for (const run of runs) {
      await page.goto(`${base}run/${run.id}`);
      await waitReady(page);
      if (run.ctx.runId === runs[1].ctx.runId) {
        await page.waitForSelector("#live-tail-note");
      }
      for (const path of run.files) {
        await page.click('button[data-tab="files"]');
        if (path.startsWith("provider/")) {
          // A stream shows as messages first (its deltas joined): then its raw lines.
          const messages = await openStream(page, path);
          const joined = messages.flatMap((m) => m.blocks.map((b) => b.text)).join("\n");
          assert.ok(joined.length > 1000, `${server}: ${path} messages`);
          assert.deepEqual(corpusLeaks(joined, run.probes), [], `${server}: ${path} messages`);
          assert.deepEqual(
            corpusLeaks(await page.content(), run.probes),
            [],
            `${server}: ${path} messages DOM`,
          );
          await page.click('button[data-view="raw"]');
        } else await page.click(`button[data-file="${path}"]`);
        await page.waitForFunction(
          (p) => ((globalThis as unknown as PageGlobals).__runlog.logs[p]?.count() ?? 0) > 0,
          path,
          { timeout: 10_000 },
        );
        const texts: string[] = await page.evaluate(
          (p) => (globalThis as unknown as PageGlobals).__runlog.logs[p].texts(),
          path,
        );
        assert.deepEqual(corpusLeaks(texts.join("\n"), run.probes), [], `${server}: ${path} rows`);
        assert.deepEqual(
          corpusLeaks(await page.content(), run.probes),
          [],
          `${server}: ${path} DOM`,
        );
        const raw: string = await page.evaluate(
          (u) => fetch(u).then((r) => r.text()),
          `/api/runs/${run.id}/raw?path=${encodeURIComponent(path)}`,
        );
        assert.ok(raw.length > 1000, `${server}: ${path} raw`);
        assert.deepEqual(corpusLeaks(raw, run.probes), [], `${server}: ${path} raw download`);
      }
    }
  } finally {
    await page.close();
    await stopServer(child);
    await runs[1].ctx.close();
    await rootDir.remove();
  }
}

test(
  "viewer in Chromium: no secret of the redaction corpus reaches the DOM or a raw download, served by Deno, Bun and Node",
  { skip: SKIP, timeout: 300_000 },
  async (t) => {
    const userData = await tempDir("runlog-chromium-");
    const context = await launchChromium(userData.path);
    try {
      for (const server of ["deno", "bun", "node"]) {
        await t.test(
          `served by ${server}`,
          { timeout: 120_000 },
          () => corpusRound(context, server),
        );
      }
    } finally {
      await context.close();
      await userData.remove();
    }
  },
);

test("viewer in Chromium: screenshots of the runs, run, stream, compare and dark pages", {
  skip: SKIP ||
    (process.env.RUNLOG_SCREENSHOTS !== "1" &&
      "set RUNLOG_SCREENSHOTS=1 to regenerate docs/screenshots/"),
  timeout: 120_000,
}, async () => {
  const root = await tempDir("runlog-screens-");
  const userData = await tempDir("runlog-chromium-");
  const { failed, succeeded } = await screenshotWorkspace(root.path);
  const { child, url } = await startServer("node", root.path);
  const context = await launchChromium(userData.path);
  const base = url.split("?")[0];
  try {
    const out = join(repo, "docs/screenshots");
    await mkdir(out, { recursive: true });
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(url);
    await waitReady(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, "runs.png") });
    await page.goto(`${base}run/${failed}`);
    await waitReady(page);
    // Pick a failure by its marker (its agent logs in the panel), and hover a review.
    const markers = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).__runlog.timeline.failures()
    );
    const box = (await page.locator("#timeline-canvas").boundingBox())!;
    const marker = markers[1]; // Iteration 8: it has agent logs.
    await page.mouse.click(box.x + marker.x, box.y + marker.y + 5);
    const bars: Bar[] = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).__runlog.timeline.bars()
    );
    const phases = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).__runlog.timeline.phases()
    );
    const hover = bars.filter((b) => phases[b.lane] === "Review" && b.w > 3)[3];
    await page.mouse.move(box.x + hover.x + hover.w / 2, box.y + hover.y + 4);
    await page.waitForSelector("#timeline-tip:not([hidden])");
    await page.screenshot({ path: join(out, "run.png") });
    // The files tab: a provider stream as messages, beside the grouped list.
    await page.mouse.move(0, 0);
    await page.click('button[data-tab="files"]');
    await page.click('button[data-file="provider/claude-stream_dev_3.jsonl"]');
    await page.waitForSelector('.streamview .message[data-role="result"]');
    await page.click(".streamview .tool-result summary");
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        document: { querySelector(s: string): { getBoundingClientRect(): { top: number } } };
        scrollBy(x: number, y: number): void;
      };
      g.scrollBy(0, g.document.querySelector(".tabs").getBoundingClientRect().top - 12);
    });
    await page.screenshot({ path: join(out, "stream.png") });
    await page.goto(`${base}compare/${succeeded}/${failed}`);
    await waitReady(page);
    await page.screenshot({ path: join(out, "compare.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize({ width: 760, height: 1000 });
    await page.goto(`${base}run/${failed}`);
    await waitReady(page);
    await page.screenshot({ path: join(out, "dark.png") });
  } finally {
    await context.close();
    await stopServer(child);
    await root.remove();
    await userData.remove();
  }
});
