// packRun and verifyPack: secrets planted in every file type (at chunk
// boundaries too) never reach the archive, the manifest counts them, the
// system tar extracts the run, tampering is named, live runs are packed as
// snapshots, links and FIFOs are left out, and a 1 GB run packs in bounded
// memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { constants as zlibConstants, createGzip, gunzipSync, gzipSync } from "node:zlib";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { link, lstat, mkdir, open, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import process from "node:process";
import { packTar, type ParsedTarEntryWithData, unpackTar } from "modern-tar";
import { MemoryHost, MemoryWorkspace, RunLogContext, type Workspace } from "../mod.ts";
import {
  type PackOptions,
  packRun,
  type PackSummary,
  REDACTION_KINDS,
  redactText,
  verifyPack,
} from "../src/pack/mod.ts";
import { TarEnd } from "../src/pack/_tar_end.ts";
import { verify } from "../src/cli/_pack_commands.ts";
import { fakeSecrets, leakProbes } from "./fixtures/fake_secrets.ts";
import { seededRandom } from "./fixtures/hostile.ts";
import { nativeAdapter, runtime, tempDir } from "./_runtime.ts";
import { fixture, startScript } from "./_processes.ts";
import { rejectsWorkspace, throwsRunLog } from "./_assert.ts";
import { concat } from "./_bytes.ts";

const CHUNK = 256 * 1024; // packRun's read size.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const latin1 = new TextDecoder("latin1");

/** Exactly `n` bytes (n >= 1) of ASCII log lines, ending with a newline. */
function filler(n: number, seed = 0): string {
  let text = "";
  for (let i = seed; text.length < n; i++) {
    text +=
      `[2026-02-06T14:03:27.123Z] [INFO] step ${i}: the agent edited src/app.ts and ran tests\n`;
  }
  return text.slice(0, n - 1) + "\n";
}

