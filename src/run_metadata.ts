/**
 * `run.json`: the metadata of one run, in the exact text form the Rust
 * original writes with `serde_json::to_string_pretty`.
 *
 * @module
 */
import { RunLogError } from "./run_log_error.ts";

/**
 * Non-secret configuration summary, `config_summary` in `run.json`.
 * Every field is optional and omitted from the file when absent.
 *
 * @example Recording the configuration of a run
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConfigSummary, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const configSummary: ConfigSummary = { developerAgent: "claude", totalIterations: 5 };
 * const ctx = await RunLogContext.create(new MemoryWorkspace(), { metadata: { configSummary } });
 * const text = await ctx.workspace.read(ctx.runMetadata());
 * assert.match(text, /"config_summary": \{\n {4}"developer_agent": "claude",/);
 * assert.deepEqual((await ctx.readRunMetadata()).configSummary, configSummary);
 * ```
 */
export interface ConfigSummary {
  /** Developer agent name (`developer_agent`). */
  developerAgent?: string;
  /** Reviewer agent name (`reviewer_agent`). */
  reviewerAgent?: string;
  /** Total iterations configured (`total_iterations`), a `u32`. */
  totalIterations?: number;
  /** Total reviewer passes configured (`total_reviewer_passes`), a `u32`. */
  totalReviewerPasses?: number;
  /**
   * Keys of `config_summary` this version does not know, as read from the
   * file (snake_case). They are written back after the known keys.
   */
  extra?: Record<string, unknown>;
}

/**
 * How a session of a run ended, as recorded by `ctx.close({ status })`.
 *
 * @example Recording how the pipeline ended
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, type RunEndStatus, RunLogContext } from "@ralph/runlog";
 *
 * async function pipeline(): Promise<void> {
 *   throw new Error("the agent timed out");
 * }
 * const ctx = await RunLogContext.create(new MemoryWorkspace());
 * let status: RunEndStatus = "succeeded";
 * try {
 *   await pipeline();
 * } catch {
 *   status = "failed";
 * }
 * await ctx.close({ status });
 * assert.equal((await ctx.readRunMetadata()).status, "failed");
 * ```
 */
export type RunEndStatus = "succeeded" | "failed" | "interrupted";

/**
 * One process's time with a run: the one that created it, then one per
 * resume (`sessions` in `run.json`, snake_case keys on disk).
 *
 * @example The sessions of a run interrupted once
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext, type RunSession } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws, { metadata: { command: "ralph" } });
 * await ctx.close({ status: "interrupted" });
 * const again = await RunLogContext.resume(ws, ctx.runId.toString(), {
 *   metadata: { command: "ralph --resume" },
 * });
 * await again.close({ status: "succeeded" });
 * const sessions: RunSession[] = (await again.readRunMetadata()).sessions ?? [];
 * assert.deepEqual(sessions.map((s) => [s.resume, s.command, s.status, s.host]), [
 *   [false, "ralph", "interrupted", ws.host.hostname],
 *   [true, "ralph --resume", "succeeded", ws.host.hostname],
 * ]);
 * ```
 */
export interface RunSession {
  /** When the session began, UTC ISO-8601 (`started_at_utc`). */
  startedAtUtc: string;
  /** Whether it resumed the run rather than creating it (`resume`). */
  resume: boolean;
  /** The process id (`pid`), a `u32`. */
  pid?: number;
  /** The machine's name (`host`). */
  host?: string;
  /** The command line (`command`). */
  command?: string;
  /** Whether the run directory was missing and made again (`recreated`). */
  recreated?: boolean;
  /** When the session ended, UTC ISO-8601 (`ended_at_utc`). */
  endedAtUtc?: string;
  /** How it ended (`status`). */
  status?: RunEndStatus;
  /** Keys of a session this version does not know, kept as read. */
  extra?: Record<string, unknown>;
}

/**
 * The metadata of one run, `run.json` (snake_case keys on disk).
 *
 * @example What `create` records
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext, type RunMetadata } from "@ralph/runlog";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws, {
 *   clock: () => new Date("2026-02-06T14:03:27.123Z"),
 *   metadata: { command: "ralph --dev", version: "0.6.3" },
 * });
 * const metadata: RunMetadata = await ctx.readRunMetadata();
 * assert.equal(metadata.runId, "2026-02-06_14-03-27.123Z");
 * assert.equal(metadata.startedAtUtc, "2026-02-06T14:03:27.123Z");
 * assert.equal(metadata.command, "ralph --dev");
 * assert.equal(metadata.ralphVersion, "0.6.3");
 * assert.equal(metadata.repoRoot, ws.root);
 * assert.equal(metadata.pid, ws.host.pid);
 * ```
 */
