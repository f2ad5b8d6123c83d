// Fault injection: every flow runs once per operation it makes, with that
// operation failing (no space, permission denied, I/O error). Whatever
// fails, the workspace stays consistent and a retry succeeds.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  EventLoopLogger,
  EventLoopTrace,
  FsWorkspace,
  listRuns,
  MemoryDriver,
  MemoryHost,
  parseEventLoopLine,
  parseRunMetadata,
  PipelineLogger,
  pruneRuns,
  RunLogContext,
  RunLogError,
  WorkspaceError,
} from "../mod.ts";
import { FaultDriver } from "./_fault_driver.ts";

interface Setup {
  ws: FsWorkspace;
  faults: FaultDriver;
  /** A run created (and closed, unless the flow needs it open) before faults begin. */
  ctx?: RunLogContext;
  /** Lines whose write resolved, per file. */
  acked: Map<string, string[]>;
  /** Tells the lines of a retry from those of the failed attempt. */
  attempt: string;
}

interface Flow {
  name: string;
  prepare(s: Setup): Promise<void>;
  act(s: Setup): Promise<void>;
}

const ROOT = "/ws";
const ERRNOS = ["ENOSPC", "EACCES", "EIO"] as const;
const CODES = { ENOSPC: "no-space", EACCES: "permission-denied", EIO: "io" } as const;
const effect = { phase: "Development", effect: "WriteFile", event: "FileWritten", durationMs: 3 };

function ack(s: Setup, path: string, line: string): void {
  s.acked.set(path, [...(s.acked.get(path) ?? []), line]);
}

const flows: Flow[] = [
  {
    name: "create and close",
    prepare: async () => {},
    act: async (s) => {
      const ctx = await RunLogContext.create(s.ws);
      await ctx.close({ status: "succeeded" });
    },
  },
  {
    name: "resume and close",
    prepare: async (s) => {
      s.ctx = await RunLogContext.create(s.ws);
      await s.ctx.close();
    },
    act: async (s) => {
      const ctx = await RunLogContext.resume(s.ws, s.ctx!.runId);
      await ctx.close({ status: "failed" });
    },
  },
  {
    name: "run metadata read and write",
    prepare: async (s) => {
      s.ctx = await RunLogContext.create(s.ws);
    },
    act: async (s) => {
      const metadata = await s.ctx!.readRunMetadata();
      await s.ctx!.writeRunMetadata({ ...metadata, ralphVersion: "0.6.3" });
    },
  },
  {
    name: "pipeline and event loop logging",
    prepare: async (s) => {
      s.ctx = await RunLogContext.create(s.ws);
    },
    act: async (s) => {
      const pipeline = await PipelineLogger.open(s.ctx!);
      // Closed whatever fails, as a program that retries must: a context
      // has one event loop logger at a time.
      const events = await EventLoopLogger.open(s.ctx!).catch(async (error) => {
        await pipeline.close().catch(() => {});
        throw error;
      });
      let failure: unknown;
      try {
        for (let i = 0; i < 3; i++) {
          await pipeline.info(`message ${i} ${s.attempt}`);
          ack(s, s.ctx!.pipelineLog(), `message ${i} ${s.attempt}`);
          const seq = await events.logEffect({ ...effect, context: { i } });
          ack(s, s.ctx!.eventLoopLog(), `${seq}`);
        }
      } catch (error) {
        failure = error;
      }
      const closed = await Promise.allSettled([pipeline.close(), events.close()]);
      const failed = closed.find((c): c is PromiseRejectedResult => c.status === "rejected");
      if (failure !== undefined) throw failure;
      if (failed !== undefined) throw failed.reason;
    },
  },
  {
    name: "agent and provider log claims",
    prepare: async (s) => {
      s.ctx = await RunLogContext.create(s.ws);
    },
    act: async (s) => {
      const agent = await s.ctx!.claimAgentLog("dev", 1, {
        header: { role: "Developer", agent: "claude", phase: "Development" },
      });
      await agent.writer.write(`agent output ${s.attempt}\n`);
      ack(s, agent.path, `agent output ${s.attempt}`);
      await agent.writer.close();
      const provider = await s.ctx!.openProviderLog("stream.jsonl");
      await provider.writer.write(`{"delta":"${s.attempt}"}\n`);
      ack(s, provider.path, `{"delta":"${s.attempt}"}`);
      await provider.writer.close();
    },
  },
  {
    name: "trace dump",
    prepare: async (s) => {
      s.ctx = await RunLogContext.create(s.ws);
    },
    act: async (s) => {
      const trace = new EventLoopTrace(s.ctx!);
      trace.push({ iteration: 1 });
      await trace.dump("panic", { phase: "Development" });
    },
  },
  {
    name: "pruning",
    prepare: async (s) => {
      let time = Date.parse("2026-02-06T14:00:00Z");
      for (let i = 0; i < 3; i++) {
        const ctx = await RunLogContext.create(s.ws, { clock: () => new Date(time += 1000) });
        await ctx.close({ status: "succeeded" });
      }
    },
    act: async (s) => {
      await pruneRuns(s.ws, { keep: 1 });
    },
  },
];

