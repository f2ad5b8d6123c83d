/**
 * The per-run log directory: claiming it, resuming into it, holding its
 * lease, recording its sessions, and the paths of every log inside it.
 *
 * @module
 */
import type { Workspace } from "./workspace.ts";
import type { AppendHandle } from "./append_handle.ts";
import { RunId } from "./run_id.ts";
import { RunLogError } from "./run_log_error.ts";
import {
  type ConfigSummary,
  formatRunMetadata,
  isEndStatus,
  type RunEndStatus,
  type RunMetadata,
  type RunSession,
} from "./run_metadata.ts";
import { Lease, MAX_HEARTBEAT_MS } from "./lease.ts";
import { assertFileName, assertU32 } from "./_file_name.ts";
import { checkedClock } from "./_iso_time.ts";
import { describeValue } from "./_describe_value.ts";
import { removeTempFiles } from "./_temp_files.ts";
import {
  AGENT_DIR,
  LAYOUT_DIRS,
  readRunJson,
  RUN_DIR_PREFIX,
  runDirExists,
  runDirOf,
  toRunId,
} from "./run_dir.ts";
import { claimNextLog, escapeRegExp } from "./_log_claims.ts";
import { claimRunId } from "./_run_id_claim.ts";
import { type AgentLogHeader, formatAgentLogHeader } from "./agent_log_header.ts";
import { isWorkspaceError } from "./_workspace_checks.ts";
import { invalidArgument } from "./_invalid_argument.ts";

// What runlog adds to a phase in an agent log name, at most: "_<u32>_a9999.log".
const AGENT_NAME_RESERVED = "_4294967295_a9999.log".length;
// And to a provider log name: "_a9999".
const PROVIDER_NAME_RESERVED = "_a9999".length;

/**
 * What `create` writes to `run.json` beyond what it knows itself.
 *
 * @example Recording the version and a key of your own
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext, type RunMetadataOptions } from "@ralph/runlog";
 *
 * const metadata: RunMetadataOptions = {
 *   command: "ralph --dev",
 *   version: "0.6.3",
 *   extra: { git_commit: "1f0acf5" },
 * };
 * const ctx = await RunLogContext.create(new MemoryWorkspace(), { metadata });
 * const written = await ctx.readRunMetadata();
 * assert.equal(written.ralphVersion, "0.6.3");
 * assert.deepEqual(written.extra, { git_commit: "1f0acf5" });
 * ```
 */
export interface RunMetadataOptions {
  /** The command line to record; default: this process's. */
  command?: string;
  /** The version of the orchestrator (`ralph_version`); default `"unknown"`. */
  version?: string;
  /** The configuration summary (`config_summary`). */
  configSummary?: ConfigSummary;
  /** Further top-level keys (snake_case), written after the known ones. */
  extra?: Record<string, unknown>;
}

/**
 * Options of {@linkcode RunLogContext.create}.
 *
 * @example Runs of a test, from a fixed id
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CreateRunOptions, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const options: CreateRunOptions = {
 *   baseRunId: "2026-02-06_14-03-27.123Z",
 *   heartbeatMs: 5_000,
 *   metadata: { command: "ralph --dev" },
 * };
 * const first = await RunLogContext.create(ws, options);
 * const second = await RunLogContext.create(ws, options); // the id is taken
 * assert.equal(first.runId.toString(), "2026-02-06_14-03-27.123Z");
 * assert.equal(second.runId.toString(), "2026-02-06_14-03-27.123Z-01");
 * ```
 */
export interface CreateRunOptions {
  /** The source of the current time; default `() => new Date()`. */
  clock?: () => Date;
  /**
   * A fixed id to start from instead of one generated from the clock (the
   * Rust `for_testing`). Collisions still move on to `-01`..`-99` and then
   * to a fresh timestamp from the clock.
   */
  baseRunId?: RunId | string;
  /** What to record in `run.json` besides the id, start time, pid and root. */
  metadata?: RunMetadataOptions;
  /**
   * How often the lease's heartbeat is refreshed, in ms; default 10 000,
   * at most an hour. 0: no heartbeat, for a lease held on behalf of a
   * process that cannot refresh it (a shell loop driving the \`runlog\`
   * command): it then lasts while that process lives on this host, or
   * until released; seen from another host it is stale.
   */
  heartbeatMs?: number;
}

