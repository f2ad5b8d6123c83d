// The S3 run store: first against an in-memory S3 engine that honours
// If-None-Match/If-Match as Ceph RGW does (tests/fixtures/fake_s3.ts; always
// run), then against a real Ceph RGW on 127.0.0.1 (opt-in with
// RUNLOG_S3_TESTS=1; see tests/_rgw.ts), on the runtime running this file.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  EventLoopLogger,
  EventLoopTrace,
  listRuns,
  MemoryHost,
  MemoryWorkspace,
  PipelineLogger,
  RunLogContext,
  RunLogError,
  type Workspace,
  WorkspaceError,
} from "../mod.ts";
import { S3Client } from "../src/s3/s3_client.ts";
import {
  S3RunStore,
  S3StoreWorkspace,
  shipRun,
  type ShipRunOptions,
  type ShipSummary,
} from "../src/s3/mod.ts";
import { parseLeaseObject } from "../src/s3/store_lease.ts";
import { parseManifest } from "../src/s3/_store_manifest.ts";
import { sha256Hex } from "../src/s3/_sha256.ts";
import { verifyPack } from "../src/pack/mod.ts";
import { FakeS3, serveFakeS3 } from "./fixtures/fake_s3.ts";
import { runCli } from "../src/cli/mod.ts";
import { spawn } from "node:child_process";
import process from "node:process";
import { nativeAdapter, runtime, type RuntimeName, tempDir } from "./_runtime.ts";
import { fixture, runlog, runlogCommand, startScript } from "./_processes.ts";
import {
  raceScripts,
  type RgwBucket,
  s3ScriptCommand,
  skipUnlessS3,
  withRgwBucket,
} from "./_rgw.ts";

const BUCKET = "runs";
const PREFIX = "team/runs";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Fake {
  s3: FakeS3;
  client: S3Client;
  store: S3RunStore;
}

/** A store over an in-memory engine; `tag` names this client's requests in the engine's hook. */
function fakeStore(
  options: { s3?: FakeS3; host?: MemoryHost; heartbeatMs?: number; tag?: string } = {},
): Fake {
  const s3 = options.s3 ?? new FakeS3();
  s3.bucket(BUCKET);
  const client = new S3Client({
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    bucket: BUCKET,
    accessKeyId: "AKIAFAKEFAKEFAKE0001",
    secretAccessKey: "fake/secret/key/0123456789",
    fetch: (request) => {
      if (options.tag !== undefined) request.headers.set("x-test-client", options.tag);
      return s3.fetch(request);
    },
  });
  const store = new S3RunStore(client, {
    prefix: PREFIX,
    host: options.host,
    heartbeatMs: options.heartbeatMs,
  });
  return { s3, client, store };
}

/** A run with every kind of file: pipeline, events, agents, provider, debug, trace. */
async function writeRun(
  ws: Workspace,
  options: { status?: "succeeded" | "failed"; keepOpen?: boolean } = {},
): Promise<RunLogContext> {
  const ctx = await RunLogContext.create(ws, {
    metadata: { command: "ralph --dev", version: "0.6.3" },
  });
  const pipeline = await PipelineLogger.open(ctx);
  await pipeline.info("starting");
  const events = await EventLoopLogger.open(ctx);
  for (let i = 0; i < 20; i++) {
    await events.logEffect({
      phase: "Development",
      effect: "InvokeAgent",
      event: "Done",
      durationMs: i,
    });
  }
  const agent = await ctx.claimAgentLog("dev", 1);
  await agent.writer.write(`${"agent output ".repeat(500)}\n`);
  await agent.writer.close();
  const provider = await ctx.openProviderLog("claude-stream_dev_1.jsonl");
  await provider.writer.write('{"type":"message_start"}\n');
  await provider.writer.close();
  await ws.writeBytes(`${ctx.runDir}/debug/blob.bin`, new Uint8Array([0, 1, 2, 255, 254]));
  const trace = new EventLoopTrace(ctx);
  trace.push({ effect: "InvokeAgent", event: "AgentFailed" });
  await trace.dump("unrecoverable_handler_error", { phase: "Development" });
  await pipeline.ok("done");
  await pipeline.close();
  await events.close();
  if (!options.keepOpen) await ctx.close({ status: options.status ?? "succeeded" });
  return ctx;
}

/** Every regular file under `dir`, by path relative to it, but lease files. */
async function filesOf(ws: Workspace, dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    for (const entry of await ws.readDir(rel === "" ? dir : `${dir}/${rel}`)) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDir) await walk(path);
      else if (!/^lease\.\d+\.json$/.test(path)) {
        out.set(path, await sha256Hex(await ws.readBytes(`${dir}/${path}`)));
      }
    }
  };
  await walk("");
  return out;
}

/** Every directory under `dir`. */
async function dirsOf(ws: Workspace, dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await ws.readDir(rel === "" ? dir : `${dir}/${rel}`)) {
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDir) out.push(path, ...await dirsOf(ws, dir, path));
  }
  return out.sort();
}

/** Asserts that the store holds the run exactly as `ws` does. */
async function assertSameRun(ws: Workspace, store: S3RunStore, runId: string): Promise<number> {
  const view = new S3StoreWorkspace(store, { cacheMs: 0 });
  const dir = `.agent/logs-${runId}`;
  const local = await filesOf(ws, dir);
  assert.deepEqual(await filesOf(view, dir), local, "every file byte for byte");
  assert.deepEqual(await dirsOf(view, dir), await dirsOf(ws, dir), "every folder");
  return local.size;
}

/** The keys of the fake store, relative to the prefix. */
function storeKeys(s3: FakeS3, under = ""): string[] {
  return s3.keys(BUCKET, `${PREFIX}/${under}`).map((key) => key.slice(PREFIX.length + 1));
}

/** Checks what a reader relies on: the manifest names only segments that hold their bytes. */
async function assertConsistent(s3: FakeS3, runId: string): Promise<void> {
  const text = s3.text(BUCKET, `${PREFIX}/logs-${runId}/manifest.json`);
  for (const key of storeKeys(s3, "segments/")) {
    const body = s3.bucket(BUCKET).get(`${PREFIX}/${key}`)!.body;
    assert.equal(`segments/${await sha256Hex(body)}`, key, `${key} holds what its name says`);
  }
  if (text === undefined) return;
  const manifest = parseManifest(text, "manifest");
  for (const [path, file] of manifest.files) {
    for (const segment of file.segments) {
      assert.ok(
        s3.bucket(BUCKET).has(`${PREFIX}/${segment.key}`),
        `${path}: the manifest names ${segment.key}, which is not uploaded`,
      );
    }
  }
}

async function rejectsWith(promise: Promise<unknown>, code: string, pattern?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RunLogError || error instanceof WorkspaceError, String(error));
    assert.equal((error as { code: string }).code, code, (error as Error).message);
    if (pattern !== undefined) assert.match((error as Error).message, pattern);
    return true;
  });
}

