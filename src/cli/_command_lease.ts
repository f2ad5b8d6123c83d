// The run's lease for one write command (event, close). A shell drives a
// run through commands that act for it: `runlog new` leaves the lease with
// the shell (no heartbeat: live while the shell runs); each later write
// command takes the next generation for itself, on the shell's behalf,
// writes, and hands the lease back. So commands of one shell run one at a
// time, even in parallel (`cmd & cmd &`), and their sequence numbers never
// collide; a command waits while a sibling holds the run.
//
// A run that no live process holds (its shell has exited: CI steps run in
// shells of their own) is taken by the command for its own shell, with a
// session of its own in run.json; its numbering continues. A closed run is
// refused: resume it from code to continue it.
import type { Workspace } from "../workspace.ts";
import type { RunId } from "../run_id.ts";
import { RunLogError } from "../run_log_error.ts";
import { contextWithLease } from "../run_log_context.ts";
import { readRunJson, runDirExists, runDirOf } from "../run_dir.ts";
import type { RunLogContext } from "../run_log_context.ts";
import {
  describeHolder,
  inspectLease,
  Lease,
  type LeaseHolder,
  type LeaseIdentity,
} from "../lease.ts";
import { sleep } from "../_sleep.ts";

/** How long a command waits for sibling commands of its shell to finish. */
export const COMMAND_WAIT_MS = 30_000;

/**
 * Runs `work` holding the lease of run `runId` for the process `owner`
 * (the shell), then hands the lease back to it, unless `work` ended the
 * run (`close`).
 */
export async function withCommandLease<T>(
  ws: Workspace,
  runId: RunId,
  owner: number,
  what: string,
  work: (ctx: RunLogContext) => Promise<T>,
  handBack = true,
): Promise<T> {
  const host = ws.host!;
  const runDir = runDirOf(runId);
  if (!(await runDirExists(ws, runDir))) {
    throw new RunLogError(
      "not-found",
      `no run '${runId}': '${runDir}' does not exist in ${ws.root}; check the id`,
    );
  }
  const ownerStart = host.processStart(owner);
  const myStart = host.processStart(host.pid);
  const shell: LeaseIdentity = {
    pid: owner,
    ...(ownerStart === undefined ? {} : { processStart: ownerStart }),
  };
  // The same process as the owner: its start token tells a reused pid,
  // where both are known (Deno reads /proc only with --allow-all).
  const sameStart = (start: string | undefined) =>
    start === undefined || ownerStart === undefined || start === ownerStart;
  // A shell's lease has no heartbeat; a program's lease is never taken by a command.
  const isOwner = (holder: LeaseHolder) =>
    holder.host === host.hostname && holder.pid === owner && holder.heartbeatMs === 0 &&
    sameStart(holder.processStart);
  const isSibling = (holder: LeaseHolder) =>
    holder.host === host.hostname && holder.forPid === owner && sameStart(holder.forProcessStart);
  const deadline = Date.now() + COMMAND_WAIT_MS;
  let lease: Lease | undefined;
  // Whether the lease came from the shell's own session (else a new one starts).
  let continuesSession = false;
  while (lease === undefined) {
    const state = await inspectLease(ws, runDir);
    if (state.state === "live" && isSibling(state.holder)) {
      if (Date.now() > deadline) {
        throw new RunLogError(
          "lease-held",
          `cannot ${what} run '${runId}': another runlog command of the same shell has held ` +
            `it for over ${COMMAND_WAIT_MS / 1000} s (${describeHolder(state.holder)}); ` +
            "look for a command that hangs",
        );
      }
      await sleep(5 + Math.random() * 20);
      continue;
    }
    if (state.state === "invalid" || (state.state === "live" && !isOwner(state.holder))) {
      throw refusal(state, runId, what);
    }
    // The shell's own session goes on when it, or a command for it, held
    // the run last: live, handed back, killed mid-command, or unknowable
    // (Deno without --allow-run cannot tell that the shell runs).
    const last = state.state === "none" ? state.released : state.holder;
    const continues = last !== undefined && (isOwner(last) || isSibling(last));
    // Closing releases the lease: a run nobody holds may have ended.
    if (state.state !== "live") await refuseIfClosed(ws, runId, what);
    try {
      lease = await Lease.acquire(ws, runDir, {
        runId: `${runId}`,
        identity: {
          pid: host.pid,
          ...(myStart === undefined ? {} : { processStart: myStart }),
          forPid: owner,
          ...(ownerStart === undefined ? {} : { forProcessStart: ownerStart }),
        },
        takeOver: isOwner,
      });
      continuesSession = continues;
    } catch (error) {
      // A sibling took it first: look again.
      if (!(error instanceof RunLogError && error.code === "lease-held")) throw error;
    }
  }
  let ended = false;
  try {
    const ctx = await contextWithLease(
      ws,
      runId,
      lease,
      continuesSession ? undefined : {
        startedAtUtc: new Date().toISOString(),
        resume: true,
        pid: owner,
        host: host.hostname,
        command: host.argv.join(" "),
      },
    );
    const result = await work(ctx);
    ended = !handBack;
    return result;
  } finally {
    if (!ended) {
      if (host.isAlive(owner) !== false) await lease.handOver(shell);
      else await lease.release();
    }
  }
}

// Why a command may not write the run: another process holds it, or its
// lease files are not leases.
function refusal(
  state: { state: "live"; holder: LeaseHolder } | { state: "invalid"; why: string },
  runId: RunId,
  what: string,
): RunLogError {
  if (state.state === "invalid") {
    return new RunLogError(
      "invalid-lease",
      `cannot ${what} run '${runId}': ${state.why}; remove it, or resume the run from code ` +
        "with { force: true }",
    );
  }
  const holder = state.holder;
  return new RunLogError(
    "lease-held",
    `cannot ${what} run '${runId}': it is held by ${describeHolder(holder)}; ` +
      (holder.heartbeatMs === 0
        ? `pass --owner ${holder.pid} if this command acts for that process`
        : "a program writes it: wait for it to finish, or write through that program"),
  );
}

// A closed run is not continued by a command: `latest` may name an old run.
async function refuseIfClosed(ws: Workspace, runId: RunId, what: string): Promise<void> {
  const metadata = await readRunJson(ws, `${runDirOf(runId)}/run.json`).catch(() => undefined);
  if (metadata?.endedAtUtc === undefined) return;
  throw new RunLogError(
    "closed",
    `cannot ${what} run '${runId}': it was closed at ${metadata.endedAtUtc}` +
      `${metadata.status === undefined ? "" : ` (${metadata.status})`}; create a new run with ` +
      "runlog new, or resume this one from code",
  );
}
