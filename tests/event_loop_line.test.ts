import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type EventLoopEntry,
  formatEventLoopLine,
  type ParsedEventLoopLine,
  parseEventLoopLine,
} from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";
import { HOSTILE, hostileText, randomList, seededRandom } from "./fixtures/hostile.ts";
import { buildEventLoopLine, writeEventLoopLine } from "../src/event_loop_line.ts";
import { LineBytes } from "../src/_line_bytes.ts";
import { isoTimestamp } from "../src/_iso_time.ts";

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

test("parseEventLoopLine() reads plain lines written by the Rust original as exact Rust lines", () => {
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
    dialect: "rust",
    exact: true,
  });
});

test("parseEventLoopLine() round-trips hostile values as exact runlog lines", () => {
  let seq = 1;
  for (const value of HOSTILE) {
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
      assert.deepEqual(
        parseEventLoopLine(line),
        { ...entry, dialect: "runlog", exact: true },
        `round trip of ${JSON.stringify(line)}`,
      );
    }
  }
});

const SEED = 0x5eed_0001;
const CASES = 4000;

test(`parseEventLoopLine() reads back exactly ${CASES} random lines of formatEventLoopLine (seed ${SEED})`, () => {
  const random = seededRandom(SEED);
  const text = () => hostileText(random);
  for (let n = 0; n < CASES; n++) {
    const entry: EventLoopEntry = {
      seq: Math.floor(random() * 1_000_000),
      ts: random() < 0.5 ? "2026-02-06T14:03:27.123Z" : text(),
      phase: text(),
      effect: text(),
      event: text(),
      extra: randomList(random, 3, text),
      context: randomList(random, 3, (): [string, string] => [text(), text()]),
      durationMs: Math.floor(random() * 10_000_000),
    };
    const line = formatEventLoopLine(entry);
    const where = `case ${n} of seed ${SEED}: ${JSON.stringify(line)}`;
    // Nothing but the final newline that any reader could take for a line break.
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(line.slice(0, -1), /[\n\r\u000b\u000c\u0085\u2028\u2029]/, where);
    assert.deepEqual(parseEventLoopLine(line), { ...entry, dialect: "runlog", exact: true }, where);
  }
});

test(`writeEventLoopLine() writes exactly the bytes of buildEventLoopLine for ${CASES} random lines`, () => {
  const random = seededRandom(SEED + 1);
  const text = () => hostileText(random);
  // Context values of every type the loggers take, not only strings.
  const anyValue = (): unknown => {
    const pick = Math.floor(random() * 8);
    if (pick === 0) return Math.floor(random() * 1e12);
    if (pick === 1) return -Math.floor(random() * 1000);
    if (pick === 2) return random() * 100;
    if (pick === 3) return random() < 0.5;
    if (pick === 4) return BigInt(Math.floor(random() * 1e9)) * 10n ** 20n;
    if (pick === 5) return { nested: text() };
    return text();
  };
  const out = new LineBytes();
  const decoder = new TextDecoder();
  for (let n = 0; n < CASES; n++) {
    const seq = Math.floor(random() * 1e15);
    const now = Math.floor(random() * 4e12) - 1e12; // Before and after 1970.
    const context = random() < 0.5
      ? Object.fromEntries(randomList(random, 3, () => [text(), anyValue()]))
      : randomList(random, 3, (): [string, unknown] => [text(), anyValue()]);
    const args = [text(), text(), text(), randomList(random, 3, anyValue), context] as const;
    const durationMs = Math.floor(random() * 1e9);
    writeEventLoopLine(out, seq, () => new Date(now), ...args, durationMs);
    const expected = buildEventLoopLine(seq, isoTimestamp(now), ...args, durationMs);
    assert.equal(decoder.decode(out.view()), expected, `case ${n} of seed ${SEED + 1}`);
    assert.equal(out.overflow, false);
  }
  const epoch = () => new Date(0);
  writeEventLoopLine(out, 1, epoch, "P", "x".repeat(2 * 1024 * 1024), "V", [], undefined, 1);
  assert.equal(out.overflow, true, "a line over 1 MiB is flagged");
});

const RUST_TS = "2026-02-06T14:03:27.123456789+00:00";

/** A Rust line around `body` (what follows `phase=`), and its reading. */
function rust(body: string): ParsedEventLoopLine {
  return parseEventLoopLine(`9 ts=${RUST_TS} phase=${body}`);
}

function pick(entry: ParsedEventLoopLine) {
  const { phase, effect, event, extra, context, durationMs, dialect, exact } = entry;
  return { phase, effect, event, extra, context, durationMs, dialect, exact };
}