const FROZEN = () => new Date("2026-12-04T10:00:00.000Z");

test("`S3RunStore.claimRun()` gives every claim at one frozen instant its own run, as on disk", async () => {
  const { s3, store } = fakeStore({ host: new MemoryHost({ pid: 11, hostname: "runner-a" }) });
  const claims = await Promise.all(
    Array.from({ length: 12 }, () => store.claimRun({ clock: FROZEN })),
  );
  const ids = claims.map((claim) => claim.runId.toString()).sort();
  assert.equal(new Set(ids).size, 12, "12 distinct runs");
  assert.deepEqual(ids, [
    "2026-12-04_10-00-00.000Z",
    ...Array.from(
      { length: 11 },
      (_, i) => `2026-12-04_10-00-00.000Z-${String(i + 1).padStart(2, "0")}`,
    ),
  ]);
  const metadata = await store.readRunMetadata(ids[3]);
  assert.equal(metadata.runId, ids[3]);
  assert.equal(metadata.startedAtUtc, "2026-12-04T10:00:00.000Z");
  assert.equal(metadata.sessions?.[0].host, "runner-a");
  const lease = parseLeaseObject(s3.text(BUCKET, `${PREFIX}/logs-${ids[3]}/lease.json`)!);
  assert.equal(lease?.generation, 1);
  assert.equal(lease?.holder.pid, 11);
  for (const claim of claims) await claim.release({ status: "succeeded" });
  const { runs } = await store.listRuns();
  assert.deepEqual(runs.map((run) => run.status), Array(12).fill("succeeded"));
  assert.equal(runs[0].id, ids.at(-1), "newest first: -11 before the base id");
});

test("`S3RunStore.claimRun()` moves to a fresh time once 100 ids of a millisecond are taken", async () => {
  const { s3, store } = fakeStore();
  for (let n = 0; n <= 99; n++) {
    const suffix = n === 0 ? "" : `-${String(n).padStart(2, "0")}`;
    s3.putObject(BUCKET, `${PREFIX}/logs-2026-12-04_10-00-00.000Z${suffix}/run.json`, "{}");
  }
  let time = Date.parse("2026-12-04T10:00:00.000Z");
  const moving = await store.claimRun({ clock: () => new Date(time++) });
  assert.equal(moving.runId.toString(), "2026-12-04_10-00-00.001Z");
  await moving.release();
  await rejectsWith(
    store.claimRun({ clock: FROZEN }),
    "collisions-exhausted",
    /clock did not move/,
  );
});

test("`S3RunStore.claimRun()` settles an answer that leaves the outcome open by reading back", async () => {
  const { s3, store } = fakeStore();
  let failed = 0;
  // The first claim is stored, but the answer is a 500 (as RGW gives some losers); the second is
  // lost on the way (a reset before the server saw it).
  s3.hook = (request) => {
    if (request.method !== "PUT" || !request.key?.endsWith("/run.json")) return undefined;
    failed++;
    return failed === 1 ? "apply-then-500" : failed === 2 ? "drop" : undefined;
  };
  const first = await store.claimRun({ clock: FROZEN });
  assert.equal(first.runId.toString(), "2026-12-04_10-00-00.000Z", "the write that happened won");
  const second = await store.claimRun({ baseRunId: "2026-12-04_10-00-01.000Z" });
  assert.equal(second.runId.toString(), "2026-12-04_10-00-01.000Z", "retried, not skipped");
  assert.equal(failed, 3);
  // Taken by another: the next counter.
  const third = await store.claimRun({ clock: FROZEN });
  assert.equal(third.runId.toString(), "2026-12-04_10-00-00.000Z-01");
});

test("`S3RunStore.acquireLease()` refuses a live holder, takes a released, stale or dead one at once", async () => {
  const alive = new Set<number>();
  const hostA = new MemoryHost({ pid: 1, hostname: "a", alive });
  const hostB = new MemoryHost({ pid: 2, hostname: "b", alive });
  const hostA2 = new MemoryHost({ pid: 3, hostname: "a", alive });
  const shared = new FakeS3();
  const a = fakeStore({ s3: shared, host: hostA });
  const b = fakeStore({ s3: shared, host: hostB });
  const a2 = fakeStore({ s3: shared, host: hostA2 });
  const id = "2026-12-04_10-00-00.000Z";
  const first = await a.store.acquireLease(id);
  await rejectsWith(b.store.acquireLease(id), "lease-held", /pid 1 on host 'a'.*--force/);
  // Released: free at once, and the next generation.
  await first.release();
  const second = await b.store.acquireLease(id);
  assert.equal(second.generation, 2);
  // A holder on this host whose process has exited: taken at once.
  alive.delete(2);
  await rejectsWith(a2.store.acquireLease(id), "lease-held", /pid 2 on host 'b'/);
  const keyOf = `${PREFIX}/logs-${id}/lease.json`;
  second.stop();
  // Seen from host b's own machine, pid 2 is dead: not live.
  const b2 = fakeStore({ s3: shared, host: new MemoryHost({ pid: 4, hostname: "b", alive }) });
  const third = await b2.store.acquireLease(id);
  assert.equal(third.generation, 3);
  third.stop();
  // A heartbeat four intervals old, from another host: stale.
  const record = JSON.parse(shared.text(BUCKET, keyOf)!);
  record.heartbeat_at = new Date(Date.now() - 60_000).toISOString();
  shared.putObject(BUCKET, keyOf, JSON.stringify(record));
  const fourth = await a.store.acquireLease(id);
  assert.equal(fourth.generation, 4);
  await fourth.release();
});

test("`S3StoreLease` renews with If-Match on a unique body, and is lost to a forced takeover", async () => {
  const shared = new FakeS3();
  const a = fakeStore({ s3: shared, host: new MemoryHost({ pid: 1, hostname: "a" }) });
  const b = fakeStore({ s3: shared, host: new MemoryHost({ pid: 2, hostname: "b" }) });
  const id = "2026-12-04_10-00-00.000Z";
  const key = `${PREFIX}/logs-${id}/lease.json`;
  const lease = await a.store.acquireLease(id, { heartbeatMs: 300 });
  const etags = new Set([lease.etag]);
  for (let i = 0; i < 5; i++) {
    assert.equal(await lease.renew(), true);
    etags.add(lease.etag);
  }
  assert.equal(etags.size, 6, "every renewal wrote a body of its own");
  // A renewal answered 500 that was written: still held.
  shared.hook = (r) => r.method === "PUT" && r.key === key ? "apply-then-500" : undefined;
  assert.equal(await lease.renew(), true);
  shared.hook = undefined;
  assert.equal(parseLeaseObject(shared.text(BUCKET, key)!)?.holder.nonce, lease.holder.nonce);
  const started = performance.now();
  const taker = await b.store.acquireLease(id, { force: true });
  assert.ok(performance.now() - started >= 300, "a forced takeover waits out one heartbeat");
  assert.equal(taker.generation, 2);
  assert.equal(await lease.renew(), false);
  await rejectsWith(lease.assertWritable(), "lease-lost", /pid 2 on host 'b'.*took it over/);
  await lease.release(); // does not touch the new holder's lease
  assert.equal(parseLeaseObject(shared.text(BUCKET, key)!)?.holder.nonce, taker.holder.nonce);
  await taker.release();
});

