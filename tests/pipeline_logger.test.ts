import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatPipelineLine,
  MemoryWorkspace,
  parsePipelineLog,
  PipelineLogger,
  RunLogContext,
} from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";
import { hostileText, seededRandom } from "./fixtures/hostile.ts";

const AT = new Date("2026-02-06T14:03:27.123Z");
const LINE =
  /^\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\] \[(INFO|OK|WARN|ERROR|STEP)\] [^\n\r]*$/;

test("PipelineLogger writes one timestamped line per message at each level", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws);
  const log = await PipelineLogger.open(ctx, { clock: () => AT });
  await log.info("started");
  await log.ok("planning done");
  await log.warn("slow agent");
  await log.error("failed");
  await log.step("review");
  await log.close();
  assert.equal(
    await ws.read(ctx.pipelineLog()),
    [
      "[2026-02-06T14:03:27.123Z] [INFO] started",
      "[2026-02-06T14:03:27.123Z] [OK] planning done",
      "[2026-02-06T14:03:27.123Z] [WARN] slow agent",
      "[2026-02-06T14:03:27.123Z] [ERROR] failed",
      "[2026-02-06T14:03:27.123Z] [STEP] review",
      "",
    ].join("\n"),
  );
});

test("formatPipelineLine() keeps hostile messages on one line", () => {
  const hostile = [
    "ok\n[2026-02-06T14:03:27.123Z] [ERROR] forged",
    "ok\r\n[x] [ERROR] forged",
    "carriage\rreturn",
    "\u001b[31mred\u001b[0m and \u001b]0;title\u0007 and \u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\",
    "nel\u0085ls\u2028ps\u2029end",
    "nul\u0000bell\u0007del\u007f",
    "lone escape \u001b",
    "tab\tstays",
  ];
  for (const message of hostile) {
    const line = formatPipelineLine("INFO", message, AT);
    assert.ok(line.endsWith("\n"));
    const body = line.slice(0, -1);
    assert.match(body, LINE, JSON.stringify(message));
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(body, /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/);
  }
  assert.equal(
    formatPipelineLine("WARN", "\u001b[1;31mbold red\u001b[0m\nnext", AT),
    "[2026-02-06T14:03:27.123Z] [WARN] bold red\\nnext\n",
  );
  assert.equal(
    formatPipelineLine("INFO", "tab\tstays", AT),
    "[2026-02-06T14:03:27.123Z] [INFO] tab\tstays\n",
  );
  assert.equal(
    formatPipelineLine("INFO", "nul\u0000", AT),
    "[2026-02-06T14:03:27.123Z] [INFO] nul\\u0000\n",
  );
});

test("PipelineLogger.open() ends a torn last line and never truncates", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws);
  await ws.write(
    ctx.pipelineLog(),
    "[2026-02-06T14:03:27.123Z] [INFO] earlier\n[2026-02-06T14:03:2",
  );
  const log = await PipelineLogger.open(ctx, { clock: () => AT });
  await log.info("resumed");
  await log.close();
  assert.equal(
    await ws.read(ctx.pipelineLog()),
    "[2026-02-06T14:03:27.123Z] [INFO] earlier\n[2026-02-06T14:03:2\n[2026-02-06T14:03:27.123Z] [INFO] resumed\n",
  );
});

test("formatPipelineLine() escapes backslashes, so that a written \\n is not a line break", () => {
  assert.equal(
    formatPipelineLine("INFO", "C:\\new and\nnext", AT),
    "[2026-02-06T14:03:27.123Z] [INFO] C:\\\\new and\\nnext\n",
  );
  assert.equal(
    formatPipelineLine("INFO", "csi\u009b and nel\u0085", AT),
    "[2026-02-06T14:03:27.123Z] [INFO] csi\\u009b and nel\\u0085\n",
  );
});

// The local time of AT as an independent formatter writes it: `YYYY-MM-DD HH:MM:SS`.
const LOCAL_AT = new Intl.DateTimeFormat("sv-SE", {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
}).format(AT);
const LOCAL = { timestamps: "local" } as const;

