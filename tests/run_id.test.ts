import { test } from "node:test";
import assert from "node:assert/strict";
import { RunId } from "../mod.ts";
import { throwsRunLog } from "./_assert.ts";

test("RunId.generate() formats the UTC time as YYYY-MM-DD_HH-mm-ss.SSSZ", () => {
  assert.equal(
    RunId.generate(new Date("2026-02-06T14:03:27.123Z")).toString(),
    "2026-02-06_14-03-27.123Z",
  );
  assert.equal(
    RunId.generate(new Date("0099-01-02T03:04:05.006Z")).toString(),
    "0099-01-02_03-04-05.006Z",
  );
});

test("RunId.generate() uses the current time by default", () => {
  const before = Date.now();
  const id = RunId.generate();
  const after = Date.now();
  const at = id.startedAt.getTime();
  assert.ok(before <= at && at <= after, `${id} not between ${before} and ${after}`);
});

test("RunId.generate() refuses invalid dates and years outside 0000..9999", async () => {
  await throwsRunLog(() => RunId.generate(new Date(Number.NaN)), "invalid-run-id");
  await throwsRunLog(() => RunId.generate(new Date("+010000-01-01T00:00:00Z")), "invalid-run-id");
});

test("RunId.parse() accepts the format with and without a collision counter", () => {
  for (
    const text of [
      "2026-02-06_14-03-27.123Z",
      "2026-02-06_14-03-27.123Z-01",
      "2024-02-29_23-59-59.999Z-99",
    ]
  ) {
    assert.equal(RunId.parse(text).toString(), text);
  }
  assert.equal(RunId.parse("2026-02-06_14-03-27.123Z-07").collisionCounter, 7);
  assert.equal(RunId.parse("2026-02-06_14-03-27.123Z").collisionCounter, 0);
  assert.equal(
    RunId.parse("2026-02-06_14-03-27.123Z-07").startedAt.toISOString(),
    "2026-02-06T14:03:27.123Z",
  );
});

test("RunId.parse() refuses everything else with a message naming the value", async () => {
  const invalid = [
    "",
    "x/../../etc",
    "../logs-2026-02-06_14-03-27.123Z",
    "2026-02-06_14-03-27.123Z/../../x",
    "2026-02-06_14-03-27.123z",
    "2026-02-06T14:03:27.123Z",
    "2026-02-06_14-03-27Z",
    "2026-02-06_14-03-27.123Z-00",
    "2026-02-06_14-03-27.123Z-100",
    "2026-02-06_14-03-27.123Z-1",
    "2026-13-06_14-03-27.123Z",
    "2026-02-30_14-03-27.123Z",
    "2025-02-29_14-03-27.123Z",
    "2026-02-06_24-00-00.000Z",
    "2026-02-06_14-60-27.123Z",
    " 2026-02-06_14-03-27.123Z",
    "2026-02-06_14-03-27.123Z\n",
    "2026-02-06_14-03-27.123Z\0",
  ];
  for (const text of invalid) {
    const error = await throwsRunLog(() => RunId.parse(text), "invalid-run-id");
    assert.ok(error.message.includes(JSON.stringify(text)), error.message);
    assert.match(error.message, /YYYY-MM-DD_HH-mm-ss\.SSSZ/);
  }
  await throwsRunLog(() => RunId.parse(42 as unknown as string), "invalid-run-id");
});

test("RunId.withCollisionCounter() replaces the counter and refuses out-of-range values", async () => {
  const base = RunId.parse("2026-02-06_14-03-27.123Z-05");
  assert.equal(base.withCollisionCounter(12).toString(), "2026-02-06_14-03-27.123Z-12");
  assert.equal(base.withCollisionCounter(0).toString(), "2026-02-06_14-03-27.123Z");
  for (const n of [-1, 100, 1.5, Number.NaN]) {
    await throwsRunLog(() => base.withCollisionCounter(n), "invalid-run-id");
  }
});

test("RunId text sorts lexicographically in chronological order", () => {
  // A deterministic spread of times across centuries, days and milliseconds.
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const ids: { time: number; counter: number; text: string }[] = [];
  for (let i = 0; i < 500; i++) {
    const time = Date.UTC(1900, 0, 1) + (next() * 4099) % (250 * 365 * 86_400_000);
    const counter = next() % 3 === 0 ? next() % 100 : 0;
    ids.push({
      time,
      counter,
      text: RunId.generate(new Date(time)).withCollisionCounter(counter).toString(),
    });
  }
  const byTime = [...ids].sort((a, b) => a.time - b.time || a.counter - b.counter);
  const byText = [...ids].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  assert.deepEqual(byText.map((x) => x.text), byTime.map((x) => x.text));
});

test("RunId serialises to its text in JSON and compares by text", () => {
  const id = RunId.parse("2026-02-06_14-03-27.123Z-03");
  assert.equal(JSON.stringify({ id }), '{"id":"2026-02-06_14-03-27.123Z-03"}');
  assert.ok(id.equals(RunId.parse("2026-02-06_14-03-27.123Z-03")));
  assert.ok(!id.equals(id.withCollisionCounter(4)));
});
