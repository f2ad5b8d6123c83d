import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatPipelineLine,
  type ParsedPipelineLine,
  parsePipelineLine,
  parsePipelineLog,
  PipelineLogReader,
} from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";
import { HOSTILE, hostileText, seededRandom } from "./fixtures/hostile.ts";

const AT = new Date("2026-02-06T14:03:27.123Z");
// The sequences formatPipelineLine removes (a copy of its rule).
// deno-lint-ignore no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;

/** An entry of a header line of the Rust format. */
function rust(ts: string, level: string, message: string): ParsedPipelineLine {
  return { ts, level, message, dialect: "rust", exact: true };
}

test("parsePipelineLine() reads runlog's UTC lines, with their time", () => {
  assert.deepEqual(parsePipelineLine("[2026-02-06T14:03:27.123Z] [OK] planning done\n"), {
    ts: "2026-02-06T14:03:27.123Z",
    time: AT,
    level: "OK",
    message: "planning done",
    dialect: "runlog",
    exact: true,
  });
});

test("parsePipelineLine() reads the Rust tool's local-time lines, without a time", () => {
  const entry = parsePipelineLine("[2026-02-06 15:03:27] [WARN] raw \\n and \u001b[2K stay\n");
  assert.deepEqual(entry, rust("2026-02-06 15:03:27", "WARN", "raw \\n and \u001b[2K stay"));
  assert.equal("time" in entry, false);
});

test("parsePipelineLine() reads any upper-case level, and a header whose trailing space was trimmed", () => {
  assert.deepEqual(
    parsePipelineLine("[2026-02-06 15:03:27] [DEBUG] x"),
    rust("2026-02-06 15:03:27", "DEBUG", "x"),
  );
  assert.deepEqual(
    parsePipelineLine("[2026-02-06 15:03:27] [INFO]"),
    rust("2026-02-06 15:03:27", "INFO", ""),
  );
  assert.deepEqual(
    parsePipelineLine("[2026-02-06 15:03:27] [INFO] "),
    rust("2026-02-06 15:03:27", "INFO", ""),
  );
});

test("parsePipelineLine() decodes runlog's escapes, and keeps, flagged, a backslash it never writes", () => {
  const read = (message: string) => {
    const { message: decoded, exact } = parsePipelineLine(
      `[2026-02-06T14:03:27.123Z] [INFO] ${message}`,
    );
    return [decoded, exact];
  };
  assert.deepEqual(read("a\\nb\\r\\\\n\\u001b\\u2028"), ["a\nb\r\\n\u001b\u2028", true]);
  // Lines of runlog before 0.2 did not escape backslashes.
  assert.deepEqual(read("C:\\Users\\x"), ["C:\\Users\\x", false]);
  assert.deepEqual(read("end\\"), ["end\\", false]);
  assert.deepEqual(read("\\u00zz"), ["\\u00zz", false]);
});

test("parsePipelineLine() refuses a line without a header, saying what to do", async () => {
  for (
    const line of [
      "",
      "  caused by: timeout",
      "[2026-02-06T14:03:2",
      "[2026-02-06 15:03:27] [info] lower-case level",
      "[2026-02-06 15:03:27][INFO] no space",
      "[2026-02-06T14:03:27.123] [INFO] no zone",
      "2026-02-06 15:03:27 [INFO] no brackets",
    ]
  ) {
    const error = await throwsRunLog(() => parsePipelineLine(line), "invalid-log-line");
    assert.ok(error.message.includes(JSON.stringify(line)), error.message);
    assert.match(error.message, /parsePipelineLog/);
  }
});

const SEED = 0x5eed_0003;
const CASES = 4000;

