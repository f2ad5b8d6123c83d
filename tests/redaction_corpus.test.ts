// The redaction corpus (tests/fixtures/secret_corpus.ts): every rule with a
// positive and a negative example; at least 150 FAKE secrets in every form
// (raw, inside JSON strings, encoded, split across stream-json deltas and
// across chunk boundaries, at the end of a live file) never reach a pack, a
// report, the viewer's pages, its live stream or its raw download; and the
// look-alikes stay readable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { unpackTar } from "modern-tar";
import { MemoryWorkspace, RunLogContext, type Workspace } from "../mod.ts";
import { packRun, REDACTION_KINDS, redactText, verifyPack } from "../src/pack/mod.ts";
import { RedactionEngine } from "../src/redaction/redaction_engine.ts";
import { matcherFor } from "../src/redaction/_matcher.ts";
import { createViewer, renderReport, type Viewer } from "../src/viewer/mod.ts";
import { fakeSecrets, leakProbes } from "./fixtures/fake_secrets.ts";
import {
  claudeStream,
  corpusRunFiles,
  corpusSecrets,
  cutInPieces,
  lookAlikes,
  openaiStream,
  responsesStream,
  ruleNegatives,
  splitProbes,
} from "./fixtures/secret_corpus.ts";
import { concat } from "./_bytes.ts";
import { redactInChunks } from "./_redaction.ts";
import { runtime } from "./_runtime.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MASK = /\[redacted:[A-Za-z0-9._-]+\]/g;

/** The probes of `probes` found in `text` (mask labels set aside: they name kinds). */
function leaks(text: string, probes: readonly string[]): string[] {
  const plain = text.replace(MASK, "");
  return probes.filter((probe) => plain.includes(probe));
}

/** `bytes` through a redactor, in chunks whose sizes `next()` picks, as text. */
function chunked(bytes: Uint8Array, next: () => number): string {
  return decoder.decode(redactInChunks(bytes, next).out);
}

test("`REDACTION_KINDS` has a positive and a negative example for every rule", () => {
  const negatives = ruleNegatives();
  const positives = new Map(fakeSecrets(43).map((s) => [s.kind, s]));
  for (const kind of REDACTION_KINDS) {
    const positive = positives.get(kind);
    assert.ok(positive !== undefined, `${kind}: no positive example`);
    const masked = redactText(positive.text);
    assert.deepEqual(masked.counts, { [kind]: 1 }, `${kind}: ${masked.text}`);
    assert.deepEqual(leaks(masked.text, leakProbes(positive.secret)), [], kind);
    const negative = negatives.get(kind);
    assert.ok(negative !== undefined, `${kind}: no negative example`);
    assert.deepEqual(redactText(negative), { text: negative, counts: {} }, `${kind}: ${negative}`);
  }
});

test("`redactText()` masks at least 150 corpus secrets raw, inside JSON strings and twice escaped", () => {
  const secrets = corpusSecrets();
  assert.ok(secrets.length >= 150, `${secrets.length} secrets`);
  for (const s of secrets) {
    const probes = splitProbes(s.secret);
    assert.ok(probes.length > 0, s.label);
    const forms = [
      s.text,
      JSON.stringify({ type: "tool_result", content: s.text }),
      JSON.stringify(JSON.stringify({ input: { command: s.text } })),
    ];
    for (const form of forms) {
      const masked = redactText(form);
      assert.deepEqual(leaks(masked.text, probes), [], `${s.label}: ${masked.text}`);
      assert.equal(encoder.encode(masked.text).length, encoder.encode(form).length, s.label);
      if (form !== s.text) assert.doesNotThrow(() => JSON.parse(masked.text), s.label);
    }
  }
});