/** A log holding every piece on its own lines, the first ones straddling `boundaries`. */
function logWith(pieces: string[], boundaries: number[] = []): string {
  let text = "";
  const rest = [...pieces];
  for (const boundary of boundaries) {
    const piece = rest.shift()!;
    text += filler(boundary - Math.floor(piece.length / 2) - text.length);
    text += `${piece}\n`;
  }
  for (const piece of rest) text += `${filler(300, text.length)}${piece}\n`;
  return text + filler(1000);
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** Packs into memory. */
async function packToBytes(
  ws: Workspace,
  runId: RunLogContext["runId"] | string,
  options: Omit<PackOptions, "output"> = {},
): Promise<{ summary: PackSummary; gz: Uint8Array }> {
  const chunks: Uint8Array[] = [];
  const summary = await packRun(ws, runId, {
    ...options,
    output: new WritableStream({ write: (chunk) => void chunks.push(chunk.slice()) }),
  });
  return { summary, gz: concat(chunks) };
}

/** The archive's files by name (directories left out). */
async function filesOf(gz: Uint8Array): Promise<Map<string, Uint8Array>> {
  const entries = await unpackTar(gunzipSync(gz));
  return new Map(
    entries.filter((e) => e.header.type !== "directory").map((e) => [e.header.name, e.data!]),
  );
}

const streamOf = (bytes: Uint8Array) => ReadableStream.from([bytes]);

// Every file type a run has, each with one FAKE secret of each kind (a
// different set per file), the first two of pipeline.log straddling the
// 256 KiB and 512 KiB read boundaries.
const SEEDS: Record<string, number> = {
  "run.json": 1,
  "pipeline.log": 2,
  "event_loop.log": 3,
  "agents/dev_1.log": 4,
  "provider/claude-stream_dev_1.jsonl": 5,
  "debug/notes.txt": 6,
};
const TICKET = "TICKET-424242";
const BLOB_SECRET = ["AKIA", "Q".repeat(16)].join("");

async function plantRun(
  ws: Workspace,
): Promise<{ ctx: RunLogContext; contents: Map<string, string> }> {
  const ctx = await RunLogContext.create(ws);
  const contents = new Map<string, string>();
  const pieces = (file: string) => fakeSecrets(SEEDS[file]).map((s) => s.text);
  const metadata = await ctx.readRunMetadata();
  const notes = Object.fromEntries(pieces("run.json").map((text, i) => [`note_${i}`, text]));
  await ctx.writeRunMetadata({ ...metadata, extra: { ...metadata.extra, notes } });
  contents.set(
    "pipeline.log",
    logWith(pieces("pipeline.log"), [CHUNK, 2 * CHUNK]) + "the pipeline log ends here\n",
  );
  contents.set("event_loop.log", logWith(pieces("event_loop.log").map((p) => `seq=1 note=${p}`)));
  contents.set("agents/dev_1.log", logWith(pieces("agents/dev_1.log")));
  contents.set(
    "provider/claude-stream_dev_1.jsonl",
    pieces("provider/claude-stream_dev_1.jsonl")
      .map((text, i) => JSON.stringify({ seq: i, type: "tool_result", content: text }) + "\n")
      .join(""),
  );
  contents.set("debug/notes.txt", logWith([...pieces("debug/notes.txt"), `ticket ${TICKET}`]));
  for (const [file, text] of contents) await ws.write(`${ctx.runDir}/${file}`, text);
  // A binary file: archived as it is, its bytes never rewritten.
  await ws.writeBytes(
    `${ctx.runDir}/debug/blob.bin`,
    concat([new Uint8Array([0, 1, 2, 0, 255]), encoder.encode(`key ${BLOB_SECRET}`)]),
  );
  await ctx.close({ status: "succeeded" });
  contents.set("run.json", await ws.read(ctx.runMetadata()));
  return { ctx, contents };
}

/** Every probe of every planted secret, by file. */
function plantedProbes(): string[] {
  return Object.values(SEEDS).flatMap((seed) =>
    fakeSecrets(seed).flatMap((s) => leakProbes(s.secret))
  );
}

function assertNoLeak(archiveText: string) {
  for (const probe of plantedProbes()) {
    assert.ok(!archiveText.includes(probe), `'${probe}' is in the archive`);
  }
  assert.ok(!archiveText.includes(TICKET), "the user pattern's secret is in the archive");
}

test("packRun() masks every planted secret in every file type, counts them per file and kind, and verifyPack() says ok", async () => {
  const ws = new MemoryWorkspace();
  const { ctx, contents } = await plantRun(ws);
  const progress: [number, number][] = [];
  const { summary, gz } = await packToBytes(ws, ctx.runId, {
    patterns: [{ kind: "ticket", pattern: /TICKET-[0-9]{6}/ }],
    onProgress: (done, total) => progress.push([done, total]),
  });

  const tar = gunzipSync(gz);
  assertNoLeak(latin1.decode(tar));
  const files = await filesOf(gz);
  const root = `logs-${ctx.runId}`;
  const manifest = summary.manifest;
  assert.equal(manifest.root, root);
  assert.deepEqual(manifest.files.map((f) => f.path), [
    "run.json",
    "agents/dev_1.log",
    "debug/blob.bin",
    "debug/notes.txt",
    "event_loop.log",
    "lease.1.json",
    "pipeline.log",
    "provider/claude-stream_dev_1.jsonl",
  ]);
  assert.deepEqual([...files.keys()], [
    ...manifest.files.map((f) => `${root}/${f.path}`),
    `${root}/MANIFEST.json`,
  ]);
  const every = Object.fromEntries(REDACTION_KINDS.map((kind) => [kind, 1]));
  const counts = new Map(manifest.files.map((f) => [f.path, f.redactions]));
  // Plain text files: each kind found exactly once, wherever the chunk boundaries fell.
  assert.deepEqual(counts.get("pipeline.log"), every);
  assert.deepEqual(counts.get("event_loop.log"), every);
  assert.deepEqual(counts.get("agents/dev_1.log"), every);
  assert.deepEqual(counts.get("debug/notes.txt"), { ...every, ticket: 1 });
  // JSON files hold the secrets JSON-escaped, as one pass of the redactor sees them.
  for (const file of ["run.json", "provider/claude-stream_dev_1.jsonl"]) {
    assert.deepEqual(counts.get(file), redactText(contents.get(file)!).counts, file);
    assert.ok(Object.values(counts.get(file)!).reduce((a, b) => a + b) >= REDACTION_KINDS.length);
  }
  assert.equal(counts.get("lease.1.json"), undefined);
  const totals: Record<string, number> = {};
  for (const f of manifest.files) {
    for (const [kind, n] of Object.entries(f.redactions ?? {})) {
      totals[kind] = (totals[kind] ?? 0) + n;
    }
  }
  assert.deepEqual(manifest.redactions, totals);
  assert.deepEqual(summary.redactions, totals);

  // Sizes kept, hashes of what was archived, binary files untouched.
  for (const f of manifest.files) {
    const original = await ws.readBytes(`${ctx.runDir}/${f.path}`);
    const archived = files.get(`${root}/${f.path}`)!;
    assert.equal(f.size, original.length, f.path);
    assert.equal(archived.length, original.length, f.path);
    assert.equal(f.text, f.path !== "debug/blob.bin", f.path);
  }
  assert.ok(
    sameBytes(
      files.get(`${root}/debug/blob.bin`)!,
      await ws.readBytes(`${ctx.runDir}/debug/blob.bin`),
    ),
  );
  // The metadata is that of run.json as archived: redacted.
  assert.equal(manifest.run?.runId, `${ctx.runId}`);
  assert.equal(manifest.run?.status, "succeeded");
  assertNoLeak(JSON.stringify(manifest.run));
  assert.equal(manifest.live, false);
  assert.equal(manifest.redacted, true);
  assert.deepEqual(manifest.skipped, []);
  assert.equal(summary.files, 8);
  assert.equal(summary.bytesIn, manifest.files.reduce((n, f) => n + f.size, 0));
  assert.equal(summary.bytesOut, gz.length);
  assert.equal(summary.output, undefined);
  // Progress: monotonic, never past the total, ending at everything.
  assert.ok(progress.length > 3);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] >= progress[i - 1][0]);
  assert.ok(progress.every(([done, total]) => done <= total));
  assert.deepEqual(progress.at(-1), [summary.bytesIn, summary.bytesIn]);

  const result = await verifyPack(streamOf(gz));
  assert.deepEqual(result.problems, []);
  assert.equal(result.ok, true);
  assert.deepEqual(result.manifest, manifest);
});

// Every file under `dir`, relative, with its bytes.
async function treeOf(dir: string, base = dir, out = new Map<string, Uint8Array>()) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      out.set(`${relative(base, path)}/`, new Uint8Array(0));
      await treeOf(path, base, out);
    } else out.set(relative(base, path), await readFile(path));
  }
  return out;
}

const MASK_BYTES = new Set(encoder.encode("[]*:-abcdefghijklmnopqrstuvwxyz0123456789."));

