// The S3 engine of the S3 tests: a real Ceph RGW on 127.0.0.1, started by
// scripts/rgw/start-rgw.sh, one fresh bucket per caller. Opt-in: the tests
// that use it pass `{ skip: skipUnlessS3 }`, and run only with
// RUNLOG_S3_TESTS=1.
//
// Where the endpoint comes from:
// - S3_ENDPOINT (with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION) in
//   the environment: that engine, which must be on a loopback address. This is
//   how .ci/run is meant to do it, once for all three runtimes:
//       export RUNLOG_S3_TESTS=1
//       rgw_env=$(bash scripts/rgw/start-rgw.sh start)   # ~30 s cold, ~3 s warm
//       set -a; eval "$rgw_env"; set +a                  # S3_ENDPOINT, AWS_*
//       trap 'bash scripts/rgw/start-rgw.sh stop' EXIT   # stop only what it started
//       npm test
// - otherwise the first rgwEndpoint() of a test process runs
//   `scripts/rgw/start-rgw.sh start` itself. That is idempotent: it reuses
//   daemons already running (from an earlier suite of any runtime), and a
//   start under way in another process is waited for (flock), so the Deno,
//   Bun and Node suites and node --test's parallel files share one RGW. Nothing
//   here stops it: `scripts/rgw/start-rgw.sh stop` does.
import { execFile } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { S3Client } from "../src/s3/s3_client.ts";
import { randomHex } from "../src/_bytes.ts";
import { bunBinary, denoBinary, nodeBinary } from "../scripts/_toolchain.ts";
import { runtime, type RuntimeName } from "./_runtime.ts";
import { releaseTogether, startScript } from "./_processes.ts";

/** Whether the S3 tests run (RUNLOG_S3_TESTS=1). */
export const S3_TESTS_ENABLED = process.env.RUNLOG_S3_TESTS === "1";

/** `false` when the S3 tests run, else why they are skipped: for `test(name, { skip })`. */
export const skipUnlessS3: string | false = S3_TESTS_ENABLED ? false : "S3 tests are opt-in: set " +
  "RUNLOG_S3_TESTS=1 to run them against a local Ceph RGW (scripts/rgw/start-rgw.sh)";

const SCRIPT = fileURLToPath(new URL("../scripts/rgw/start-rgw.sh", import.meta.url));
const REPO = fileURLToPath(new URL("..", import.meta.url));

/** Where the engine is and the keys it takes. */
export interface RgwServer {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A fresh, empty bucket on the engine, for one caller. */
export interface RgwBucket extends RgwServer {
  bucket: string;
  /** A client for the bucket. */
  client: S3Client;
  /** The standard AWS_* variables that make `S3Client.fromEnv({ bucket })` reach it. */
  env: Record<string, string>;
  /** Deletes every object and unfinished upload, then the bucket. */
  remove(): Promise<void>;
}

let server: Promise<RgwServer> | undefined;
let buckets = 0;

/**
 * The local RGW (started on first use in this process, or found running) and
 * a new bucket on it with a name no other caller, process or runtime uses.
 */
export async function rgwEndpoint(): Promise<RgwBucket> {
  if (!S3_TESTS_ENABLED) throw new Error(`rgwEndpoint(): ${skipUnlessS3}`);
  server ??= findOrStart();
  server.catch(() => (server = undefined)); // a failed start may be retried by the next test
  const found = await server;
  const bucket = `runlog-${runtime}-${process.pid}-${++buckets}-${randomHex(3)}`;
  const client = new S3Client({ ...found, bucket });
  await client.createBucket();
  return {
    ...found,
    bucket,
    client,
    env: {
      AWS_ENDPOINT_URL_S3: found.endpoint,
      AWS_ACCESS_KEY_ID: found.accessKeyId,
      AWS_SECRET_ACCESS_KEY: found.secretAccessKey,
      AWS_REGION: found.region,
    },
    remove: () => removeBucket(client),
  };
}

/** Runs `fn` with a fresh bucket (see rgwEndpoint()), and removes the bucket after. */
export async function withRgwBucket<T>(fn: (s3: RgwBucket) => Promise<T>): Promise<T> {
  const s3 = await rgwEndpoint();
  try {
    return await fn(s3);
  } finally {
    await s3.remove();
  }
}

async function findOrStart(): Promise<RgwServer> {
  const given = process.env.S3_ENDPOINT;
  if (given !== undefined && given !== "") {
    const host = new URL(given).hostname;
    if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) {
      throw new Error(
        `S3_ENDPOINT ${given} is not on this machine: the S3 tests only use a local engine`,
      );
    }
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = process.env;
    if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) {
      throw new Error("S3_ENDPOINT is set without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }
    return {
      endpoint: given,
      region: process.env.AWS_REGION || "us-east-1",
      accessKeyId: AWS_ACCESS_KEY_ID,
      secretAccessKey: AWS_SECRET_ACCESS_KEY,
    };
  }
  const printed = await new Promise<string>((resolve, reject) => {
    execFile(
      "bash",
      [SCRIPT, "start"],
      { cwd: REPO, timeout: 600_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else {reject(
            new Error(`${SCRIPT} start failed (${error.message}):\n${stderr.slice(-4000)}`),
          );}
      },
    );
  });
  const vars = Object.fromEntries(
    printed.split("\n").map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line)).filter((m) => m !== null)
      .map((m) => [m[1], m[2]]),
  );
  for (const name of ["S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]) {
    if (!vars[name]) throw new Error(`${SCRIPT} start printed no ${name}:\n${printed}`);
  }
  return {
    endpoint: vars.S3_ENDPOINT,
    region: vars.AWS_REGION,
    accessKeyId: vars.AWS_ACCESS_KEY_ID,
    secretAccessKey: vars.AWS_SECRET_ACCESS_KEY,
  };
}

async function removeBucket(client: S3Client): Promise<void> {
  for await (const upload of client.listMultipartUploads("")) {
    await client.abortMultipart(upload.key, upload.uploadId);
  }
  for await (const page of client.list("")) {
    for (const entry of page.keys) await client.delete(entry.key);
  }
  await client.deleteBucket();
}

/**
 * The command that runs a fixture using S3 under `on` (default: the runtime
 * running the tests), with Deno's permissions for it: the environment, files
 * and the loopback network.
 */
export function s3ScriptCommand(file: string, on: RuntimeName = runtime): {
  command: string;
  args: string[];
} {
  if (on === "deno") {
    const deno = runtime === "deno" ? process.execPath : denoBinary(REPO);
    return {
      command: deno,
      args: ["run", "--allow-env", "--allow-read", "--allow-net=127.0.0.1,localhost,[::1]", file],
    };
  }
  const binary = on === runtime ? process.execPath : on === "bun" ? bunBinary(REPO) : nodeBinary();
  return { command: binary, args: [file] };
}

/**
 * Starts one fixture per argument list (under the runtime given for it, or
 * the current one) with `env`, releases them all at one instant (as
 * tests/fixtures/racer.ts expects it), and returns each one's result line
 * (parsed JSON). Fails if any fails.
 */
export function raceScripts(
  file: string,
  racers: { args: string[]; runtime?: RuntimeName }[],
  env: Record<string, string>,
): Promise<unknown[]> {
  return releaseTogether(
    racers.map((racer) =>
      startScript(file, racer.args, { command: s3ScriptCommand(file, racer.runtime), env })
    ),
  );
}
