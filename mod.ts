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
export type { DirEntry, OpenAppendOptions, ReadOptions, Workspace } from "./src/workspace.ts";
export { type AppendHandle, appendHandle, type AppendTarget } from "./src/append_handle.ts";
export {
  WorkspaceError,
  type WorkspaceErrorCode,
  type WorkspaceErrorOptions,
} from "./src/workspace_error.ts";
export { MemoryWorkspace, type MemoryWorkspaceOptions } from "./src/memory_workspace.ts";
export { MAX_COLLISION_COUNTER, RunId } from "./src/run_id.ts";
export { RunLogError, type RunLogErrorCode } from "./src/run_log_error.ts";
export {
  type ConfigSummary,
  formatRunMetadata,
  parseRunMetadata,
  type RunEndStatus,
  type RunMetadata,
  type RunSession,
} from "./src/run_metadata.ts";
export {
  type ClaimAgentLogOptions,
  type ClaimedLog,
  type CloseRunOptions,
  type CreateRunOptions,
  type ResumeRunOptions,
  RunLogContext,
  type RunMetadataOptions,
} from "./src/run_log_context.ts";
export { AGENT_DIR, KEEP_FILE } from "./src/run_dir.ts";
export { type AgentLogHeader, formatAgentLogHeader } from "./src/agent_log_header.ts";
export { type LeaseHolder, STALE_AFTER_HEARTBEATS } from "./src/lease.ts";
export { MemoryHost, type MemoryHostOptions, type ProcessHost } from "./src/process_host.ts";
export {
  latestRun,
  type LatestRunOptions,
  listRuns,
  type ListRunsOptions,
  type RunInfo,
  type RunListing,
  type RunStatus,
  type SkippedEntry,
} from "./src/runs/list_runs.ts";
export {
  type PrunedRun,
  type PruneOptions,
  type PruneResult,
  pruneRuns,
} from "./src/runs/prune_runs.ts";
export {
  formatPipelineLine,
  type LoggerOptions,
  type PipelineFormatOptions,
  type PipelineLevel,
  PipelineLogger,
  type PipelineLoggerOptions,
  type PipelineTimestamps,
} from "./src/pipeline_logger.ts";
export {
  type ParsedPipelineLine,
  parsePipelineLine,
  parsePipelineLog,
  PipelineLogReader,
} from "./src/pipeline_line.ts";
export { type EffectRecord, EventLoopLogger } from "./src/event_loop_logger.ts";
export { type EventLoopEntry, formatEventLoopLine } from "./src/event_loop_line.ts";
export { type ParsedEventLoopLine, parseEventLoopLine } from "./src/parse_event_loop_line.ts";
export {
  EventLoopTrace,
  type EventLoopTraceOptions,
  type TraceDumpReason,
} from "./src/event_loop_trace.ts";
export { FsWorkspace, type SharingMode, type WorkspaceOptions } from "./src/fs_workspace.ts";
export type { DriverFile, FileInfo, FileKind, FsDriver, OpenMode } from "./src/fs_driver.ts";
export { MemoryDriver } from "./src/memory_driver.ts";
