// The version of runlog, stated once for the code: deno.json and
// package.json must say the same (tests/version.test.ts checks it, and that
// no other file states it).

/** runlog's version. */
export const VERSION = "0.1.0";
