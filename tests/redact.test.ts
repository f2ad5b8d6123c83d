// The redactor on its own: every built-in kind on a FAKE secret, look-alikes
// left alone, user patterns, and the streaming guarantee (the bytes and
// counts of a single pass, whatever the chunking, down to 1 byte).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRedactor, REDACTION_KINDS, redactText } from "../src/pack/mod.ts";
import { RedactionEngine } from "../src/redaction/redaction_engine.ts";
import { matcherFor } from "../src/redaction/_matcher.ts";
import {
  fake,
  type FakeSecret,
  fakeSecrets,
  leakProbes,
  NOT_SECRETS,
} from "./fixtures/fake_secrets.ts";
import { throwsRunLog } from "./_assert.ts";
import { concat } from "./_bytes.ts";
import { redactInChunks } from "./_redaction.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The reference: one pass over everything (a window larger than the input). */
function onePass(bytes: Uint8Array): { out: Uint8Array; counts: Record<string, number> } {
  const engine = new RedactionEngine(matcherFor(undefined, "test"), { window: Infinity });
  const out = concat([engine.push(bytes), engine.flush()]);
  return { out, counts: { ...engine.counts } };
}

function assertMasked(masked: string, secret: FakeSecret, form = "raw") {
  for (const probe of leakProbes(secret.secret)) {
    assert.ok(
      !masked.includes(probe),
      `${secret.kind} (${form}): '${probe}' survived in ${masked}`,
    );
  }
}

test("redactText() masks a FAKE secret of each built-in kind once, keeping its context, size and lines", () => {
  const secrets = fakeSecrets();
  assert.deepEqual(
    secrets.map((s) => s.kind).sort(),
    [...REDACTION_KINDS].sort(),
    "every built-in kind needs a fake secret here",
  );
  for (const s of secrets) {
    const { text, counts } = redactText(s.text);
    assert.deepEqual(counts, { [s.kind]: 1 }, `${s.kind}: ${text}`);
    assert.equal(encoder.encode(text).length, encoder.encode(s.text).length, s.kind);
    assert.deepEqual(
      text.split("\n").map((l) => l.length),
      s.text.split("\n").map((l) => l.length),
    );
    assert.notEqual(text, s.text);
    assertMasked(text, s);
    if (s.keeps !== undefined) assert.ok(text.includes(s.keeps), `${s.kind} lost '${s.keeps}'`);
  }
});

test("redactText() finds each FAKE secret inside a JSON string too (a tool result logged as JSON)", () => {
  for (const s of fakeSecrets(11)) {
    const logged = JSON.stringify({ type: "tool_result", content: s.text });
    const { text, counts } = redactText(logged);
    assert.ok(Object.keys(counts).length > 0, `${s.kind} not found in ${logged}`);
    assertMasked(text, s, "JSON");
    assert.doesNotThrow(() => JSON.parse(text), `${s.kind}: the masked line is no longer JSON`);
  }
});

test("redactText() leaves look-alikes of every kind untouched", () => {
  for (const text of NOT_SECRETS) {
    assert.deepEqual(redactText(text), { text, counts: {} });
  }
});

test("redactText() masks DB_PASS-style keys but not pass counters, and leaves the Rust tool's trace alone", async () => {
  for (const line of ["DB_PASS=s3cret-value", "MYSQL_PWD: '1234567'", `{"smtp_pass":"x9"}`]) {
    assert.deepEqual(redactText(line).counts, { "password-assignment": 1 }, line);
  }
  const trace = await readFile(
    new URL("./fixtures/ralph-rust/event_loop_trace.jsonl", import.meta.url),
    "utf8",
  );
  assert.match(trace, /reviewer_pass/);
  assert.deepEqual(redactText(trace), { text: trace, counts: {} });
});

test("redactText() masks the whole secret with its kind, and leaves valid UTF-8 when it cuts a character", () => {
  const { text } = redactText("x-api-key: " + ["sk", "ant", "api03", "y".repeat(60)].join("-"));
  assert.match(text, /^x-api-key: \[redacted:anthropic-api-key\]\*{45}$/);
  // A quoted password is masked up to 512 bytes: the cut falls inside a "é" (2 bytes).
  const password = `password: "a${"é".repeat(300)}"`;
  const masked = redactText(password).text;
  assert.equal(encoder.encode(masked).length, encoder.encode(password).length);
  assert.ok(!masked.includes("\uFFFD"), masked);
  const bytes = encoder.encode(masked);
  assert.doesNotThrow(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes));
});

// A log of `lines` lines with every fake secret planted `copies` times, raw and as JSON.
function corpus(lines: number, copies: number): Uint8Array {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(
      `{"seq":${i},"type":"content_block_delta","delta":{"text":"step ${i} ${
        fake(20, undefined, i)
      }"}}`,
    );
  }
  for (let c = 0; c < copies; c++) {
    for (const s of fakeSecrets(c + 1)) {
      const at = (c * 7919 + s.kind.length * 104_729) % out.length;
      out.splice(at, 0, s.text, JSON.stringify({ tool_result: s.text }));
    }
  }
  return encoder.encode(out.join("\n") + "\n");
}

