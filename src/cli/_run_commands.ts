// The commands a shell loop drives a run with: new, log, event, close.
// `new` takes the run's lease for the shell (the command's parent, or
// --owner), without a heartbeat: the lease lasts while the shell lives.
// `event` and `close` act for the same shell: each takes the lease from it
// for its own duration (see _command_lease.ts); `log` needs no lease.
import { type Output, printedPath } from "./_output.ts";
import { RunLogContext } from "../run_log_context.ts";
import { PipelineLogger } from "../pipeline_logger.ts";
import type { PipelineLevel } from "../pipeline_logger.ts";
import { EventLoopLogger } from "../event_loop_logger.ts";
import { END_STATUSES, isEndStatus } from "../run_metadata.ts";
import { withCommandLease } from "./_command_lease.ts";
import { noMore, parse, parseWhole, UsageError } from "./_usage.ts";
import { parentPid, resolveRun, workspaceAt, workspaceFor } from "./_workspace.ts";

const OWNER = {
  root: { type: "string" },
  owner: { type: "string" },
} as const;

function ownerOf(value: string | undefined): number {
  return value === undefined ? parentPid() : parseWhole(value, "--owner");
}

/** runlog new: creates a run and prints its directory alone. */
export async function newRun(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    ...OWNER,
    command: { type: "string" },
    version: { type: "string" },
  });
  noMore(positionals);
  const ws = await workspaceFor(values.root ?? ".", ownerOf(values.owner));
  const ctx = await RunLogContext.create(ws, {
    heartbeatMs: 0,
    metadata: {
      ...(values.command === undefined ? {} : { command: values.command }),
      ...(values.version === undefined ? {} : { version: values.version }),
    },
  });
  output.out(`${printedPath(output, `${ws.root}/${ctx.runDir}`)}\n`);
  return 0;
}

// A context acting for the owner, sharing its lease when it holds one.
// Called once the options are checked: a usage error touches nothing.
async function attachFor(
  values: { root?: string; owner?: string },
  name: string | undefined,
): Promise<RunLogContext> {
  const ws = await workspaceFor(values.root ?? ".", ownerOf(values.owner));
  return await RunLogContext.attach(ws, await resolveRun(ws, name));
}

// Runs `work` with the run's lease, taken for this command on behalf of
// the owner. Called once the options are checked: a usage error touches nothing.
async function withLease<T>(
  values: { root?: string; owner?: string },
  name: string | undefined,
  what: string,
  work: (ctx: RunLogContext) => Promise<T>,
  handBack = true,
): Promise<T> {
  const owner = ownerOf(values.owner);
  const ws = await workspaceAt(values.root ?? ".");
  if (ws.host!.isAlive(owner) === false) {
    throw new UsageError(`--owner ${owner}: no such process on this host`);
  }
  const runId = await resolveRun(ws, name);
  return await withCommandLease(ws, runId, owner, what, work, handBack);
}

const LEVELS = ["INFO", "OK", "WARN", "ERROR", "STEP"];

/** runlog log: appends one pipeline line. */
export async function log(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...OWNER, level: { type: "string" } });
  const level = (values.level ?? "INFO").toUpperCase();
  if (!LEVELS.includes(level)) {
    throw new UsageError(`--level ${values.level}: use one of ${LEVELS.join(", ")}`);
  }
  const message = positionals.slice(1);
  if (message.length === 0) throw new UsageError("give the message to log");
  const ctx = await attachFor(values, positionals[0]);
  const logger = await PipelineLogger.open(ctx);
  try {
    await logger.log(level as PipelineLevel, message.join(" "));
  } finally {
    await logger.close();
  }
  return 0;
}

/** runlog event: appends one event loop line; prints its sequence number. */
export async function event(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    ...OWNER,
    phase: { type: "string" },
    effect: { type: "string" },
    event: { type: "string" },
    ms: { type: "string" },
    extra: { type: "string", multiple: true },
    ctx: { type: "string", multiple: true },
  });
  noMore(positionals.slice(1));
  const { phase, effect, event } = values;
  for (const [name, value] of [["phase", phase], ["effect", effect], ["event", event]]) {
    if (value === undefined) throw new UsageError(`--${name} is required`);
  }
  const durationMs = values.ms === undefined ? 0 : parseWhole(values.ms, "--ms");
  const context = (values.ctx ?? []).map((pair): [string, string] => {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new UsageError(`--ctx ${JSON.stringify(pair)}: use key=value`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
  const seq = await withLease(
    values,
    positionals[0],
    "write the event loop log of",
    async (ctx) => {
      const logger = await EventLoopLogger.open(ctx);
      try {
        return await logger.logEffect({
          phase: phase!,
          effect: effect!,
          event: event!,
          extra: values.extra ?? [],
          context,
          durationMs,
        });
      } finally {
        await logger.close();
      }
    },
  );
  output.out(`${seq}\n`);
  return 0;
}

/** runlog close: records how the run ended and releases it. */
export async function close(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...OWNER, status: { type: "string" } });
  noMore(positionals.slice(1));
  const status = values.status;
  if (status !== undefined && !isEndStatus(status)) {
    throw new UsageError(`--status ${status}: use one of ${END_STATUSES.join(", ")}`);
  }
  await withLease(
    values,
    positionals[0],
    "close",
    (ctx) => ctx.close(status === undefined ? {} : { status }),
    false,
  );
  return 0;
}
