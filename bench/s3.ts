// The S3 run store against the raw S3 calls that do the same work, in the
// same process, against the same engine (a Ceph RGW on 127.0.0.1, or any
// S3 endpoint in the AWS_* variables), round by round. Prints one JSON object.
//
//   <runtime> bench/s3.ts <bucket> <work dir> [--quick]
//
// - ship: shipRun of a run with one big log (sealed 8 MiB segments, SHA-256
//   and Content-MD5 each, the manifest and lease) against one raw PUT of the
//   log's bytes, already in memory. Target: at least 0.8x the raw throughput.
// - list: S3RunStore.listRuns over 10,000 runs (4 keys each, as a finished
//   pushed run has) against a raw ListObjectsV2 walk of the same keys. Target:
//   at most 1.5x. The runs are made once per bucket, with parallel PUTs.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { formatRunMetadata, RunId } from "../mod.ts";
import { S3Client, S3RunStore, shipRun } from "../src/s3/mod.ts";
import { runtime } from "../tests/_runtime.ts";
import { workspaceFor } from "./_workspace.ts";

const [bucket, workDir] = process.argv.slice(2);
const quick = process.argv.includes("--quick");
const MB = 1024 * 1024;
const LOG_BYTES = (quick ? 32 : 128) * MB;
const RUNS = quick ? 1_000 : 10_000;
const ROUNDS = quick ? 2 : 3;
const LIST_ROUNDS = quick ? 2 : 5;
const PUT_CONCURRENCY = 32;

const client = S3Client.fromEnv({
  bucket,
  endpoint: process.env.AWS_ENDPOINT_URL_S3 ?? process.env.S3_ENDPOINT,
});

async function time(body: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

async function removeUnder(prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const page of client.list(prefix)) keys.push(...page.keys.map((entry) => entry.key));
  await parallel(keys, PUT_CONCURRENCY, (key) => client.delete(key));
}

async function parallel<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

// --- shipping ---------------------------------------------------------------
async function benchShip() {
  const root = join(workDir, `ship-${runtime}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const ws = await workspaceFor(root);
  const { RunLogContext } = await import("../mod.ts");
  const ctx = await RunLogContext.create(ws);
  const log = new Uint8Array(LOG_BYTES);
  // Incompressible and distinct per runtime, so that no segment is reused across runs of the bench.
  for (let i = 0; i < log.length; i += 65536) crypto.getRandomValues(log.subarray(i, i + 65536));
  await ws.writeBytes(ctx.agentLog("dev", 1), log);
  await ctx.close({ status: "succeeded" });
  let ship = Infinity;
  let raw = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    // A fresh prefix each round: every segment is uploaded, none found already there.
    const prefix = `bench-ship-${runtime}-${round}`;
    const store = new S3RunStore(client, { prefix });
    ship = Math.min(
      ship,
      await time(async () => {
        const summary = await shipRun(ws, ctx.runId, store);
        if (!summary.complete || summary.uploadedBytes < LOG_BYTES) {
          throw new Error(`shipped ${summary.uploadedBytes} bytes`);
        }
      }),
    );
    await removeUnder(`${prefix}/`);
    const key = `bench-raw-${runtime}-${round}`;
    raw = Math.min(
      raw,
      await time(async () => {
        await client.put(key, log);
      }),
    );
    await client.delete(key);
  }
  rmSync(root, { recursive: true, force: true });
  return {
    bytes: LOG_BYTES,
    shipMs: ship,
    rawMs: raw,
    shipMBps: LOG_BYTES / MB / (ship / 1000),
    rawMBps: LOG_BYTES / MB / (raw / 1000),
    ratio: raw / ship, // throughput of shipRun ÷ throughput of the raw PUT
  };
}

// --- listing ----------------------------------------------------------------
const LIST_PREFIX = `bench-list-${RUNS}`;

async function makeRuns(): Promise<void> {
  let present = 0;
  for await (const page of client.list(`${LIST_PREFIX}/`, { maxKeys: 1 })) {
    present += page.keys.length;
    break;
  }
  if (present > 0) return; // made by an earlier runtime's run
  const start = Date.parse("2026-01-01T00:00:00Z");
  const puts: [string, string][] = [];
  for (let i = 0; i < RUNS; i++) {
    const id = RunId.generate(new Date(start + i * 60_000)).toString();
    const at = new Date(start + i * 60_000).toISOString();
    const ended = new Date(start + i * 60_000 + 30_000).toISOString();
    const folder = `${LIST_PREFIX}/logs-${id}/`;
    puts.push([
      `${folder}run.json`,
      formatRunMetadata({
        runId: id,
        startedAtUtc: at,
        command: "ralph --dev",
        resume: false,
        repoRoot: "/work",
        ralphVersion: "0.6.3",
        endedAtUtc: ended,
        status: "succeeded",
      }),
    ]);
    puts.push([
      `${folder}lease.json`,
      JSON.stringify({ pid: 1000 + i, host: "bench", released_at: ended, generation: 1 }),
    ]);
    puts.push([`${folder}manifest.json`, `{"run_id":"${id}","complete":true}`]);
    puts.push([`${folder}ended-succeeded`, ""]);
  }
  await parallel(puts, PUT_CONCURRENCY, ([key, body]) => client.put(key, body));
}

async function benchList() {
  await makeRuns();
  const store = new S3RunStore(client, { prefix: LIST_PREFIX });
  let keys = 0;
  let raw = Infinity;
  let list = Infinity;
  for (let round = 0; round < LIST_ROUNDS; round++) {
    raw = Math.min(
      raw,
      await time(async () => {
        keys = 0;
        for await (const page of client.list(`${LIST_PREFIX}/logs-`)) keys += page.keys.length;
      }),
    );
    list = Math.min(
      list,
      await time(async () => {
        const { runs } = await store.listRuns();
        if (runs.length !== RUNS || runs.some((run) => run.status !== "succeeded")) {
          throw new Error(`listed ${runs.length} runs`);
        }
      }),
    );
  }
  return { runs: RUNS, keys, rawMs: raw, listMs: list, ratio: list / raw };
}

const ship = await benchShip();
const list = await benchList();
console.log(JSON.stringify({ runtime, ship, list }));