test("createRedactor() gives the bytes and counts of a single pass whatever the chunking, down to 1 byte", () => {
  const bytes = corpus(3000, 4); // About 400 KB with 216 planted secrets.
  const reference = onePass(bytes);
  assert.equal(reference.out.length, bytes.length);
  const total = Object.values(reference.counts).reduce((a, b) => a + b, 0);
  assert.ok(total >= 4 * REDACTION_KINDS.length * 2, `only ${total} found`);
  let seed = 12345;
  const random = (max: number) => () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return 1 + (seed % max);
  };
  const chunkings: [string, () => number][] = [
    ["1 byte", () => 1],
    ["2 bytes", () => 2],
    ["7 bytes", () => 7],
    ["4093 bytes", () => 4093],
    ["64 KiB", () => 65536],
    ["256 KiB", () => 262144],
    ["everything", () => bytes.length],
    ["random 1..13", random(13)],
    ["random 1..5000", random(5000)],
    ["random 1..300000", random(300000)],
  ];
  for (const [name, next] of chunkings) {
    const got = redactInChunks(bytes, next);
    assert.equal(got.out.length, bytes.length, name);
    assert.ok(Buffer.compare(got.out, reference.out) === 0, `${name}: the bytes differ`);
    assert.deepEqual(got.counts, reference.counts, name);
  }
  const masked = decoder.decode(reference.out);
  for (let c = 0; c < 4; c++) for (const s of fakeSecrets(c + 1)) assertMasked(masked, s);
});

test("createRedactor() masks a secret whole and counts it once wherever a chunk boundary cuts it", () => {
  const filler = encoder.encode("[INFO] nothing to see here, just a log line\n".repeat(2500)); // > 64 KiB + window
  for (const s of fakeSecrets(5)) {
    const secret = encoder.encode(`\n${s.text}\n`);
    const bytes = concat([filler, secret, filler]);
    const expected = onePass(bytes);
    const len = secret.length;
    const cuts = new Set([0, 1, 2, len >> 2, len >> 1, len - 2, len - 1, len]);
    for (let i = 0; i < 6; i++) cuts.add((i * 7919 + 13) % len);
    for (const cut of cuts) {
      // The first push ends inside the secret, or makes a round stop inside it.
      for (const end of [filler.length + cut, filler.length + cut + 16_384 + 4096]) {
        const redactor = createRedactor();
        const out = concat([
          redactor.push(bytes.subarray(0, end)),
          redactor.push(bytes.subarray(end)),
          redactor.flush(),
        ]);
        assert.ok(Buffer.compare(out, expected.out) === 0, `${s.kind} cut at ${cut}, push ${end}`);
        assert.deepEqual(redactor.counts, { [s.kind]: 1 }, `${s.kind} cut at ${cut}`);
      }
    }
    assertMasked(decoder.decode(expected.out), s);
  }
});

test("createRedactor() uses patterns of your own, masking only their secret groups, and refuses bad ones", async () => {
  const redactor = createRedactor({
    patterns: [
      { kind: "ticket", pattern: /TICKET-[0-9]{6}/ },
      { kind: "internal.session", pattern: /session=(?<secret>[a-f0-9]{16})/i, maxLength: 40 },
    ],
  });
  const text = "opened TICKET-123456 with SESSION=0123456789abcdef and TICKET-654321\n";
  const out = decoder.decode(concat([redactor.push(encoder.encode(text)), redactor.flush()]));
  assert.equal(out, "opened ************* with SESSION=**************** and *************\n");
  assert.deepEqual(redactor.counts, { ticket: 2, "internal.session": 1 });
  // The built-in kinds still apply.
  assert.deepEqual(
    redactText("password: hunter2", { patterns: [{ kind: "x", pattern: /zzz/ }] }).counts,
    { "password-assignment": 1 },
  );

  const bad: unknown[] = [
    "not an array",
    [{ kind: "has space", pattern: /x/ }],
    [{ kind: "é-kind", pattern: /x/ }],
    [{ kind: "ok", pattern: "x" }],
    [{ kind: "ok", pattern: /x/, maxLength: 0 }],
    [{ kind: "ok", pattern: /x/, maxLength: 2 * 1024 * 1024 }],
    [null],
  ];
  for (const patterns of bad) {
    const error = await throwsRunLog(
      () => createRedactor({ patterns } as Parameters<typeof createRedactor>[0]),
      "invalid-argument",
    );
    assert.match(error.message, /^createRedactor: patterns/);
  }
  await throwsRunLog(
    () => createRedactor().push("text" as unknown as Uint8Array),
    "invalid-argument",
  );
  await throwsRunLog(() => redactText(42 as unknown as string), "invalid-argument");
});

test("a Redactor holds back at most a bounded window, and takes a new stream after flush()", () => {
  const redactor = createRedactor();
  const line = encoder.encode("[INFO] a line of log text without anything secret in it\n");
  let out = 0;
  for (let i = 0; i < 20_000; i++) {
    out += redactor.push(line).length;
    assert.ok(redactor.pending < 128 * 1024, `holding ${redactor.pending} bytes`);
  }
  out += redactor.flush().length;
  assert.equal(out, 20_000 * line.length);
  assert.equal(redactor.pending, 0);
  const again = concat([redactor.push(encoder.encode("password=abc12345\n")), redactor.flush()]);
  assert.equal(decoder.decode(again), "password=********\n");
  assert.deepEqual(redactor.counts, { "password-assignment": 1 });
});
