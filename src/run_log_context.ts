/**
 * The per-run log directory: claiming it, resuming into it, and the paths
 * of every log inside it.
 *
 * @module
 */
import type { Workspace } from "./workspace.ts";
import type { AppendHandle } from "./append_handle.ts";
import { WorkspaceError } from "./workspace_error.ts";
import { MAX_COLLISION_COUNTER, RunId } from "./run_id.ts";
import { RunLogError } from "./run_log_error.ts";
import { formatRunMetadata, parseRunMetadata, type RunMetadata } from "./run_metadata.ts";
import { assertFileName, assertU32 } from "./_file_name.ts";

/** The folder, relative to the workspace root, that holds every run directory. */
export const AGENT_DIR = ".agent";

const LAYOUT_DIRS = ["agents", "provider", "debug"] as const;

// How many retry files one agent invocation (or provider log name) may have.
const MAX_LOG_ATTEMPTS = 9999;

// How long `create` waits, in real time, for the clock to leave a
// millisecond whose 100 ids are all taken before it gives up.
const CLOCK_WAIT_MS = 1000;

/** Options of {@linkcode RunLogContext.create}. */
export interface CreateRunOptions {
  /** The source of the current time; default `() => new Date()`. */
  clock?: () => Date;
  /**
   * A fixed id to start from instead of one generated from the clock (the
   * Rust `for_testing`). Collisions still move on to `-01`..`-99` and then
   * to a fresh timestamp from the clock.
   */
  baseRunId?: RunId | string;
}

/** A log file claimed exclusively, with a writer open on it. */
export interface ClaimedLog {
  /** The workspace-relative path of the file. */
  path: string;
  /** The retry number in the name (`_a<attempt>`), or `undefined` for the first file. */
  attempt: number | undefined;
  /** The open writer; close it when done. */
  writer: AppendHandle;
}

/** The directory of a run, relative to the workspace root. */
function runDirOf(runId: RunId): string {
  return `${AGENT_DIR}/logs-${runId}`;
}

