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
    throw new UsageError((error as Error).message);
  }
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

/** "7d", "12h", "30m", "45s", "2w" in milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text);
  if (match === null) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)}: use a number and a unit, as in 7d, 12h, 30m`,
    );
  }
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]]);
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

/** "5GB", "500MB", "1.5GiB", "1024" in bytes. */
export function parseSize(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text);
  const unit = match === null ? undefined : SIZE_UNITS[match[2].toUpperCase()];
  if (match === null || unit === undefined) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)}: use a size such as 5GB, 500MB or 2GiB`,
    );
  }
  return Math.round(Number(match[1]) * unit);
}

/** A whole number option. */
export function parseWhole(text: string, option: string): number {
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`${option} ${JSON.stringify(text)}: use a whole number`);
  }
  return Number(text);
}