test("parseEventLoopLine() reads Rust Debug text, separators inside strings and brackets included", () => {
  assert.deepEqual(
    pick(rust(
      'Awaiting Dev Fix effect=Write { path: "a event=b, ctx=c=d ms=1", tags: [x, y] } ' +
        'event=Done(Ok { note: "say \\"hi\\" ] extra=[" }) extra=[A { b: [1, 2] },C("x,y")] ' +
        "ctx=iteration=1,files=[a, b] ms=42",
    )),
    {
      phase: "Awaiting Dev Fix",
      effect: 'Write { path: "a event=b, ctx=c=d ms=1", tags: [x, y] }',
      event: 'Done(Ok { note: "say \\"hi\\" ] extra=[" })',
      extra: ["A { b: [1, 2] }", 'C("x,y")'],
      context: [["iteration", "1"], ["files", "[a, b]"]],
      durationMs: 42,
      dialect: "rust",
      exact: true,
    },
  );
  // An escaped quote does not end a string: what follows it is still inside.
  const escaped = rust('P effect=Ok { s: "\\" } event=X" } event=E ms=1');
  assert.deepEqual([escaped.effect, escaped.event, escaped.exact], [
    'Ok { s: "\\" } event=X" }',
    "E",
    true,
  ]);
  // Empty values are values: an empty context value, an empty extra item.
  assert.deepEqual(
    pick(rust("P effect=E event=V extra=[A,] ctx=empty= ms=0")),
    {
      phase: "P",
      effect: "E",
      event: "V",
      extra: ["A", ""],
      context: [["empty", ""]],
      durationMs: 0,
      dialect: "rust",
      exact: true,
    },
  );
});

test("parseEventLoopLine() flags ambiguous Rust lines, with the most plausible reading", () => {
  const cases: [string, Partial<ParsedEventLoopLine>][] = [
    // A key's text inside a value: the value could end there instead.
    ["A effect=B effect=C event=D ms=1", { phase: "A", effect: "B effect=C", event: "D" }],
    ["A effect=B event=C event=D ms=1", { effect: "B", event: "C event=D" }],
    ["A effect=B event=C ctx=k=1 event=D ms=1", { event: "C", context: [["k=1 event", "D"]] }],
    ["A effect=B event=C ctx=a=1 ctx=b=2 ms=1", { context: [["a=1 ctx=b", "2"]] }],
    // Context segments with several "=" or none.
    ["A effect=B event=C ctx=k=v=a ms=1", { context: [["k=v", "a"]] }],
    ["A effect=B event=C ctx=a=1,2,b=3 ms=1", { context: [["a", "1,2"], ["b", "3"]] }],
    ["A effect=B event=C ctx=x,y=1 ms=1", { context: [["x,y", "1"]] }],
    // Brackets or quotes that do not balance hide nothing: the first key counts.
    ["A effect=Foo( x event=Bar ms=1", { effect: "Foo( x", event: "Bar" }],
    ["A effect=Foo) x event=Bar ms=1", { effect: "Foo) x", event: "Bar" }],
    ['A effect=B event=Say "hi ctx=a=1 ms=1', { event: 'Say "hi', context: [["a", "1"]] }],
    ["A effect=B event=C extra=[Foo( x,Bar] ctx=a=1 ms=1", { extra: ["Foo( x", "Bar"] }],
    ["A effect=B event=C extra=[X] tail] ms=1", { event: "C", extra: ["X] tail"] }],
    ["A effect=B event=C ctx=a=f( 1,b=2 ms=1", { context: [["a", "f( 1"], ["b", "2"]] }],
    // Rust never quotes: quotes in a line with a Rust timestamp are text.
    ['A effect=B event="x y" ms=1', { event: '"x y"' }],
  ];
  for (const [body, expected] of cases) {
    const entry = rust(body);
    assert.deepEqual(
      pick(entry),
      { ...pick(entry), ...expected, dialect: "rust", exact: false },
      JSON.stringify(body),
    );
  }
  // Quoted values that runlog's grammar reads, in a line with a Rust timestamp.
  assert.equal(rust('A effect=B event="xy" ms=1').event, '"xy"');
  assert.equal(rust('A effect=B event="xy" ms=1').exact, false);
  // Values without spaces leave no choice: unbalanced brackets in them are just text.
  assert.deepEqual(
    pick(rust("A effect=Foo( event=Bar) extra=[X{,Y] ctx=a=f(1,b=2 ms=1")),
    {
      phase: "A",
      effect: "Foo(",
      event: "Bar)",
      extra: ["X{", "Y"],
      context: [["a", "f(1"], ["b", "2"]],
      durationMs: 1,
      dialect: "rust",
      exact: true,
    },
  );
});