test("`S3RunStore.listRuns()` tells each status from the keys alone, in one walk", async () => {
  let now = Date.parse("2026-12-04T12:00:00.000Z");
  const s3 = new FakeS3({ now: () => now, pageSize: 3 });
  const { store } = fakeStore({ s3, heartbeatMs: 1000 });
  const put = (id: string, name: string, body = "") =>
    s3.putObject(BUCKET, `${PREFIX}/logs-${id}/${name}`, body);
  put("2026-12-04_10-00-00.000Z", "run.json");
  put("2026-12-04_10-00-00.000Z", "lease.json");
  put("2026-12-04_10-00-00.000Z", "ended-succeeded");
  put("2026-12-04_10-00-00.000Z-01", "run.json"); // crashed: its lease goes stale below
  put("2026-12-04_10-00-00.000Z-01", "lease.json");
  put("2026-12-04_10-00-00.000Z-02", "manifest.json");
  put("2026-12-04_10-00-00.000Z-02", "lease.json");
  put("2026-12-04_10-00-00.000Z-02", "released"); // idle: handed back
  put("2026-12-04_11-00-00.000Z", "lease.json"); // incomplete: no run.json, no manifest
  put("not-an-id", "run.json");
  s3.putObject(BUCKET, `${PREFIX}/logs-stray`, "x");
  now += 10_000;
  put("2026-12-04_10-00-01.000Z", "run.json"); // running: its lease is fresh
  put("2026-12-04_10-00-01.000Z", "lease.json");
  s3.log.length = 0;
  const { runs, skipped } = await store.listRuns();
  assert.ok(s3.log.every((r) => r.method === "GET" && r.key === undefined), "listings only");
  assert.ok(s3.log.length >= 5, "paged (3 keys a page)");
  assert.deepEqual(runs.map((run) => [run.id, run.status]), [
    ["2026-12-04_10-00-01.000Z", "running"],
    ["2026-12-04_10-00-00.000Z-02", "idle"],
    ["2026-12-04_10-00-00.000Z-01", "crashed"],
    ["2026-12-04_10-00-00.000Z", "succeeded"],
  ]);
  assert.equal(runs[0].dir, `${PREFIX}/logs-2026-12-04_10-00-01.000Z`);
  assert.equal(runs[0].startedAt.toISOString(), "2026-12-04T10:00:01.000Z");
  assert.equal(runs[3].endedAt?.toISOString(), "2026-12-04T12:00:00.000Z");
  assert.deepEqual(skipped.map((entry) => [entry.name, entry.incomplete !== undefined]), [
    ["logs-2026-12-04_11-00-00.000Z", true],
    ["logs-not-an-id", false],
    ["logs-stray", false],
  ]);
  // Four heartbeats later by the server's clock (its Date header counts whole seconds), stale.
  now += 5_000;
  assert.equal((await store.listRuns()).runs[0].status, "crashed");
  assert.equal((await store.latestRun())?.id, "2026-12-04_10-00-01.000Z");
  assert.equal((await store.latestRun({ finished: true }))?.id, "2026-12-04_10-00-00.000Z");
});

test("`S3RunStore.listRuns({ details: true })` adds metadata, holder and bytes, judging the lease by its record", async () => {
  const { store } = fakeStore({ host: new MemoryHost({ pid: 5, hostname: "runner" }) });
  const run = await store.claimRun({ metadata: { command: "ralph --dev" } });
  const [listed] = (await store.listRuns({ details: true })).runs;
  assert.equal(listed.status, "running");
  assert.equal(listed.holder?.pid, 5);
  assert.equal(listed.metadata?.command, "ralph --dev");
  assert.ok(listed.bytes! > 0);
  await run.release({ status: "failed" });
  const [ended] = (await store.listRuns({ details: true })).runs;
  assert.equal(ended.status, "failed");
  assert.equal(ended.holder, undefined);
  assert.equal(ended.endedAt?.toISOString(), ended.metadata?.endedAtUtc);
  await rejectsWith(
    store.readRunMetadata("2026-01-01_00-00-00.000Z"),
    "not-found",
    /runlog list --from/,
  );
});

test("`shipRun()` round-trips a whole run byte for byte, and a second push uploads nothing", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await writeRun(ws);
  const { s3, store } = fakeStore();
  const summary = await shipRun(ws, ctx.runId, store);
  assert.equal(summary.complete, true);
  assert.equal(summary.status, "succeeded");
  assert.ok(summary.uploadedSegments >= 6);
  const files = await assertSameRun(ws, store, `${ctx.runId}`);
  assert.equal(summary.files, files);
  assert.deepEqual(
    storeKeys(s3, `logs-${ctx.runId}/`),
    ["ended-succeeded", "lease.json", "manifest.json", "run.json"].map((name) =>
      `logs-${ctx.runId}/${name}`
    ),
  );
  const [listed] = (await store.listRuns()).runs;
  assert.deepEqual([listed.id, listed.status], [`${ctx.runId}`, "succeeded"]);
  // Through the store as a workspace, the local rules see the same run.
  const [viewed] = (await listRuns(new S3StoreWorkspace(store))).runs;
  assert.equal(viewed.status, "succeeded");
  assert.equal(viewed.metadata?.command, "ralph --dev");
  const again = await shipRun(ws, ctx.runId, store);
  assert.equal(again.uploadedSegments, 0);
  assert.equal(again.complete, true);
});

test("`shipRun()` ships only new bytes, a shrunk log again from its start, a changed trace whole", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await writeRun(ws, { keepOpen: true });
  const { store } = fakeStore();
  const first = await shipRun(ws, ctx.runId, store);
  assert.equal(first.complete, false, "a running run is not complete");
  assert.equal(
    (await store.listRuns()).runs[0].status,
    "idle",
    "handed back after a one-shot push",
  );
  const log = ctx.pipelineLog();
  await ws.appendBytes(log, encoder.encode("one more line\n"));
  const second = await shipRun(ws, ctx.runId, store);
  assert.equal(second.uploadedSegments, 1);
  assert.equal(second.uploadedBytes, "one more line\n".length);
  await assertSameRun(ws, store, `${ctx.runId}`);
  await ws.write(log, "rewritten\n");
  await ws.write(ctx.eventLoopTrace(), '{"kind":"other"}\n');
  await ws.remove(`${ctx.runDir}/debug/blob.bin`);
  const third = await shipRun(ws, ctx.runId, store);
  assert.equal(third.uploadedBytes, "rewritten\n".length + '{"kind":"other"}\n'.length);
  await assertSameRun(ws, store, `${ctx.runId}`);
  await ctx.close({ status: "failed" });
  const last = await shipRun(ws, ctx.runId, store);
  assert.deepEqual([last.complete, last.status], [true, "failed"]);
  assert.equal((await store.listRuns()).runs[0].status, "failed");
});

