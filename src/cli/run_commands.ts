// The commands a shell loop drives a run with: new, log, event, close.
// `new` takes the run's lease for the shell (the command's parent, or
// --owner), without a heartbeat: the lease lasts while the shell lives. The
// other commands act for the same process and share that lease.
import type { Output } from "./_output.ts";
import { RunLogContext } from "../run_log_context.ts";
import { RunLogError } from "../run_log_error.ts";
import { PipelineLogger } from "../pipeline_logger.ts";
import type { PipelineLevel } from "../pipeline_logger.ts";
import { EventLoopLogger } from "../event_loop_logger.ts";
import { END_STATUSES, isEndStatus } from "../run_metadata.ts";
import { describeHolder, inspectLease } from "../lease.ts";
import { noMore, parse, parseWhole, UsageError } from "./_usage.ts";
import { parentPid, resolveRun, workspaceFor } from "./_workspace.ts";

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
  output.out(`${ws.root}/${ctx.runDir}\n`);
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

// Refuses, with who holds the run, when the owner does not.
async function requireLease(ctx: RunLogContext, what: string): Promise<void> {
  if (ctx.holdsLease) return;
  const lease = await inspectLease(ctx.workspace, ctx.runDir);
  const holder = lease.state === "live"
    ? `it is held by ${describeHolder(lease.holder)}; pass --owner ${lease.holder.pid} if this ` +
      "command acts for that process"
    : "no live process holds it; resume it from code, or create a new run with runlog new";
  throw new RunLogError("lease-held", `cannot ${what} run '${ctx.runId}': ${holder}`);
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
  const ctx = await attachFor(values, positionals[0]);
  await requireLease(ctx, "write the event loop log of");
  const logger = await EventLoopLogger.open(ctx);
  try {
    const seq = await logger.logEffect({
      phase: phase!,
      effect: effect!,
      event: event!,
      extra: values.extra ?? [],
      context,
      durationMs,
    });
    output.out(`${seq}\n`);
  } finally {
    await logger.close();
  }
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
  const ctx = await attachFor(values, positionals[0]);
  await requireLease(ctx, "close");
  await ctx.close(status === undefined ? {} : { status });
  return 0;
}
