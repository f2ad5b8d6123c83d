// Claiming a run id, on disk or in a store: the id of the start time,
// then its collision variants -01..-99, then a fresh timestamp from the
// clock; `tryClaim` decides atomically who owns an id.
import { MAX_COLLISION_COUNTER, RunId } from "./run_id.ts";
import { RunLogError } from "./run_log_error.ts";
import { sleep } from "./_sleep.ts";

// How long a claim waits, in real time, for the clock to leave a
// millisecond whose 100 ids are all taken before it gives up.
const CLOCK_WAIT_MS = 1000;

/**
 * The first id from `start` that `tryClaim` wins.
 *
 * @param where Where the ids are claimed, for the message (".agent/logs-",
 *   or a store's URL and prefix).
 * @throws {RunLogError} `"collisions-exhausted"` when every id of the
 *   millisecond is taken and the clock does not move within a second.
 */
export async function claimRunId(
  start: RunId,
  clock: () => Date,
  tryClaim: (runId: RunId) => Promise<boolean>,
  where: string,
): Promise<RunId> {
  let base = start;
  const tried = new Set<string>();
  for (;;) {
    tried.add(base.withCollisionCounter(0).toString());
    for (let n = base.collisionCounter; n <= MAX_COLLISION_COUNTER; n++) {
      const runId = base.withCollisionCounter(n);
      if (await tryClaim(runId)) return runId;
    }
    base = await freshTimestamp(clock, tried, base, where);
  }
}

async function freshTimestamp(
  clock: () => Date,
  tried: Set<string>,
  exhausted: RunId,
  where: string,
): Promise<RunId> {
  const deadline = Date.now() + CLOCK_WAIT_MS;
  do {
    const candidate = RunId.generate(clock());
    if (!tried.has(candidate.toString())) return candidate;
    await sleep(1);
  } while (Date.now() < deadline);
  const base = exhausted.withCollisionCounter(0);
  throw new RunLogError(
    "collisions-exhausted",
    `cannot claim a run: '${where}${base}' and its ${MAX_COLLISION_COUNTER} collision ` +
      `variants are all taken, and the clock did not move past ${base} within ` +
      `${CLOCK_WAIT_MS} ms. An injected clock must advance; otherwise look for a process ` +
      "creating runs in a loop.",
  );
}
