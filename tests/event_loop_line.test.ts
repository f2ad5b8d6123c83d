import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type EventLoopEntry,
  EventLoopLogger,
  formatEventLoopLine,
  MemoryWorkspace,
  type ParsedEventLoopLine,
  parseEventLoopLine,
  RunLogContext,
} from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";
import { rustLine } from "./_rust_line.ts";
import { HOSTILE, hostileText, randomList, seededRandom } from "./fixtures/hostile.ts";
import { buildEventLoopLine } from "../src/event_loop_line.ts";
import { writeEventLoopLine } from "../src/_event_loop_line_writer.ts";
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

test("parseEventLoopLine() reads plain lines written by the Rust original as Rust lines, exact when only one entry gives them", () => {
  const line = "12 ts=2026-02-06T14:03:27.123456789+00:00 phase=Review effect=InvokeReviewer " +
    "event=ReviewCompleted extra=[CheckpointSaved] ctx=reviewer_pass=2 ms=5000\n";
  assert.deepEqual(parseEventLoopLine(line), {
    seq: 12,
    ts: "2026-02-06T14:03:27.123456789+00:00",
    phase: "Review",
    effect: "InvokeReviewer",
    event: "ReviewCompleted",
    extra: ["CheckpointSaved"],
    context: [["reviewer_pass", "2"]],
    durationMs: 5000,
    dialect: "rust",
    exact: true,
  });
  // Two pairs read as two, but Rust writes the one pair reviewer_pass="2,agent_index=3" alike.
  const two = parseEventLoopLine(
    line.replace("ctx=reviewer_pass=2", "ctx=reviewer_pass=2,agent_index=3"),
  );
  assert.deepEqual([two.context, two.exact], [
    [["reviewer_pass", "2"], ["agent_index", "3"]],
    false,
  ]);
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
      // Most plausible, not sure: Rust writes unbalanced values alike (an effect
      // 'Write { path: "a', an event 'b,', a context from 'c=d ms=1", …' on).
      exact: false,
    },
  );
  // An escaped quote does not end a string: what follows it is still inside.
  const escaped = rust('P effect=Ok { s: "\\" } event=X" } event=E ms=1');
  assert.deepEqual([escaped.effect, escaped.event, escaped.exact], [
    'Ok { s: "\\" } event=X" }',
    "E",
    false, // Two " event=": an effect 'Ok { s: "\\" }' and an event 'X" } event=E' give it too.
  ]);
  // Empty values are values: an empty context value, an empty extra item.
  assert.deepEqual(
    pick(rust("P effect=E event=V extra=[] ctx=empty= ms=0")),
    {
      phase: "P",
      effect: "E",
      event: "V",
      extra: [""],
      context: [["empty", ""]],
      durationMs: 0,
      dialect: "rust",
      exact: true,
    },
  );
  assert.deepEqual(pick(rust("P effect=E event=V extra=[A,] ms=0")).extra, ["A", ""]);
});