test("packRun() writes a file that the system tar extracts into the run's tree: same paths and sizes, same bytes but the masks", async () => {
  const dir = await tempDir();
  try {
    await mkdir(join(dir.path, "repo"));
    const ws = (await nativeAdapter()).make(join(dir.path, "repo"));
    const { ctx } = await plantRun(ws);
    await mkdir(join(dir.path, "out"));
    const archive = join(dir.path, "out", "run.tar.gz");
    const summary = await packRun(ws, ctx.runId, { output: relative(process.cwd(), archive) });
    assert.equal(summary.output, archive);
    assert.deepEqual(await readdir(join(dir.path, "out")), ["run.tar.gz"]); // No temp file left.
    assert.equal((await lstat(archive)).size, summary.bytesOut);
    assert.equal((await lstat(archive)).mode & 0o777, 0o600);
    assert.equal((await verifyPack(archive)).ok, true);

    const extracted = join(dir.path, "x");
    await mkdir(extracted);
    const tar = spawnSync("tar", ["xzf", archive, "-C", extracted], { encoding: "utf8" });
    assert.equal(tar.status, 0, tar.stderr);
    const original = await treeOf(join(dir.path, "repo", ctx.runDir));
    const unpacked = await treeOf(join(extracted, `logs-${ctx.runId}`));
    assert.ok(unpacked.has("MANIFEST.json"));
    unpacked.delete("MANIFEST.json");
    assert.deepEqual([...unpacked.keys()].sort(), [...original.keys()].sort());
    const redacted = new Set(summary.manifest.files.filter((f) => f.redactions).map((f) => f.path));
    for (const [path, bytes] of original) {
      const copy = unpacked.get(path)!;
      assert.equal(copy.length, bytes.length, path);
      if (!redacted.has(path)) {
        assert.ok(sameBytes(copy, bytes), `${path} changed`);
        continue;
      }
      let changed = 0;
      for (let i = 0; i < bytes.length; i++) {
        if (copy[i] === bytes[i]) continue;
        changed++;
        assert.ok(MASK_BYTES.has(copy[i]), `${path}: byte ${i} became ${copy[i]}, not a mask`);
        assert.ok(bytes[i] !== 0x0a && copy[i] !== 0x0a, `${path}: a line break moved at ${i}`);
      }
      assert.ok(changed > 0, path);
    }
  } finally {
    await dir.remove();
  }
});

/** The archive's tar with `edit` applied to its entries, gzipped again. */
async function rebuilt(
  gz: Uint8Array,
  edit: (entries: ParsedTarEntryWithData[]) => ParsedTarEntryWithData[],
): Promise<Uint8Array> {
  return gzipSync(await packTar(edit(await unpackTar(gunzipSync(gz)))));
}

test("verifyPack() names the file of a changed byte, a missing, an added and a resized file", async () => {
  const ws = new MemoryWorkspace();
  const { ctx } = await plantRun(ws);
  const { gz } = await packToBytes(ws, ctx.runId);
  const root = `logs-${ctx.runId}`;

  // One byte flipped in the uncompressed tar, inside pipeline.log's content.
  const tar = gunzipSync(gz);
  const at = Buffer.from(tar).indexOf("the pipeline log ends here");
  assert.ok(at > 0);
  const tampered = Buffer.from(tar);
  tampered[at] ^= 0x20;
  const flipped = await verifyPack(streamOf(gzipSync(tampered)));
  assert.equal(flipped.ok, false);
  assert.deepEqual(flipped.problems.map((p) => [p.kind, p.path]), [["sha256", "pipeline.log"]]);
  assert.match(
    flipped.problems[0].message,
    /^'pipeline\.log' has SHA-256 [0-9a-f]{64}; the manifest says/,
  );

  const edited = await rebuilt(gz, (entries) => [
    ...entries
      .filter((e) => e.header.name !== `${root}/agents/dev_1.log`)
      .map((e) =>
        e.header.name === `${root}/event_loop.log`
          ? {
            header: { ...e.header, size: e.data!.length + 1 },
            data: concat([e.data!, encoder.encode("!")]),
          }
          : e
      ),
    {
      header: { name: `${root}/debug/extra.txt`, size: 5, type: "file" },
      data: encoder.encode("extra"),
    },
  ]);
  const result = await verifyPack(streamOf(edited));
  assert.deepEqual(result.problems.map((p) => [p.kind, p.path]), [
    ["missing", "agents/dev_1.log"],
    ["size", "event_loop.log"],
    ["extra", "debug/extra.txt"],
  ]);
  assert.ok(result.problems.every((p) => p.message.includes(p.path!)));
  assert.equal(result.manifest?.runId, `${ctx.runId}`);

  // A link, a path leaving the directory, a second copy, no manifest.
  const hostile = await rebuilt(gz, (entries) => [
    ...entries.filter((e) => !e.header.name.endsWith("MANIFEST.json")),
    { header: { name: `${root}/pipeline.log`, size: 1, type: "file" }, data: encoder.encode("x") },
    { header: { name: `${root}/debug/link`, size: 0, type: "symlink", linkname: "/etc/passwd" } },
    { header: { name: "../escape.txt", size: 1, type: "file" }, data: encoder.encode("x") },
  ]);
  const bad = await verifyPack(streamOf(hostile));
  assert.deepEqual(bad.problems.map((p) => p.kind), [
    "duplicate",
    "unexpected-entry",
    "unexpected-entry",
    "no-manifest",
  ]);
  assert.equal(bad.manifest, undefined);
});

