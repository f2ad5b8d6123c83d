// How the redactor reads provider streams on bytes: the stream markers it
// finds without decoding text (against a regex reading of the same forms),
// secrets split across the deltas of streams that interleave, escapes in
// delta strings, piece offsets beyond 2 GiB, and the matcher's windows of
// text around each keyword (against each piece redacted alone).
import { test } from "node:test";
import assert from "node:assert/strict";
import { redactText } from "../src/pack/mod.ts";
import { findStreamMarkers, isDeltaMarker } from "../src/redaction/_stream_markers.ts";
import { PieceList } from "../src/redaction/_delta_streams.ts";
import { matcherFor } from "../src/redaction/_matcher.ts";
import { corpusSecrets, cutInPieces, splitProbes } from "./fixtures/secret_corpus.ts";
import { fakeSecrets } from "./fixtures/fake_secrets.ts";
import { seededRandom } from "./fixtures/hostile.ts";
import { redactInChunks } from "./_redaction.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MASK = /\[redacted:[A-Za-z0-9._-]+\]/g;

/** The markers of `text` by the forms' regexes, tried at every offset. */
function markersByRegex(text: string, from: number, to: number): number[] {
  const delta = /"delta":/y;
  const finish = /"finish_reason":"/y;
  const type = /"type"[ \t]*:[ \t]*"[A-Za-z_.]*(_stop|_start|\.done)"/y;
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    for (const rx of [delta, finish]) {
      rx.lastIndex = i;
      if (rx.test(text)) out.push(i);
    }
    type.lastIndex = i;
    const m = type.exec(text);
    if (m !== null) {
      const at = i + m[0].length - 1 - m[1].length;
      if (at - i <= 64) out.push(at);
    }
  }
  return out.filter((at) => at >= from && at < to).sort((a, b) => a - b);
}

test("findStreamMarkers() finds each marker form, with spaces, and nothing that only looks like one", () => {
  const cases: [text: string, markers: string[]][] = [
    ['{"type":"content_block_delta","index":0,"delta":{"text":"hi"}}', ['"delta":']],
    ['{"type":"content_block_stop","index":0}', ["_stop"]],
    ['{"type" :\t "message_start","message":{}}', ["_start"]],
    ['{"type":"response.output_text.done","text":"x"}', [".done"]],
    ['{"choices":[{"delta":{},"finish_reason":"stop"}]}', ['"delta":', '"finish_reason":"']],
    ['{"finish_reason":null}', []], // Not ended: null.
    ['{"kind":"content_block_stop"}', []], // Not a type key.
    ['{"type":"block_2_stop"}', []], // A digit is not a type name's.
    ['{"type":"content_block_stop ","x":1}', []], // Not the value's end.
    ['{"xdelta":1,"delta" :{}}', []], // Neither is the "delta" key.
    [`{"type":"${"a".repeat(60)}_stop"}`, []], // "type" more than 64 bytes before it.
    [`{"type":"${"a".repeat(50)}_stop"}`, ["_stop"]],
    ['"type":"_start"', ["_start"]], // The suffix alone is a name.
  ];
  for (const [text, expected] of cases) {
    const bytes = encoder.encode(text);
    const found = findStreamMarkers(bytes, 0, bytes.length, []);
    assert.deepEqual(
      found.map((at) => expected.find((m) => text.startsWith(m, at))),
      expected,
      text,
    );
    assert.deepEqual(found, markersByRegex(text, 0, text.length), text);
  }
});