test("parseEventLoopLine() flags ambiguous Rust lines, with the most plausible reading", () => {
  const cases: [string, Partial<ParsedEventLoopLine>][] = [
    // A key's text inside a value: the value could end there instead.
    ["A effect=B effect=C event=D ms=1", { phase: "A", effect: "B effect=C", event: "D" }],
    ["A effect=B event=C event=D ms=1", { effect: "B", event: "C event=D" }],
    ["A effect=B event=C ctx=k=1 event=D ms=1", { event: "C", context: [["k=1 event", "D"]] }],
    ["A effect=B event=C ctx=a=1 ctx=b=2 ms=1", { context: [["a=1 ctx=b", "2"]] }],
    // The event may end at a key inside its brackets: Foo(x with the pair k="v)".
    ["A effect=B event=Foo(x ctx=k=v) ms=1", { event: "Foo(x ctx=k=v)", context: [] }],
    // Context with several "=": one pair or several, split where?
    ["A effect=B event=C ctx=k=v=a ms=1", { context: [["k=v", "a"]] }],
    ["A effect=B event=C ctx=a=1,2,b=3 ms=1", { context: [["a", "1,2"], ["b", "3"]] }],
    ["A effect=B event=C ctx=a=f( 1,b=2 ms=1", { context: [["a", "f( 1"], ["b", "2"]] }],
    ["A effect=B event=C ctx=a=1, with=2 ms=1", { context: [["a", "1"], [" with", "2"]] }],
    // Extra items with commas: one item or several?
    ["A effect=B event=C extra=[a,b,c] ms=1", { extra: ["a", "b", "c"] }],
    ["A effect=B event=C extra=[Foo( x,Bar] ctx=a=1 ms=1", { extra: ["Foo( x", "Bar"] }],
    ["A effect=B event=C extra=[X{,Y] ms=1", { extra: ["X{", "Y"] }],
    // Where the extra items end: before " ctx=", or with the line?
    ["A effect=B event=C extra=[X] ctx=k=[v] ms=1", { extra: ["X"], context: [["k", "[v]"]] }],
    ["A effect=B event=C extra=[X] ctx=k] ctx=j=v ms=1", { extra: ["X"] }],
    // Rust never quotes: quotes in a line with a Rust timestamp are text.
    ['A effect=B event="x y" ms=1', { event: '"x y"' }],
    ['A effect=B event="xy" ms=1', { event: '"xy"' }],
  ];
  for (const [body, expected] of cases) {
    const entry = rust(body);
    assert.deepEqual(
      pick(entry),
      { ...pick(entry), ...expected, dialect: "rust", exact: false },
      JSON.stringify(body),
    );
  }
  // One entry only gives these, odd as they look: exact.
  const sure: [string, Partial<ParsedEventLoopLine>][] = [
    ["A effect=B event=C ctx=x,y=1 ms=1", { context: [["x,y", "1"]] }],
    ["A effect=B event=C ctx=a=1,2 ms=1", { context: [["a", "1,2"]] }],
    ["A effect=B event=C ctx=f(=) ms=1", { context: [["f(", ")"]] }],
    ["A effect=Foo( x event=Bar ms=1", { effect: "Foo( x", event: "Bar" }],
    ["A effect=Foo) x event=Bar ms=1", { effect: "Foo) x", event: "Bar" }],
    ["A effect=Foo( event=Bar) ms=1", { effect: "Foo(", event: "Bar)" }],
    ["A effect=B ctx=x event=C ms=1", { effect: "B ctx=x", event: "C" }],
    ['A effect=B event=Say "hi ctx=a=1 ms=1', { event: 'Say "hi', context: [["a", "1"]] }],
    ["A effect=B event=C extra=[X] tail] ms=1", { event: "C", extra: ["X] tail"] }],
    ["A effect=B event=C extra=[a=b] ctx=k=v ms=1", { extra: ["a=b"], context: [["k", "v"]] }],
    ["A event=X effect=B event=C ms=1", { phase: "A event=X" }],
  ];
  for (const [body, expected] of sure) {
    const entry = rust(body);
    assert.deepEqual(
      pick(entry),
      { ...pick(entry), ...expected, dialect: "rust", exact: true },
      JSON.stringify(body),
    );
  }
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
    "1 ts=a phase=b effect=c event=d ctx=k ms=1",
    "1 ts=a phase=b event=d effect=c ms=1",
    "1 ts=2026 phase=Development effect=InvokePrompt event=PromptCompl",
    "99999999999999999999 ts=a phase=b effect=c event=d ms=1",
    `1 ts=${RUST_TS} phase=A B effect=C D event=E F`,
    `1 ts=${RUST_TS} phase=A B effect=C D event=E F ms=x`,
    `1 ts=${RUST_TS} phase=A B event=E F ms=1`,
    `1 ts=${RUST_TS} phase=A B effect=C D ms=1`,
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

// The top of the safe integers: 2^53-100 to 2^53-1, where a division by 10
// rounds up to the next integer.
const TOP_OF_RANGE = Array.from({ length: 100 }, (_, i) => Number.MAX_SAFE_INTEGER - 99 + i);

test("EventLoopLogger writes every integer from 2^53-100 to 2^53-1 exactly, as duration, context value and extra item", async () => {
  const ctx = await RunLogContext.create(new MemoryWorkspace());
  const ts = "2026-02-06T14:03:27.123Z";
  const log = await EventLoopLogger.open(ctx, { clock: () => new Date(ts) });
  for (const [i, value] of TOP_OF_RANGE.entries()) {
    // Objects and pairs take different paths through the writer: both.
    const context = i % 2 === 0 ? { n: value, small: 7 } : [["n", value], ["small", 7]] as const;
    await log.logEffect({
      phase: "P",
      effect: "E",
      event: "V",
      extra: [value],
      context,
      durationMs: value,
    });
  }
  await log.close();
  await ctx.close();
  const lines = (await ctx.workspace.read(ctx.eventLoopLog())).split(/(?<=\n)/);
  assert.equal(lines.length, TOP_OF_RANGE.length);
  for (const [i, value] of TOP_OF_RANGE.entries()) {
    const digits = String(value);
    const expected = formatEventLoopLine({
      seq: i + 1,
      ts,
      phase: "P",
      effect: "E",
      event: "V",
      extra: [digits],
      context: [["n", digits], ["small", "7"]],
      durationMs: value,
    });
    assert.equal(lines[i], expected, `value ${digits}`);
    assert.ok(lines[i].endsWith(` extra=[${digits}] ctx=n=${digits},small=7 ms=${digits}\n`));
  }
});

test("writeEventLoopLine() writes every sequence number and duration from 2^53-100 to 2^53-1 exactly", () => {
  const out = new LineBytes();
  const decoder = new TextDecoder();
  const now = Date.parse("2026-02-06T14:03:27.123Z");
  for (const value of TOP_OF_RANGE) {
    // One line after another, as the logger writes them: the frame is kept
    // and the sequence number written over it.
    writeEventLoopLine(
      out,
      value,
      () => new Date(now),
      "P",
      "E",
      "V",
      [value],
      { n: value },
      value,
    );
    const line = decoder.decode(out.view());
    const digits = String(value);
    assert.equal(
      line,
      formatEventLoopLine({
        seq: value,
        ts: "2026-02-06T14:03:27.123Z",
        phase: "P",
        effect: "E",
        event: "V",
        extra: [digits],
        context: [["n", digits]],
        durationMs: value,
      }),
    );
    assert.ok(line.startsWith(`${digits} ts=`) && line.endsWith(` ms=${digits}\n`), line);
  }
});

/** A random safe integer: of 1 to 16 digits alike, and often at the very top of the range. */
function randomSafeInteger(random: () => number): number {
  if (random() < 0.2) return Number.MAX_SAFE_INTEGER - Math.floor(random() * 200);
  const width = 1 + Math.floor(random() * 16);
  let digits = String(1 + Math.floor(random() * 9));
  while (digits.length < width) digits += String(Math.floor(random() * 10));
  return Number(BigInt(digits) % (2n ** 53n)); // 16 digits may pass 2^53: wrapped, still safe.
}

/** A value as the line writers write it: numbers and booleans as String, objects as JSON. */
function written(value: unknown): string {
  return typeof value === "string"
    ? value
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
}

test(`writeEventLoopLine() and formatEventLoopLine() agree on ${CASES} random records, numbers of every width included (seed ${SEED + 3})`, () => {
  const random = seededRandom(SEED + 3);
  const text = () => hostileText(random);
  const anyValue = (): unknown => {
    const pick = Math.floor(random() * 5);
    if (pick === 0 || pick === 1) return randomSafeInteger(random);
    if (pick === 2) return random() < 0.5;
    if (pick === 3) return { note: text(), n: randomSafeInteger(random) };
    return text();
  };
  const out = new LineBytes();
  const decoder = new TextDecoder();
  for (let n = 0; n < CASES; n++) {
    const seq = randomSafeInteger(random);
    const durationMs = randomSafeInteger(random);
    const now = Math.floor(random() * 4e12); // 1970 to 2096.
    const extra = randomList(random, 3, anyValue);
    const pairs = randomList(random, 3, (): [string, unknown] => [text(), anyValue()]);
    const context = random() < 0.5 ? Object.fromEntries(pairs) : pairs;
    const [phase, effect, event] = [text(), text(), text()];
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
    const expected = formatEventLoopLine({
      seq,
      ts: new Date(now).toISOString(),
      phase,
      effect,
      event,
      extra: extra.map(written),
      context: (Array.isArray(context) ? context : Object.entries(context)).map((
        [key, value],
      ): [string, string] => [key, written(value)]),
      durationMs,
    });
    const where = `case ${n} of seed ${SEED + 3}`;
    const line = decoder.decode(out.view());
    assert.equal(line, expected, where);
    assert.ok(
      line.startsWith(`${String(seq)} `) && line.endsWith(` ms=${String(durationMs)}\n`),
      where,
    );
  }
});

// ---------------------------------------------------------------------------
// Rust lines that more than one entry gives.

function entryOf(parsed: ParsedEventLoopLine): EventLoopEntry {
  const { dialect: _dialect, exact: _exact, ...entry } = parsed;
  return entry;
}

test("parseEventLoopLine() calls no reading of a Rust line exact when another entry gives the same line", () => {
  const base: EventLoopEntry = { ...plain, ts: RUST_TS, seq: 3 };
  // Extra items with a comma: ["a,b", "c"] reads as three items.
  const split = parseEventLoopLine(rustLine({ ...base, extra: ["a,b", "c"] }));
  assert.deepEqual([split.extra, split.exact], [["a", "b", "c"], false]);
  assert.equal(rustLine(entryOf(split)), rustLine({ ...base, extra: ["a", "b", "c"] }));
  // A context value holding ", with=…" many times reads as hundreds of pairs.
  const value = "x" + ", with=y".repeat(570);
  const pairs = parseEventLoopLine(rustLine({ ...base, context: [["note", value]] }));
  assert.equal(pairs.context.length, 571);
  assert.equal(pairs.exact, false);
  // The same line from a runlog writer given a Rust timestamp: not exact either.
  const formatted = formatEventLoopLine({ ...base, extra: ["a", "b"] });
  assert.equal(formatted, rustLine({ ...base, extra: ["a,b"] }));
  assert.equal(parseEventLoopLine(formatted).exact, false);
  // One pair and one item, without separators in them: exact.
  const single = parseEventLoopLine(rustLine({ ...base, extra: ["X"], context: [["k", "v"]] }));
  assert.deepEqual([entryOf(single), single.exact], [{
    ...base,
    extra: ["X"],
    context: [["k", "v"]],
  }, true]);
});

/** The pieces generated values are made of: the Rust format's separators, and hostile text. */
const PIECES: readonly string[] = [
  ",",
  ", ",
  "=",
  " with=",
  "]",
  "[",
  "] ctx=",
  " ctx=",
  " extra=[",
  " effect=",
  " event=",
  " ms=",
  " ms=5",
  "k=v",
  "a,b",
  "x,y=1",
  "a",
  " ",
  "(",
  ")",
  "{",
  "}",
  '"',
  '\\"',
  "Foo { a: [1, 2] }",
  'C("x,y")',
  ...HOSTILE.filter((value) => !/[\n\r\u2028\u2029\u0085]/.test(value)),
];

function pieces(random: () => number, most: number): string {
  let text = "";
  const count = Math.floor(random() * (most + 1));
  for (let i = 0; i < count; i++) text += PIECES[Math.floor(random() * PIECES.length)];
  return text;
}

const RUST_CASES = 6000;

test(`parseEventLoopLine() reads ${RUST_CASES} generated Rust lines as written, or says it is not sure (seed ${SEED + 4})`, () => {
  const random = seededRandom(SEED + 4);
  const plainWord = () => (random() < 0.7 ? "Plain" : pieces(random, 2));
  let exact = 0;
  for (let n = 0; n < RUST_CASES; n++) {
    // The one assumption: an event holds neither " extra=[" nor " ctx=".
    let event = plainWord();
    while (event.includes(" extra=[") || event.includes(" ctx=")) event = plainWord();
    const entry: EventLoopEntry = {
      seq: randomSafeInteger(random),
      ts: random() < 0.5 ? RUST_TS : "2026-02-06T14:03:27+01:00",
      phase: random() < 0.8 ? "Commit Message" : pieces(random, 2),
      effect: plainWord(),
      event,
      extra: randomList(random, 3, () => pieces(random, 3)),
      context: randomList(random, 3, (): [string, string] => [
        random() < 0.6 ? "iteration" : pieces(random, 2),
        pieces(random, 3),
      ]),
      durationMs: randomSafeInteger(random),
    };
    const line = rustLine(entry);
    const where = `case ${n} of seed ${SEED + 4}: ${JSON.stringify(line)}`;
    const parsed = parseEventLoopLine(line);
    assert.equal(parsed.dialect, "rust", where);
    // Whatever the reading, it is one that gives this very line.
    assert.equal(rustLine(entryOf(parsed)), line, where);
    if (parsed.exact) {
      exact++;
      assert.deepEqual(entryOf(parsed), entry, `called exact, read wrongly: ${where}`);
    }
  }
  // Both kinds were generated, in numbers.
  assert.ok(exact > RUST_CASES / 10 && exact < RUST_CASES * 0.9, `${exact} exact`);
});

test("parseEventLoopLine() calls exact no Rust line that two entries of a small vocabulary both give", () => {
  // Every entry over these values (events never hold " extra=[" or " ctx="),
  // grouped by the line Rust writes for it.
  const phases = ["P", "P effect=E"];
  const effects = ["E", "E event=V", "E ctx=x"];
  const events = ["V", "V event=W", "V]"];
  const items = ["", "a", "a,b", "] ctx=k=v", "x]"];
  const keys = ["k", "k=v"];
  const values = ["v", "", "v,k=v", "v]"];
  const lists = <T>(
    of: readonly T[],
  ): T[][] => [[], ...of.map((a) => [a]), ...of.flatMap((a) => of.map((b) => [a, b]))];
  const pairs = keys.flatMap((key) => values.map((value): [string, string] => [key, value]));
  const byLine = new Map<string, EventLoopEntry[]>();
  for (const phase of phases) {
    for (const effect of effects) {
      for (const event of events) {
        for (const extra of lists(items)) {
          for (const context of lists(pairs)) {
            const entry = { ...plain, ts: RUST_TS, phase, effect, event, extra, context };
            const line = rustLine(entry);
            const same = byLine.get(line);
            if (same === undefined) byLine.set(line, [entry]);
            else same.push(entry);
          }
        }
      }
    }
  }
  let ambiguous = 0;
  let exact = 0;
  for (const [line, entries] of byLine) {
    const parsed = parseEventLoopLine(line);
    assert.equal(rustLine(entryOf(parsed)), line, line);
    if (entries.length > 1) {
      ambiguous++;
      assert.equal(parsed.exact, false, `${entries.length} entries give ${JSON.stringify(line)}`);
    } else if (parsed.exact) {
      exact++;
      assert.deepEqual(entryOf(parsed), entries[0], line);
    }
  }
  assert.ok(ambiguous > 1000 && exact > 40, `${ambiguous} ambiguous, ${exact} exact lines`);
});

test("parseEventLoopLine() reads numbers up to 2^53-1 and refuses larger ones, which a JavaScript number cannot hold", async () => {
  for (const ts of ["2026-02-06T14:03:27.123Z", RUST_TS]) {
    const line = (seq: string, ms: string) => `${seq} ts=${ts} phase=A effect=C event=D ms=${ms}`;
    const top = String(Number.MAX_SAFE_INTEGER);
    const entry = parseEventLoopLine(line(top, top));
    assert.deepEqual([entry.seq, entry.durationMs], [
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
    ]);
    for (const [seq, ms] of [["9007199254740992", "1"], ["1", "9007199254740992"]]) {
      const error = await throwsRunLog(() => parseEventLoopLine(line(seq, ms)), "invalid-log-line");
      assert.match(error.message, /too large at column \d+/);
    }
  }
});
