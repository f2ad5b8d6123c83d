// The duration format the command line (runlog list, show) and the viewer's
// pages share.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration } from "../src/_format_duration.ts";

test("formatDuration() writes milliseconds, then seconds with a decimal under 10 s", () => {
  const cases: [number, string][] = [
    [0, "0 ms"],
    [850.4, "850 ms"],
    [999, "999 ms"],
    [1000, "1.0 s"],
    [1500, "1.5 s"],
    [4249, "4.2 s"],
    [9940, "9.9 s"],
    [10_000, "10 s"],
    [42_999, "42 s"],
    [59_999, "59 s"],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms} ms`);
});

test("formatDuration() writes minutes and seconds, then hours and minutes", () => {
  const cases: [number, string][] = [
    [60_000, "1 min 0 s"],
    [185_000, "3 min 5 s"],
    [3_599_999, "59 min 59 s"],
    [3_600_000, "1 h 0 min"],
    [7_859_000, "2 h 10 min"],
    [90 * 3_600_000, "90 h 0 min"],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms} ms`);
});
