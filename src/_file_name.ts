import { RunLogError } from "./run_log_error.ts";

const MAX_NAME_LENGTH = 200;
// Control characters, and those Windows refuses in names: a run directory
// is meant to be copied to any machine.
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f<>:"|?*]/;

/**
 * Checks that `value` can be used as one file-name segment: not empty, not
 * `.` or `..`, without `/`, `\`, control characters or characters Windows
 * refuses, and not ending in a dot or a space.
 *
 * @param what How the value is called in the error message, e.g. "phase".
 * @param example A valid value, shown in the error message.
 */
export function assertFileName(what: string, value: string, example: string): string {
  const refuse = (why: string): never => {
    throw new RunLogError(
      "invalid-name",
      `invalid ${what} ${
        typeof value === "string" ? JSON.stringify(value) : String(value)
      }: ${why}; ` +
        `use a plain file name such as ${JSON.stringify(example)}`,
    );
  };
  if (typeof value !== "string") return refuse(`expected a string, got ${typeof value}`);
  if (value === "") return refuse("it is empty");
  if (value === "." || value === "..") return refuse("it names a directory, not a file");
  if (value.includes("/") || value.includes("\\")) {
    return refuse("it contains a path separator and would leave its folder");
  }
  if (FORBIDDEN.test(value)) {
    return refuse('it contains a control character or one of < > : " | ? *');
  }
  if (/[. ]$/.test(value)) return refuse("it ends in a dot or a space");
  if (value.length > MAX_NAME_LENGTH) {
    return refuse(`it is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return value;
}

/** Checks that `value` is an integer in 0..2^32-1, the Rust `u32`. */
export function assertU32(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new RunLogError(
      "invalid-name",
      `invalid ${what} ${JSON.stringify(value) ?? String(value)}: ` +
        "it must be an integer from 0 to 4294967295",
    );
  }
  return value;
}
