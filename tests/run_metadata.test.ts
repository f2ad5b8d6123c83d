import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { formatRunMetadata, parseRunMetadata, type RunMetadata } from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";

// Golden files in the exact text serde_json::to_string_pretty writes for the
// values of the Rust test module (and a sparse variant with escapes).
const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

const rustTestValues: RunMetadata = {
  runId: "2026-02-06_14-03-27.123Z",
  startedAtUtc: "2026-02-06T14:03:27.123Z",
  command: "ralph",
  resume: false,
  repoRoot: "/tmp/test",
  ralphVersion: "0.6.3",
  pid: 12345,
  configSummary: {
    developerAgent: "claude",
    reviewerAgent: "claude",
    totalIterations: 3,
    totalReviewerPasses: 1,
  },
};

const sparseValues: RunMetadata = {
  runId: "2026-02-06_14-03-27.123Z-02",
  startedAtUtc: "2026-02-06T14:03:27.123Z",
  command: 'ralph --resume\t"quoted" \\ \u0001 ünïcödé',
  resume: true,
  repoRoot: "/tmp/test",
  ralphVersion: "0.6.3",
  configSummary: { totalIterations: 4294967295 },
};

test("formatRunMetadata() writes the Rust test module's values exactly as serde_json does", async () => {
  assert.equal(formatRunMetadata(rustTestValues), await fixture("rust_run.json"));
});

test("formatRunMetadata() omits absent optionals and escapes strings as serde_json does", async () => {
  assert.equal(formatRunMetadata(sparseValues), await fixture("rust_run_sparse.json"));
});

test("parseRunMetadata() reads files in the Rust form", async () => {
  assert.deepEqual(parseRunMetadata(await fixture("rust_run.json")), rustTestValues);
  assert.deepEqual(parseRunMetadata(await fixture("rust_run_sparse.json")), sparseValues);
});

test("parseRunMetadata() reads null optionals as absent, as serde does", () => {
  const text = formatRunMetadata(rustTestValues)
    .replace('"pid": 12345', '"pid": null')
    .replace('"developer_agent": "claude"', '"developer_agent": null');
  const parsed = parseRunMetadata(text);
  assert.equal("pid" in parsed, false);
  assert.equal("developerAgent" in parsed.configSummary!, false);
  assert.equal(parsed.configSummary!.reviewerAgent, "claude");
});

test("parseRunMetadata() keeps unknown keys, and formatRunMetadata() writes them back after the known ones", () => {
  const text = formatRunMetadata(rustTestValues)
    .replace(
      '"ralph_version": "0.6.3",',
      '"ralph_version": "0.6.3",\n  "future_key": {"nested": [1, 2]},',
    )
    .replace('"total_reviewer_passes": 1', '"total_reviewer_passes": 1,\n    "model": "opus"');
  const parsed = parseRunMetadata(text);
  assert.deepEqual(parsed.extra, { future_key: { nested: [1, 2] } });
  assert.deepEqual(parsed.configSummary?.extra, { model: "opus" });
  const rewritten = formatRunMetadata({ ...parsed, resume: true });
  const again = parseRunMetadata(rewritten);
  assert.deepEqual(again, { ...parsed, resume: true });
  assert.deepEqual(Object.keys(JSON.parse(rewritten)), [
    "run_id",
    "started_at_utc",
    "command",
    "resume",
    "repo_root",
    "ralph_version",
    "pid",
    "config_summary",
    "future_key",
  ]);
});

test("parseRunMetadata() names the path and the key of a wrong value", async () => {
  const cases: [string, string, RegExp][] = [
    ['"resume": false', '"resume": "no"', /"resume" must be a boolean/],
    ['"pid": 12345', '"pid": -1', /"pid" must be an integer/],
    ['"pid": 12345', '"pid": 4294967296', /"pid" must be an integer/],
    ['"total_iterations": 3', '"total_iterations": 2.5', /"config_summary\.total_iterations"/],
    [
      '"developer_agent": "claude"',
      '"developer_agent": 7',
      /"config_summary\.developer_agent" must be a string/,
    ],
    ['"run_id": "2026-02-06_14-03-27.123Z",', "", /"run_id" is missing/],
  ];
  const good = formatRunMetadata(rustTestValues);
  for (const [from, to, pattern] of cases) {
    const error = await throwsRunLog(
      () => parseRunMetadata(good.replace(from, to), "x/run.json"),
      "invalid-metadata",
    );
    assert.match(error.message, pattern);
    assert.match(error.message, /'x\/run\.json'/);
  }
  await throwsRunLog(() => parseRunMetadata('{"config_summary": []}'), "invalid-metadata");
  await throwsRunLog(() => parseRunMetadata("[1]"), "invalid-metadata");
  const torn = await throwsRunLog(
    () => parseRunMetadata(good.slice(0, 40), "r.json"),
    "invalid-metadata",
  );
  assert.match(torn.message, /not valid JSON/);
});

test("formatRunMetadata() refuses values the Rust struct could not hold, naming the key", async () => {
  const bad: [Partial<RunMetadata>, RegExp][] = [
    [{ pid: 1.5 }, /"pid"/],
    [{ pid: -3 }, /"pid"/],
    [{ resume: "yes" as unknown as boolean }, /"resume"/],
    [{ command: undefined as unknown as string }, /"command"/],
    [{ configSummary: { totalReviewerPasses: 2 ** 32 } }, /total_reviewer_passes/],
    [{ extra: { pid: 3 } }, /"pid" is a known key/],
  ];
  for (const [change, pattern] of bad) {
    const error = await throwsRunLog(
      () => formatRunMetadata({ ...rustTestValues, ...change }),
      "invalid-metadata",
    );
    assert.match(error.message, pattern);
  }
});