test("verifyPack() reports a truncated or corrupt archive as unreadable, and throws only for a file it cannot open", async () => {
  const ws = new MemoryWorkspace();
  const { ctx } = await plantRun(ws);
  const { gz } = await packToBytes(ws, ctx.runId);
  for (const cut of [gz.length >> 1, gz.length - 10]) {
    const result = await verifyPack(streamOf(gz.subarray(0, cut)));
    assert.equal(result.ok, false);
    assert.equal(result.problems[0].kind, "unreadable", JSON.stringify(result.problems));
    assert.match(result.problems[0].message, /^the archive cannot be read to its end: \S/);
  }
  const corrupt = gz.slice();
  corrupt[corrupt.length >> 1] ^= 0xff;
  assert.ok((await verifyPack(streamOf(corrupt))).problems.some((p) => p.kind === "unreadable"));
  const notGzip = await verifyPack(streamOf(encoder.encode("just some text, not an archive")));
  assert.deepEqual(notGzip.problems.map((p) => p.kind), ["unreadable", "no-manifest"]);

  // Also from an async iterable, in small chunks.
  const chunks = async function* () {
    for (let at = 0; at < gz.length; at += 1000) yield gz.subarray(at, at + 1000);
  };
  assert.equal((await verifyPack(chunks())).ok, true);

  const dir = await tempDir();
  try {
    const missing = await rejectsWorkspace(verifyPack(join(dir.path, "nope.tar.gz")), "not-found");
    assert.equal(missing.path, join(dir.path, "nope.tar.gz"));
    await rejectsWorkspace(verifyPack(dir.path), "is-a-directory");
    const fifo = join(dir.path, "pipe");
    if (spawnSync("mkfifo", [fifo]).status === 0) {
      await rejectsWorkspace(verifyPack(fifo), "not-a-regular-file");
    }
    await throwsRunLog(() => verifyPack(42 as unknown as string), "invalid-argument");
  } finally {
    await dir.remove();
  }
});

/** Every file of a workspace tree with its bytes, for before/after comparisons. */
async function snapshot(ws: Workspace, dir = ".agent", out = new Map<string, string>()) {
  for (const entry of await ws.readDir(dir)) {
    if (entry.isDir) await snapshot(ws, entry.path, out);
    else out.set(entry.path, Buffer.from(await ws.readBytes(entry.path)).toString("base64"));
  }
  return out;
}

test("packRun() never changes the run on disk, and with redact: false keeps every secret", async () => {
  const ws = new MemoryWorkspace();
  const { ctx } = await plantRun(ws);
  const before = await snapshot(ws);
  await packToBytes(ws, ctx.runId);
  const { summary, gz } = await packToBytes(ws, ctx.runId, { redact: false });
  assert.deepEqual(await snapshot(ws), before);
  const text = latin1.decode(gunzipSync(gz));
  for (const probe of plantedProbes()) assert.ok(text.includes(probe), `'${probe}' was masked`);
  assert.equal(summary.manifest.redacted, false);
  assert.deepEqual(summary.redactions, {});
  assert.ok(summary.manifest.files.every((f) => f.redactions === undefined));
  assert.equal((await verifyPack(streamOf(gz))).ok, true);
});

test("packRun() packs a live run as a snapshot while its holder appends, and says it was live", async () => {
  const ws = new MemoryWorkspace();
  const other = ws.asProcess(new MemoryHost({ pid: 7, alive: ws.host.alive }));
  const ctx = await RunLogContext.create(other); // Process 7 holds the run.
  const log = ctx.pipelineLog();
  await other.write(log, filler(3 * CHUNK + 1234));
  const atStart = (await ws.readBytes(log)).length;
  let appended = 0;
  const { summary, gz } = await packToBytes(ws, ctx.runId, {
    // The holder writes a line after every chunk packed.
    onProgress: () => void other.appendBytes(log, encoder.encode(`appended line ${appended++}\n`)),
  });
  assert.ok(appended > 4);
  const archived = (await filesOf(gz)).get(`logs-${ctx.runId}/pipeline.log`)!;
  const now = await ws.readBytes(log);
  assert.ok(archived.length >= atStart);
  assert.ok(now.length > archived.length, "nothing was appended after packing reached the log");
  assert.ok(sameBytes(archived, now.subarray(0, archived.length)), "not a prefix of the log");
  assert.equal(summary.live, true);
  assert.equal(summary.manifest.holder?.pid, 7);
  assert.equal(summary.manifest.holder?.host, "memory-host");
  assert.equal((await verifyPack(streamOf(gz))).ok, true);
  await ctx.close();
  const after = await packToBytes(ws, ctx.runId);
  assert.equal(after.summary.live, false);
  assert.equal(after.summary.manifest.holder, undefined);
});

test("packRun() packs a run a real process is writing: live, its holder named, whole lines", async () => {
  const dir = await tempDir();
  const ws = (await nativeAdapter()).make(dir.path);
  const ctx = await RunLogContext.create(ws);
  await ctx.close();
  const holder = startScript(fixture("holder.ts"), [dir.path, `${ctx.runId}`, "1000"]);
  try {
    await holder.waitForLine((line) => line.startsWith("ready"));
    await holder.waitForLine((line) => line === "ack 20");
    const { summary, gz } = await packToBytes(ws, ctx.runId);
    await holder.waitForLine((line) => line === "ack 40"); // Still writing after the pack.
    assert.equal(summary.live, true);
    assert.equal(summary.manifest.holder?.pid, holder.child.pid);
    const archived = decoder.decode((await filesOf(gz)).get(`logs-${ctx.runId}/event_loop.log`)!);
    const now = await ws.read(ctx.eventLoopLog());
    assert.ok(archived.endsWith("\n") && archived.split("\n").length > 20, archived.slice(-200));
    assert.ok(now.startsWith(archived) && now.length > archived.length);
    assert.equal((await verifyPack(streamOf(gz))).ok, true);
  } finally {
    holder.child.stdin!.end();
    await holder.exited;
    await dir.remove();
  }
});