/**
 * Options of {@linkcode RunLogContext.resume}.
 *
 * @example Making a deleted run again, and recording the resume command
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, type ResumeRunOptions, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const options: ResumeRunOptions = { create: true, metadata: { command: "ralph --resume" } };
 * const ctx = await RunLogContext.resume(ws, "2026-02-06_14-03-27.123Z", options);
 * const [session] = (await ctx.readRunMetadata()).sessions ?? [];
 * assert.equal(session.recreated, true);
 * assert.equal(session.command, "ralph --resume");
 * await ctx.close();
 * ```
 */
export interface ResumeRunOptions {
  /**
   * Take the run over even when its lease is live in another process.
   * Only when you are sure that process no longer writes it.
   */
  force?: boolean;
  /**
   * Make the run again when its directory is missing (the Rust
   * behaviour), recorded as `recreated` in its session. Without it, a
   * missing run is a `"not-found"` error.
   */
  create?: boolean;
  /** The source of the current time; default `() => new Date()`. */
  clock?: () => Date;
  /** What to record for this session: its command line (default: this process's). */
  metadata?: Pick<RunMetadataOptions, "command">;
  /**
   * How often the lease's heartbeat is refreshed, in ms; default 10 000,
   * at most an hour. 0: no heartbeat, for a lease held on behalf of a
   * process that cannot refresh it (a shell loop driving the \`runlog\`
   * command): it then lasts while that process lives on this host, or
   * until released; seen from another host it is stale.
   */
  heartbeatMs?: number;
}

/**
 * Options of {@linkcode RunLogContext.close}.
 *
 * @example Closing with and without a status
 * ```ts
 * import assert from "node:assert/strict";
 * import { listRuns, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const done = await RunLogContext.create(ws);
 * await done.close({ status: "succeeded" });
 * const bare = await RunLogContext.create(ws);
 * await bare.close(); // only the end time is recorded
 * const { runs } = await listRuns(ws);
 * assert.deepEqual(runs.map((run) => run.status), ["unknown", "succeeded"]);
 * assert.ok(runs.every((run) => run.endedAt !== undefined));
 * ```
 */
export interface CloseRunOptions {
  /** How the run ended; without it only the end time is recorded. */
  status?: RunEndStatus;
}

/**
 * Options of {@linkcode RunLogContext.claimAgentLog}.
 *
 * @example The header of a reviewer on its second model
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ClaimAgentLogOptions, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const options: ClaimAgentLogOptions = {
 *   header: { role: "Reviewer", agent: "codex", phase: "Review", modelIndex: 1 },
 * };
 * const claim = await ctx.claimAgentLog("review", 1, options);
 * await claim.writer.close();
 * const text = await ctx.workspace.read(claim.path);
 * assert.match(text, /^# Ralph Agent Invocation Log\n# Role: Reviewer\n/);
 * assert.match(text, /\n# Model Index: 1\n# Attempt: 0\n/);
 * ```
 */
export interface ClaimAgentLogOptions {
  /**
   * Write the Rust tool's header block (`# Ralph Agent Invocation Log`, …)
   * in the first write to the new file, before anyone else can append.
   */
  header?: AgentLogHeader;
}

/**
 * A log file claimed exclusively, with a writer open on it.
 *
 * @example A provider stream and its retry
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ClaimedLog, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * const first: ClaimedLog = await ctx.openProviderLog("claude-stream_dev_1.jsonl");
 * await first.writer.write('{"type":"message_start"}\n');
 * await first.writer.close();
 * const retry = await ctx.openProviderLog("claude-stream_dev_1.jsonl");
 * await retry.writer.close();
 * assert.equal(first.attempt, undefined);
 * assert.equal(retry.attempt, 1);
 * assert.equal(retry.path, ctx.providerLog("claude-stream_dev_1_a1.jsonl"));
 * ```
 */
export interface ClaimedLog {
  /** The workspace-relative path of the file. */
  path: string;
  /** The retry number in the name (`_a<attempt>`), or `undefined` for the first file. */
  attempt: number | undefined;
  /** The open writer; close it when done. */
  writer: AppendHandle;
}

/** Makes a context of `runId` over a lease taken for it (see the static block). */
let withLease: (
  workspace: Workspace,
  runId: RunId,
  lease: Lease,
  session?: RunSession,
) => Promise<RunLogContext>;