test("`createRedactor()` masks secrets split across Claude, OpenAI Chat and Responses deltas, each line kept valid JSON of its length", () => {
  for (const s of corpusSecrets()) {
    const pieces = cutInPieces(s.text, s.secret);
    for (
      const stream of [
        claudeStream(pieces, false),
        claudeStream(pieces, true),
        openaiStream(pieces),
        responsesStream(pieces),
      ]
    ) {
      const bytes = encoder.encode(stream);
      const masked = chunked(bytes, () => bytes.length);
      assert.deepEqual(leaks(masked, splitProbes(s.secret)), [], `${s.label}: ${masked}`);
      const before = stream.split("\n");
      const after = masked.split("\n");
      assert.deepEqual(
        after.map((l) => encoder.encode(l).length),
        before.map((l) => encoder.encode(l).length),
        s.label,
      );
      for (const line of after.filter((l) => l !== "")) {
        assert.doesNotThrow(() => JSON.parse(line), `${s.label}: ${line}`);
      }
    }
  }
});

test("`createRedactor()` gives one pass's bytes for the corpus run's files whatever the chunking, and leaks nothing", () => {
  const { files, probes } = corpusRunFiles();
  let seed = 99;
  const random = (max: number) => () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return 1 + (seed % max);
  };
  for (const [path, text] of files) {
    const bytes = encoder.encode(text);
    const engine = new RedactionEngine(matcherFor(undefined, "test"), { window: Infinity });
    const reference = decoder.decode(concat([engine.push(bytes), engine.flush()]));
    assert.deepEqual(leaks(reference, probes), [], path);
    for (
      const [name, next] of [["7 bytes", () => 7], ["random 1..5000", random(5000)], [
        "64 KiB",
        () => 65536,
      ]] as const
    ) {
      assert.equal(chunked(bytes, next), reference, `${path}, ${name}`);
    }
  }
});

test("look-alikes stay readable: 0 false positives", (t) => {
  const looks = lookAlikes();
  assert.ok(looks.length >= 100, `${looks.length} look-alikes`);
  const masked = looks.filter((text) => redactText(text).text !== text);
  t.diagnostic(`${masked.length} of ${looks.length} look-alikes masked`);
  assert.deepEqual(masked, []);
});

test("`RedactionEngine.flush(true)` masks a live file's unfinished last line and an open stream's end: no prefix of a secret shows", () => {
  const google = ["AI", "za", "x".repeat(10), "Q".repeat(10), "k9".repeat(7)].join("");
  const prefix = google.slice(0, -1); // 34 of 35 characters after AIza.
  const engine = new RedactionEngine(matcherFor(undefined, "test"));
  const line = `[INFO] done\n[INFO] using ${prefix}`;
  const live = decoder.decode(concat([engine.push(encoder.encode(line)), engine.flush(true)]));
  assert.equal(live, `[INFO] done\n${"[redacted:live-tail]".padEnd(line.length - 12, "*")}`);
  assert.deepEqual(engine.counts, { "live-tail": 1 });
  // Not live: the line is final, and no rule takes 34 characters for a key.
  assert.equal(redactText(line).text, line);

  const open = claudeStream(["the key is ", prefix.slice(0, 12), prefix.slice(12)], true, true);
  const streamed = decoder.decode(
    concat([engine.push(encoder.encode(open)), engine.flush(true)]),
  );
  assert.deepEqual(leaks(streamed, splitProbes(prefix)), [], streamed);
  assert.match(streamed, /"text":"the key is "/);
  for (const l of streamed.trim().split("\n")) JSON.parse(l);
});

/** Writes the corpus run into `ws`; leaves it live (its lease held) when `live`. */
async function corpusRun(ws: Workspace, live: boolean) {
  const ctx = await RunLogContext.create(ws);
  const { files, probes } = corpusRunFiles(live);
  for (const [path, text] of files) await ws.write(`${ctx.runDir}/${path}`, text);
  if (!live) await ctx.close({ status: "succeeded" });
  return { ctx, files, probes, runId: `${ctx.runId}` };
}