test("packRun() leaves out links, hard links, FIFOs and a planted MANIFEST.json, lists them, and reads nothing outside the root", async () => {
  const dir = await tempDir();
  try {
    const outside = join(dir.path, "outside");
    await mkdir(outside);
    await writeFile(join(outside, "canary.txt"), "OUTSIDE-CANARY\n");
    const root = join(dir.path, "repo");
    await mkdir(root);
    const ws = (await nativeAdapter()).make(root);
    const ctx = await RunLogContext.create(ws);
    await ctx.close();
    const run = join(root, ctx.runDir);
    await symlink(join(outside, "canary.txt"), join(run, "debug", "canary.txt"));
    await symlink(outside, join(run, "provider", "outside"));
    await symlink("/etc/passwd", join(run, "agents", "passwd.log"));
    await link(join(outside, "canary.txt"), join(run, "debug", "hard.txt"));
    await writeFile(join(run, "MANIFEST.json"), '{"format": "forged"}');
    const fifo = spawnSync("mkfifo", [join(run, "debug", "pipe")]).status === 0;

    const { summary, gz } = await packToBytes(ws, ctx.runId);
    const text = latin1.decode(gunzipSync(gz));
    assert.ok(!text.includes("OUTSIDE-CANARY"));
    assert.ok(!text.includes("root:x:0:0"));
    assert.ok(!text.includes("forged"));
    assert.deepEqual(summary.skipped, [
      { path: "MANIFEST.json", reason: "its name is the pack's own manifest's" },
      { path: "agents/passwd.log", reason: "a symbolic link, never followed" },
      { path: "debug/canary.txt", reason: "a symbolic link, never followed" },
      ...(fifo
        ? [{ path: "debug/pipe", reason: "a special file (FIFO, socket or device), never opened" }]
        : []),
      { path: "provider/outside", reason: "a symbolic link, never followed" },
      // Found when opened, after the walk.
      {
        path: "debug/hard.txt",
        reason:
          "a hard link (the file has another name, perhaps outside the workspace), never read",
      },
    ]);
    assert.deepEqual(summary.manifest.skipped, summary.skipped);
    const result = await verifyPack(streamOf(gz));
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    assert.deepEqual(result.manifest?.skipped, summary.skipped);

    // A run directory that is itself a link is refused, not followed.
    const linked = "2026-01-01_00-00-00.000Z";
    await symlink(run, join(root, ".agent", `logs-${linked}`));
    const error = await rejectsWorkspace(packToBytes(ws, linked), "symlink");
    assert.match(error.message, /logs-2026-01-01_00-00-00\.000Z/);
  } finally {
    await dir.remove();
  }
});

test("packRun() pads a file that shrinks while it is read and flags it, and lists a file removed before its turn", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws);
  await ctx.close();
  const big = `${ctx.runDir}/debug/big.log`;
  const content = encoder.encode(filler(3 * CHUNK));
  await ws.writeBytes(big, content);
  await ws.write(`${ctx.runDir}/agents/gone.log`, "soon removed\n");
  const kept = 300_000;
  // The log is truncated right after its first chunk was read.
  const shrinking = new Proxy(ws, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property !== "readRange") return typeof value === "function" ? value.bind(target) : value;
      return async (path: string, offset: number, length: number) => {
        const bytes = await target.readRange(path, offset, length);
        if (path === big && offset === 0) await target.writeBytes(big, content.subarray(0, kept));
        return bytes;
      };
    },
  });
  let removed = false;
  let last: [number, number] = [0, 0];
  const { summary, gz } = await packToBytes(shrinking, ctx.runId, {
    onProgress: (done, total) => { // run.json comes first; agents/gone.log is next.
      if (!removed) void ws.remove(`${ctx.runDir}/agents/gone.log`);
      removed = true;
      last = [done, total];
    },
  });
  assert.deepEqual(last, [summary.bytesIn, summary.bytesIn]);
  const entry = summary.manifest.files.find((f) => f.path === "debug/big.log")!;
  assert.equal(entry.size, content.length);
  assert.equal(entry.shrankTo, kept);
  const archived = (await filesOf(gz)).get(`logs-${ctx.runId}/debug/big.log`)!;
  assert.ok(sameBytes(archived.subarray(0, kept), content.subarray(0, kept)));
  assert.ok(archived.subarray(kept).every((b) => b === 0));
  assert.deepEqual(summary.skipped, [
    { path: "agents/gone.log", reason: "removed while the run was being packed" },
  ]);
  const result = await verifyPack(streamOf(gz));
  assert.equal(result.ok, true);
  assert.equal(result.manifest?.files.find((f) => f.path === "debug/big.log")?.shrankTo, kept);
});

