// What a terminal would receive from the runlog command: a capturing
// Output, strings that would rewrite the screen, and the check that none
// of their control characters got through.
import assert from "node:assert/strict";
import { type Output, runCli } from "../src/cli/mod.ts";

/**
 * Text that rewrites a terminal: clears it, retitles it, returns the
 * cursor, rings, moves to a new line, recolours through a C1 CSI, reverses
 * the text after it (bidi override and isolate), deletes.
 */
export const HOSTILE = "a\u001b[2J\u001b]0;pwned\u0007\r\nok\u009b31m\u202eevil\u2066x\u007f\tz";

/** How HOSTILE reads once escaped. */
export const HOSTILE_ESCAPED =
  "a\\x1b[2J\\x1b]0;pwned\\x07\\r\\nok\\u{9b}31m\\u{202e}evil\\u{2066}x\\x7f\\tz";

// Every character a terminal may act on or reorder by, but the newline
// ending each line: C0, DEL, C1, bidi controls, line separators.
const UNSAFE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

/** Asserts that `text` holds no control character but newlines (and tabs, with `tabs`). */
export function assertTerminalSafe(text: string, what: string, tabs = false): void {
  const found = UNSAFE.exec(tabs ? text.replaceAll("\t", " ") : text);
  assert.equal(
    found,
    null,
    `${what}: U+${found?.[0].codePointAt(0)?.toString(16).padStart(4, "0")} at ${found?.index} in ${
      JSON.stringify(text)
    }`,
  );
}

/** What one in-process `runlog` call wrote, and its exit code. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `runlog args` in this process, as if on a terminal when `tty`. */
export async function captured(args: string[], tty = false): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const output: Output = {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    tty,
    color: false,
  };
  const code = await runCli(args, output);
  return { code, stdout, stderr };
}