async function setup(flow: Flow): Promise<Setup> {
  const faults = new FaultDriver(new MemoryDriver(ROOT));
  const ws = new FsWorkspace(ROOT, faults, { host: new MemoryHost() });
  const s: Setup = { ws, faults, acked: new Map(), attempt: "first" };
  await flow.prepare(s);
  faults.ops.length = 0;
  return s;
}

// What must hold whatever failed: every run directory is a whole run,
// run.json is whole wherever it is, and acknowledged lines are all there,
// once, on lines of their own.
async function assertConsistent(s: Setup, where: string): Promise<void> {
  s.faults.failAt = Number.POSITIVE_INFINITY;
  const { runs } = await listRuns(s.ws);
  for (const run of runs) {
    assert.equal(run.problem, undefined, `${where}: ${run.dir} has no whole run.json`);
    assert.equal(run.metadata?.runId, run.id, where);
    for (const dir of ["agents", "provider", "debug"]) {
      assert.ok(await s.ws.isDir(`${run.dir}/${dir}`), `${where}: ${run.dir}/${dir} missing`);
    }
    for (const entry of await s.ws.readDir(run.dir)) {
      if (entry.name.startsWith(".run.json.") && entry.name.endsWith(".tmp")) {
        // Documented: a temp file whose removal failed stays until the next resume.
        assert.ok(
          s.faults.ops.some((op) => op.startsWith("unlink") && op.includes(entry.name)),
          `${where}: ${entry.path} left without a failed removal`,
        );
      }
    }
    const text = await s.ws.read(`${run.dir}/run.json`);
    parseRunMetadata(text);
  }
  for (const [path, lines] of s.acked) {
    const text = await s.ws.read(path);
    for (const line of lines) {
      if (path.endsWith("event_loop.log")) {
        const found = text.split("\n").filter((l) => l.startsWith(`${line} `));
        assert.equal(found.length, 1, `${where}: seq ${line} appears ${found.length} times`);
        parseEventLoopLine(found[0]);
      } else {
        const found = text.split("\n").filter((l) => l === line || l.endsWith(`] ${line}`));
        assert.equal(found.length, 1, `${where}: ${JSON.stringify(line)} in ${path}`);
      }
    }
    if (path.endsWith("event_loop.log")) {
      const seqs = text.split("\n").filter((l) => l !== "").map((l) => parseEventLoopLine(l).seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${where}: seqs out of order`);
      assert.equal(new Set(seqs).size, seqs.length, `${where}: a seq used twice`);
    }
  }
}

let faultPoints = 0;
const codes = new Set<string>();

for (const flow of flows) {
  test(`fault injection: "${flow.name}" stays consistent when any operation fails, and a retry succeeds`, async () => {
    const probe = await setup(flow);
    await flow.act(probe);
    const operations = probe.faults.ops.length;
    assert.ok(operations > 3, `${flow.name} made only ${operations} operations`);
    for (const errno of ERRNOS) {
      for (let k = 1; k <= operations; k++) {
        faultPoints++;
        const where = `${flow.name}, operation ${k} of ${operations} failing with ${errno}`;
        const s = await setup(flow);
        s.faults.errno = errno;
        s.faults.failAt = k;
        let error: unknown;
        try {
          await flow.act(s);
        } catch (caught) {
          error = caught;
        }
        if (error !== undefined) {
          assert.ok(
            error instanceof WorkspaceError || error instanceof RunLogError,
            `${where}: untyped ${error}`,
          );
          const code = (error as WorkspaceError).code;
          codes.add(`${errno} -> ${code}`);
          assert.equal(code, CODES[errno], `${where}: ${(error as Error).message}`);
        }
        await assertConsistent(s, where);
        // The retry: the same flow, with nothing failing.
        s.acked.clear();
        s.attempt = "retry";
        await flow.act(s);
        await assertConsistent(s, `${where}, then retried`);
      }
    }
  });
}

test("a create cut off for good (EMFILE from any operation on) never leaves a directory that lists as a run", async () => {
  const probe = await setup(flows[0]);
  await RunLogContext.create(probe.ws);
  const operations = probe.faults.ops.length;
  let incomplete = 0;
  for (let k = 1; k <= operations; k++) {
    const s = await setup(flows[0]);
    s.faults.errno = "EMFILE";
    s.faults.failFrom = k;
    await assert.rejects(RunLogContext.create(s.ws), (error) => {
      faultPoints++;
      return error instanceof WorkspaceError && error.code === "too-many-open-files";
    });
    s.faults.failFrom = Number.POSITIVE_INFINITY; // Files were closed: the process goes on.
    const { runs, skipped } = await listRuns(s.ws);
    for (const run of runs) {
      assert.ok(
        await s.ws.isFile(`${run.dir}/run.json`),
        `op ${k}: ${run.id} lists without run.json`,
      );
    }
    incomplete += skipped.filter((entry) => entry.incomplete !== undefined).length;
    assert.equal(runs.length, 0, `op ${k}: ${JSON.stringify(runs.map((r) => r.id))}`);
  }
  assert.ok(incomplete > 0, "no fault point left a half-made directory: the test proves nothing");
});

test("fault injection covered at least 500 fault points", () => {
  assert.ok(faultPoints >= 500, `${faultPoints}`);
  console.log(`fault points: ${faultPoints}; ${[...codes].sort().join(", ")}`);
});
