// runlog push, and --from s3://… on the commands that read runs: a run
// store read as a directory is. The S3 modules (and their dependency,
// aws4fetch) load only when one of these runs.
import process from "node:process";
import type { S3RunStore } from "../s3/run_store.ts";
import type { RunInfo } from "../runs/list_runs.ts";
import type { LeaseHolder } from "../lease.ts";
import type { ProcessHost } from "../process_host.ts";
import { RunLogError } from "../run_log_error.ts";
import type { Command } from "./_command.ts";
import {
  formatBytes,
  formatDuration,
  json,
  type Output,
  paint,
  paintStatus,
  table,
  terminalSafe,
} from "./_output.ts";
import { noMore, parse, UsageError } from "./_usage.ts";
import { resolveRun, workspaceAt } from "./_workspace.ts";
import { workspaceScope } from "./_workspace_scope.ts";

/** The commands that read a store with --from. */
export const STORE_READERS: ReadonlySet<string> = new Set([
  "list",
  "show",
  "tail",
  "pack",
  "serve",
  "report",
]);

/** The help of --from, shown by the commands that take it. */
export const FROM_HELP = `
Reading a run store instead of --root (see runlog push):
  --from s3://BUCKET/PREFIX  the store; credentials from AWS_ACCESS_KEY_ID and
                             AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, AWS_REGION)
  --endpoint URL             the S3 endpoint (default AWS_ENDPOINT_URL_S3, else AWS)
  --allow-insecure-http      allow plain http to an endpoint that is not this machine`;

const STORE_OPTIONS = {
  endpoint: { type: "string" },
  "allow-insecure-http": { type: "boolean" },
} as const;

/** `runlog push`, for the command table. */
export const PUSH_COMMAND: Command = {
  run: push,
  usage:
    "runlog push <id|latest> --to s3://BUCKET/PREFIX [--follow] [--force] [--endpoint URL] [--allow-insecure-http] [--json]",
  help: `Ships a run to an S3-compatible store (AWS S3, R2, GCS, B2, MinIO, Ceph RGW), where
runlog list/show/tail/pack/serve/report --from s3://BUCKET/PREFIX read it. The logs go
as sealed, content-addressed segments, then a manifest, under the run's store lease: a
second push of the same run is refused while one runs, and a push goes on from where an
interrupted one stopped. Credentials come from AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, AWS_REGION), never from the command line.
  --to s3://BUCKET/PREFIX  the store
  --follow                 keep shipping (about every second) until the run ends, then
                           mark it complete; Ctrl-C ships what is written and stops
  --force                  take the run over from another push that holds it (after one
                           of its heartbeats), when you are sure it no longer runs
  --endpoint URL           the S3 endpoint (default AWS_ENDPOINT_URL_S3, else AWS)
  --allow-insecure-http    allow plain http to an endpoint that is not this machine
  --json                   the summary as JSON`,
};

/** Whether `args` ask command `name` to read a store. */
export function readsStore(name: string, args: readonly string[]): boolean {
  if (!STORE_READERS.has(name)) return false;
  return args.some((arg) => arg === "--from" || arg.startsWith("--from=")) ||
    (name === "tail" && args.some((arg) => arg.startsWith("s3://")));
}

/** The store options taken out of `args`, and the arguments left for the command. */
function takeStoreOptions(name: string, args: readonly string[]) {
  const rest: string[] = [];
  let from: string | undefined;
  let endpoint: string | undefined;
  let insecure = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [option, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (option === "--from" || option === "--endpoint") {
      const value = inline ?? args[++i];
      if (value === undefined || value === "") throw new UsageError(`${option} needs a value`);
      if (option === "--from") from = value;
      else endpoint = value;
    } else if (arg === "--allow-insecure-http") insecure = true;
    else if (arg === "--root" || arg.startsWith("--root=")) {
      throw new UsageError("--from reads a store, not a directory: leave out --root");
    } else rest.push(arg);
  }
  // runlog tail -f s3://bucket/prefix/<id|latest>: the store and the run in one.
  const at = name === "tail" ? rest.findIndex((arg) => arg.startsWith("s3://")) : -1;
  if (at !== -1) {
    if (from !== undefined) throw new UsageError("give the store once: --from, or s3://…/<id>");
    const url = rest[at].replace(/\/+$/, "");
    const slash = url.lastIndexOf("/");
    if (slash < "s3://".length) {
      throw new UsageError(`${JSON.stringify(rest[at])}: give s3://BUCKET/PREFIX/<id|latest>`);
    }
    from = url.slice(0, slash);
    rest[at] = url.slice(slash + 1).replace(/^logs-/, "");
  }
  return { rest, from: from!, endpoint, insecure };
}

async function openStore(
  url: string,
  endpoint: string | undefined,
  insecure: boolean,
  host?: ProcessHost,
): Promise<S3RunStore> {
  const { S3RunStore } = await import("../s3/run_store.ts");
  return S3RunStore.fromUrl(url, { endpoint, allowInsecureHttp: insecure, host });
}

// Options whose value is the next argument, so that "latest" there is not a run.
const VALUE_OPTIONS = new Set(["-n", "--lines", "-o", "--output", "--level", "--port", "--host"]);