export interface RunMetadata {
  /** The run id, matching the directory name (`run_id`). */
  runId: string;
  /** When the run started, UTC RFC 3339 (`started_at_utc`). */
  startedAtUtc: string;
  /** The command as invoked (`command`). */
  command: string;
  /**
   * Whether the run's first session resumed it rather than creating it
   * (`resume`): `false` for a run made by `create`, even after resumes;
   * each session's own is in `sessions`.
   */
  resume: boolean;
  /** Absolute path of the repository root (`repo_root`). */
  repoRoot: string;
  /** Version of the orchestrator (`ralph_version`). */
  ralphVersion: string;
  /** Process id (`pid`), a `u32`; omitted when absent. */
  pid?: number;
  /** Configuration summary (`config_summary`); omitted when absent. */
  configSummary?: ConfigSummary;
  /**
   * Every session, oldest first (`sessions`), written by runlog after the
   * Rust keys, which keep describing the first session.
   */
  sessions?: RunSession[];
  /** When the last session ended (`ended_at_utc`). */
  endedAtUtc?: string;
  /** How the last session ended (`status`). */
  status?: RunEndStatus;
  /**
   * Top-level keys this version does not know, as read from the file
   * (snake_case). They are written back after the known keys, so a
   * read-modify-write never drops what a newer writer added.
   */
  extra?: Record<string, unknown>;
}

type FieldType = "string" | "boolean" | "u32" | "status";

/** The statuses a run can end with. */
export const END_STATUSES: readonly RunEndStatus[] = ["succeeded", "failed", "interrupted"];

/** Whether `value` is one of {@linkcode END_STATUSES}. */
export function isEndStatus(value: unknown): value is RunEndStatus {
  return (END_STATUSES as readonly unknown[]).includes(value);
}

const RUN_FIELDS = [
  ["runId", "run_id", "string", true],
  ["startedAtUtc", "started_at_utc", "string", true],
  ["command", "command", "string", true],
  ["resume", "resume", "boolean", true],
  ["repoRoot", "repo_root", "string", true],
  ["ralphVersion", "ralph_version", "string", true],
  ["pid", "pid", "u32", false],
] as const;

const SUMMARY_FIELDS = [
  ["developerAgent", "developer_agent", "string"],
  ["reviewerAgent", "reviewer_agent", "string"],
  ["totalIterations", "total_iterations", "u32"],
  ["totalReviewerPasses", "total_reviewer_passes", "u32"],
] as const;

// Written after the Rust keys, so that every Rust key keeps its place.
const LATER_FIELDS = [
  ["endedAtUtc", "ended_at_utc", "string"],
  ["status", "status", "status"],
] as const;

const SESSION_FIELDS = [
  ["startedAtUtc", "started_at_utc", "string", true],
  ["resume", "resume", "boolean", true],
  ["pid", "pid", "u32", false],
  ["host", "host", "string", false],
  ["command", "command", "string", false],
  ["recreated", "recreated", "boolean", false],
  ["endedAtUtc", "ended_at_utc", "string", false],
  ["status", "status", "status", false],
] as const;

const RUN_KEYS = new Set<string>([
  ...RUN_FIELDS.map((f) => f[1]),
  "config_summary",
  "sessions",
  ...LATER_FIELDS.map((f) => f[1]),
]);
const SUMMARY_KEYS = new Set<string>(SUMMARY_FIELDS.map((f) => f[1]));
const SESSION_KEYS = new Set<string>(SESSION_FIELDS.map((f) => f[1]));

// serde_json refuses a lone surrogate escape (`\ud83d`), which JSON.stringify
// writes for one; U+FFFD keeps the file readable by the Rust tool.
const LONE_SURROGATE = /\p{Cs}/gu;

function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\ufffd");
}

function hasType(value: unknown, type: FieldType): boolean {
  if (type === "u32") {
    return Number.isInteger(value) && (value as number) >= 0 &&
      (value as number) <= 0xffff_ffff;
  }
  if (type === "status") return isEndStatus(value);
  return type === "string" ? typeof value === "string" : typeof value === "boolean";
}