/**
 * A context holding `lease`, taken by the `runlog` command for one command
 * on behalf of its shell: it continues the run's last session, or appends
 * `session` and continues that.
 */
export function contextWithLease(
  workspace: Workspace,
  runId: RunId,
  lease: Lease,
  session?: RunSession,
): Promise<RunLogContext> {
  return withLease(workspace, runId, lease, session);
}

function checkOptions(options: unknown, what: string): void {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw invalidArgument("", `the options of ${what}`, options, "an object");
  }
}

function checkHeartbeat(ms: unknown): number | undefined {
  if (
    ms === undefined ||
    (Number.isSafeInteger(ms) && (ms as number) >= 0 && (ms as number) <= MAX_HEARTBEAT_MS)
  ) {
    return ms as number | undefined;
  }
  throw new RunLogError(
    "invalid-argument",
    `heartbeatMs must be a whole number of milliseconds from 0 (no heartbeat) to ` +
      `${MAX_HEARTBEAT_MS} (an hour), got ${describeValue(ms)}`,
  );
}

function commandOf(ws: Workspace, given: string | undefined): string {
  if (given !== undefined) {
    if (typeof given !== "string") {
      throw invalidArgument("", "metadata.command", given, "a string");
    }
    return given;
  }
  return ws.host?.argv.join(" ") ?? "";
}

/**
 * The logging context of one run: its id, its directory
 * `.agent/logs-<run id>/`, the paths of the logs inside it, and the run's
 * lease, which says this process writes the run now.
 *
 * `create` and `resume` take the lease and record a session in `run.json`;
 * `close({ status })` (or `await using`) records the end and releases it.
 *
 * @example Creating a run, then resuming it after closing it
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ctx.close({ status: "interrupted" });
 *
 * const resumed = await RunLogContext.resume(ws, ctx.runId.toString());
 * assert.equal(resumed.runDir, ctx.runDir);
 * assert.equal((await resumed.readRunMetadata()).sessions?.length, 2);
 * await resumed.close({ status: "succeeded" });
 * ```
 */
export class RunLogContext {
  /** The workspace every path is relative to. */
  readonly workspace: Workspace;
  /** The run's id. */
  readonly runId: RunId;
  /** The run directory, `.agent/logs-<run id>`. */
  readonly runDir: string;
  // Undefined for a context that joined with attach().
  readonly #lease: Lease | undefined;
  readonly #clock: () => Date;
  readonly #session: number;
  #closed = false;
  // Whether assertActive passes: one field, read for every event loop line.
  #active: boolean;

