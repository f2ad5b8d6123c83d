// The readers and the local writer against files the Rust tool itself wrote
// (tests/fixtures/ralph-rust, a copy of the project's shared fixtures, kept in
// the repository so that any checkout runs them), from the inputs it was fed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  type EventLoopEntry,
  formatEventLoopLine,
  type ParsedEventLoopLine,
  parseEventLoopLine,
  parsePipelineLine,
  parsePipelineLog,
  PipelineLogReader,
} from "../mod.ts";
import { scriptCommand } from "./_runtime.ts";
import { rustLine } from "./_rust_line.ts";
import { fixture } from "./_processes.ts";

const FIXTURES = new URL("./fixtures/ralph-rust/", import.meta.url);
const read = (name: string) => readFile(new URL(name, FIXTURES), "utf8");

interface Inputs {
  time_ms: number;
  pipeline: [string, string][];
  events: {
    phase: string;
    effect: string;
    event: string;
    extra: string[];
    context: [string, string][];
    duration_ms: number;
  }[];
}
const inputs: Inputs = JSON.parse(await read("inputs.json"));
// What the Rust tool removes from pipeline messages: SGR colour sequences only.
// deno-lint-ignore no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;
// The Rust tool's lines that other inputs would have written too (1-based):
// two extra items or context pairs read the same as one holding the comma.
const AMBIGUOUS_EVENT_LINES = [3, 4, 5, 6, 7];

/** Lines of a file, without the empty string after its final newline. */
function linesOf(text: string): string[] {
  assert.ok(text.endsWith("\n"), "the fixture ends with a newline");
  return text.slice(0, -1).split("\n");
}

test("the Rust fixtures hold exactly the logs these tests read", async () => {
  const logs = (await readdir(FIXTURES)).filter((name) => name.endsWith(".log")).sort();
  assert.deepEqual(logs, ["event_loop.log", "pipeline.log"], "a new log fixture needs its test");
});

/** The entry the Rust tool logged as line `index + 1` of event_loop.log, from its input. */
function rustEntry(index: number): EventLoopEntry {
  const input = inputs.events[index];
  return {
    seq: index + 1,
    ts: "2026-02-06T14:03:27.123+00:00",
    phase: input.phase,
    effect: input.effect,
    event: input.event,
    extra: input.extra,
    context: input.context,
    durationMs: input.duration_ms,
  };
}

test("parseEventLoopLine() reads every line of the Rust tool's event_loop.log as logged", async () => {
  const lines = linesOf(await read("event_loop.log"));
  assert.equal(lines.length, inputs.events.length);
  lines.forEach((line, index) => {
    const expected: ParsedEventLoopLine = {
      ...rustEntry(index),
      dialect: "rust",
      exact: !AMBIGUOUS_EVENT_LINES.includes(index + 1),
    };
    assert.deepEqual(parseEventLoopLine(`${line}\n`), expected, `line ${index + 1}: ${line}`);
  });
});

test("rustLine() (of the tests) writes the Rust tool's lines byte for byte, as the tool does", async () => {
  const lines = linesOf(await read("event_loop.log"));
  lines.forEach((line, index) => assert.equal(rustLine(rustEntry(index)), `${line}\n`));
});

test("formatEventLoopLine() writes the Rust tool's lines byte for byte where values need no quoting", async () => {
  const lines = linesOf(await read("event_loop.log"));
  let plain = 0;
  lines.forEach((line, index) => {
    const written = formatEventLoopLine(rustEntry(index));
    if (!written.includes('"')) {
      plain++;
      assert.equal(written, `${line}\n`, `line ${index + 1}`);
    }
  });
  assert.equal(plain, 3);
});

/** The pipeline entries as the Rust tool wrote them: each input, SGR sequences removed. */
function rustPipelineEntries() {
  return inputs.pipeline.map(([level, message]) => ({
    ts: "2026-02-06 15:03:27",
    level,
    message: message.replace(SGR, ""),
    dialect: "rust",
    exact: true,
  }));
}

test("parsePipelineLog() reads every message of the Rust tool's pipeline.log as logged, colours aside", async () => {
  const entries = parsePipelineLog(await read("pipeline.log"));
  assert.deepEqual(entries, rustPipelineEntries());
  // The non-SGR escapes stay as the Rust tool wrote them; the multi-line message comes back whole.
  assert.equal(
    entries[6].message,
    "colour bold green and clear-line \u001b[2K and OSC \u001b]0;title\u0007 end",
  );
  assert.equal(entries[7].message, "multi-line error:\n  caused by: timeout\r\n  at step 2");
});

test("PipelineLogReader reads the Rust tool's pipeline.log line by line, as tail -f gets it", async () => {
  const reader = new PipelineLogReader();
  const entries: unknown[] = [];
  const lines = linesOf(await read("pipeline.log"));
  for (const line of lines) {
    const entry = reader.push(`${line}\n`);
    if (entries.at(-1) !== entry) entries.push(entry);
  }
  assert.deepEqual(entries, rustPipelineEntries());
  // Each header line alone reads too.
  const header = lines.filter((line) => line.startsWith("["));
  assert.deepEqual(header.map((line) => parsePipelineLine(line).level), [
    ...inputs.pipeline.map(([level]) => level),
  ]);
});

/** Runs a fixture script under this runtime with `TZ` set; resolves with its stdout. */
function runWithZone(zone: string, file: string, args: string[]): Promise<string> {
  const { command, args: prefix } = scriptCommand(file);
  const child = spawn(command, [...prefix, ...args], {
    env: { ...process.env, TZ: zone },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${file} exited with ${code}: ${stderr}`));
    });
  });
}

test("PipelineLogger with local timestamps writes the Rust tool's pipeline.log, in UTC+1", {
  timeout: 60_000,
}, async () => {
  const output = JSON.parse(
    await runWithZone("Etc/GMT-1", fixture("local_pipeline.ts"), [
      fileURLToPath(new URL("inputs.json", FIXTURES)),
    ]),
  );
  assert.equal(output.offsetMinutes, -60, "the child runs in UTC+1");
  const rust = linesOf(await read("pipeline.log"));
  const lines: string[] = output.lines;
  assert.equal(output.log, lines.join(""), "the logger writes what formatPipelineLine formats");
  // The plain messages, byte for byte.
  assert.deepEqual(lines.slice(0, 6), rust.slice(0, 6).map((line) => `${line}\n`));
  // The multi-line message: the Rust tool's lines, each continuation line indented.
  assert.equal(
    lines[7],
    "[2026-02-06 15:03:27] [ERROR] multi-line error:\n    caused by: timeout\n    at step 2\n",
  );
  // All escapes removed, where the Rust tool keeps those that are not colours.
  assert.equal(
    lines[6],
    "[2026-02-06 15:03:27] [INFO] colour bold green and clear-line  and OSC  end\n",
  );
  // Control characters as their pictures, where the Rust tool writes them raw.
  assert.equal(
    lines[8],
    "[2026-02-06 15:03:27] [INFO] tab\tseparated and NUL\u2400 and bell\u2407\n",
  );
});