test("`shipRun()` refuses a second shipper of one run while the first holds the lease", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await writeRun(ws, { keepOpen: true });
  const shared = new FakeS3();
  const a = fakeStore({ s3: shared, host: new MemoryHost({ pid: 1, hostname: "a" }) });
  const b = fakeStore({ s3: shared, host: new MemoryHost({ pid: 2, hostname: "b" }) });
  const controller = new AbortController();
  const following = shipRun(ws, ctx.runId, a.store, {
    follow: true,
    intervalMs: 10,
    signal: controller.signal,
  });
  // Wait until the follower holds the lease.
  while (shared.text(BUCKET, `${PREFIX}/logs-${ctx.runId}/lease.json`) === undefined) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await rejectsWith(shipRun(ws, ctx.runId, b.store), "lease-held", /pid 1 on host 'a'/);
  controller.abort();
  const summary = await following;
  assert.equal(summary.complete, false);
  await shipRun(ws, ctx.runId, b.store); // handed back: free at once
});

test("`shipRun()` with follow ships while the run writes, and completes it when it ends", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await writeRun(ws, { keepOpen: true });
  const { store } = fakeStore();
  const rounds: number[] = [];
  const options: ShipRunOptions = {
    follow: true,
    intervalMs: 10,
    flushAfterMs: 30,
    onRound: (round) => void rounds.push(round.segments),
  };
  const following = shipRun(ws, ctx.runId, store, options);
  const view = new S3StoreWorkspace(store, { cacheMs: 0 });
  const logger = await PipelineLogger.open(ctx);
  for (let i = 0; i < 5; i++) {
    await logger.info(`line ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  // Shipped while it runs: what the store shows is a prefix of the log, with the first lines.
  const local = await ws.read(ctx.pipelineLog());
  const shown = await view.read(ctx.pipelineLog());
  assert.ok(local.startsWith(shown) && shown.includes("line 1"), shown);
  assert.equal((await listRuns(view)).runs[0].status, "running");
  await logger.close();
  await ctx.close({ status: "succeeded" });
  const summary: ShipSummary = await following;
  assert.deepEqual([summary.complete, summary.status], [true, "succeeded"]);
  assert.ok(rounds.length >= 5, `${rounds.length} rounds`);
  await assertSameRun(ws, store, `${ctx.runId}`);
  assert.equal((await listRuns(view)).runs[0].status, "succeeded");
});

test("`shipRun()` keeps a log's segments few by merging small ones of one size", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await writeRun(ws, { keepOpen: true });
  const { s3, store } = fakeStore();
  for (let i = 0; i < 100; i++) {
    await ws.appendBytes(ctx.pipelineLog(), encoder.encode(`line ${i} ${"x".repeat(i)}\n`));
    await shipRun(ws, ctx.runId, store);
  }
  await assertSameRun(ws, store, `${ctx.runId}`);
  const manifest = parseManifest(
    s3.text(BUCKET, `${PREFIX}/logs-${ctx.runId}/manifest.json`)!,
    "m",
  );
  const segments = manifest.files.get("pipeline.log")!.segments.length;
  // At most 7 of each size class (powers of 8) stay: 8 of one class merge into one.
  assert.ok(segments <= 28, `101 pushes left ${segments} segments`);
  await assertConsistent(s3, `${ctx.runId}`);
});

test("`shipRun()` killed at any write leaves the store consistent, and the next push completes it", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await writeRun(ws);
  let crashes = 0;
  for (let crashAt = 0;; crashAt++) {
    const alive = new Set([7]);
    const s3 = new FakeS3();
    const dying = fakeStore({ s3, host: new MemoryHost({ pid: 7, hostname: "h", alive }) });
    let writes = 0;
    let dead = false;
    // The process dies at its crashAt-th write: that request and everything after never arrive.
    s3.hook = (request) => {
      if (dead) return "drop";
      if (request.method === "GET" || request.method === "HEAD") return undefined;
      if (writes++ < crashAt) return undefined;
      dead = true;
      return "drop";
    };
    const outcome = await shipRun(ws, ctx.runId, dying.store, { segmentBytes: 1024 }).then(
      () => "finished",
      () => "crashed",
    );
    s3.hook = undefined;
    if (outcome === "finished") break;
    crashes++;
    await assertConsistent(s3, `${ctx.runId}`);
    alive.delete(7); // kill -9: on this host, the lease is stale at once
    const next = fakeStore({ s3, host: new MemoryHost({ pid: 8, hostname: "h", alive }) });
    const summary = await shipRun(ws, ctx.runId, next.store, { segmentBytes: 1024 });
    assert.equal(summary.complete, true);
    await assertSameRun(ws, next.store, `${ctx.runId}`);
    await assertConsistent(s3, `${ctx.runId}`);
  }
  assert.ok(crashes >= 10, `crashed at ${crashes} points`);
  console.log(`# shipRun killed at each of ${crashes} writes: consistent, completed by the next`);
});

test("`shipRun()` stops with lease-lost before its next write once a forced takeover took the run", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await writeRun(ws, { keepOpen: true });
  const shared = new FakeS3();
  const a = fakeStore({ s3: shared, host: new MemoryHost({ pid: 1, hostname: "a" }), tag: "a" });
  const b = fakeStore({ s3: shared, host: new MemoryHost({ pid: 2, hostname: "b" }), tag: "b" });
  const writes: { client: string; key: string; ok: boolean; at: number }[] = [];
  shared.hook = (request) => {
    if (request.method === "PUT") {
      const entry = {
        client: request.headers.get("x-test-client")!,
        key: request.key!,
        ok: true,
        at: performance.now(),
      };
      writes.push(entry);
    }
    return undefined;
  };
  const following = shipRun(ws, ctx.runId, a.store, {
    follow: true,
    intervalMs: 10,
    flushAfterMs: 0,
    heartbeatMs: 200,
  });
  const stopped = following.then(() => undefined, (error) => error);
  const writer = setInterval(
    () => void ws.appendBytes(ctx.pipelineLog(), encoder.encode("tick\n")),
    5,
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const taken = await b.store.acquireLease(ctx.runId, { force: true });
    const tookAt = performance.now();
    await rejectsWith(
      stopped.then((error) => Promise.reject(error)),
      "lease-lost",
      /pid 2 on host 'b'/,
    );
    const late = writes.filter((w) => w.client === "a" && w.at >= tookAt);
    assert.deepEqual(late, [], "no write of the old shipper after the takeover returned");
    assert.ok(writes.some((w) => w.client === "a" && w.key.endsWith("manifest.json")));
    await taken.release();
  } finally {
    clearInterval(writer);
  }
  // The new holder continues from the manifest.
  await ctx.close({ status: "interrupted" });
  const summary = await shipRun(ws, ctx.runId, b.store);
  assert.deepEqual([summary.complete, summary.status], [true, "interrupted"]);
  await assertSameRun(ws, b.store, `${ctx.runId}`);
});