function describe(type: FieldType): string {
  if (type === "status") return `one of ${END_STATUSES.map((s) => `"${s}"`).join(", ")}`;
  return type === "u32" ? "an integer from 0 to 4294967295" : `a ${type}`;
}

type Table = readonly (readonly [string, string, FieldType, boolean?])[];

// Copies the fields of `table` from a camelCase object into snake_case
// pairs, checking their types; absent optional fields are left out.
function formatFields(source: Record<string, unknown>, table: Table, where: string, prefix = "") {
  const out: [string, unknown][] = [];
  for (const [field, key, type, required] of table) {
    const value = source[field];
    if (value === undefined && required !== true) continue;
    if (!hasType(value, type)) {
      invalid(
        where,
        prefix + key,
        `(${field}) must be ${describe(type)}, got ${JSON.stringify(value) ?? "undefined"}`,
      );
    }
    out.push([key, value]);
  }
  return out;
}

// The reverse: snake_case keys of parsed JSON into camelCase fields; `null`
// counts as absent for optional keys, as serde reads it.
function parseFields(
  data: Record<string, unknown>,
  table: Table,
  where: string,
  prefix = "",
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [field, key, type, required] of table) {
    const value = data[key];
    if (value === undefined || value === null) {
      if (required === true) {
        invalid(where, prefix + key, `is missing; it must be ${describe(type)}`);
      }
      continue;
    }
    if (!hasType(value, type)) {
      invalid(where, prefix + key, `must be ${describe(type)}, got ${JSON.stringify(value)}`);
    }
    result[field] = value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(where: string, key: string, problem: string): never {
  throw new RunLogError("invalid-metadata", `${where}: key "${key}" ${problem}`);
}

function extraEntries(
  extra: unknown,
  known: Set<string>,
  where: string,
): [string, unknown][] {
  if (extra === undefined) return [];
  if (!isPlainObject(extra)) invalid(where, "extra", "must be an object of unknown keys");
  return Object.entries(extra).map(([rawKey, value]) => {
    const key = wellFormed(rawKey);
    if (known.has(key)) {
      invalid(where, key, "is a known key and cannot also be in extra; set its field instead");
    }
    if (value === undefined) invalid(where, key, "in extra has no value");
    return [key, value];
  });
}

/**
 * Formats metadata as the Rust original writes `run.json`: snake_case keys
 * in declaration order, absent optionals omitted, two-space indentation, no
 * trailing newline; unknown keys from `extra` follow the known ones.
 *
 * @example The text of a minimal run.json
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRunMetadata } from "@ralph/runlog";
 *
 * const text = formatRunMetadata({
 *   runId: "2026-02-06_14-03-27.123Z",
 *   startedAtUtc: "2026-02-06T14:03:27.123Z",
 *   command: "ralph",
 *   resume: false,
 *   repoRoot: "/tmp/test",
 *   ralphVersion: "0.6.3",
 * });
 * assert.equal(text.split("\n")[1], '  "run_id": "2026-02-06_14-03-27.123Z",');
 * ```
 *
 * @param metadata The metadata; types are checked like the Rust struct's.
 * @returns The JSON text.
 * @throws {RunLogError} `"invalid-metadata"`, naming the wrong key.
 */
export function formatRunMetadata(metadata: RunMetadata): string {
  const where = "cannot write run metadata";
  if (!isPlainObject(metadata)) invalid(where, "(root)", "metadata must be an object");
  const out = formatFields(metadata as unknown as Record<string, unknown>, RUN_FIELDS, where);
  const summary = metadata.configSummary;
  if (summary !== undefined) {
    if (!isPlainObject(summary)) invalid(where, "config_summary", "must be an object");
    const inner = formatFields(summary, SUMMARY_FIELDS, where, "config_summary.");
    inner.push(...extraEntries(summary.extra, SUMMARY_KEYS, `${where} (config_summary)`));
    out.push(["config_summary", Object.fromEntries(inner)]);
  }
  if (metadata.sessions !== undefined) {
    if (!Array.isArray(metadata.sessions)) invalid(where, "sessions", "must be an array");
    out.push([
      "sessions",
      metadata.sessions.map((session, i) => {
        const at = `sessions[${i}].`;
        if (!isPlainObject(session)) invalid(where, at, "must be an object");
        const fields = formatFields(session, SESSION_FIELDS, where, at);
        fields.push(...extraEntries(session.extra, SESSION_KEYS, `${where} (${at})`));
        return Object.fromEntries(fields);
      }),
    ]);
  }
  out.push(...formatFields(metadata as unknown as Record<string, unknown>, LATER_FIELDS, where));
  out.push(...extraEntries(metadata.extra, RUN_KEYS, where));
  try {
    return JSON.stringify(
      Object.fromEntries(out),
      (_key, value) => typeof value === "string" ? wellFormed(value) : value,
      2,
    );
  } catch (cause) {
    // A BigInt, a circular object or a throwing toJSON in `extra`.
    throw new RunLogError(
      "invalid-metadata",
      `${where}: a value in extra cannot be written as JSON (${(cause as Error).message}); ` +
        "keep extra to strings, numbers, booleans, arrays and plain objects",
      { cause },
    );
  }
}

/**
 * Reads the text of a `run.json`, written by this library or by the Rust
 * original. Types are checked; `null` counts as absent for the optional
 * keys, as serde reads it; unknown keys land in `extra`.
 *
 * @example Reading a run.json
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRunMetadata } from "@ralph/runlog";
 *
 * const metadata = parseRunMetadata(`{
 *   "run_id": "2026-02-06_14-03-27.123Z",
 *   "started_at_utc": "2026-02-06T14:03:27.123Z",
 *   "command": "ralph",
 *   "resume": false,
 *   "repo_root": "/tmp/test",
 *   "ralph_version": "0.6.3",
 *   "pid": 12345
 * }`);
 * assert.equal(metadata.pid, 12345);
 * ```
 *
 * @param text The JSON text.
 * @param path The file's path, used in error messages.
 * @returns The metadata.
 * @throws {RunLogError} `"invalid-metadata"`, naming the path and the key.
 */
export function parseRunMetadata(text: string, path = "run.json"): RunMetadata {
  return runMetadataFrom(parseMetadataJson(text, path), path);
}

/** The JSON value of a metadata file's `text`; an error naming `path` when it is not JSON. */
export function parseMetadataJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new RunLogError(
      "invalid-metadata",
      `invalid run metadata in '${path}': the file is not valid JSON ` +
        `(${
          (cause as Error).message
        }); rewrite it with writeRunMetadata or restore it from a backup`,
      { cause },
    );
  }
}

