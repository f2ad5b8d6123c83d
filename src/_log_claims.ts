// Claiming the next free name of a log (an agent's retries, a provider
// stream's): created exclusively, numbered after the highest attempt found,
// never filling a gap, so that the numbers tell the order.
import type { Workspace } from "./workspace.ts";
import type { AppendHandle } from "./append_handle.ts";
import type { ClaimedLog } from "./run_log_context.ts";
import { RunLogError } from "./run_log_error.ts";
import { isWorkspaceError } from "./_workspace_checks.ts";

/** How many retry files one agent invocation (or provider log name) may have. */
export const MAX_LOG_ATTEMPTS = 9999;

/**
 * Claims the name after the highest attempt found in `dir` (names matching
 * `attempts`, whose group 1 is the attempt number, absent for attempt 0);
 * a name taken meanwhile by another process moves the claim on, never back.
 * With `headerFor`, the header is the new file's first write.
 */
export async function claimNextLog(
  ws: Workspace,
  dir: string,
  attempts: RegExp,
  pathFor: (attempt: number) => string,
  headerFor: ((attempt: number) => string) | undefined,
): Promise<ClaimedLog> {
  let next: number | undefined;
  for (let tries = 0; tries <= MAX_LOG_ATTEMPTS; tries++) {
    if (next === undefined) {
      let highest = -1;
      for (const entry of await listOrEmpty(ws, dir)) {
        const match = attempts.exec(entry.name);
        if (match === null) continue;
        const attempt = match[1] === undefined ? 0 : Number(match[1]);
        if (attempt > highest) highest = attempt;
      }
      next = highest + 1;
    }
    if (next > MAX_LOG_ATTEMPTS) break;
    const path = pathFor(next);
    let writer: AppendHandle;
    try {
      writer = await ws.openAppend(path, { exclusive: true });
    } catch (error) {
      if (!isWorkspaceError(error, "already-exists")) throw error;
      next += 1;
      continue;
    }
    if (headerFor !== undefined) {
      try {
        writer.writeSync(headerFor(next));
      } catch (error) {
        await writer.close().catch(() => {});
        throw error;
      }
    }
    return { path, attempt: next === 0 ? undefined : next, writer };
  }
  throw new RunLogError(
    "collisions-exhausted",
    `cannot claim a log for '${pathFor(0)}': its retry names up to _a${MAX_LOG_ATTEMPTS} ` +
      "are taken; look for a process retrying in a loop",
  );
}

async function listOrEmpty(ws: Workspace, dir: string) {
  try {
    return await ws.readDir(dir);
  } catch (error) {
    if (isWorkspaceError(error, "not-found")) return [];
    throw error;
  }
}

/** `text` as a literal in a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