test("parseEventLoopLine() names the dialect: runlog's for its lines, rust for a Rust timestamp or unquoted spaces", () => {
  const runlog = "1 ts=2026-02-06T14:03:27.123Z phase=A effect=B event=C ms=1";
  assert.equal(parseEventLoopLine(runlog).dialect, "runlog");
  assert.equal(parseEventLoopLine(runlog.replace("Z", "+00:00")).dialect, "rust");
  assert.equal(parseEventLoopLine(runlog.replace("Z", "-05:30")).dialect, "rust");
  const spaced = parseEventLoopLine(runlog.replace("phase=A", "phase=Commit Message"));
  assert.deepEqual([spaced.phase, spaced.dialect, spaced.exact], ["Commit Message", "rust", true]);
  // A quoted value that runlog's grammar reads stays runlog's without a Rust timestamp.
  const quoted = parseEventLoopLine(runlog.replace("event=C", 'event="C D"'));
  assert.deepEqual([quoted.event, quoted.dialect, quoted.exact], ["C D", "runlog", true]);
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
    `1 ts=${RUST_TS} phase=A B effect=C D event=E F`,
    `1 ts=${RUST_TS} phase=A B effect=C D event=E F ms=x`,
    `1 ts=${RUST_TS} phase=A B event=E F ms=1`,
    `1 ts=${RUST_TS} phase=A B effect=C D ms=1`,
    `1 ts=${RUST_TS} phase=A effect=C event=E extra=[] ms=1`,
    `1 ts=${RUST_TS} phase=A effect=C event=E extra=[x ms=1`,
    `1 ts=${RUST_TS} phase=A effect=C event=E ctx= ms=1`,
    `1 ts=${RUST_TS} phase=A effect=C event=E ctx=k,l ms=1`,
    `1 ts=${RUST_TS} phase=A effect=C event=E ms=99999999999999999999`,
  ];
  for (const line of bad) {
    const error = await throwsRunLog(() => parseEventLoopLine(line), "invalid-log-line");
    assert.match(error.message, /column \d+/);
    assert.ok(error.message.includes(JSON.stringify(line)), error.message);
  }
  // The reason comes from the grammar that read further: Rust's for a Rust line.
  const error = await throwsRunLog(
    () => parseEventLoopLine(`1 ts=${RUST_TS} phase=A B effect=C D event=E F`),
    "invalid-log-line",
  );
  assert.match(error.message, /expected " ms=<n>" to end it at column 72/);
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

test("writeEventLoopLine() keeps from the previous line only what repeats it, over 6000 lines that vary a little", () => {
  // Each line is the previous one with a few things changed, as in a run:
  // the bytes a line keeps (its frame, its unchanged extras and pairs) must
  // be exactly those it would write, whatever changed before or after.
  const random = seededRandom(SEED + 2);
  const names = ["Development", "Review", "a b", 'q"x', "ünï"];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const shared = { note: "mutable" }; // An object changed between lines: never kept.
  const values =
    (): unknown[] => [1, 2, 10, 0, true, "x", "two words", "", -1, 1.5, 3n, shared, null];
  let time = Date.parse("2026-02-06T14:03:27.000Z");
  let seq = 95;
  let phase = "Development";
  let effect = "InvokePrompt";
  let event = "PromptCompleted";
  let extra: unknown[] = [];
  let pairs: [string, unknown][] = [["iteration", 3], ["agent_index", 1]];
  let asObject = true;
  let durationMs = 1234;
  const out = new LineBytes();
  const decoder = new TextDecoder();
  for (let n = 0; n < 6000; n++) {
    const change = Math.floor(random() * 14);
    if (change === 0) seq += Math.floor(random() * 2000); // Across a width, at times.
    else seq++;
    if (change === 1) time += Math.floor(random() * 1500);
    else time += Math.floor(random() * 3);
    if (change === 2) phase = pick(names);
    if (change === 3) [effect, event] = [pick(names), pick(names)];
    if (change === 4) extra = randomList(random, 3, () => pick(values()));
    if (change === 5 && extra.length > 0) {
      extra[Math.floor(random() * extra.length)] = pick(values());
    }
    if (change === 6) {
      pairs = randomList(random, 4, (): [string, unknown] => [pick(names), pick(values())]);
    }
    if (change === 7 && pairs.length > 0) {
      pairs[Math.floor(random() * pairs.length)][1] = pick(values());
    }
    if (change === 8) pairs = pairs.slice(0, Math.floor(random() * pairs.length));
    if (change === 9) shared.note = hostileText(random);
    if (change === 10) asObject = !asObject;
    if (change === 11) durationMs = Math.floor(random() * 1e6);
    if (change === 12) pairs = [...pairs, [`k${n}`, pick(values())]];
    // Objects lose repeated keys: the expected line is built from what is passed.
    const context = asObject ? Object.fromEntries(pairs) : pairs.map(([k, v]) => [k, v] as const);
    const expectedContext = asObject ? Object.entries(context) : context;
    const now = time;
    writeEventLoopLine(
      out,
      seq,
      () => new Date(now),
      phase,
      effect,
      event,
      extra,
      context,
      durationMs,
    );
    const expected = buildEventLoopLine(
      seq,
      isoTimestamp(now),
      phase,
      effect,
      event,
      extra,
      expectedContext as [string, unknown][],
      durationMs,
    );
    assert.equal(decoder.decode(out.view()), expected, `line ${n} of seed ${SEED + 2}`);
  }
});

test("writeEventLoopLine() keeps nothing from a line that did not fit", () => {
  const out = new LineBytes();
  const decoder = new TextDecoder();
  const clock = () => new Date(Date.parse("2026-02-06T14:03:27.500Z"));
  const huge = "x".repeat(2 * 1024 * 1024);
  const write = (seq: number, value: unknown) =>
    writeEventLoopLine(out, seq, clock, "P", "E", "V", [], { k: value, j: 1 }, 5);
  write(10, "small");
  write(11, huge);
  assert.equal(out.overflow, true);
  write(12, "small");
  assert.equal(out.overflow, false);
  assert.equal(
    decoder.decode(out.view()),
    "12 ts=2026-02-06T14:03:27.500Z phase=P effect=E event=V ctx=k=small,j=1 ms=5\n",
  );
});

test("LineBytes.plain() takes exactly printable ASCII with tab, without backslash, at any offset", () => {
  const isPlain = (text: string) =>
    [...text].every((c) => c === "\t" || (c >= " " && c <= "~" && c !== "\\"));
  const decoder = new TextDecoder();
  const out = new LineBytes();
  const checked: string[] = [];
  for (let code = 0; code < 0x110; code++) {
    const char = String.fromCharCode(code);
    for (let length = 1; length <= 9; length++) {
      for (let at = 0; at < length; at++) {
        checked.push("a".repeat(at) + char + "b".repeat(length - at - 1));
      }
    }
  }
  checked.push("", "\u2028", "ok 🚀", "x".repeat(100) + "\u007f", "~".repeat(64), "\t".repeat(5));
  for (
    const [lead, text] of checked.flatMap((text) =>
      [0, 1, 2, 3].map((lead) => [lead, text] as const)
    )
  ) {
    out.reset();
    out.text("[".repeat(lead));
    const taken = out.plain(text);
    const where = `${JSON.stringify(text)} after ${lead} bytes`;
    assert.equal(taken, isPlain(text), where);
    assert.equal(decoder.decode(out.view()), "[".repeat(lead) + (taken ? text : ""), where);
  }
});

test("writeEventLoopLine() writes again the pairs and extras a shorter line wrote over", () => {
  const out = new LineBytes();
  const decoder = new TextDecoder();
  const clock = () => new Date(Date.parse("2026-02-06T14:03:27.500Z"));
  const lines: [unknown[], Record<string, unknown>][] = [
    [["A", "B"], { a: 1, b: 2, c: 3 }],
    [["A", "B"], { a: 1, b: 2 }],
    [["A", "B"], { a: 1, b: 2, c: 3 }],
    [["A"], { a: 1, b: 2, c: 3 }],
    [["A", "B"], { a: 1, b: 2, c: 3 }],
    [[], {}],
    [["A", "B"], { a: 1, b: 2, c: 3 }],
  ];
  for (const [n, [extra, context]] of lines.entries()) {
    writeEventLoopLine(out, 7 + n, clock, "P", "E", "V", extra, context, 5);
    const expected = buildEventLoopLine(
      7 + n,
      "2026-02-06T14:03:27.500Z",
      "P",
      "E",
      "V",
      extra,
      context,
      5,
    );
    assert.equal(decoder.decode(out.view()), expected, `line ${n}`);
  }
});