/** The metadata in `data`, a parsed JSON value; errors name `path` and the key. */
export function runMetadataFrom(data: unknown, path: string): RunMetadata {
  const where = `invalid run metadata in '${path}'`;
  if (!isPlainObject(data)) invalid(where, "(root)", "the file must hold a JSON object");
  const result = parseFields(data, RUN_FIELDS, where);
  const summary = data.config_summary;
  if (summary !== undefined && summary !== null) {
    if (!isPlainObject(summary)) {
      invalid(where, "config_summary", `must be an object, got ${JSON.stringify(summary)}`);
    }
    const parsed = parseFields(summary, SUMMARY_FIELDS, where, "config_summary.");
    const extra = Object.entries(summary).filter(([key]) => !SUMMARY_KEYS.has(key));
    if (extra.length > 0) parsed.extra = Object.fromEntries(extra);
    result.configSummary = parsed;
  }
  const sessions = data.sessions;
  if (sessions !== undefined && sessions !== null) {
    if (!Array.isArray(sessions)) {
      invalid(where, "sessions", `must be an array, got ${JSON.stringify(sessions)}`);
    }
    result.sessions = sessions.map((session, i) => {
      if (!isPlainObject(session)) invalid(where, `sessions[${i}]`, "must be an object");
      const parsed = parseFields(session, SESSION_FIELDS, where, `sessions[${i}].`);
      const extra = Object.entries(session).filter(([key]) => !SESSION_KEYS.has(key));
      if (extra.length > 0) parsed.extra = Object.fromEntries(extra);
      return parsed;
    });
  }
  Object.assign(result, parseFields(data, LATER_FIELDS, where));
  const extra = Object.entries(data).filter(([key]) => !RUN_KEYS.has(key));
  if (extra.length > 0) result.extra = Object.fromEntries(extra);
  return result as unknown as RunMetadata;
}
