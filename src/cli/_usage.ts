// Command-line parsing: node:util's parseArgs (all three runtimes have
// it), with its errors turned into usage errors (exit code 2), and the
// value formats of the options.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in how the command was called: exit code 2, with the usage. */
export class UsageError extends Error {
  /**
   * @param message What is wrong, and what to do.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses the arguments of one command; unknown options are usage errors. */
export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(plainParseError(error, options));
  }
}

// parseArgs's messages, said the way a person would read them.
function plainParseError(error: unknown, options: Record<string, { type: string }>): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  // "'-o, --output <value>'" names the long form last; "'--bogus'" just itself.
  const quoted = /'(-[^']*)'/.exec(message)?.[1] ?? "";
  const option = quoted.match(/--?[\w-]+/g)?.at(-1) ?? quoted;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const known = Object.keys(options).map((name) => `--${name}`).join(", ");
    return `unknown option ${quoted}; this command takes ${known || "no options"}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return options[option.replace(/^-+/, "")]?.type === "boolean"
      ? `${option} takes no value`
      : `${option} needs a value`;
  }
  return message;
}

const DURATION_UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Refuses arguments left over after a command took its own. */
export function noMore(rest: string[]): void {
  if (rest.length > 0) throw new UsageError(`unexpected ${JSON.stringify(rest[0])}`);
}

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * The accepted range of each whole-number option; any other whole-number
 * option takes 0 to 2^53-1 (the integers a JavaScript number holds exactly).
 */
const WHOLE_RANGES: Record<string, { min: number; max: number; hint?: string }> = {
  "--level": { min: 0, max: 9, hint: "0 stores, 9 is smallest" },
  "--port": { min: 0, max: 65535, hint: "0: any free port" },
  // pid_t is a 32-bit signed integer; 0 and less name process groups.
  "--owner": { min: 1, max: 2 ** 31 - 1, hint: "a process id" },
};

function rangeOf(option: string) {
  return WHOLE_RANGES[option] ?? { min: 0, max: MAX };
}

/** "7d", "12h", "30m", "45s", "2w" in milliseconds, at most 2^53-1. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text);
  const ms = match === null ? Number.NaN : Math.round(Number(match[1]) * DURATION_UNITS[match[2]]);
  if (!Number.isSafeInteger(ms)) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)}: use a number and a unit, as in 7d, 12h, 30m, ` +
        `from 0s to ${Math.floor(MAX / DURATION_UNITS.d)}d`,
    );
  }
  return ms;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

/** "5GB", "500MB", "1.5GiB", "1024" in bytes, at most 2^53-1. */
export function parseSize(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text);
  const unit = match === null ? undefined : SIZE_UNITS[match[2].toUpperCase()];
  const bytes = unit === undefined ? Number.NaN : Math.round(Number(match![1]) * unit);
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)}: use a size such as 5GB, 500MB or 2GiB, ` +
        `from 0 to ${Math.floor(MAX / SIZE_UNITS.TB)}TB`,
    );
  }
  return bytes;
}

/**
 * A whole-number option, in its range (see `WHOLE_RANGES`): a negative,
 * fractional, non-numeric or too large value is a usage error naming the
 * range.
 */
export function parseWhole(text: string, option: string): number {
  const { min, max, hint } = rangeOf(option);
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)}: use a whole number from ${min} to ${max}` +
        (hint === undefined ? "" : ` (${hint})`),
    );
  }
  return value;
}