  private constructor(
    workspace: Workspace,
    runId: RunId,
    lease: Lease | undefined,
    clock: () => Date,
    session: number,
  ) {
    this.workspace = workspace;
    this.runId = runId;
    this.runDir = runDirOf(runId);
    this.#lease = lease;
    this.#clock = clock;
    this.#session = session;
    this.#active = lease !== undefined;
    lease?.onLost(() => this.#active = false);
  }

  /**
   * Claims a new run directory, creates its layout (`agents/`,
   * `provider/`, `debug/`), takes its lease and writes `run.json` (id,
   * start time, command line, pid, workspace root, and what `metadata`
   * adds).
   *
   * The claim is the exclusive {@linkcode Workspace.createDir} of the run
   * directory itself, so two processes can never share one, even in the same
   * millisecond. A taken id (by a directory, or anything else standing
   * there) moves on to `-01`..`-99`; when all are taken it waits for the
   * clock to move and starts again from a fresh timestamp. If anything
   * fails after the claim, the half-made directory is removed.
   *
   * @example Claiming with a frozen clock
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ws = new MemoryWorkspace();
   * const clock = () => new Date("2026-02-06T14:03:27.123Z");
   * const first = await RunLogContext.create(ws, { clock });
   * const second = await RunLogContext.create(ws, { clock, metadata: { version: "0.6.3" } });
   * assert.equal(first.runId.toString(), "2026-02-06_14-03-27.123Z");
   * assert.equal(second.runId.toString(), "2026-02-06_14-03-27.123Z-01");
   * assert.equal((await second.readRunMetadata()).ralphVersion, "0.6.3");
   * ```
   *
   * @param workspace Where to create the run.
   * @param options The clock, a fixed id to start from, and metadata.
   * @returns The context of the new run, holding its lease.
   * @throws {RunLogError} `"collisions-exhausted"` when every id of the
   * current millisecond is taken and the clock does not move within a
   * second; `"invalid-argument"` for options of the wrong type.
   */
  static async create(
    workspace: Workspace,
    options: CreateRunOptions = {},
  ): Promise<RunLogContext> {
    checkOptions(options, "RunLogContext.create");
    const clock = checkedClock(options.clock);
    const heartbeatMs = checkHeartbeat(options.heartbeatMs);
    const given = options.metadata ?? {};
    checkOptions(given, "metadata");
    // One reading of the clock names the run and dates it in run.json.
    const started = clock();
    const base = options.baseRunId === undefined
      ? RunId.generate(started)
      : toRunId(options.baseRunId);
    const runId = await claimRunId(
      base,
      clock,
      (id) => RunLogContext.#claimDir(workspace, runDirOf(id)),
      `${AGENT_DIR}/${RUN_DIR_PREFIX}`,
    );
    const runDir = runDirOf(runId);
    try {
      await RunLogContext.#createLayout(workspace, runDir);
      const lease = await Lease.acquire(workspace, runDir, { runId: `${runId}`, heartbeatMs });
      try {
        // A claim that ran out of collision counters moved on to a later time.
        const sameTime = runId.withCollisionCounter(0).equals(base.withCollisionCounter(0));
        const startedAtUtc = (sameTime ? started : clock()).toISOString();
        const command = commandOf(workspace, given.command);
        const pid = workspace.host?.pid;
        const session: RunSession = {
          startedAtUtc,
          resume: false,
          ...(pid === undefined ? {} : { pid, host: workspace.host!.hostname }),
          command,
        };
        await workspace.writeAtomic(
          `${runDir}/run.json`,
          formatRunMetadata({
            runId: `${runId}`,
            startedAtUtc,
            command,
            resume: false,
            repoRoot: workspace.root,
            ralphVersion: given.version ?? "unknown",
            ...(pid === undefined ? {} : { pid }),
            ...(given.configSummary === undefined ? {} : { configSummary: given.configSummary }),
            sessions: [session],
            ...(given.extra === undefined ? {} : { extra: given.extra }),
          }),
        );
        return new RunLogContext(workspace, runId, lease, clock, 0);
      } catch (error) {
        await lease.release().catch(() => {});
        throw error;
      }
    } catch (error) {
      // No half-made directory may look like a run.
      await workspace.removeDirAllIfExists(runDir).catch(() => {});
      throw error;
    }
  }

  /**
   * Continues an existing run (the Rust `from_checkpoint`): the id is
   * validated before any filesystem call; the run's lease is taken (refused
   * while another live process holds it, unless `force`); every missing
   * part of the layout is recreated; temp files of interrupted atomic
   * writes are removed; and a session is appended to `run.json`, whose
   * first session (the Rust keys) is never overwritten. Logs are left as
   * they are.
   *
   * @example Resuming from a checkpoint value
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ws = new MemoryWorkspace();
   * const id = "2026-02-06_14-03-27.123Z";
   * await assert.rejects(RunLogContext.resume(ws, id), /no run/);
   * const ctx = await RunLogContext.resume(ws, id, { create: true });
   * assert.equal(ctx.runDir, ".agent/logs-2026-02-06_14-03-27.123Z");
   * assert.equal((await ctx.readRunMetadata()).sessions?.[0].recreated, true);
   * await ctx.close();
   * ```
   *
   * @param workspace Where the run lives.
   * @param runId The run's id, such as the one stored in a checkpoint.
   * @param options Whether to force the lease or recreate a missing run.
   * @returns The context of the run, holding its lease.
   * @throws {RunLogError} `"invalid-run-id"` for text that is not a run id,
   * such as `"x/../../etc"`; `"not-found"` for a run that does not exist;
   * `"lease-held"` naming the live holder.
   */
  static async resume(
    workspace: Workspace,
    runId: RunId | string,
    options: ResumeRunOptions = {},
  ): Promise<RunLogContext> {
    checkOptions(options, "RunLogContext.resume");
    const id = toRunId(runId);
    const clock = checkedClock(options.clock);
    const heartbeatMs = checkHeartbeat(options.heartbeatMs);
    const command = commandOf(workspace, options.metadata?.command);
    const runDir = runDirOf(id);
    let recreated = false;
    if (!(await runDirExists(workspace, runDir))) {
      if (options.create !== true) {
        throw new RunLogError(
          "not-found",
          `no run '${id}': '${runDir}' does not exist in ${workspace.root}; check the id ` +
            "(runlog list shows the runs), or pass { create: true } to make the run again",
        );
      }
      await workspace.createDirAll(AGENT_DIR);
      recreated = await workspace.createDir(runDir);
    }
    const lease = await Lease.acquire(workspace, runDir, {
      runId: `${id}`,
      force: options.force === true,
      heartbeatMs,
    });
    try {
      await RunLogContext.#createLayout(workspace, runDir);
      // With the lease held: no writer of this run is alive to rename them.
      await removeTempFiles(workspace, runDir);
      const session: RunSession = {
        startedAtUtc: clock().toISOString(),
        resume: true,
        ...(workspace.host === undefined
          ? {}
          : { pid: workspace.host.pid, host: workspace.host.hostname }),
        command,
        ...(recreated ? { recreated } : {}),
      };
      const index = await RunLogContext.#appendSession(workspace, id, session);
      return new RunLogContext(workspace, id, lease, clock, index);
    } catch (error) {
      await lease.release().catch(() => {});
      throw error;
    }
  }

  /**
   * Joins a run that another process holds, without its lease: for worker
   * processes that add their own files to it. An attached context claims
   * agent and provider logs (exclusively, so workers never share one) and
   * may write `pipeline.log` (whose lines never interleave), but not
   * `event_loop.log`, whose numbers belong to the lease holder, and it
   * records no session.
   *
   * @example A worker adding its agent log to a run
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ws = new MemoryWorkspace();
   * const owner = await RunLogContext.create(ws);
   * const worker = await RunLogContext.attach(ws, owner.runId.toString());
   * const claim = await worker.claimAgentLog("dev", 1);
   * await claim.writer.close();
   * assert.equal(claim.path, owner.agentLog("dev", 1));
   * await owner.close();
   * ```
   *
   * @param workspace Where the run lives.
   * @param runId The run's id.
   * @returns A context of the run that holds no lease.
   * @throws {RunLogError} `"invalid-run-id"`; `"not-found"` for a run that does not exist.
   */
  static async attach(workspace: Workspace, runId: RunId | string): Promise<RunLogContext> {
    const id = toRunId(runId);
    const runDir = runDirOf(id);
    if (!(await runDirExists(workspace, runDir))) {
      throw new RunLogError(
        "not-found",
        `no run '${id}': '${runDir}' does not exist in ${workspace.root}; check the id`,
      );
    }
    await RunLogContext.#createLayout(workspace, runDir);
    return new RunLogContext(workspace, id, undefined, () => new Date(), -1);
  }

  static {
    // The runlog command takes a run's lease for one command, acting for
    // its shell: it continues the shell's session, or records a new one
    // when it took the run from nobody (see cli/_command_lease.ts).
    withLease = async (workspace, runId, lease, session) => {
      const clock = () => new Date();
      if (session !== undefined) {
        const index = await RunLogContext.#appendSession(workspace, runId, session);
        return new RunLogContext(workspace, runId, lease, clock, index);
      }
      const sessions = (await readRunJson(workspace, `${runDirOf(runId)}/run.json`)).sessions;
      return new RunLogContext(workspace, runId, lease, clock, (sessions?.length ?? 1) - 1);
    };
  }

  /**
   * Records the end of this session in `run.json` (end time, and the
   * status when given) and releases the run's lease. Close the run's
   * loggers first. Closing again does nothing; `await using` calls it
   * without a status.
   *
   * @param options How the run ended.
   * @throws {RunLogError} `"invalid-argument"` for an unknown status; the
   * lease is released even when recording the end fails.
   */
  async close(options: CloseRunOptions = {}): Promise<void> {
    checkOptions(options, "RunLogContext.close");
    const status = options.status;
    if (status !== undefined && !isEndStatus(status)) {
      throw new RunLogError(
        "invalid-argument",
        `invalid status ${describeValue(status)}: use "succeeded", "failed" or "interrupted"`,
      );
    }
    if (this.#closed) return;
    this.#closed = true;
    this.#active = false;
    if (this.#lease === undefined) return;
    let failure: unknown;
    // A holder that was stopped meanwhile may have lost the run: never
    // write over the metadata of the process that took it.
    if (await this.#lease.confirm().catch(() => true)) {
      try {
        const metadata = await this.readRunMetadata();
        const endedAtUtc = this.#clock().toISOString();
        const sessions = metadata.sessions ?? [];
        const mine = sessions[this.#session];
        if (mine !== undefined) {
          mine.endedAtUtc = endedAtUtc;
          if (status !== undefined) mine.status = status;
        }
        metadata.endedAtUtc = endedAtUtc;
        if (status !== undefined) metadata.status = status;
        else delete metadata.status;
        await this.writeRunMetadata(metadata);
      } catch (error) {
        failure = error;
      }
    }
    try {
      await this.#lease.release();
    } catch (error) {
      failure ??= error;
    }
    if (failure !== undefined) throw failure;
  }

  /** Closes the run without a status (see {@linkcode RunLogContext.close}). */
  // @ts-ignore: a consumer's lib may lack esnext.disposable (no @types/node); the key is then unknown.
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Whether this context holds the run's lease (from `create` or `resume`, not `attach`). */
  get holdsLease(): boolean {
    return this.#lease !== undefined;
  }

  /**
   * Until when, in ms since the epoch (`Date.now()`), this context may write
   * as the run's holder without confirming its lease again (the write
   * fence, see {@linkcode RunLogContext.confirmLease}); `Infinity` for a
   * lease without heartbeat, and without a lease (then
   * {@linkcode RunLogContext.assertActive} refuses every write).
   */
  get writableUntil(): number {
    return this.#lease === undefined ? Infinity : this.#lease.writableUntil;
  }

  /**
   * Confirms that this context still holds the run's lease, for writers
   * whose fence has passed: a process that was stopped or blocked for
   * longer than a heartbeat interval may have lost the run to a forced
   * takeover meanwhile, and must not write another line then.
   *
   * @throws {RunLogError} As {@linkcode RunLogContext.assertActive}:
   * `"lease-lost"` when another process took the run over.
   */
  async confirmLease(): Promise<void> {
    this.assertActive();
    await this.#lease!.confirm();
    this.assertActive();
  }

  /**
   * Throws unless this context may still write its run as its holder: it
   * holds the lease, is not closed, and no other process took the run over
   * (`resume` with `force`). `EventLoopLogger` checks it, so that sequence
   * numbers cannot collide.
   *
   * @throws {RunLogError} `"closed"`, `"lease-lost"`, or `"lease-held"` for an
   * attached context.
   */
  assertActive(): void {
    // Small enough to be inlined into the logger's hot path.
    if (!this.#active) this.#throwInactive();
  }

  #throwInactive(): never {
    if (this.#closed) {
      throw new RunLogError(
        "closed",
        `the context of run '${this.runId}' is closed; resume the run to write it again`,
      );
    }
    if (this.#lease === undefined) {
      throw new RunLogError(
        "lease-held",
        `this context joined run '${this.runId}' with attach(), without its lease: the event ` +
          "loop log belongs to the process that holds it; resume the run to become the holder",
      );
    }
    throw this.#lease.lost;
  }

  /** `<run dir>/pipeline.log`: the orchestrator's human log. */
  pipelineLog(): string {
    return `${this.runDir}/pipeline.log`;
  }

  /** `<run dir>/event_loop.log`: one line per executed effect. */
  eventLoopLog(): string {
    return `${this.runDir}/event_loop.log`;
  }

  /** `<run dir>/event_loop_trace.jsonl`: written only on a crash. */
  eventLoopTrace(): string {
    return `${this.runDir}/event_loop_trace.jsonl`;
  }

  /** `<run dir>/run.json`: the run's metadata. */
  runMetadata(): string {
    return `${this.runDir}/run.json`;
  }

  /**
   * The log of one agent invocation: `agents/<phase>_<index>.log`, or
   * `agents/<phase>_<index>_a<attempt>.log` for a retry.
   *
   * @example Paths of a first try and a retry
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ctx = await RunLogContext.create(new MemoryWorkspace(), { baseRunId: "2026-02-06_14-03-27.123Z" });
   * assert.equal(ctx.agentLog("planning", 1), ".agent/logs-2026-02-06_14-03-27.123Z/agents/planning_1.log");
   * assert.equal(ctx.agentLog("dev", 2, 3), ".agent/logs-2026-02-06_14-03-27.123Z/agents/dev_2_a3.log");
   * ```
   *
   * @param phase The phase name, such as `"planning"`; one plain file-name
   * segment, at most 234 bytes of UTF-8 (so that any retry name still fits).
   * @param index The invocation index within the phase, an integer from 0 to 2^32-1.
   * @param attempt The retry attempt (1 for the first retry); omit for the first try.
   * @returns The workspace-relative path.
   * @throws {RunLogError} `"invalid-name"` for a phase that would leave `agents/`.
   */
  agentLog(phase: string, index: number, attempt?: number): string {
    assertFileName("phase", phase, "planning", AGENT_NAME_RESERVED);
    assertU32("agent index", index);
    const suffix = attempt === undefined ? "" : `_a${assertU32("attempt", attempt)}`;
    return `${this.runDir}/agents/${phase}_${index}${suffix}.log`;
  }

  /**
   * A provider streaming log: `provider/<name>`.
   *
   * @param name The file name, such as `"claude-stream_dev_1.jsonl"`, at
   * most 249 bytes of UTF-8 (so that any retry name still fits).
   * @returns The workspace-relative path.
   * @throws {RunLogError} `"invalid-name"` for a name that would leave `provider/`.
   */
  providerLog(name: string): string {
    return `${this.runDir}/provider/${
      assertFileName("provider log name", name, "claude-stream_dev_1.jsonl", PROVIDER_NAME_RESERVED)
    }`;
  }

  /**
   * Claims the log of a new agent invocation, numbered as the Rust tool
   * numbers retries: `<phase>_<index>.log` when no log of this invocation
   * exists, otherwise the highest existing attempt plus one
   * (`<phase>_<index>_a<N>.log`); a gap is never filled, so the numbers
   * tell the order. The file is created exclusively (a lost race moves on
   * to the next number) and opened for appending; an existing log is never
   * truncated. With `header`, the Rust header block is the file's first
   * write.
   *
   * @example A first try, a retry, and a retry with the Rust header
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ctx = await RunLogContext.create(new MemoryWorkspace());
   * const first = await ctx.claimAgentLog("dev", 1);
   * const retry = await ctx.claimAgentLog("dev", 1, {
   *   header: { role: "Developer", agent: "claude", phase: "Development" },
   * });
   * assert.equal(first.path, ctx.agentLog("dev", 1));
   * assert.equal(retry.path, ctx.agentLog("dev", 1, 1));
   * await first.writer.close();
   * await retry.writer.close();
   * assert.match(await ctx.workspace.read(retry.path), /^# Ralph Agent Invocation Log\n# Role: Developer\n/);
   * ```
   *
   * @param phase The phase name; one plain file-name segment.
   * @param index The invocation index within the phase.
   * @param options The header to write first, if any.
   * @returns The path, the attempt number and the open writer.
   * @throws {RunLogError} `"invalid-name"` for a phase that would leave
   * `agents/`; `"collisions-exhausted"` after 9999 retries of one invocation.
   */
  async claimAgentLog(
    phase: string,
    index: number,
    options: ClaimAgentLogOptions = {},
  ): Promise<ClaimedLog> {
    checkOptions(options, "claimAgentLog");
    const base = this.agentLog(phase, index);
    // A header that cannot be written must not leave an empty claimed file.
    if (options.header !== undefined) formatAgentLogHeader(options.header, 0);
    const prefix = `${phase}_${index}`;
    const attempts = new RegExp(`^${escapeRegExp(prefix)}(?:_a(\\d+))?\\.log$`);
    return await claimNextLog(
      this.workspace,
      `${this.runDir}/agents`,
      attempts,
      (attempt) => attempt === 0 ? base : this.agentLog(phase, index, attempt),
      options.header === undefined
        ? undefined
        : (attempt) => formatAgentLogHeader(options.header!, attempt),
    );
  }

  /**
   * Claims a provider streaming log in `provider/`: `<name>` when free,
   * otherwise `<stem>_a<N><ext>` with N one more than the highest taken,
   * created exclusively and opened for appending, never truncating an
   * existing file.
   *
   * @param name The file name, such as `"claude-stream_dev_1.jsonl"`.
   * @returns The path, the attempt number and the open writer.
   * @throws {RunLogError} `"invalid-name"` for a name that would leave `provider/`.
   */
  openProviderLog(name: string): Promise<ClaimedLog> {
    const base = this.providerLog(name);
    const dot = name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    const attempts = new RegExp(`^${escapeRegExp(stem)}(?:_a(\\d+))?${escapeRegExp(ext)}$`);
    return claimNextLog(
      this.workspace,
      `${this.runDir}/provider`,
      attempts,
      // The name was checked with room for the suffix.
      (attempt) => attempt === 0 ? base : `${this.runDir}/provider/${stem}_a${attempt}${ext}`,
      undefined,
    );
  }

  /**
   * Writes `run.json` atomically, in the Rust original's exact format
   * (runlog's own keys after the Rust ones).
   *
   * @example Changing the recorded version
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ctx = await RunLogContext.create(new MemoryWorkspace());
   * const metadata = await ctx.readRunMetadata();
   * await ctx.writeRunMetadata({ ...metadata, ralphVersion: "0.6.3" });
   * assert.equal((await ctx.readRunMetadata()).ralphVersion, "0.6.3");
   * ```
   *
   * @param metadata The metadata; keep `extra` from a read to preserve unknown keys.
   * @throws {RunLogError} `"invalid-metadata"` naming a key of the wrong type.
   */
  async writeRunMetadata(metadata: RunMetadata): Promise<void> {
    await this.workspace.writeAtomic(this.runMetadata(), formatRunMetadata(metadata));
  }

  /**
   * Reads and validates `run.json` (at most 16 MiB).
   *
   * @returns The metadata, with unknown keys in `extra`.
   * @throws {RunLogError} `"invalid-metadata"` naming the path and the wrong key.
   */
  readRunMetadata(): Promise<RunMetadata> {
    return readRunJson(this.workspace, this.runMetadata());
  }

  // One mkdir in the common case; `.agent` is made only when missing.
  // Anything already standing at the name (a directory, a stray file, a
  // dangling link) makes the caller move on to the next name.
  static async #claimDir(workspace: Workspace, runDir: string): Promise<boolean> {
    for (let tries = 0; tries < 2; tries++) {
      try {
        return await workspace.createDir(runDir);
      } catch (error) {
        if (isWorkspaceError(error, "already-exists")) return false;
        if (!isWorkspaceError(error, "not-found") || tries > 0) throw error;
        await workspace.createDirAll(AGENT_DIR);
      }
    }
    return false;
  }

  static async #createLayout(workspace: Workspace, runDir: string): Promise<void> {
    for (const dir of LAYOUT_DIRS) await workspace.createDirAll(`${runDir}/${dir}`);
  }

  // Adds a session to run.json and returns its index. A missing file is
  // written anew; an unreadable one is kept aside, never overwritten.
  static async #appendSession(
    workspace: Workspace,
    runId: RunId,
    session: RunSession,
  ): Promise<number> {
    const path = `${runDirOf(runId)}/run.json`;
    let metadata: RunMetadata | undefined;
    try {
      metadata = await readRunJson(workspace, path);
    } catch (error) {
      if (isWorkspaceError(error, "not-found")) metadata = undefined;
      else if (
        (error instanceof RunLogError && error.code === "invalid-metadata") ||
        isWorkspaceError(error, "too-large", "io", "hard-link")
      ) {
        await workspace.rename(path, `${path}.unreadable-${Date.now()}`);
        metadata = undefined;
      } else throw error;
    }
    if (metadata === undefined) {
      metadata = {
        runId: `${runId}`,
        startedAtUtc: session.startedAtUtc,
        command: session.command ?? "",
        resume: true,
        repoRoot: workspace.root,
        ralphVersion: "unknown",
        ...(session.pid === undefined ? {} : { pid: session.pid }),
        sessions: [],
      };
    }
    // A run.json without sessions (the Rust tool's) had one: its own keys.
    const sessions = metadata.sessions ?? [{
      startedAtUtc: metadata.startedAtUtc,
      resume: metadata.resume,
      ...(metadata.pid === undefined ? {} : { pid: metadata.pid }),
      command: metadata.command,
    }];
    sessions.push(session);
    metadata.sessions = sessions;
    delete metadata.status;
    delete metadata.endedAtUtc;
    await workspace.writeAtomic(path, formatRunMetadata(metadata));
    return sessions.length - 1;
  }
}