function get(viewer: Viewer, path: string): Promise<Response> {
  return viewer(
    new Request(`http://127.0.0.1:9${path}`, {
      headers: { "X-Runlog-Token": viewer.token },
    }),
  );
}

/** Reads Server-Sent Events for `ms`, and returns the text of their data. */
async function events(body: ReadableStream<Uint8Array>, ms: number): Promise<string> {
  const reader = body.getReader();
  let text = "";
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const next = await Promise.race([
      reader.read(),
      new Promise<"timeout">((resolve) =>
        setTimeout(() => resolve("timeout"), deadline - Date.now())
      ),
    ]);
    if (next === "timeout" || next.done) break;
    text += decoder.decode(next.value, { stream: true });
  }
  await reader.cancel();
  return text;
}

for (const live of [false, true]) {
  const which = live ? "a live run (unfinished lines, open streams)" : "a finished run";
  test(`corpus (${runtime}): no secret of ${which} reaches a pack, a report, the viewer's pages, live stream or raw download`, async () => {
    const ws = new MemoryWorkspace();
    const { ctx, files, probes, runId } = await corpusRun(ws, live);
    try {
      // The pack, and the dry run that explains it.
      const chunks: Uint8Array[] = [];
      const summary = await packRun(ws, runId, {
        output: new WritableStream({ write: (chunk) => void chunks.push(chunk.slice()) }),
      });
      assert.equal(summary.live, live);
      const gz = concat(chunks);
      const tar = gunzipSync(gz);
      assert.deepEqual(leaks(new TextDecoder("latin1").decode(tar), probes), [], "pack");
      assert.equal((await verifyPack(ReadableStream.from([gz]))).ok, true);
      for (const entry of await unpackTar(tar)) {
        if (!entry.header.name.endsWith(".jsonl")) continue;
        for (const line of decoder.decode(entry.data!).split("\n")) {
          if (line === "" || (live && !line.endsWith("}"))) continue;
          assert.doesNotThrow(() => JSON.parse(line), `${entry.header.name}: ${line}`);
        }
      }
      const dry = await packRun(ws, runId, { dryRun: true });
      assert.equal(dry.bytesOut, 0);
      assert.deepEqual(dry.redactions, summary.redactions);
      assert.ok((dry.redactions["live-tail"] ?? 0) >= (live ? files.size : 0));
      if (!live) assert.equal(dry.redactions["live-tail"], undefined);

      // The report.
      const report = await renderReport(ws, runId);
      assert.deepEqual(leaks(report.html, probes), [], "report");

      // The viewer: pages both ways, the raw download whole and in ranges, the live stream.
      const viewer = createViewer(ws);
      for (const path of files.keys()) {
        const q = encodeURIComponent(path);
        for (
          const url of [
            `/api/runs/${runId}/lines?path=${q}&limit=2000`,
            `/api/runs/${runId}/lines?path=${q}&dir=forward&at=0&limit=2000`,
            `/api/runs/${runId}/raw?path=${q}`,
          ]
        ) {
          const body = await (await get(viewer, url)).text();
          assert.deepEqual(leaks(body, probes), [], url);
        }
        const size = encoder.encode(files.get(path)!).length;
        for (const at of [0, Math.floor(size / 3), size - 200]) {
          const range = await viewer(
            new Request(`http://127.0.0.1:9/api/runs/${runId}/raw?path=${q}`, {
              headers: { "X-Runlog-Token": viewer.token, Range: `bytes=${at}-${at + 150}` },
            }),
          );
          assert.deepEqual(leaks(await range.text(), probes), [], `${path} from ${at}`);
        }
      }
      const stream = await get(
        viewer,
        `/api/runs/${runId}/live?events=0&pipeline=0&path=provider%2Fclaude-stream_dev_1.jsonl`,
      );
      const sent = await events(stream.body!, 400);
      assert.match(sent, /event: lines/);
      assert.deepEqual(leaks(sent, probes), [], "live stream");
      viewer.close();
    } finally {
      if (live) await ctx.close();
    }
  });
}
