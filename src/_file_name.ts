import { RunLogError } from "./run_log_error.ts";
import { MAX_SEGMENT_BYTES } from "./_workspace_path.ts";
import { utf8Length } from "./_utf8.ts";
import { describeValue } from "./_describe_value.ts";
// Control characters, and those Windows refuses in names: a run directory
// is meant to be copied to any machine.
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f<>:"|?*]/;

/**
 * Checks that `value` can be used as one file-name segment: not empty, not
 * `.` or `..`, without `/`, `\`, control characters or characters Windows
 * refuses, and not ending in a dot or a space.
 *
 * The name must fit in a file name (255 bytes of UTF-8) together with
 * `reservedBytes`, what the caller adds to it (such as `_4294967295_a9999.log`).
 *
 * @param what How the value is called in the error message, e.g. "phase".
 * @param example A valid value, shown in the error message.
 * @param reservedBytes The bytes the caller adds to the name.
 */
export function assertFileName(
  what: string,
  value: string,
  example: string,
  reservedBytes = 0,
): string {
  const refuse = (why: string): never => {
    const shown = typeof value === "string"
      ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)
      : describeValue(value);
    throw new RunLogError(
      "invalid-name",
      `invalid ${what} ${shown}: ${why}; ` +
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
  const limit = MAX_SEGMENT_BYTES - reservedBytes;
  const bytes = utf8Length(value);
  if (bytes > limit) {
    return refuse(
      `it is ${bytes} bytes long in UTF-8, and with the ${reservedBytes} bytes runlog adds ` +
        `(retry numbers, extension) a file name may hold ${MAX_SEGMENT_BYTES}, so at most ${limit}`,
    );
  }
  return value;
}

/** Checks that `value` is an integer in 0..2^32-1, the Rust `u32`. */
export function assertU32(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new RunLogError(
      "invalid-name",
      `invalid ${what} ${describeValue(value)}: ` +
        "it must be an integer from 0 to 4294967295",
    );
  }
  return value;
}
