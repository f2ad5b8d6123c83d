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

/** The metadata of one run, `run.json` (snake_case keys on disk). */
export interface RunMetadata {
  /** The run id, matching the directory name (`run_id`). */
  runId: string;
  /** When the run started, UTC RFC 3339 (`started_at_utc`). */
  startedAtUtc: string;
  /** The command as invoked (`command`). */
  command: string;
  /** Whether this is a resumed session (`resume`). */
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
   * Top-level keys this version does not know, as read from the file
   * (snake_case). They are written back after the known keys, so a
   * read-modify-write never drops what a newer writer added.
   */
  extra?: Record<string, unknown>;
}

type FieldType = "string" | "boolean" | "u32";

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

const RUN_KEYS = new Set<string>([...RUN_FIELDS.map((f) => f[1]), "config_summary"]);
const SUMMARY_KEYS = new Set<string>(SUMMARY_FIELDS.map((f) => f[1]));

function hasType(value: unknown, type: FieldType): boolean {
  if (type === "u32") {
    return Number.isInteger(value) && (value as number) >= 0 &&
      (value as number) <= 0xffff_ffff;
  }
  return type === "string" ? typeof value === "string" : typeof value === "boolean";
}

function describe(type: FieldType): string {
  return type === "u32" ? "an integer from 0 to 4294967295" : `a ${type}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(where: string, key: string, problem: string): never {
  throw new RunLogError("invalid-metadata", `${where}: key "${key}" ${problem}`);
}

function extraEntries(
  extra: Record<string, unknown> | undefined,
  known: Set<string>,
  where: string,
): [string, unknown][] {
  if (extra === undefined) return [];
  if (!isPlainObject(extra)) invalid(where, "extra", "must be an object of unknown keys");
  return Object.entries(extra).map(([key, value]) => {
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
  const out: [string, unknown][] = [];
  for (const [field, key, type, required] of RUN_FIELDS) {
    const value = metadata[field];
    if (value === undefined && !required) continue;
    if (!hasType(value, type)) {
      invalid(
        where,
        key,
        `(${field}) must be ${describe(type)}, got ${JSON.stringify(value) ?? "undefined"}`,
      );
    }
    out.push([key, value]);
  }
  const summary = metadata.configSummary;
  if (summary !== undefined) {
    if (!isPlainObject(summary)) invalid(where, "config_summary", "must be an object");
    const inner: [string, unknown][] = [];
    for (const [field, key, type] of SUMMARY_FIELDS) {
      const value = summary[field];
      if (value === undefined) continue;
      if (!hasType(value, type)) {
        invalid(
          where,
          `config_summary.${key}`,
          `(${field}) must be ${describe(type)}, got ${JSON.stringify(value)}`,
        );
      }
      inner.push([key, value]);
    }
    inner.push(
      ...extraEntries((summary as ConfigSummary).extra, SUMMARY_KEYS, `${where} (config_summary)`),
    );
    out.push(["config_summary", Object.fromEntries(inner)]);
  }
  out.push(...extraEntries(metadata.extra, RUN_KEYS, where));
  return JSON.stringify(Object.fromEntries(out), null, 2);
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
  const where = `invalid run metadata in '${path}'`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new RunLogError(
      "invalid-metadata",
      `${where}: the file is not valid JSON (${(cause as Error).message}); ` +
        "rewrite it with writeRunMetadata or restore it from a backup",
      { cause },
    );
  }
  if (!isPlainObject(data)) invalid(where, "(root)", "the file must hold a JSON object");
  const result: Record<string, unknown> = {};
  for (const [field, key, type, required] of RUN_FIELDS) {
    const value = data[key];
    if (value === undefined || value === null) {
      if (required) invalid(where, key, `is missing; it must be ${describe(type)}`);
      continue;
    }
    if (!hasType(value, type)) {
      invalid(where, key, `must be ${describe(type)}, got ${JSON.stringify(value)}`);
    }
    result[field] = value;
  }
  const summary = data.config_summary;
  if (summary !== undefined && summary !== null) {
    if (!isPlainObject(summary)) {
      invalid(where, "config_summary", `must be an object, got ${JSON.stringify(summary)}`);
    }
    const parsed: Record<string, unknown> = {};
    for (const [field, key, type] of SUMMARY_FIELDS) {
      const value = summary[key];
      if (value === undefined || value === null) continue;
      if (!hasType(value, type)) {
        invalid(
          where,
          `config_summary.${key}`,
          `must be ${describe(type)}, got ${JSON.stringify(value)}`,
        );
      }
      parsed[field] = value;
    }
    const extra = Object.entries(summary).filter(([key]) => !SUMMARY_KEYS.has(key));
    if (extra.length > 0) parsed.extra = Object.fromEntries(extra);
    result.configSummary = parsed;
  }
  const extra = Object.entries(data).filter(([key]) => !RUN_KEYS.has(key));
  if (extra.length > 0) result.extra = Object.fromEntries(extra);
  return result as unknown as RunMetadata;
}