test("`S3StoreWorkspace` refuses every write, naming the store, and reads as a run directory", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await writeRun(ws);
  const { store } = fakeStore();
  await shipRun(ws, ctx.runId, store);
  const view = new S3StoreWorkspace(store);
  assert.equal(view.root, `s3://${BUCKET}/${PREFIX}`);
  assert.equal(view.host, undefined);
  for (
    const write of [
      () => view.write(ctx.pipelineLog(), "x"),
      () => view.appendBytes(ctx.pipelineLog(), new Uint8Array(1)),
      () => view.openAppend(ctx.pipelineLog()),
      () => view.createDir(".agent/logs-x"),
      () => view.removeDirAll(ctx.runDir),
      () => view.writeAtomic(ctx.runMetadata(), "{}"),
      () => view.rename(ctx.pipelineLog(), "x"),
    ]
  ) {
    await rejectsWith(
      write(),
      "permission-denied",
      /s3:\/\/runs\/team\/runs is a run store, read-only/,
    );
  }
  assert.deepEqual(
    (await view.readDir(ctx.runDir)).map((entry) => [entry.name, entry.isDir]),
    (await ws.readDir(ctx.runDir)).map((entry) => [entry.name, entry.isDir]),
  );
  assert.equal(await view.isDir(ctx.runDir), true);
  assert.equal(await view.isFile(ctx.pipelineLog()), true);
  assert.equal(await view.exists(`${ctx.runDir}/nothing`), false);
  await rejectsWith(view.read(`${ctx.runDir}/nothing`), "not-found", /runlog list --from/);
  await rejectsWith(view.read(`${ctx.runDir}/agents`), "is-a-directory");
  await rejectsWith(view.read("../outside"), "invalid-path");
  const size = await ws.fileSize(ctx.eventLoopLog());
  assert.equal(await view.fileSize(ctx.eventLoopLog()), size);
  assert.deepEqual(
    await view.readRange(ctx.eventLoopLog(), 10, 100),
    await ws.readRange(ctx.eventLoopLog(), 10, 100),
  );
  assert.equal((await view.readRange(ctx.eventLoopLog(), size, 10)).length, 0);
  await rejectsWith(view.readBytes(ctx.eventLoopLog(), { maxBytes: 10 }), "too-large");
});

test("`S3StoreWorkspace` refuses a damaged segment or a hostile manifest with a clear error", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await writeRun(ws);
  const { s3, store } = fakeStore();
  await shipRun(ws, ctx.runId, store);
  const manifestKey = `${PREFIX}/logs-${ctx.runId}/manifest.json`;
  const manifest = JSON.parse(s3.text(BUCKET, manifestKey)!);
  const [segment] = manifest.files["pipeline.log"].segments;
  s3.putObject(BUCKET, `${PREFIX}/${segment.key}`, "tampered");
  await rejectsWith(
    new S3StoreWorkspace(store).read(ctx.pipelineLog()),
    "io",
    /segment s3:\/\/runs\/team\/runs\/segments\/[0-9a-f]{64} has 8 bytes.*push the run again/,
  );
  manifest.files["../../escape"] = manifest.files["pipeline.log"];
  s3.putObject(BUCKET, manifestKey, JSON.stringify(manifest));
  await rejectsWith(
    new S3StoreWorkspace(store).readDir(ctx.runDir),
    "io",
    /names the file "..\/..\/escape", not a path in the run/,
  );
});

test("`S3RunStore.checkConditionalWrites()` passes on a store that honours them, and names one that ignores them", async () => {
  const { s3, store } = fakeStore();
  await store.checkConditionalWrites();
  assert.deepEqual(storeKeys(s3), [], "the probe is removed");
  // An engine that drops the conditional headers (as s3rver, or Bun.S3Client as a client, do).
  const ignoring = new S3RunStore(
    new S3Client({
      endpoint: "http://127.0.0.1:9",
      region: "us-east-1",
      bucket: BUCKET,
      accessKeyId: "AKIAFAKEFAKEFAKE0001",
      secretAccessKey: "fake/secret/key/0123456789",
      fetch: (request) => {
        const headers = new Headers(request.headers);
        headers.delete("if-none-match");
        headers.delete("if-match");
        return s3.fetch(new Request(request, { headers }));
      },
    }),
    { prefix: PREFIX },
  );
  await assert.rejects(ignoring.checkConditionalWrites(), (error: unknown) => {
    assert.equal((error as { code?: string }).code, "ConditionalWritesIgnored");
    assert.match(
      (error as Error).message,
      /overwrote an object despite If-None-Match: \*.*docs\/s3\.md/,
    );
    return true;
  });
  assert.deepEqual(storeKeys(s3), [], "the probe is removed");
});

test("`S3RunStore.fromUrl()` reads the AWS variables and refuses what is not a store URL", async () => {
  const env = {
    AWS_ACCESS_KEY_ID: "AKIAFROMENV000000001",
    AWS_SECRET_ACCESS_KEY: "secret-from-env-0123456789",
    AWS_ENDPOINT_URL_S3: "http://127.0.0.1:17480",
  };
  const store = S3RunStore.fromUrl("s3://agent-runs/team-a/", { env });
  assert.equal(store.url, "s3://agent-runs/team-a");
  assert.equal(store.client.endpoint, "http://127.0.0.1:17480");
  assert.equal(
    S3RunStore.fromUrl("s3://agent-runs", { env }).runFolder("2026-12-04_10-00-00.000Z"),
    "logs-2026-12-04_10-00-00.000Z/",
  );
  for (const url of ["agent-runs/team", "s3:/x", "https://s3.example.com/x", "s3://b/a/../c"]) {
    await rejectsWith(
      Promise.resolve().then(() => S3RunStore.fromUrl(url, { env })),
      "invalid-argument",
      /s3:\/\/|segment/,
    );
  }
  assert.throws(
    () =>
      S3RunStore.fromUrl("s3://b/p", {
        env: { ...env, AWS_ENDPOINT_URL_S3: "http://s3.example.com" },
      }),
    /refusing plain http to s3\.example\.com/,
  );
});