function toRunId(value: RunId | string): RunId {
  return value instanceof RunId ? value : RunId.parse(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The logging context of one run: its id, its directory
 * `.agent/logs-<run id>/` and the paths of the logs inside it. All paths
 * are workspace-relative.
 *
 * @example Creating a run, then resuming it as a second process would
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ws.appendBytes(ctx.pipelineLog(), new TextEncoder().encode("started\n"));
 *
 * const resumed = await RunLogContext.resume(ws, ctx.runId.toString());
 * assert.equal(resumed.runDir, ctx.runDir);
 * assert.equal(resumed.agentLog("dev", 2, 1), `${ctx.runDir}/agents/dev_2_a1.log`);
 * ```
 */
export class RunLogContext {
  /** The workspace every path is relative to. */
  readonly workspace: Workspace;
  /** The run's id. */
  readonly runId: RunId;
  /** The run directory, `.agent/logs-<run id>`. */
  readonly runDir: string;

  private constructor(workspace: Workspace, runId: RunId) {
    this.workspace = workspace;
    this.runId = runId;
    this.runDir = runDirOf(runId);
  }

  /**
   * Claims a new run directory and creates its layout (`agents/`,
   * `provider/`, `debug/`).
   *
   * The claim is the exclusive {@linkcode Workspace.createDir} of the run
   * directory itself, so two processes can never share one, even in the same
   * millisecond. A taken id moves on to `-01`..`-99`; when all are taken it
   * waits for the clock to move and starts again from a fresh timestamp.
   *
   * @example Claiming with a frozen clock
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ws = new MemoryWorkspace();
   * const clock = () => new Date("2026-02-06T14:03:27.123Z");
   * const first = await RunLogContext.create(ws, { clock });
   * const second = await RunLogContext.create(ws, { clock });
   * assert.equal(first.runId.toString(), "2026-02-06_14-03-27.123Z");
   * assert.equal(second.runId.toString(), "2026-02-06_14-03-27.123Z-01");
   * ```
   *
   * @param workspace Where to create the run.
   * @param options The clock and an optional fixed id to start from.
   * @returns The context of the new run.
   * @throws {RunLogError} `"collisions-exhausted"` when every id of the
   * current millisecond is taken and the clock does not move within a second.
   */
  static async create(
    workspace: Workspace,
    options: CreateRunOptions = {},
  ): Promise<RunLogContext> {
    const clock = options.clock ?? (() => new Date());
    let base = options.baseRunId === undefined
      ? RunId.generate(clock())
      : toRunId(options.baseRunId);
    const triedTimestamps = new Set<string>();
    await workspace.createDirAll(AGENT_DIR);
    for (;;) {
      triedTimestamps.add(base.withCollisionCounter(0).toString());
      for (let n = base.collisionCounter; n <= MAX_COLLISION_COUNTER; n++) {
        const runId = base.withCollisionCounter(n);
        if (await workspace.createDir(runDirOf(runId))) {
          const ctx = new RunLogContext(workspace, runId);
          await ctx.#createLayout();
          return ctx;
        }
      }
      base = await RunLogContext.#freshTimestamp(clock, triedTimestamps, base);
    }
  }

  /**
   * Continues an existing run (the Rust `from_checkpoint`): the id is
   * validated before any filesystem call, and every missing part of the
   * layout is recreated. Existing logs are left as they are.
   *
   * @example Resuming from a checkpoint value
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ws = new MemoryWorkspace();
   * const ctx = await RunLogContext.resume(ws, "2026-02-06_14-03-27.123Z");
   * assert.equal(ctx.runDir, ".agent/logs-2026-02-06_14-03-27.123Z");
   * ```
   *
   * @param workspace Where the run lives.
   * @param runId The run's id, such as the one stored in a checkpoint.
   * @returns The context of the run.
   * @throws {RunLogError} `"invalid-run-id"` for text that is not a run id,
   * such as `"x/../../etc"`.
   */
  static async resume(
    workspace: Workspace,
    runId: RunId | string,
  ): Promise<RunLogContext> {
    const ctx = new RunLogContext(workspace, toRunId(runId));
    await ctx.#createLayout();
    return ctx;
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
   * const ctx = await RunLogContext.resume(new MemoryWorkspace(), "2026-02-06_14-03-27.123Z");
   * assert.equal(ctx.agentLog("planning", 1), ".agent/logs-2026-02-06_14-03-27.123Z/agents/planning_1.log");
   * assert.equal(ctx.agentLog("dev", 2, 3), ".agent/logs-2026-02-06_14-03-27.123Z/agents/dev_2_a3.log");
   * ```
   *
   * @param phase The phase name, such as `"planning"`; one plain file-name segment.
   * @param index The invocation index within the phase, an integer from 0 to 2^32-1.
   * @param attempt The retry attempt (1 for the first retry); omit for the first try.
   * @returns The workspace-relative path.
   * @throws {RunLogError} `"invalid-name"` for a phase that would leave `agents/`.
   */
  agentLog(phase: string, index: number, attempt?: number): string {
    assertFileName("phase", phase, "planning");
    assertU32("agent index", index);
    const suffix = attempt === undefined ? "" : `_a${assertU32("attempt", attempt)}`;
    return `${this.runDir}/agents/${phase}_${index}${suffix}.log`;
  }

  /**
   * A provider streaming log: `provider/<name>`.
   *
   * @param name The file name, such as `"claude-stream_dev_1.jsonl"`.
   * @returns The workspace-relative path.
   * @throws {RunLogError} `"invalid-name"` for a name that would leave `provider/`.
   */
  providerLog(name: string): string {
    return `${this.runDir}/provider/${
      assertFileName("provider log name", name, "claude-stream_dev_1.jsonl")
    }`;
  }

  /**
   * Claims the log of a new agent invocation: creates, exclusively, the
   * first free name of `<phase>_<index>.log`, `<phase>_<index>_a1.log`,
   * `_a2`, … and opens it for appending. Two processes claiming at once get
   * different files, and an existing log is never truncated.
   *
   * @example A first try and a retry
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ctx = await RunLogContext.create(new MemoryWorkspace());
   * const first = await ctx.claimAgentLog("dev", 1);
   * const retry = await ctx.claimAgentLog("dev", 1);
   * assert.equal(first.path, ctx.agentLog("dev", 1));
   * assert.equal(retry.path, ctx.agentLog("dev", 1, 1));
   * assert.equal(retry.attempt, 1);
   * await first.writer.close();
   * await retry.writer.close();
   * ```
   *
   * @param phase The phase name; one plain file-name segment.
   * @param index The invocation index within the phase.
   * @returns The path, the attempt number and the open writer.
   * @throws {RunLogError} `"invalid-name"` for a phase that would leave
   * `agents/`; `"collisions-exhausted"` after 9999 retries of one invocation.
   */
  claimAgentLog(phase: string, index: number): Promise<ClaimedLog> {
    this.agentLog(phase, index);
    return this.#claim((attempt) => this.agentLog(phase, index, attempt));
  }

  /**
   * Claims a provider streaming log in `provider/`: the first free name of
   * `<name>`, then `<stem>_a1<ext>`, `<stem>_a2<ext>`, … created exclusively
   * and opened for appending, never truncating an existing file.
   *
   * @param name The file name, such as `"claude-stream_dev_1.jsonl"`.
   * @returns The path, the attempt number and the open writer.
   * @throws {RunLogError} `"invalid-name"` for a name that would leave `provider/`.
   */
  openProviderLog(name: string): Promise<ClaimedLog> {
    this.providerLog(name);
    const dot = name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    return this.#claim((attempt) =>
      this.providerLog(attempt === undefined ? name : `${stem}_a${attempt}${ext}`)
    );
  }

  async #claim(pathFor: (attempt: number | undefined) => string): Promise<ClaimedLog> {
    for (let n = 0; n <= MAX_LOG_ATTEMPTS; n++) {
      const attempt = n === 0 ? undefined : n;
      const path = pathFor(attempt);
      try {
        return {
          path,
          attempt,
          writer: await this.workspace.openAppend(path, { exclusive: true }),
        };
      } catch (error) {
        if (!(error instanceof WorkspaceError && error.code === "already-exists")) throw error;
      }
    }
    throw new RunLogError(
      "collisions-exhausted",
      `cannot claim a log for '${pathFor(undefined)}': it and its ${MAX_LOG_ATTEMPTS} retry ` +
        "names all exist; look for a process retrying in a loop",
    );
  }

  /**
   * Writes `run.json` atomically, in the Rust original's exact format.
   *
   * @example Writing and reading back
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
   *
   * const ctx = await RunLogContext.create(new MemoryWorkspace());
   * await ctx.writeRunMetadata({
   *   runId: ctx.runId.toString(),
   *   startedAtUtc: new Date().toISOString(),
   *   command: "ralph",
   *   resume: false,
   *   repoRoot: "/repo",
   *   ralphVersion: "0.6.3",
   * });
   * assert.equal((await ctx.readRunMetadata()).command, "ralph");
   * ```
   *
   * @param metadata The metadata; keep `extra` from a read to preserve unknown keys.
   * @throws {RunLogError} `"invalid-metadata"` naming a key of the wrong type.
   */
  async writeRunMetadata(metadata: RunMetadata): Promise<void> {
    await this.workspace.writeAtomic(this.runMetadata(), formatRunMetadata(metadata));
  }

  /**
   * Reads and validates `run.json`.
   *
   * @returns The metadata, with unknown keys in `extra`.
   * @throws {RunLogError} `"invalid-metadata"` naming the path and the wrong key.
   */
  async readRunMetadata(): Promise<RunMetadata> {
    const path = this.runMetadata();
    return parseRunMetadata(await this.workspace.read(path), path);
  }

  async #createLayout(): Promise<void> {
    await Promise.all(
      LAYOUT_DIRS.map((dir) => this.workspace.createDirAll(`${this.runDir}/${dir}`)),
    );
  }

  static async #freshTimestamp(
    clock: () => Date,
    tried: Set<string>,
    exhausted: RunId,
  ): Promise<RunId> {
    const deadline = Date.now() + CLOCK_WAIT_MS;
    do {
      const candidate = RunId.generate(clock());
      if (!tried.has(candidate.toString())) return candidate;
      await sleep(1);
    } while (Date.now() < deadline);
    const base = exhausted.withCollisionCounter(0);
    throw new RunLogError(
      "collisions-exhausted",
      `cannot claim a run directory: '${runDirOf(base)}' and its ` +
        `${MAX_COLLISION_COUNTER} collision variants are all taken, and the clock ` +
        `did not move past ${base} within ${CLOCK_WAIT_MS} ms. ` +
        "An injected clock must advance; otherwise look for a process creating runs in a loop.",
    );
  }
}
