import { test } from "node:test";
import assert from "node:assert/strict";
import { type EventLoopEntry, formatEventLoopLine, parseEventLoopLine } from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";

const plain: EventLoopEntry = {
  seq: 1,
  ts: "2026-02-06T14:03:27.123Z",
  phase: "Development",
  effect: "InvokePrompt",
  event: "PromptCompleted",
  extra: [],
  context: [],
  durationMs: 1234,
};

test("formatEventLoopLine() writes the Rust original's format for plain values", () => {
  assert.equal(
    formatEventLoopLine(plain),
    "1 ts=2026-02-06T14:03:27.123Z phase=Development effect=InvokePrompt event=PromptCompleted ms=1234\n",
  );
  assert.equal(
    formatEventLoopLine({
      ...plain,
      seq: 2,
      effect: "InvokeReviewer",
      event: "ReviewCompleted",
      extra: ["CheckpointSaved", "X"],
      context: [["reviewer_pass", "2"], ["agent_index", "3"], ["retry_cycle", "1"]],
      durationMs: 5000,
    }),
    "2 ts=2026-02-06T14:03:27.123Z phase=Development effect=InvokeReviewer event=ReviewCompleted " +
      "extra=[CheckpointSaved,X] ctx=reviewer_pass=2,agent_index=3,retry_cycle=1 ms=5000\n",
  );
});

test("parseEventLoopLine() reads lines written by the Rust original", () => {
  const entry = parseEventLoopLine(
    "12 ts=2026-02-06T14:03:27.123456789+00:00 phase=Review effect=InvokeReviewer " +
      "event=ReviewCompleted extra=[CheckpointSaved] ctx=reviewer_pass=2,agent_index=3 ms=5000\n",
  );
  assert.deepEqual(entry, {
    seq: 12,
    ts: "2026-02-06T14:03:27.123456789+00:00",
    phase: "Review",
    effect: "InvokeReviewer",
    event: "ReviewCompleted",
    extra: ["CheckpointSaved"],
    context: [["reviewer_pass", "2"], ["agent_index", "3"]],
    durationMs: 5000,
  });
});

test("parseEventLoopLine() round-trips hostile values", () => {
  const hostile = [
    "",
    " ",
    "two words",
    "a=b",
    "a,b",
    'say "hi"',
    '"',
    "[x]",
    "]",
    "back\\slash",
    "\\",
    "line\nbreak",
    "cr\rlf",
    "tab\there",
    "\u0000nul",
    "esc\u001b[31mred",
    "ünïcödé ✓ 🚀",
    "\u2028sep",
    "ms=5",
    " ms=5",
    "x ctx=a=b",
    'extra=["a"]',
    "C:\\Users\\x",
    "end\\",
    '"quoted\\" twice"',
  ];
  let seq = 1;
  for (const value of hostile) {
    const entries: EventLoopEntry[] = [
      { ...plain, seq: seq++, phase: value },
      { ...plain, seq: seq++, effect: value, event: value },
      { ...plain, seq: seq++, extra: [value, value, "plain"] },
      { ...plain, seq: seq++, context: [[value, value], ["k", value], [value, "v"]] },
      { ...plain, seq: seq++, ts: value, extra: [value], context: [[value, value]] },
    ];
    for (const entry of entries) {
      const line = formatEventLoopLine(entry);
      assert.equal(line.indexOf("\n"), line.length - 1, `one line for ${JSON.stringify(value)}`);
      assert.deepEqual(parseEventLoopLine(line), entry, `round trip of ${JSON.stringify(line)}`);
    }
  }
});

test("parseEventLoopLine() refuses malformed lines, saying where", async () => {
  const bad = [
    "",
    "x ts=a phase=b effect=c event=d ms=1",
    "1 ts=a phase=b effect=c event=d",
    "1 ts=a phase=b effect=c event=d ms=",
    "1 ts=a phase=b effect=c event=d ms=1 trailing",
    "1 ts=a phase=b effect=c event=d ms=-1",
    '1 ts=a phase=b effect=c event="unterminated ms=1',
    '1 ts=a phase=b effect=c event="bad \\q escape" ms=1',
    "1 ts=a phase=b effect=c event=d extra=[a ms=1",
    "1 ts=a phase=b effect=c event=d extra=[] ms=1",
    "1 ts=a phase=b effect=c event=d ctx=k ms=1",
    "1 ts=a phase=b event=d effect=c ms=1",
    "1 ts=2026 phase=Development effect=InvokePrompt event=PromptCompl",
    "99999999999999999999 ts=a phase=b effect=c event=d ms=1",
  ];
  for (const line of bad) {
    const error = await throwsRunLog(() => parseEventLoopLine(line), "invalid-log-line");
    assert.match(error.message, /column \d+/);
  }
});

test("formatEventLoopLine() refuses durations and sequence numbers that are not whole", async () => {
  for (const durationMs of [-1, 1.5, Number.NaN, Infinity]) {
    const error = await throwsRunLog(
      () => formatEventLoopLine({ ...plain, durationMs }),
      "invalid-argument",
    );
    assert.match(error.message, /durationMs/);
  }
  await throwsRunLog(() => formatEventLoopLine({ ...plain, seq: -1 }), "invalid-argument");
});