test("`runlog push` and `--from` on list, show, tail, pack and report read a store as a directory", async () => {
  const dir = await tempDir("runlog-s3-cli-");
  const ws = (await nativeAdapter()).make(dir.path);
  const ctx = await writeRun(ws);
  const id = `${ctx.runId}`;
  const s3 = new FakeS3();
  s3.bucket(BUCKET);
  const server = await serveFakeS3(s3);
  const names = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL",
  ];
  const saved = names.map((name) => [name, process.env[name]] as const);
  const secret = "cli/secret/0123456789abcdef";
  process.env.AWS_ACCESS_KEY_ID = "AKIACLITEST000000001";
  process.env.AWS_SECRET_ACCESS_KEY = secret;
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.AWS_ENDPOINT_URL;
  const cli = async (...args: string[]) => {
    let out = "";
    let err = "";
    const code = await runCli(args, {
      out: (text) => void (out += text),
      err: (text) => void (err += text),
      tty: false,
      color: false,
    });
    assert.ok(!(out + err).includes(secret), "a credential was printed");
    return { code, out, err };
  };
  const url = `s3://${BUCKET}/${PREFIX}`;
  const at = ["--endpoint", server.url];
  try {
    const pushed = await cli("push", "latest", "--to", url, "--root", dir.path, ...at);
    assert.equal(pushed.code, 0, pushed.err);
    assert.match(
      pushed.out,
      new RegExp(`^${url}/logs-${id}/: 7 files, .*; complete \\(succeeded\\)\n$`),
    );
    const listed = await cli("list", "--from", url, ...at);
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, new RegExp(`${id.replaceAll(".", "\\.")}\\s+succeeded`));
    const json = JSON.parse((await cli("list", `--from=${url}`, ...at, "--json", "--sizes")).out);
    assert.equal(json.runs[0].dir, `${url}/logs-${id}`);
    assert.equal(json.runs[0].metadata.command, "ralph --dev");
    const shown = await cli("show", "latest", "--from", url, ...at);
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /agents\/dev_1\.log/);
    const tailed = await cli("tail", "-n", "all", `${url}/${id}`, ...at);
    assert.equal(tailed.code, 0, tailed.err);
    assert.equal(tailed.out, await ws.read(ctx.pipelineLog()));
    const events = await cli("tail", "-n", "3", "--from", url, ...at, "latest", "events");
    assert.equal(events.out.split("\n").length, 4);
    const archive = `${dir.path}/from-store.tar.gz`;
    const packed = await cli("pack", id, "--from", url, ...at, "-o", archive);
    assert.equal(packed.code, 0, packed.err);
    assert.equal((await verifyPack(archive)).ok, true);
    const reported = await cli(
      "report",
      "latest",
      "--from",
      url,
      ...at,
      "-o",
      `${dir.path}/r.html`,
    );
    assert.equal(reported.code, 0, reported.err);
    // Mistakes, named.
    const both = await cli("list", "--from", url, "--root", dir.path);
    assert.deepEqual([both.code, /leave out --root/.test(both.err)], [2, true]);
    const noStore = await cli("push", "latest", "--root", dir.path);
    assert.deepEqual([noStore.code, /--to s3:\/\/BUCKET\/PREFIX/.test(noStore.err)], [2, true]);
    const notUrl = await cli("list", "--from", "https://example.com/runs");
    assert.deepEqual([notUrl.code, /is not a store URL: give s3:\/\//.test(notUrl.err)], [1, true]);
    const plain = await cli("list", "--from", url, "--endpoint", "http://s3.example.com");
    assert.equal(plain.code, 1);
    assert.match(plain.err, /refusing plain http to s3\.example\.com.*allowInsecureHttp/);
    const unreachable = await cli("list", "--from", url, "--endpoint", "http://127.0.0.1:9");
    assert.deepEqual([unreachable.code, /NetworkError/.test(unreachable.err)], [1, true]);
    // Help: --from on the readers, push in the overview.
    assert.match((await cli("tail", "--help")).out, /--from s3:\/\/BUCKET\/PREFIX/);
    assert.match((await cli("help")).out, /\n {2}push +Ships a run to an S3-compatible store/);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await server.close();
    await dir.remove();
  }
});

// ---------------------------------------------------------------------------
// Against a real Ceph RGW (RUNLOG_S3_TESTS=1), on the runtime running this file.

const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The shipper fixture under `on`; under Deno it may also read the host name and probe processes. */
function shipperCommand(on: RuntimeName): { command: string; args: string[] } {
  const base = s3ScriptCommand(fixture("s3_shipper.ts"), on);
  if (on !== "deno") return base;
  return {
    command: base.command,
    args: [base.args[0], "--allow-sys", "--allow-run", ...base.args.slice(1)],
  };
}

/** A local run on this runtime's adapter, in a fresh directory. */
async function localRun(options: Parameters<typeof writeRun>[1] = {}) {
  const dir = await tempDir("runlog-s3-");
  const ws = (await nativeAdapter()).make(dir.path);
  const ctx = await writeRun(ws, options);
  return { dir, ws, ctx, id: `${ctx.runId}` };
}

/** The segments under a store prefix on RGW, each checked against its name; returns their count. */
async function assertSegmentsWhole(s3: RgwBucket, prefix: string): Promise<number> {
  let count = 0;
  for await (const page of s3.client.list(`${prefix}/segments/`)) {
    for (const entry of page.keys) {
      const object = await s3.client.get(entry.key);
      assert.equal(
        `${prefix}/segments/${await sha256Hex(object!.body)}`,
        entry.key,
        `${entry.key} is whole: it holds what its name says`,
      );
      count++;
    }
  }
  return count;
}

/** The manifest on RGW names only segments that are there; no upload is left half done. */
async function assertStoreConsistent(s3: RgwBucket, prefix: string, id: string): Promise<void> {
  const folder = `${prefix}/logs-${id}/`;
  const manifest = await s3.client.get(`${folder}manifest.json`);
  if (manifest !== undefined) {
    for (const file of parseManifest(decoder.decode(manifest.body), "manifest").files.values()) {
      for (const segment of file.segments) {
        assert.equal((await s3.client.head(`${prefix}/${segment.key}`))?.size, segment.length);
      }
    }
  }
  const uploads = [];
  for await (const upload of s3.client.listMultipartUploads(folder)) uploads.push(upload.key);
  assert.deepEqual(uploads, [], "no unfinished upload under the run");
}

