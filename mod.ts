/**
 * Per-run log directories for long-running automated pipelines (AI agent
 * loops, CI-like jobs), for Deno, Bun and Node.
 *
 * Each run gets `.agent/logs-<run id>/` with `run.json`, `pipeline.log`,
 * `event_loop.log`, `agents/`, `provider/` and `debug/`, claimed atomically
 * so that concurrent runs never share a directory, and resumable into the
 * same directory after a crash. The layout is compatible with the Rust
 * orchestrator this library ports.
 *
 * The writers keep one file open per log: {@linkcode PipelineLogger},
 * {@linkcode EventLoopLogger} (whose sequence continues on resume),
 * {@linkcode EventLoopTrace} (dumped on a crash), and the exclusive
 * `claimAgentLog` / `openProviderLog` of {@linkcode RunLogContext}. Each line
 * is one `write(2)`, durable against a crash of the process once it resolves.
 *
 * This entry point is the runtime-agnostic core; pick a filesystem adapter
 * from `./deno`, `./node` or `./bun`, or use {@linkcode MemoryWorkspace}.
 *
 * @example A run on the real filesystem under Deno
 * ```ts ignore
 * import { RunLogContext } from "@ralph/runlog";
 * import { DenoWorkspace } from "@ralph/runlog/deno";
 *
 * const ctx = await RunLogContext.create(new DenoWorkspace(Deno.cwd()));
 * console.log(ctx.pipelineLog());
 * ```
 *
 * @module
 */
export type { DirEntry, OpenAppendOptions, Workspace } from "./src/workspace.ts";
export { type AppendHandle, appendHandle, type AppendTarget } from "./src/append_handle.ts";
export {
  WorkspaceError,
  type WorkspaceErrorCode,
  type WorkspaceErrorOptions,
} from "./src/workspace_error.ts";
export { MemoryWorkspace } from "./src/memory_workspace.ts";
export { MAX_COLLISION_COUNTER, RunId } from "./src/run_id.ts";
export { RunLogError, type RunLogErrorCode } from "./src/run_log_error.ts";
export {
  type ConfigSummary,
  formatRunMetadata,
  parseRunMetadata,
  type RunMetadata,
} from "./src/run_metadata.ts";
export {
  AGENT_DIR,
  type ClaimedLog,
  type CreateRunOptions,
  RunLogContext,
} from "./src/run_log_context.ts";
export {
  formatPipelineLine,
  type LoggerOptions,
  type PipelineLevel,
  PipelineLogger,
} from "./src/pipeline_logger.ts";
export { type EffectRecord, EventLoopLogger } from "./src/event_loop_logger.ts";
export {
  type EventLoopEntry,
  formatEventLoopLine,
  parseEventLoopLine,
} from "./src/event_loop_line.ts";
export {
  EventLoopTrace,
  type EventLoopTraceOptions,
  type TraceDumpReason,
} from "./src/event_loop_trace.ts";
export { type FileKind, type FsDriver, FsWorkspace } from "./src/fs_workspace.ts";