test("findStreamMarkers() finds what the forms' regexes find in any range of random stream text", () => {
  const random = seededRandom(20);
  const parts = [
    '"delta":',
    '"delta" :',
    '"finish_reason":"',
    '"finish_reason":',
    '"type":"',
    '"type" :\t"',
    '"type": "',
    "content_block_stop",
    "message_start",
    "response.output_text.done",
    "_stop",
    ".done",
    "x1_start",
    '"',
    ":",
    " ",
    "a".repeat(30),
    "{",
    ",",
    "\n",
  ];
  for (let round = 0; round < 300; round++) {
    let text = "";
    const n = 1 + Math.floor(random() * 40);
    for (let i = 0; i < n; i++) text += parts[Math.floor(random() * parts.length)];
    const bytes = encoder.encode(text);
    const from = Math.floor(random() * bytes.length);
    const to = from + Math.floor(random() * (bytes.length - from + 1));
    const out = [1, 2, 3]; // Reused: emptied first.
    assert.deepEqual(
      findStreamMarkers(bytes, from, to, out),
      markersByRegex(text, from, to),
      `[${from}, ${to}) of ${JSON.stringify(text)}`,
    );
  }
});

test("isDeltaMarker() tells a delta's marker from an end's", () => {
  const text = '{"type":"response.output_text.done"}{"delta":{}}{"finish_reason":"stop"}' +
    '{"type":"content_block_stop"}{"type":"message_delta_start"}';
  const bytes = encoder.encode(text);
  const markers = findStreamMarkers(bytes, 0, bytes.length, []);
  assert.deepEqual(markers.map((at) => isDeltaMarker(bytes, at)), [
    false,
    true,
    false,
    false,
    false,
  ]);
});

/** Lines of two streams of one format, alternating: `quiet`'s pieces, then `secret`'s. */
type Interleave = (quiet: string[], secret: string[]) => string[];

const line = (event: unknown) => JSON.stringify(event) + "\n";

const FORMATS: [name: string, interleave: Interleave][] = [
  ["Claude content blocks", (quiet, secret) => [
    line({ type: "message_start", message: { id: "msg_1" } }),
    ...alternate(
      quiet,
      secret,
      (text, stream) =>
        line({ type: "content_block_delta", index: stream, delta: { type: "text_delta", text } }),
    ),
    line({ type: "content_block_stop", index: 1 }),
  ]],
  ["OpenAI Chat choices", (quiet, secret) => [
    ...alternate(
      quiet,
      secret,
      (content, stream) =>
        line({ id: "c-1", choices: [{ index: stream, delta: { content }, finish_reason: null }] }),
    ),
    line({ id: "c-1", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
  ]],
  ["OpenAI Chat tool calls", (quiet, secret) => [
    ...alternate(quiet, secret, (args, stream) =>
      line({
        id: "c-1",
        choices: [{
          index: 0,
          delta: { tool_calls: [{ index: stream, function: { arguments: args } }] },
          finish_reason: null,
        }],
      })),
    line({ id: "c-1", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] }),
  ]],
  ["Responses items", (quiet, secret) => [
    ...alternate(quiet, secret, (delta, stream) =>
      line({
        type: "response.output_text.delta",
        item_id: `msg_${stream}`,
        output_index: stream,
        content_index: 0,
        delta,
      })),
    line({ type: "response.output_text.done", item_id: "msg_1", text: "" }),
  ]],
];

function alternate(a: string[], b: string[], make: (text: string, stream: number) => string) {
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(make(a[i], 0));
    if (i < b.length) out.push(make(b[i], 1));
  }
  return out;
}

/** The delta texts of each stream (0 and 1) in `lines`, joined. */
function streamTexts(lines: string[]): [string, string] {
  const texts: [string, string] = ["", ""];
  for (const l of lines) {
    const e = JSON.parse(l);
    const choice = e.choices?.[0];
    const call = choice?.delta?.tool_calls?.[0];
    if (e.type === "content_block_delta") texts[e.index] += e.delta.text;
    else if (e.type === "response.output_text.delta") texts[e.output_index] += e.delta;
    else if (call !== undefined) texts[call.index] += call.function.arguments;
    else if (choice?.delta?.content !== undefined) texts[choice.index] += choice.delta.content;
  }
  return texts;
}

function redactLines(text: string, chunk: number): string[] {
  return decoder.decode(redactInChunks(encoder.encode(text), () => chunk).out).split(/(?<=\n)/);
}