test(
  `S3 store on RGW (${runtime}): 32 processes of three runtimes claiming at one frozen instant get 32 distinct runs`,
  {
    skip: skipUnlessS3,
    timeout: 600_000,
  },
  () =>
    withRgwBucket(async (s3) => {
      const iso = "2026-12-04T10:00:00.000Z";
      const racers = Array.from({ length: 32 }, (_, i) => ({
        args: [`s3://${s3.bucket}/race`, iso],
        runtime: RUNTIMES[i % 3],
      }));
      const results = await raceScripts(fixture("s3_claimer.ts"), racers, s3.env) as {
        pid: number;
        runtime: RuntimeName;
        runId: string;
      }[];
      const ids = results.map((result) => result.runId).sort();
      assert.equal(new Set(ids).size, 32, `distinct runs: ${ids.join(" ")}`);
      assert.deepEqual(ids, [
        "2026-12-04_10-00-00.000Z",
        ...Array.from(
          { length: 31 },
          (_, i) => `2026-12-04_10-00-00.000Z-${String(i + 1).padStart(2, "0")}`,
        ),
      ]);
      assert.deepEqual(new Set(results.map((result) => result.runtime)), new Set(RUNTIMES));
      const store = new S3RunStore(s3.client, { prefix: "race" });
      const { runs } = await store.listRuns({ details: true });
      assert.equal(runs.length, 32);
      assert.ok(runs.every((run) => run.status === "succeeded"));
      // Each run's record names the process that claimed it.
      const owners = new Map(results.map((result) => [result.runId, result.pid]));
      assert.ok(runs.every((run) => run.metadata?.pid === undefined || owners.has(run.id)));
      console.log(
        `# RGW claim race (${runtime}): 32 processes (deno, bun, node) at one frozen instant -> 32 distinct runs`,
      );
    }),
);

test(
  `S3 store on RGW (${runtime}): of two shippers of one run started at one instant, the lease refuses one`,
  {
    skip: skipUnlessS3,
    timeout: 300_000,
  },
  () =>
    withRgwBucket(async (s3) => {
      const { dir, ws, ctx, id } = await localRun({ keepOpen: true });
      const url = `s3://${s3.bucket}/two`;
      const other = RUNTIMES[(RUNTIMES.indexOf(runtime) + 1) % 3];
      const shippers = [runtime, other].map((on) =>
        startScript(fixture("s3_shipper.ts"), [dir.path, id, url, "follow", "race"], {
          command: shipperCommand(on),
          env: s3.env,
        })
      );
      try {
        await Promise.all(shippers.map((s) => s.waitForLine((line) => line === "ready")));
        const startAt = Date.now() + 300;
        for (const s of shippers) s.child.stdin!.end(`${startAt}\n`);
        // The refused one answers at once; the other follows the run until it ends.
        const first = JSON.parse(
          await Promise.race(shippers.map((s) => s.waitForLine((l) => l.startsWith("{")))),
        );
        assert.equal(first.outcome, "lease-held", JSON.stringify(first));
        const winner = shippers.find((s) => s.child.pid !== first.pid)!;
        assert.match(first.message, new RegExp(`pid ${winner.child.pid} on host`));
        await ctx.close({ status: "succeeded" });
        const won = JSON.parse(await winner.waitForLine((l) => l.startsWith("{")));
        assert.equal(won.outcome, "shipped", JSON.stringify(won));
        assert.deepEqual([won.summary.complete, won.summary.status], [true, "succeeded"]);
        await assertSameRun(ws, new S3RunStore(s3.client, { prefix: "two" }), id);
        console.log(
          `# RGW two shippers (${runtime} and ${other}): 1 shipped, 1 refused by the lease`,
        );
      } finally {
        for (const s of shippers) s.child.kill();
        await dir.remove();
      }
    }),
);

test(
  `S3 store on RGW (${runtime}): a shipper SIGKILLed mid-upload leaves no half-visible segment, and the next completes the run`,
  {
    skip: skipUnlessS3,
    timeout: 600_000,
  },
  () =>
    withRgwBucket(async (s3) => {
      const { dir, ws, ctx, id } = await localRun({ keepOpen: true });
      // 40 MiB of agent output: ten 4 MiB segments, so that kills land mid-upload.
      const big = new Uint8Array(40 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4096) crypto.getRandomValues(big.subarray(i, i + 4096));
      await ws.writeBytes(ctx.agentLog("dev", 2), big);
      await ctx.close({ status: "failed" });
      const prefix = "kill";
      const url = `s3://${s3.bucket}/${prefix}`;
      let kills = 0;
      try {
        while (kills < 3) {
          const before = await assertSegmentsWhole(s3, prefix);
          const shipper = startScript(fixture("s3_shipper.ts"), [
            dir.path,
            id,
            url,
            "once",
            "now",
            String(4 << 20),
          ], {
            command: shipperCommand(runtime),
            env: s3.env,
          });
          let exited = false;
          void shipper.exited.then(() => (exited = true));
          // Killed as soon as it has uploaded one more segment: the next ones are on the way.
          for (;;) {
            if (exited) break;
            let now = 0;
            for await (const page of s3.client.list(`${prefix}/segments/`)) now += page.keys.length;
            if (now > before) break;
            await sleep(10);
          }
          if (exited) break;
          shipper.child.kill("SIGKILL");
          await shipper.exited;
          kills++;
          await assertSegmentsWhole(s3, prefix);
          await assertStoreConsistent(s3, prefix, id);
        }
        assert.ok(kills >= 1, "at least one shipper was killed mid-upload");
        const store = new S3RunStore(s3.client, { prefix, host: ws.host });
        const summary = await shipRun(ws, id, store, { segmentBytes: 4 << 20 });
        assert.deepEqual([summary.complete, summary.status], [true, "failed"]);
        await assertSameRun(ws, store, id);
        await assertStoreConsistent(s3, prefix, id);
        const segments = await assertSegmentsWhole(s3, prefix);
        console.log(
          `# RGW kill (${runtime}): ${kills} shippers SIGKILLed mid-upload; ${segments} segments all whole; ` +
            `the next shipper completed the run (${summary.reusedSegments} segments reused)`,
        );
      } finally {
        await dir.remove();
      }
    }),
);

test(
  `S3 store on RGW (${runtime}): a whole run round-trips byte for byte through runlog push, S3StoreWorkspace and runlog pack --from`,
  {
    skip: skipUnlessS3,
    timeout: 300_000,
  },
  () =>
    withRgwBucket(async (s3) => {
      const { dir, ws, id } = await localRun();
      const url = `s3://${s3.bucket}/trip`;
      try {
        const pushed = await runlog(["push", id, "--to", url, "--root", dir.path], s3.env);
        assert.equal(pushed.code, 0, pushed.stderr);
        assert.match(pushed.stdout, /complete \(succeeded\)/);
        assert.doesNotMatch(pushed.stdout + pushed.stderr, new RegExp(s3.secretAccessKey));
        const store = new S3RunStore(s3.client, { prefix: "trip" });
        const files = await assertSameRun(ws, store, id);
        const archive = `${dir.path}/from-store.tar.gz`;
        const packed = await runlog(
          ["pack", id, "--from", url, "-o", archive, "--no-redact"],
          s3.env,
        );
        assert.equal(packed.code, 0, packed.stderr);
        const local = await runlog([
          "pack",
          id,
          "--root",
          dir.path,
          "-o",
          `${dir.path}/local.tar.gz`,
          "--no-redact",
        ]);
        assert.equal(local.code, 0, local.stderr);
        const fromStore = await verifyPack(archive);
        assert.equal(fromStore.ok, true, JSON.stringify(fromStore.problems));
        const same = (result: Awaited<ReturnType<typeof verifyPack>>) =>
          result.manifest!.files.filter((f) => !/^lease\.\d+\.json$/.test(f.path))
            .map((f) => [f.path, f.size, f.sha256]).sort();
        assert.deepEqual(same(fromStore), same(await verifyPack(`${dir.path}/local.tar.gz`)));
        const bytes = fromStore.manifest!.files.reduce((n, f) => n + f.size, 0);
        console.log(
          `# RGW round trip (${runtime}): ${files} files byte for byte through runlog push and ` +
            `S3StoreWorkspace; runlog pack --from verified, ${
              same(fromStore).length
            } files (${bytes} B) as packed locally`,
        );
      } finally {
        await dir.remove();
      }
    }),
);

