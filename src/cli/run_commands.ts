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
import type { RunEndStatus } from "../run_metadata.ts";
import { describeHolder, inspectLease } from "../lease.ts";
import { runDirOf } from "../run_log_context.ts";
import { parse, parseWhole, UsageError } from "./_usage.ts";
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
  if (positionals.length > 0) throw new UsageError(`unexpected ${JSON.stringify(positionals[0])}`);
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

// A context acting for the owner: sharing its lease when it holds one.
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

// `check` looks at the options first: a usage error touches nothing.
async function ownerContext(
  args: string[],
  extra: Parameters<typeof parse>[1],
  check: (values: Values, rest: string[]) => void,
) {
  const parsed = parse(args, { ...OWNER, ...extra });
  const values = parsed.values as Values;
  check(values, parsed.positionals.slice(1));
  const ws = await workspaceFor((values.root as string) ?? ".", ownerOf(values.owner as string));
  const runId = await resolveRun(ws, parsed.positionals[0]);
  return { ctx: await RunLogContext.attach(ws, runId), values, rest: parsed.positionals.slice(1) };
}

// Refuses, with who holds the run, when the owner does not.
async function requireLease(ctx: RunLogContext, what: string): Promise<void> {
  if (ctx.holdsLease) return;
  const lease = await inspectLease(ctx.workspace, runDirOf(ctx.runId));
  const holder = lease.state === "live"
    ? `it is held by ${describeHolder(lease.holder)}; pass --owner ${lease.holder.pid} if this ` +
      "command acts for that process"
    : "no live process holds it; resume it from code, or create a new run with runlog new";
  throw new RunLogError("lease-held", `cannot ${what} run '${ctx.runId}': ${holder}`);
}

const LEVELS = ["INFO", "OK", "WARN", "ERROR", "STEP"];

/** runlog log: appends one pipeline line. */
export async function log(args: string[]): Promise<number> {
  const { ctx, values, rest } = await ownerContext(
    args,
    { level: { type: "string" } },
    (values, rest) => {
      if (!LEVELS.includes(String(values.level ?? "INFO").toUpperCase())) {
        throw new UsageError(`--level ${values.level}: use one of ${LEVELS.join(", ")}`);
      }
      if (rest.length === 0) throw new UsageError("give the message to log");
    },
  );
  const level = String(values.level ?? "INFO").toUpperCase();
  const logger = await PipelineLogger.open(ctx);
  try {
    await logger.log(level as PipelineLevel, rest.join(" "));
  } finally {
    await logger.close();
  }
  return 0;
}

/** runlog event: appends one event loop line; prints its sequence number. */
export async function event(args: string[], output: Output): Promise<number> {
  const { ctx, values } = await ownerContext(args, {
    phase: { type: "string" },
    effect: { type: "string" },
    event: { type: "string" },
    ms: { type: "string" },
    extra: { type: "string", multiple: true },
    ctx: { type: "string", multiple: true },
  }, (values, rest) => {
    if (rest.length > 0) throw new UsageError(`unexpected ${JSON.stringify(rest[0])}`);
    for (const name of ["phase", "effect", "event"]) {
      if (typeof values[name] !== "string") throw new UsageError(`--${name} is required`);
    }
    if (values.ms !== undefined) parseWhole(values.ms as string, "--ms");
    for (const pair of (values.ctx ?? []) as string[]) {
      if (pair.indexOf("=") < 1) {
        throw new UsageError(`--ctx ${JSON.stringify(pair)}: use key=value`);
      }
    }
  });
  const context = ((values.ctx ?? []) as string[]).map((pair): [string, string] => {
    const eq = pair.indexOf("=");
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
  await requireLease(ctx, "write the event loop log of");
  const logger = await EventLoopLogger.open(ctx);
  try {
    const seq = await logger.logEffect({
      phase: values.phase as string,
      effect: values.effect as string,
      event: values.event as string,
      extra: (values.extra ?? []) as string[],
      context,
      durationMs: values.ms === undefined ? 0 : parseWhole(values.ms as string, "--ms"),
    });
    output.out(`${seq}\n`);
  } finally {
    await logger.close();
  }
  return 0;
}

const STATUSES: RunEndStatus[] = ["succeeded", "failed", "interrupted"];

/** runlog close: records how the run ended and releases it. */
export async function close(args: string[]): Promise<number> {
  const { ctx, values } = await ownerContext(
    args,
    { status: { type: "string" } },
    (values, rest) => {
      if (rest.length > 0) throw new UsageError(`unexpected ${JSON.stringify(rest[0])}`);
      if (values.status !== undefined && !STATUSES.includes(values.status as RunEndStatus)) {
        throw new UsageError(`--status ${values.status}: use one of ${STATUSES.join(", ")}`);
      }
    },
  );
  const status = values.status as string | undefined;
  await requireLease(ctx, "close");
  await ctx.close(status === undefined ? {} : { status: status as RunEndStatus });
  return 0;
}
