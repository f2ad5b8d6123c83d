import { test } from "node:test";
import assert from "node:assert/strict";
import { formatPipelineLine, MemoryWorkspace, PipelineLogger, RunLogContext } from "../mod.ts";

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