test("createRedactor() joins each stream's deltas apart when streams interleave, masking the split secret and nothing of the other stream", () => {
  const quiet = ["The build ", "passed in 41 s; ", "next, the ", "docs and ", "the changelog."];
  for (const s of corpusSecrets()) {
    const pieces = cutInPieces(s.text, s.secret);
    for (const [name, interleave] of FORMATS) {
      const lines = interleave(quiet, pieces);
      const text = lines.join("");
      for (const chunk of [text.length, 7]) {
        const out = redactLines(text, chunk);
        const where = `${s.label}, ${name}, chunks of ${chunk}`;
        assert.deepEqual(
          out.map((l) => encoder.encode(l).length),
          lines.map((l) => encoder.encode(l).length),
          where,
        );
        const [kept, masked] = streamTexts(out);
        assert.equal(kept, quiet.join(""), where);
        const plain = masked.replace(MASK, "");
        assert.deepEqual(splitProbes(s.secret).filter((p) => plain.includes(p)), [], where);
      }
    }
  }
});

test("createRedactor() masks a secret spelled with JSON escapes across deltas, escape sequences whole", () => {
  const [github] = fakeSecrets(5).filter((s) => s.kind === "github-token");
  const pieces = cutInPieces(github.text, github.secret);
  // The middle piece's characters as \u escapes, one in three (as some encoders write them).
  const escaped = (json: string, piece: string) =>
    json.replace(
      JSON.stringify(piece).slice(1, -1),
      [...piece].map((c, i) =>
        i % 3 === 0 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c
      )
        .join(""),
    );
  const lines = pieces.map((text, i) => {
    const json = line({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text },
    });
    return i === 1 ? escaped(json, text) : json;
  });
  lines.push(line({ type: "content_block_stop", index: 0 }));
  assert.ok(lines[1].includes("\\u00"), lines[1]);
  const text = lines.join("");
  // Read as the token it spells: each \u escape decoded to its character.
  assert.deepEqual(redactText(text).counts, { "github-token": 1 });
  for (const chunk of [text.length, 1, 5]) {
    const out = redactLines(text, chunk);
    assert.deepEqual(out.map((l) => l.length), lines.map((l) => l.length));
    const joined = out.slice(0, -1).map((l) => JSON.parse(l).delta.text).join("");
    const plain = joined.replace(MASK, "");
    assert.deepEqual(splitProbes(github.secret).filter((p) => plain.includes(p)), [], joined);
  }
  // A broken \u escape is read as some non-ASCII byte: no throw, the line keeps its length.
  const broken = '{"type":"content_block_delta","index":0,"delta":{"text":"a\\u12G4b\\u"}}\n';
  assert.equal(redactText(broken).text, broken);
  // Nor is a control byte a hex digit: the token's digit escaped as `\u00<0x13><digit>` is
  // no digit, so the token is broken there, not read whole.
  const at = [...github.secret].findIndex((c, i) => i > 8 && /[0-9]/.test(c));
  const piece = `${github.secret.slice(0, at)}\\u00\x13${github.secret.slice(at)}`;
  const spelled = `{"type":"content_block_delta","index":0,"delta":{"text":"${piece}"}}\n` +
    '{"type":"content_block_stop","index":0}\n';
  assert.ok(at > 8, github.secret);
  assert.equal(redactText(spelled).counts["github-token"], undefined, spelled);
});

