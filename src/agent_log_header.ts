/**
 * The header block the Rust tool writes at the top of each agent log.
 *
 * @module
 */
import { invalidArgument } from "./_invalid_argument.ts";

/**
 * What the Rust tool's agent-log header says; `claimAgentLog` fills in the
 * attempt number it claimed.
 *
 * @example The header of an agent log in a resumed run
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AgentLogHeader, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const ctx = await RunLogContext.resume(new MemoryWorkspace(), "2026-02-06_14-03-27.123Z", {
 *   create: true,
 * });
 * const header: AgentLogHeader = {
 *   role: "Developer",
 *   agent: "claude",
 *   phase: "Development",
 *   resumedFrom: ctx.runId.toString(),
 *   timestamp: new Date("2026-02-06T15:00:00Z"),
 * };
 * const { path, writer } = await ctx.claimAgentLog("dev", 1, { header });
 * await writer.write("agent output\n");
 * await writer.close();
 * const text = await ctx.workspace.read(path);
 * assert.ok(text.includes("\n# Timestamp: 2026-02-06T15:00:00+00:00\n"));
 * assert.ok(text.endsWith(`\n# Resume: true (Original Run ID: ${ctx.runId})\n\nagent output\n`));
 * ```
 */
export interface AgentLogHeader {
  /** The agent's role, as Rust prints it, such as `"Developer"` or `"Reviewer"`. */
  role: string;
  /** The agent's name, such as `"claude"`. */
  agent: string;
  /** The pipeline phase, as Rust prints it, such as `"Development"`. */
  phase: string;
  /** The index of the model in the agent's chain; default 0. */
  modelIndex?: number;
  /**
   * The newer Rust versions' resume line: `false` writes `# Resume: false`,
   * a run id writes `# Resume: true (Original Run ID: <id>)`; omitted, no
   * line (as older versions write it).
   */
  resumedFrom?: string | false;
  /** The time to record; default now. */
  timestamp?: Date;
}

// A value holding a line break would end the header early and forge lines.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g;

function field(name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw invalidArgument("agent log header", name, value, "a string");
  }
  return value.replace(CONTROL, " ");
}

/** chrono's `to_rfc3339()` of a UTC time with millisecond precision. */
function rfc3339(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw invalidArgument("agent log header", "timestamp", date, "a valid Date");
  }
  const iso = date.toISOString();
  // chrono prints as many fraction digits as needed: none for a whole second.
  const fraction = iso.slice(19, 23) === ".000" ? "" : iso.slice(19, 23);
  return `${iso.slice(0, 19)}${fraction}+00:00`;
}

/**
 * Formats the Rust tool's header block for an agent log, ending in a blank
 * line, byte for byte as Rust writes it. Control characters in the values
 * become spaces, so no value can add a line.
 *
 * @example The header of a second attempt
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatAgentLogHeader } from "@ralph/runlog";
 *
 * const header = formatAgentLogHeader({
 *   role: "Reviewer",
 *   agent: "claude",
 *   phase: "Review",
 *   timestamp: new Date("2026-02-06T14:03:27.123Z"),
 * }, 2);
 * assert.equal(
 *   header,
 *   "# Ralph Agent Invocation Log\n# Role: Reviewer\n# Agent: claude\n# Model Index: 0\n" +
 *     "# Attempt: 2\n# Phase: Review\n# Timestamp: 2026-02-06T14:03:27.123+00:00\n\n",
 * );
 * ```
 *
 * @param header What the header says.
 * @param attempt The attempt number (0 for the first file of an invocation).
 * @returns The header text.
 * @throws {RunLogError} `"invalid-argument"` for a value of the wrong type.
 */
export function formatAgentLogHeader(header: AgentLogHeader, attempt: number): string {
  if (typeof header !== "object" || header === null) {
    throw invalidArgument("", "an agent log header", header, "an object");
  }
  const modelIndex = header.modelIndex ?? 0;
  if (!Number.isSafeInteger(modelIndex) || modelIndex < 0) {
    throw invalidArgument("agent log header", "modelIndex", modelIndex, "a whole number");
  }
  const resume = header.resumedFrom === undefined
    ? ""
    : header.resumedFrom === false
    ? "# Resume: false\n"
    : `# Resume: true (Original Run ID: ${field("resumedFrom", header.resumedFrom)})\n`;
  return "# Ralph Agent Invocation Log\n" +
    `# Role: ${field("role", header.role)}\n` +
    `# Agent: ${field("agent", header.agent)}\n` +
    `# Model Index: ${modelIndex}\n` +
    `# Attempt: ${attempt}\n` +
    `# Phase: ${field("phase", header.phase)}\n` +
    `# Timestamp: ${rfc3339(header.timestamp ?? new Date())}\n` +
    resume +
    "\n";
}