/**
 * Runs a reading command on a store: `list` with the store's own listing
 * (one walk of the keys), the others on the store as a read-only workspace.
 */
export async function runWithStore(
  name: string,
  command: Command,
  args: readonly string[],
  output: Output,
): Promise<number> {
  const { rest, from, endpoint, insecure } = takeStoreOptions(name, args);
  const store = await openStore(from, endpoint, insecure);
  if (name === "list") return await listStore(store, rest, output);
  // "latest" from the store's listing, rather than from reading every run.
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] !== "latest" || VALUE_OPTIONS.has(rest[i - 1])) continue;
    const latest = await store.latestRun();
    if (latest === undefined) {
      throw new RunLogError(
        "not-found",
        `the store ${store.url} has no run yet; ship one with runlog push <id> --to ${store.url}`,
      );
    }
    rest[i] = latest.id;
    break;
  }
  const { S3StoreWorkspace } = await import("../s3/store_workspace.ts");
  const view = new S3StoreWorkspace(store);
  return await workspaceScope.run(view, () => command.run(rest, output));
}

function holderText(holder: LeaseHolder): string {
  return `pid ${holder.pid} on ${terminalSafe(holder.host)}`;
}

/** runlog list --from: the store's runs, from one walk of its keys. */
async function listStore(store: S3RunStore, args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: "boolean" },
    sizes: { type: "boolean" },
  });
  noMore(positionals);
  const sizes = values.sizes === true;
  const { runs, skipped } = await store.listRuns({ details: sizes });
  const bucket = `s3://${store.client.bucket}/`;
  if (values.json) {
    output.out(json({
      runs: runs.map((run: RunInfo) => ({
        id: run.id,
        dir: `${bucket}${run.dir}`,
        status: run.status,
        startedAt: run.startedAt.toISOString(),
        endedAt: run.endedAt?.toISOString(),
        holder: run.holder,
        bytes: run.bytes,
        metadata: run.metadata,
        problem: run.problem,
      })),
      skipped: skipped.map((entry) => ({ ...entry, path: `${bucket}${entry.path}` })),
    }));
    return 0;
  }
  if (skipped.length > 0) {
    output.err(
      `${skipped.length} entr${skipped.length === 1 ? "y" : "ies"} of ${
        terminalSafe(store.url)
      } not listed; --json lists them with the reasons\n`,
    );
  }
  if (runs.length === 0) {
    output.err(`no runs in ${terminalSafe(store.url)}\n`);
    return 0;
  }
  const now = Date.now();
  const rows = [["RUN", "STATUS", "STARTED", "DURATION", ...(sizes ? ["SIZE"] : []), "HELD BY"]];
  for (const run of runs) {
    const end = run.endedAt?.getTime() ?? (run.status === "running" ? now : undefined);
    rows.push([
      terminalSafe(run.id),
      paintStatus(output, run.status),
      run.startedAt.toISOString().replace("T", " ").slice(0, 19),
      end === undefined ? "" : formatDuration(end - run.startedAt.getTime()),
      ...(sizes ? [formatBytes(run.bytes ?? 0)] : []),
      run.holder === undefined ? "" : holderText(run.holder),
    ]);
  }
  output.out(table(output, rows));
  return 0;
}

/** runlog push: ships a run to a store, once or while it runs. */
async function push(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    root: { type: "string" },
    to: { type: "string" },
    follow: { type: "boolean" },
    force: { type: "boolean" },
    json: { type: "boolean" },
    ...STORE_OPTIONS,
  });
  noMore(positionals.slice(1));
  if (values.to === undefined) {
    throw new UsageError("give the store to push to: --to s3://BUCKET/PREFIX");
  }
  const ws = await workspaceAt(values.root ?? ".");
  const runId = await resolveRun(ws, positionals[0]);
  const store = await openStore(
    values.to,
    values.endpoint,
    values["allow-insecure-http"] === true,
    ws.host,
  );
  // A store that ignores conditions would let two pushes write one run: refuse it first.
  await store.checkConditionalWrites();
  const { shipRun } = await import("../s3/ship_run.ts");
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    const summary = await shipRun(ws, runId, store, {
      follow: values.follow === true,
      force: values.force === true,
      signal: controller.signal,
      onRound: (round) => {
        if (round.error !== undefined) {
          output.err(
            `runlog push: the store did not answer (${
              terminalSafe(round.error.message)
            }); trying again\n`,
          );
        } else if (output.tty && round.segments > 0) {
          output.err(`runlog push: ${round.segments} segment(s), ${formatBytes(round.bytes)}\n`);
        }
      },
    });
    if (values.json) {
      output.out(json(summary));
      return 0;
    }
    const state = summary.complete
      ? `complete (${paintStatus(output, summary.status ?? "unknown")})`
      : controller.signal.aborted
      ? paint(output, "yellow", "stopped before the run ended: push again to go on")
      : "the run has not ended: push again later, or use --follow";
    output.out(
      `${terminalSafe(summary.url)}: ${summary.files} files, ${formatBytes(summary.bytes)}; ` +
        `uploaded ${formatBytes(summary.uploadedBytes)} in ${summary.uploadedSegments} ` +
        `segment(s)${
          summary.reusedSegments > 0 ? `, ${summary.reusedSegments} already there` : ""
        }; ${state}\n`,
    );
    return 0;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