test(`parsePipelineLine() reads back every message formatPipelineLine writes, ANSI sequences aside (${CASES} random, seed ${SEED})`, () => {
  const random = seededRandom(SEED);
  for (const message of HOSTILE) {
    assert.equal(
      parsePipelineLine(formatPipelineLine("INFO", message, AT)).message,
      message.replace(ANSI, ""),
    );
  }
  for (let n = 0; n < CASES; n++) {
    const message = hostileText(random) + hostileText(random);
    const line = formatPipelineLine("ERROR", message, AT);
    assert.deepEqual(
      parsePipelineLine(line),
      {
        ts: "2026-02-06T14:03:27.123Z",
        time: AT,
        level: "ERROR",
        message: message.replace(ANSI, ""),
        dialect: "runlog",
        exact: true,
      },
      `case ${n} of seed ${SEED}: ${JSON.stringify(message)}`,
    );
  }
});

test("parsePipelineLog() groups the continuation lines of Rust-format entries", () => {
  const log = [
    "[2026-02-06 15:03:27] [ERROR] multi-line error:",
    "  caused by: timeout\r",
    "",
    "at step 2",
    "[2026-02-06T14:03:28.000Z] [INFO] runlog\\nline",
    "[2026-02-06 15:03:29] [OK] done",
    "",
  ].join("\n");
  assert.deepEqual(parsePipelineLog(log), [
    rust("2026-02-06 15:03:27", "ERROR", "multi-line error:\n  caused by: timeout\r\n\nat step 2"),
    {
      ts: "2026-02-06T14:03:28.000Z",
      time: new Date("2026-02-06T14:03:28.000Z"),
      level: "INFO",
      message: "runlog\nline",
      dialect: "runlog",
      exact: true,
    },
    rust("2026-02-06 15:03:29", "OK", "done"),
  ]);
});

test("parsePipelineLog() keeps text without a header apart, flagged: a torn line, or the log's start", () => {
  const orphan = (message: string): ParsedPipelineLine => ({
    ts: "",
    level: "",
    message,
    dialect: "rust",
    exact: false,
  });
  // runlog's messages never span lines: after its entry, such a line was torn by a crash.
  assert.deepEqual(
    parsePipelineLog(
      "[2026-02-06T14:03:27.123Z] [INFO] earlier\n[2026-02-06T14:03:2\n" +
        "[2026-02-06T14:03:27.123Z] [INFO] resumed\n",
    ).map((e) => [e.level, e.message, e.exact]),
    [["INFO", "earlier", true], ["", "[2026-02-06T14:03:2", false], ["INFO", "resumed", true]],
  );
  // A tail that starts inside a multi-line message: its first lines go together.
  assert.deepEqual(parsePipelineLog("  caused by: x\n  at y\n[2026-02-06 15:03:27] [OK] z"), [
    orphan("  caused by: x\n  at y"),
    rust("2026-02-06 15:03:27", "OK", "z"),
  ]);
  assert.deepEqual(parsePipelineLog(""), []);
  assert.deepEqual(parsePipelineLog("\n"), [orphan("")]);
});

test("PipelineLogReader.push() returns the entry each line belongs to, extended by continuation lines", () => {
  const reader = new PipelineLogReader();
  const first = reader.push("[2026-02-06 15:03:27] [ERROR] failed:\n");
  assert.equal(first.message, "failed:");
  assert.equal(reader.push("  timeout\n"), first);
  assert.equal(first.message, "failed:\n  timeout");
  const second = reader.push("[2026-02-06T14:03:27.123Z] [INFO] next");
  assert.notEqual(second, first);
  assert.equal(first.message, "failed:\n  timeout");
  const torn = reader.push("[2026-02-06T14:03:2");
  assert.deepEqual([torn.level, torn.exact], ["", false]);
  assert.equal(second.message, "next");
});

test("parsePipelineLog() reads runlog's local format back, continuation lines with their indent", () => {
  const text = formatPipelineLine("ERROR", "failed:\n  caused by: x", AT, { timestamps: "local" }) +
    formatPipelineLine("INFO", "next", AT, { timestamps: "local" });
  assert.deepEqual(
    parsePipelineLog(text).map((e) => [e.level, e.message, e.dialect, e.exact]),
    [["ERROR", "failed:\n    caused by: x", "rust", true], ["INFO", "next", "rust", true]],
  );
});