test("packRun() refuses an existing output, one inside the run, bad options and unknown runs, naming them, and leaves nothing when it fails", async () => {
  const dir = await tempDir();
  try {
    await mkdir(join(dir.path, "repo"));
    const ws = (await nativeAdapter()).make(join(dir.path, "repo"));
    const ctx = await RunLogContext.create(ws);
    await ws.write(ctx.pipelineLog(), filler(2 * CHUNK));
    await ctx.close();
    const out = join(dir.path, "out");
    await mkdir(out);
    const archive = join(out, "run.tar.gz");
    await writeFile(archive, "precious");
    const exists = await throwsRunLog(
      () => packRun(ws, ctx.runId, { output: archive }),
      "invalid-argument",
    );
    assert.match(exists.message, /run\.tar\.gz' already exists; .*\{ overwrite: true \}/);
    assert.equal(await readFile(archive, "utf8"), "precious");
    await packRun(ws, ctx.runId, { output: archive, overwrite: true });
    assert.equal((await verifyPack(archive)).ok, true);

    const inside = join(dir.path, "repo", ctx.runDir, "debug", "self.tar.gz");
    const self = await throwsRunLog(
      () => packRun(ws, ctx.runId, { output: inside }),
      "invalid-argument",
    );
    assert.match(self.message, /self\.tar\.gz' is inside the run directory being packed/);
    assert.deepEqual(await readdir(join(dir.path, "repo", ctx.runDir, "debug")), []);
    await rejectsWorkspace(
      packRun(ws, ctx.runId, { output: join(out, "no", "such", "dir.tgz") }),
      "not-found",
    );

    const bad: [unknown, RegExp][] = [
      [null, /the options must be an object/],
      [{ output: 42 }, /output must be a file path or a WritableStream/],
      [{ output: "" }, /output must be/],
      [{ output: "x.tgz", level: 10 }, /level must be an integer from 0 to 9, got number 10/],
      [{ output: "x.tgz", level: 2.5 }, /level must be/],
      [{ output: "x.tgz", redact: "no" }, /redact must be true or false/],
      [{ output: "x.tgz", overwrite: 1 }, /overwrite must be true or false/],
      [{ output: "x.tgz", onProgress: "x" }, /onProgress must be a function/],
      [
        { output: "x.tgz", redact: false, patterns: [] },
        /patterns must be absent when redact is false/,
      ],
      [{ output: "x.tgz", patterns: [{ kind: "bad kind", pattern: /x/ }] }, /patterns\[0\]\.kind/],
    ];
    for (const [options, message] of bad) {
      const error = await throwsRunLog(
        () => packRun(ws, ctx.runId, options as PackOptions),
        "invalid-argument",
      );
      assert.match(error.message, message);
    }
    await throwsRunLog(() => packRun(ws, "x/../../etc", { output: "x.tgz" }), "invalid-run-id");
    const unknown = await throwsRunLog(
      () => packRun(ws, "2020-01-01_00-00-00.000Z", { output: "x.tgz" }),
      "not-found",
    );
    assert.match(unknown.message, /no run '2020-01-01_00-00-00\.000Z'/);

    // A pack that fails midway leaves no file, and reports the failure itself.
    const stop = new Error("stop here");
    const failed = join(out, "failed.tar.gz");
    await assert.rejects(
      packRun(ws, ctx.runId, {
        output: failed,
        onProgress: () => {
          throw stop;
        },
      }),
      (error) => error === stop,
    );
    assert.deepEqual((await readdir(out)).sort(), ["run.tar.gz"]);
    // A stream that fails: the pack fails with its error, and the stream is aborted.
    let aborted: unknown;
    const full = new Error("disk full");
    const stream = new WritableStream<Uint8Array>({
      write: () => Promise.reject(full),
      abort: (reason) => void (aborted = reason),
    });
    await assert.rejects(packRun(ws, ctx.runId, { output: stream }), (error) => error === full);
    assert.ok(aborted === full || aborted === undefined); // The stream errored first.
    assert.equal(stream.locked, true);
  } finally {
    await dir.remove();
  }
});

// Mostly one big provider log, written 4 MiB at a time, a few secrets in each 4 MiB.
async function writeBigLog(path: string, bytes: number): Promise<void> {
  const pool = encoder.encode(
    filler(4 * 1024 * 1024 - 4096) +
      fakeSecrets(9).map((s) => JSON.stringify({ content: s.text })).join("\n").slice(0, 4095) +
      "\n",
  );
  const file = await open(path, "w");
  try {
    for (let written = 0; written < bytes; written += pool.length) await file.write(pool);
  } finally {
    await file.close();
  }
}

test("packRun() packs a 1 GB run in bounded memory: under 64 MB extra", async () => {
  const dir = await tempDir();
  try {
    const ws = (await nativeAdapter()).make(dir.path);
    const runs = [];
    for (const bytes of [64 * 1024 ** 2, 1024 ** 3]) {
      const ctx = await RunLogContext.create(ws);
      await ctx.close();
      await ws.write(ctx.pipelineLog(), filler(CHUNK + 10));
      await writeBigLog(join(dir.path, ctx.providerLog("claude-stream_dev_1.jsonl")), bytes);
      runs.push(ctx.runId);
    }
    // gzip level 1: the test measures memory, and level 6 would take several times longer.
    const packer = startScript(fixture("pack_memory.ts"), [
      dir.path,
      `${runs[0]}`,
      join(dir.path, "small.tar.gz"),
      `${runs[1]}`,
      join(dir.path, "large.tar.gz"),
      "1",
    ]);
    packer.child.stdin!.end(); // It reads nothing.
    const code = await packer.exited;
    const stdout = packer.lines.map((line) => `${line}\n`).join("");
    assert.equal(code, 0, packer.stderr());
    const m = JSON.parse(stdout);
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    // The RSS right before the 1 GB pack, after a 64 MB one: the runtime's
    // heap and allocator have their working size, whatever the run's size.
    const extra = m.peak - m.baseline;
    console.log(
      `1 GB pack on ${runtime}: ${mb(extra)} MB extra (${mb(m.peak - m.smallPeak)} MB above the ` +
        `64 MB run's peak, ${mb(m.peak - m.before)} MB above the loaded process), ` +
        `${m.seconds.toFixed(1)} s`,
    );
    assert.ok(m.bytesIn > 1024 ** 3, stdout);
    assert.ok(Object.keys(m.redactions).length > 0, stdout);
    assert.ok(extra < 64 * 2 ** 20, `${mb(extra)} MB extra, over 64 MB: ${stdout}`);
  } finally {
    await dir.remove();
  }
});

// ---------------------------------------------------------------------------
// What follows an archive, and archives that inflate without bound.

/** A ustar header block for an entry of `size` bytes (`type` "0" a file, "L" a GNU long name, "x"/"g" PAX). */
function tarHeader(name: string, size: number, type = "0"): Uint8Array {
  const block = new Uint8Array(512);
  const put = (at: number, text: string) => block.set(encoder.encode(text), at);
  put(0, name);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, `${size.toString(8).padStart(11, "0")}\0`);
  put(136, "00000000000\0");
  put(148, "        ");
  put(156, type);
  put(257, "ustar\0");
  put(263, "00");
  put(148, `${block.reduce((sum, byte) => sum + byte, 0).toString(8).padStart(6, "0")}\0 `);
  return block;
}

/** `header` with its size field set to `size` in base-256 (as for files over 8 GiB), checksum updated. */
function base256(header: Uint8Array, size: number): Uint8Array {
  const block = header.slice();
  block.fill(0, 124, 136);
  block[124] = 0x80;
  for (let at = 135, rest = size; rest > 0; at--, rest = Math.floor(rest / 256)) {
    block[at] = rest % 256;
  }
  block.fill(0x20, 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.set(encoder.encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
  return block;
}

/** `bytes`, padded with zeros to whole 512-byte blocks. */
const blocks = (bytes: Uint8Array) => concat([bytes, new Uint8Array(-bytes.length & 511)]);

/** A PAX record: its length (itself included), the key and value, a newline. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  return `${length}${body}`;
}

test("verifyPack() reports data after the archive as trailing data, not unreadable, and still compares every file", async () => {
  const ws = new MemoryWorkspace();
  const { ctx } = await plantRun(ws);
  const { gz, summary } = await packToBytes(ws, ctx.runId);
  const tar = gunzipSync(gz);
  const second = gzipSync(encoder.encode("more data"));
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "bytes after the gzip data",
      concat([gz, encoder.encode("GARBAGE")]),
      /^7 bytes after the end of the archive: /,
    ],
    [
      "zero bytes after it",
      concat([gz, new Uint8Array(512)]),
      /^512 bytes \(all zero\) after the end of the archive/,
    ],
    [
      "a second gzip member",
      concat([gz, second]),
      new RegExp(`^a second gzip member \\(${second.length} bytes\\) after the archive`),
    ],
    [
      "tar data after the end blocks",
      gzipSync(concat([tar, encoder.encode("JUNK")])),
      /^4 bytes after the end of the tar archive, inside the gzip data/,
    ],
    [
      "over 1 MiB after the end blocks",
      gzipSync(concat([tar, new Uint8Array(2 * 1024 * 1024)])),
      /^more than 1 MiB after the end of the tar archive/,
    ],
  ];
  for (const [what, archive, message] of cases) {
    const result = await verifyPack(streamOf(archive));
    assert.equal(result.ok, false, what);
    assert.deepEqual(result.problems.map((p) => p.kind), ["trailing-data"], what);
    assert.match(result.problems[0].message, message, what);
    assert.match(
      result.problems[0].message,
      /: not part of the pack, and not covered by its manifest$/,
    );
    assert.equal(result.manifest?.files.length, summary.files, what);
  }
  // Tar pads its last record with zeros: padding, not data.
  assert.equal(
    (await verifyPack(streamOf(gzipSync(concat([tar, new Uint8Array(10240)]))))).ok,
    true,
  );
  // Trailing data and a changed file: both are reported.
  const flipped = Buffer.from(tar);
  flipped[flipped.indexOf("the pipeline log ends here")] ^= 0x20;
  const both = await verifyPack(streamOf(concat([gzipSync(flipped), second])));
  assert.deepEqual(both.problems.map((p) => p.kind), ["trailing-data", "sha256"]);
  // A bad CRC or a cut trailer is still unreadable.
  const badCrc = gz.slice();
  badCrc[badCrc.length - 8] ^= 1;
  assert.match(
    (await verifyPack(streamOf(badCrc))).problems[0].message,
    /checksum \(CRC-32\) does not match/,
  );
  assert.match(
    (await verifyPack(streamOf(gz.subarray(0, gz.length - 3)))).problems[0].message,
    /ends without its trailer \(is the file truncated\?\)/,
  );
});

test("runlog verify says a pack followed by data matches its manifest but is not ok, and exits 1", async () => {
  const ws = new MemoryWorkspace();
  const { ctx } = await plantRun(ws);
  const { gz, summary } = await packToBytes(ws, ctx.runId);
  const dir = await tempDir();
  try {
    for (const tail of [encoder.encode("GARBAGE"), gzipSync(encoder.encode("more"))]) {
      const path = join(dir.path, "run.tar.gz");
      await writeFile(path, concat([gz, tail]));
      let out = "";
      let err = "";
      const output = {
        out: (t: string) => void (out += t),
        err: (t: string) => void (err += t),
        tty: false,
        color: false,
      };
      assert.equal(await verify([path], output), 1);
      assert.equal(out, "");
      assert.ok(
        err.startsWith(
          `${path}: not ok: its ${summary.files} files match the manifest, but data follows the archive\n`,
        ),
        err,
      );
      assert.match(
        err,
        /(7 bytes after the end of the archive|a second gzip member \(\d+ bytes\) after the archive)/,
      );
      // Anything else wrong keeps the plain verdict.
      await writeFile(path, concat([gz.subarray(0, gz.length >> 1)]));
      err = "";
      assert.equal(await verify([path], output), 1);
      assert.match(err, /: does not match its manifest\n/);
    }
  } finally {
    await dir.remove();
  }
});

test("TarEnd finds the end of a tar archive where modern-tar's strict reader does, in chunks of any size", async () => {
  const random = seededRandom(0x7a2e_0001);
  const archives: Uint8Array[] = [];
  for (let n = 0; n < 60; n++) {
    const entries: ParsedTarEntryWithData[] = [];
    const count = Math.floor(random() * 6);
    for (let i = 0; i < count; i++) {
      // Long names take a PAX header or a ustar prefix; other PAX records too.
      const name = random() < 0.3
        ? `d${i}/${"n".repeat(100 + Math.floor(random() * 200))}`
        : `d/f${i}`;
      const kind = Math.floor(random() * 4);
      if (kind === 0) entries.push({ header: { name: `${name}/`, size: 0, type: "directory" } });
      else if (kind === 1) {
        entries.push({ header: { name, size: 0, type: "symlink", linkname: "x".repeat(150) } });
      } else {
        const data = new Uint8Array(Math.floor(random() * 3000)).map(() =>
          1 + Math.floor(random() * 255)
        );
        const pax = kind === 3 ? { comment: "c".repeat(Math.floor(random() * 600)) } : undefined;
        entries.push({
          header: { name, size: data.length, type: "file", ...(pax ? { pax } : {}) },
          data,
        });
      }
    }
    archives.push(await packTar(entries));
  }
  // By hand, how the reader frames entries beyond their header's size: a
  // PAX size (one for the next entry, one for all), a PAX size dropped by a
  // long name after it, a directory's size (ignored), a file named like a
  // directory (its body kept). Bodies of "7"s read as a huge octal size if
  // taken for a header.
  const sevens = (n: number) => blocks(encoder.encode("7".repeat(n)));
  const meta = (type: string, body: string) => {
    const bytes = encoder.encode(body);
    return concat([tarHeader(`meta/${type}`, bytes.length, type), blocks(bytes)]);
  };
  archives.push(concat([
    meta("x", paxRecord("size", "1000")),
    tarHeader("x", 0), // Its PAX header says 1000 bytes.
    sevens(1000),
    meta("x", paxRecord("size", "2000")),
    meta("L", `${"L".repeat(300)}/\0`), // Drops the PAX size.
    tarHeader("y", 600), // A directory by its long name, with a body all the same.
    sevens(600),
    base256(tarHeader("b", 0), 2000), // Its size in base-256.
    sevens(2000),
    tarHeader("dir/", 1000, "5"), // No body.
    meta("g", paxRecord("size", "700")),
    tarHeader("z", 0), // 700 bytes, as every entry after the global header.
    sevens(700),
    new Uint8Array(1024),
  ]));
  for (const [n, tar] of archives.entries()) {
    // modern-tar reads the whole of it, and nothing less.
    const read = await unpackTar(tar, { strict: true });
    await assert.rejects(
      unpackTar(tar.subarray(0, tar.length - 512), { strict: true }),
      `archive ${n}`,
    );
    for (const junk of [new Uint8Array(0), encoder.encode("JUNK"), new Uint8Array(700).fill(7)]) {
      const stream = concat([tar, junk]);
      const end = new TarEnd();
      let taken = 0;
      for (let at = 0; at < stream.length;) {
        const size = 1 + Math.floor(random() * (random() < 0.5 ? 600 : 5000));
        taken += end.take(stream.subarray(at, at + size));
        at += size;
      }
      assert.equal(end.ended, true, `archive ${n} of ${read.length} entries`);
      assert.equal(taken, tar.length, `archive ${n} of ${read.length} entries`);
    }
  }
});

test("verifyPack() checks a gzip bomb (1 MB that inflates to 1 GiB) in bounded memory: under 300 MB RSS in a child process", async () => {
  const dir = await tempDir();
  try {
    // One 1 GiB file of zeros in a tar, gzipped to about 1 MB.
    const bomb = join(dir.path, "bomb.tar.gz");
    const zeros = new Uint8Array(1024 * 1024);
    await pipeline(
      async function* () {
        yield tarHeader("logs-x/big.log", 1024 ** 3);
        for (let i = 0; i < 1024; i++) yield zeros;
        yield new Uint8Array(1024);
      },
      createGzip({ level: 9, strategy: zlibConstants.Z_RLE }),
      createWriteStream(bomb),
    );
    const size = (await lstat(bomb)).size;
    assert.ok(size < 2 * 1024 * 1024, `${size} bytes`);
    const child = startScript(fixture("verify_memory.ts"), [bomb]);
    child.child.stdin!.end(); // It reads nothing.
    const code = await child.exited;
    assert.equal(code, 0, child.stderr());
    const m = JSON.parse(child.lines.find((line) => line.startsWith("{"))!);
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    console.log(
      `verify of a ${mb(size)} MB gzip bomb (1 GiB inflated) on ${runtime}: ${
        mb(m.peak)
      } MB peak ` +
        `RSS (${mb(m.before)} MB before), ${m.seconds.toFixed(1)} s`,
    );
    // Read to its end (nothing else is wrong with it but the missing manifest).
    assert.deepEqual(m.problems, ["no-manifest"]);
    assert.ok(m.peak < 300 * 2 ** 20, `peak RSS ${mb(m.peak)} MB, over 300 MB`);
  } finally {
    await dir.remove();
  }
});
