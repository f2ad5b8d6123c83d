// Which effects failed, and which agent and provider logs belong to an
// effect: shared by the report (which logs matter most) and the page
// ("Logs of this effect", the failure lane). Pure functions on names, no
// I/O, no import: the page's bundle holds this module.

/** An effect or event name that tells of a failure. */
export const FAILURE = /fail|error|panic|timeout|abort|crash|interrupt|refus|denied/i;

/** Whether an effect failed, by its event name and its extra events. */
export function isFailedEffect(event: string, detail = ""): boolean {
  const extra = /extra=\[([^\]]*)\]/.exec(detail)?.[1] ?? "";
  return FAILURE.test(event) || FAILURE.test(extra);
}

/** What an agent or provider log's name says: `<phase>_<index>[_a<attempt>].<ext>`. */
export interface LogName {
  /** The phase as written in the name. */
  phase: string;
  /** The invocation index. */
  index: number;
  /** The retry, 0 for the first try. */
  attempt: number;
}

const LOG_NAME = /(?:^|_)([A-Za-z][A-Za-z0-9-]*)_(\d+)(?:_a(\d+))?\.[A-Za-z0-9]+$/;

/** The phase, index and attempt in a log's path, if it has them. */
export function parseLogName(path: string): LogName | undefined {
  if (!/^(agents|provider)\//.test(path)) return undefined;
  const match = LOG_NAME.exec(path.slice(path.lastIndexOf("/") + 1));
  if (match === null) return undefined;
  return { phase: match[1], index: Number(match[2]), attempt: Number(match[3] ?? 0) };
}

/**
 * Whether a log is a provider's stream of JSON lines (`provider/*.jsonl`,
 * `.ndjson`, `.json`): the page shows it as messages.
 */
export function isProviderStream(path: string): boolean {
  return /^provider\/.+\.(jsonl|ndjson|json)$/i.test(path);
}

const normal = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, "");

// The context keys that name an agent invocation's index, most telling
// first: a log is named after the iteration (or review pass) it ran in;
// an agent's own index only when neither is given.
const INDEX_KEYS = [["iteration"], ["reviewer_pass", "pass"], ["agent_index", "index"]];

function contextNumber(detail: string, key: string): number | undefined {
  const match = new RegExp(`(?:^|[ ,=])${key}=(\\d+)(?=,|$| )`).exec(detail);
  return match === null ? undefined : Number(match[1]);
}

/**
 * The logs (paths relative to the run) of an effect: agent and provider
 * logs whose phase matches the effect's (either is a prefix of the other,
 * ignoring case and punctuation) and whose index is the effect's
 * iteration, else its review pass, else its agent index; with an
 * `attempt` in the context, only that retry. Newest attempt first.
 */
export function logsOfEffect(
  effect: { phase: string; detail: string },
  paths: readonly string[],
): string[] {
  const phase = normal(effect.phase);
  if (phase === "") return [];
  let index: number | undefined;
  for (const keys of INDEX_KEYS) {
    for (const key of keys) index ??= contextNumber(effect.detail, key);
    if (index !== undefined) break;
  }
  const attempt = contextNumber(effect.detail, "attempt");
  const found: [string, LogName][] = [];
  for (const path of paths) {
    const name = parseLogName(path);
    if (name === undefined) continue;
    const p = normal(name.phase);
    if (p === "" || !(phase.startsWith(p) || p.startsWith(phase))) continue;
    if (index !== undefined && name.index !== index) continue;
    if (attempt !== undefined && name.attempt !== attempt) continue;
    found.push([path, name]);
  }
  return found.sort((a, b) => b[1].index - a[1].index || b[1].attempt - a[1].attempt)
    .map(([path]) => path);
}