test(
  `S3 store on RGW (${runtime}): a lease lost to a forced takeover stops the old shipper before its next write`,
  {
    skip: skipUnlessS3,
    timeout: 300_000,
  },
  () =>
    withRgwBucket(async (s3) => {
      const { dir, ws, ctx, id } = await localRun({ keepOpen: true });
      const writes: { sent: number; key: string; status: number }[] = [];
      const oldClient = new S3Client({
        ...s3,
        fetch: async (request) => {
          const sent = performance.now();
          const key = new URL(request.url).pathname;
          const response = await fetch(request);
          if (request.method !== "GET" && request.method !== "HEAD") {
            writes.push({ sent, key, status: response.status });
          }
          return response;
        },
      });
      const old = new S3RunStore(oldClient, {
        prefix: "take",
        host: new MemoryHost({ pid: 1001, hostname: "old-host" }),
      });
      const taker = new S3RunStore(s3.client, {
        prefix: "take",
        host: new MemoryHost({ pid: 1002, hostname: "new-host" }),
      });
      const following = shipRun(ws, id, old, {
        follow: true,
        intervalMs: 20,
        flushAfterMs: 0,
        heartbeatMs: 300,
      });
      const stopped = following.then(() => undefined, (error) => error);
      const writer = setInterval(
        () => void ws.appendBytes(ctx.pipelineLog(), encoder.encode("tick\n")),
        10,
      );
      try {
        await sleep(600);
        const lease = await taker.acquireLease(id, { force: true });
        const tookAt = performance.now();
        const error = await stopped;
        assert.ok(error instanceof RunLogError && error.code === "lease-lost", String(error));
        const before = writes.filter((w) => w.sent < tookAt && w.status < 300).length;
        const after = writes.filter((w) => w.sent >= tookAt && w.status < 300);
        assert.deepEqual(after, [], "no successful write of the old shipper after the takeover");
        assert.ok(before > 3, `the old shipper wrote ${before} times before`);
        await lease.release();
        clearInterval(writer);
        await ctx.close({ status: "interrupted" });
        const summary = await shipRun(ws, id, taker);
        assert.deepEqual([summary.complete, summary.status], [true, "interrupted"]);
        await assertSameRun(ws, taker, id);
        console.log(
          `# RGW forced takeover (${runtime}): the old shipper made ${before} writes, none after the takeover, and stopped with lease-lost`,
        );
      } finally {
        clearInterval(writer);
        await dir.remove();
      }
    }),
);

test(
  `S3 store on RGW (${runtime}): runlog push --follow, list --from, tail -f --from and serve --from`,
  {
    skip: skipUnlessS3,
    timeout: 300_000,
  },
  () =>
    withRgwBucket(async (s3) => {
      const { dir, ctx, id } = await localRun({ keepOpen: true });
      const url = `s3://${s3.bucket}/live`;
      const [command, ...prefix] = runlogCommand();
      const env = { ...process.env, ...s3.env };
      const spawnRunlog = (args: string[]) =>
        spawn(command, [...prefix, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
      const collect = (child: ReturnType<typeof spawnRunlog>) => {
        const out = {
          stdout: "",
          stderr: "",
          code: new Promise<number | null>((resolve) => child.on("exit", resolve)),
        };
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out.stdout += chunk));
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (out.stderr += chunk));
        return out;
      };
      const push = collect(spawnRunlog(["push", id, "--to", url, "--root", dir.path, "--follow"]));
      const serve = spawnRunlog(["serve", "--from", url, "--no-open"]);
      const served = collect(serve);
      try {
        const store = new S3RunStore(s3.client, { prefix: "live" });
        while ((await s3.client.head(`live/logs-${id}/run.json`)) === undefined) await sleep(50);
        const tail = collect(spawnRunlog(["tail", "-f", "-n", "all", `${url}/${id}`]));
        const logger = await PipelineLogger.open(ctx);
        for (let i = 0; i < 5; i++) {
          await logger.info(`live line ${i}`);
          await sleep(300);
        }
        const listed = await runlog(["list", "--from", url], s3.env);
        assert.equal(listed.code, 0, listed.stderr);
        assert.match(listed.stdout, new RegExp(`${id.replaceAll(".", "\\.")}\\s+running`));
        const match = await (async () => {
          for (;;) {
            const found = /(http:\/\/127\.0\.0\.1:\d+\/)\?token=([\w-]{43})/.exec(served.stdout);
            if (found) return found;
            await sleep(50);
          }
        })();
        const answer = await fetch(`${match[1]}api/runs`, {
          headers: { "X-Runlog-Token": match[2] },
        });
        assert.equal(answer.status, 200);
        const { runs } = await answer.json();
        assert.deepEqual(runs.map((run: { id: string }) => run.id), [id]);
        await logger.close();
        await ctx.close({ status: "succeeded" });
        assert.equal(await push.code, 0, push.stderr);
        assert.match(push.stdout, /complete \(succeeded\)/);
        assert.equal(await tail.code, 0, tail.stderr);
        for (let i = 0; i < 5; i++) {
          assert.match(tail.stdout, new RegExp(`\\[INFO\\] live line ${i}\\n`));
        }
        assert.match(tail.stdout, /\[OK\] done\n/, "lines shipped before tail started");
        assert.equal((await store.latestRun())?.status, "succeeded");
        const after = await runlog(["list", "--from", url, "--json", "--sizes"], s3.env);
        assert.equal(JSON.parse(after.stdout).runs[0].status, "succeeded");
        console.log(
          `# RGW CLI (${runtime}): push --follow, list --from, tail -f s3://…/<id> (5 live lines) and serve --from`,
        );
      } finally {
        serve.kill("SIGINT");
        await served.code;
        await dir.remove();
      }
    }),
);