test("formatPipelineLine() with local timestamps writes the Rust format, local time to the second", () => {
  assert.match(LOCAL_AT, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:27$/);
  assert.equal(
    formatPipelineLine("OK", "planning done", AT, LOCAL),
    `[${LOCAL_AT}] [OK] planning done\n`,
  );
  // Always truncated, never rounded, as chrono's %S.
  assert.equal(
    formatPipelineLine("OK", "x", new Date(AT.getTime() + 876), LOCAL),
    `[${LOCAL_AT}] [OK] x\n`,
  );
});

test("formatPipelineLine() with local timestamps indents continuation lines and shows controls as pictures", () => {
  assert.equal(
    formatPipelineLine(
      "ERROR",
      "failed:\n[x] [ERROR] forged\r\ncr\rnel\u0085ls\u2028ps\u2029\u001b[31mred\u001b[0m " +
        "nul\u0000 bel\u0007 del\u007f csi\u009b tab\t back\\n",
      AT,
      LOCAL,
    ),
    `[${LOCAL_AT}] [ERROR] failed:\n  [x] [ERROR] forged\n  cr\n  nel\n  ls\n  ps\n  red ` +
      "nul\u2400 bel\u2407 del\u2421 csi\ufffd tab\t back\\n\n",
  );
  assert.equal(formatPipelineLine("INFO", "ends\n", AT, LOCAL), `[${LOCAL_AT}] [INFO] ends\n  \n`);
});

const SEED = 0x5eed_0002;
const CASES = 3000;
// deno-lint-ignore no-control-regex
const CONTROLS_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;

test(`formatPipelineLine() lets no message forge a line in either format (${CASES} random messages, seed ${SEED})`, () => {
  const random = seededRandom(SEED);
  for (let n = 0; n < CASES; n++) {
    const message = hostileText(random) + hostileText(random);
    const where = `case ${n} of seed ${SEED}: ${JSON.stringify(message)}`;
    const utc = formatPipelineLine("WARN", message, AT);
    assert.match(utc.slice(0, -1), LINE, where);
    assert.doesNotMatch(utc.slice(0, -1), CONTROLS_BUT_TAB, where);
    const local = formatPipelineLine("WARN", message, AT, LOCAL).slice(0, -1).split("\n");
    assert.ok(local[0].startsWith(`[${LOCAL_AT}] [WARN] `), where);
    for (const line of local) assert.doesNotMatch(line, CONTROLS_BUT_TAB, where);
    for (const line of local.slice(1)) assert.ok(line.startsWith("  "), where);
    for (const text of [utc, local.join("\n")]) {
      assert.deepEqual(parsePipelineLog(text).map((e) => e.level), ["WARN"], where);
    }
  }
});

test("PipelineLogger.open() with local timestamps writes the Rust format", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws);
  const log = await PipelineLogger.open(ctx, { clock: () => AT, timestamps: "local" });
  await log.info("started");
  await log.error("two\nlines");
  await log.close();
  assert.equal(
    await ws.read(ctx.pipelineLog()),
    `[${LOCAL_AT}] [INFO] started\n[${LOCAL_AT}] [ERROR] two\n  lines\n`,
  );
});

test("PipelineLogger.open() and formatPipelineLine() refuse an unknown timestamps option", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace());
  const bad = { timestamps: "Europe/Paris" } as unknown as { timestamps: "utc" };
  const error = await throwsRunLog(() => PipelineLogger.open(ctx, bad), "invalid-argument");
  assert.match(error.message, /"Europe\/Paris".*"utc" or "local"/);
  await throwsRunLog(() => formatPipelineLine("INFO", "x", AT, bad), "invalid-argument");
});

test("PipelineLogger writes exactly the lines of formatPipelineLine, for 2000 random messages", async () => {
  const random = seededRandom(0x5eed_0077);
  const ctx = await RunLogContext.create(new MemoryWorkspace());
  let time = Date.parse("1969-12-31T23:59:58.000Z"); // Across 1970, and many seconds.
  const clock = () => new Date(time += Math.floor(random() * 700));
  const log = await PipelineLogger.open(ctx, { clock });
  const levels = ["INFO", "OK", "WARN", "ERROR", "STEP"] as const;
  let expected = "";
  for (let n = 0; n < 2000; n++) {
    const level = levels[Math.floor(random() * levels.length)];
    const message = hostileText(random);
    await log.log(level, message);
    expected += formatPipelineLine(level, message, new Date(time));
  }
  await log.close();
  assert.equal(await ctx.workspace.read(ctx.pipelineLog()), expected);
});