test("PieceList keeps raw offsets beyond 2 GiB exact, and its escape maps across dropBefore()", () => {
  const list = new PieceList();
  const big = 5 * 2 ** 30;
  list.push(0, 10, big, big + 10);
  // A piece with escapes: 3 decoded bytes from 8 raw ones, then its end.
  const addMapped = (j0: number, raw: number[]) => {
    const first = list.reserveMap(raw.length);
    list.maps.set(raw, first);
    list.push(j0, j0 + raw.length - 1, raw[0], raw.at(-1)!, first, raw.length);
  };
  addMapped(10, [big + 20, big + 26, big + 27, big + 28]);
  addMapped(13, [big + 40, big + 41, big + 47]);
  for (let i = 0; i < 2000; i++) list.push(15 + i, 16 + i, big + 50 + i, big + 51 + i);
  assert.equal(list.rawAt(0, 7), big + 7);
  assert.equal(list.rawAt(1, 11), big + 26);
  assert.equal(list.rawAt(2, 14), big + 41);
  list.dropBefore(13); // The first two pieces go, and the map only the second used.
  assert.equal(list.length, 2001);
  assert.equal(list.j0(0), 13);
  assert.equal(list.rawAt(0, 13), big + 40);
  assert.equal(list.rawAt(0, 14), big + 41);
  addMapped(2015, [big + 3000, big + 3006]);
  list.dropBefore(2015);
  assert.equal(list.length, 1);
  assert.equal(list.rawAt(0, 2015), big + 3000);
  assert.equal(list.raw1(0), big + 3006);
});

test("the matcher's hits in a long text are each piece's hits alone, and split ranges add up to them", () => {
  const random = seededRandom(7);
  const pieces: string[] = [];
  for (const seed of [1, 2, 3]) {
    for (const s of fakeSecrets(seed)) {
      // Filler of varied sizes: secrets land anywhere around the matcher's text windows.
      let filler = "";
      const size = Math.floor(random() * 12_000);
      for (let i = 0; filler.length < size; i++) {
        filler += `[2026-02-06T14:03:27.123Z] [INFO] step ${i}: ran the tests\n`;
      }
      pieces.push(filler, `${s.text}\n`);
    }
  }
  const alone = pieces.map((p) => redactText(p));
  const whole = redactText(pieces.join(""));
  assert.equal(whole.text, alone.map((r) => r.text).join(""));
  const sum: Record<string, number> = {};
  for (const r of alone) for (const [k, n] of Object.entries(r.counts)) sum[k] = (sum[k] ?? 0) + n;
  assert.deepEqual(whole.counts, sum);

  // A Kubernetes Secret of 300 entries: its last values lie far beyond the
  // least text a rule decodes at once.
  const values = Array.from({ length: 300 }, (_, i) => btoa(`db-${i}-${random().toString(36)}`));
  const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\ntype: Opaque\ndata:\n" +
    values.map((v, i) => `  key_${i}: ${v}\n`).join("");
  assert.ok(secret.length > 10_000 && secret.length < 16_000, `${secret.length} bytes`);
  pieces.splice(7, 0, secret);
  const big = redactText(pieces.join(""));
  assert.deepEqual(values.filter((v) => big.text.includes(v)), []);
  assert.ok(big.text.includes("  key_299: "));
  // One Secret, all of its values by its own rule.
  const k8s = "kubernetes-secret";
  assert.deepEqual(big.counts, { ...whole.counts, [k8s]: (whole.counts[k8s] ?? 0) + 1 });

  const bytes = encoder.encode(pieces.join(""));
  const matcher = matcherFor(undefined, "test");
  const copy = (hits: ReturnType<typeof matcher.find>) =>
    hits.map((h) => `${h.rule}:${h.start}-${h.end}:${JSON.stringify(h.ranges)}`);
  const all = copy(matcher.find(bytes, 0, bytes.length));
  assert.ok(all.length >= 3 * fakeSecrets().length, `${all.length} hits`);
  for (let round = 0; round < 20; round++) {
    const cut = Math.floor(random() * bytes.length);
    const split = [
      ...copy(matcher.find(bytes, 0, cut)),
      ...copy(matcher.find(bytes, cut, bytes.length)),
    ];
    assert.deepEqual(split, all, `cut at ${cut}`);
  }
  // A hit's ranges are offsets of the bytes given, wherever its window began.
  for (const hit of matcher.find(bytes, 0, bytes.length)) {
    for (const [s, e] of hit.ranges) {
      assert.ok(hit.start <= s && s < e && e <= hit.end, `${s}-${e}`);
    }
  }
});
