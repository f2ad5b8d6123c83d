// The run viewer: its handler called directly (MemoryWorkspace and the real
// adapters), its server adapter under this runtime, the report file, and the
// serve and report commands. The browser itself is driven by
// viewer_browser.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, stat, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  EventLoopLogger,
  EventLoopTrace,
  formatEventLoopLine,
  MemoryHost,
  MemoryWorkspace,
  parseEventLoopLine,
  PipelineLogger,
  RunLogContext,
  RunLogError,
  type Workspace,
  WorkspaceError,
} from "../mod.ts";
import {
  createViewer,
  renderReport,
  serveViewer,
  type Viewer,
  writeReport,
} from "../src/viewer/mod.ts";
import { tokensEqual } from "../src/viewer/_auth.ts";
import { failureResponse } from "../src/viewer/_http.ts";
import { readTimeline } from "../src/viewer/_timeline.ts";
import { makeMasker } from "../src/viewer/_redacted_read.ts";
import { writeViewerRun } from "./fixtures/viewer_run.ts";
import { startServer, stopServer } from "./fixtures/viewer_harness.ts";
import { spyWorkspace } from "./_spy.ts";
import { throwsRunLog } from "./_assert.ts";
import { nativeAdapter, runtime, tempDir } from "./_runtime.ts";
import { runlog, runlogCommand } from "./_processes.ts";

const adapter = await nativeAdapter();
const RUST = fileURLToPath(new URL("./fixtures/ralph-rust/", import.meta.url));
const BASE = "http://127.0.0.1:9";
// A fake OpenAI project key, made at run time so that no key-shaped literal sits in the source.
const KEY = ["sk", "proj", "Ab3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xYz_Ab3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0"].join(
  "-",
);
const SCRIPT = "<script>alert(1)</script>";
const IMG = '"><img src=x onerror=alert(1)>';
const encoder = new TextEncoder();

// Deno runs the suite without --allow-net: the tests that listen say so and skip.
const netDenied = runtime === "deno" &&
  Deno.permissions.querySync({ name: "net" }).state !== "granted";
const NET_SKIP = netDenied
  ? "needs --allow-net under Deno (the suite's deno task has none)"
  : false;

function get(viewer: Viewer, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("X-Runlog-Token") && !headers.has("Cookie")) {
    headers.set("X-Runlog-Token", viewer.token);
  }
  return viewer(new Request(BASE + path, { ...init, headers }));
}

// JSON answers as the tests read them: any shape, checked by the assertions.
// deno-lint-ignore no-explicit-any
type Data = any;

async function json(viewer: Viewer, path: string): Promise<Data> {
  const response = await get(viewer, path);
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  assert.equal(response.headers.get("Content-Type"), "application/json; charset=utf-8");
  return await response.json();
}

/** Reads Server-Sent Events from a response body until one matches, or fails after `ms`. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const events: { event: string; data: Data; id: string }[] = [];
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  return {
    events,
    async until(match: (e: { event: string; data: Data }) => boolean, ms = 1000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events.find(match);
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`no matching event within ${ms} ms; got ${events.map((e) => e.event)}`);
        }
        pending ??= reader.read();
        const result = await Promise.race([
          pending,
          new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), left)),
        ]);
        if (result === "timeout") continue;
        pending = undefined;
        if (result.done) throw new Error("the stream ended");
        buffer += decoder.decode(result.value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of frame.split("\n")) {
            if (line.startsWith(":")) continue;
            const colon = line.indexOf(": ");
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 2);
          }
          if (fields.event !== undefined) {
            events.push({ event: fields.event, data: JSON.parse(fields.data), id: fields.id });
          }
        }
      }
    },
    cancel: () => reader.cancel(),
  };
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return `sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`;
}

/** A run with hostile text and a secret planted in every kind of file. */
async function plantedRun(ws: Workspace) {
  const ctx = await RunLogContext.create(ws, {
    metadata: { command: `ralph ${SCRIPT} ${IMG} --key ${KEY}` },
  });
  const pipeline = await PipelineLogger.open(ctx);
  await pipeline.info(`hostile ${SCRIPT}`);
  await pipeline.warn(`attribute ${IMG}`);
  await pipeline.error(`calling the API with ${KEY}`);
  await pipeline.close();
  const events = await EventLoopLogger.open(ctx);
  await events.logEffect({
    phase: `Dev ${SCRIPT}`,
    effect: IMG,
    event: "Done",
    context: { key: KEY },
    durationMs: 10,
  });
  await events.close();
  const agent = await ctx.claimAgentLog("dev", 1);
  await agent.writer.write(`${SCRIPT}\nOPENAI_API_KEY=${KEY}\n${IMG}\n`);
  await agent.writer.close();
  await ws.write(
    `${ctx.runDir}/event_loop_trace.jsonl`,
    `${JSON.stringify({ effect: SCRIPT, key: KEY })}\n{"kind":"final_state","reason":"panic"}\n`,
  );
  await ctx.close({ status: "failed" });
  return ctx.runId.toString();
}

/** The session cookie of a `Set-Cookie` header: its name, value and attributes. */
function sessionOf(setCookie: string | null) {
  const match = /^(runlog_(\d+)_[0-9a-f]{8})=([\w-]{43}); Path=\/; HttpOnly; SameSite=Strict$/
    .exec(setCookie ?? "");
  assert.ok(match, `a session cookie: ${setCookie}`);
  return { name: match[1], port: match[2], value: match[3], pair: `${match[1]}=${match[3]}` };
}

test("viewer: every request needs the token; a wrong one is refused with 403", async () => {
  const ws = new MemoryWorkspace();
  const { runId } = await writeViewerRun(ws, { effects: 5, status: "succeeded" });
  const viewer = createViewer(ws);
  assert.ok(viewer.token.length >= 43, "256 random bits");
  assert.notEqual(createViewer(ws).token, viewer.token);
  // The printed URL: the token in the query sets a session cookie and redirects to drop it.
  const first = await viewer(new Request(`${BASE}/?token=${viewer.token}`));
  assert.equal(first.status, 303);
  assert.equal(first.headers.get("Location"), "/");
  const session = sessionOf(first.headers.get("Set-Cookie"));
  assert.equal(session.port, "9", "the cookie is named after the port");
  assert.notEqual(session.value, viewer.token);
  assert.ok(!first.headers.get("Set-Cookie")!.includes(viewer.token), "the token is not in it");
  const deeper = await viewer(
    new Request(`${BASE}/run/${runId}?token=${viewer.token}&tab=trace`),
  );
  assert.equal(deeper.status, 303);
  assert.equal(deeper.headers.get("Location"), `/run/${runId}?tab=trace`, "the rest is kept");
  assert.equal(sessionOf(deeper.headers.get("Set-Cookie")).pair, session.pair, "one per port");
  const page = await viewer(new Request(`${BASE}/`, { headers: { Cookie: session.pair } }));
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("Content-Type"), "text/html; charset=utf-8");
  const api = await viewer(
    new Request(`${BASE}/api/runs`, { headers: { Cookie: `a=b; ${session.pair}; c=d` } }),
  );
  assert.equal(api.status, 200, "the cookie among others");

  const wrong = viewer.token.slice(0, -1) + (viewer.token.endsWith("A") ? "B" : "A");
  const otherPort = "http://127.0.0.1:10";
  const otherName = session.name.replace("_9_", "_10_");
  for (
    const [what, init, url] of [
      ["no token", {}, `${BASE}/api/runs`],
      ["no token, page", {}, `${BASE}/`],
      ["no token, unknown path", {}, `${BASE}/etc/passwd`],
      ["wrong header", { headers: { "X-Runlog-Token": wrong } }, `${BASE}/api/runs`],
      [
        "short header",
        { headers: { "X-Runlog-Token": viewer.token.slice(0, 10) } },
        `${BASE}/api/runs`,
      ],
      ["wrong cookie", { headers: { Cookie: `${session.name}=${wrong}` } }, `${BASE}/api/runs`],
      [
        "the token as the cookie",
        { headers: { Cookie: `${session.name}=${viewer.token}` } },
        `${BASE}/api/runs`,
      ],
      ["other cookie", { headers: { Cookie: `runlog_other=${viewer.token}` } }, `${BASE}/api/runs`],
      [
        "the cookie's value as the token header",
        { headers: { "X-Runlog-Token": session.value } },
        `${BASE}/api/runs`,
      ],
      ["the cookie's value as the token", {}, `${BASE}/api/runs?token=${session.value}`],
      ["the cookie on another port", { headers: { Cookie: session.pair } }, `${otherPort}/`],
      [
        "its value under that port's name",
        { headers: { Cookie: `${otherName}=${session.value}` } },
        `${otherPort}/api/runs`,
      ],
      ["wrong query", {}, `${BASE}/api/runs?token=${wrong}`],
      ["empty query", {}, `${BASE}/api/runs?token=`],
      ["POST without token", { method: "POST" }, `${BASE}/api/runs`],
    ] as const
  ) {
    const response = await viewer(new Request(url, init as RequestInit));
    assert.equal(response.status, 403, what);
    assert.equal(response.headers.get("X-Content-Type-Options"), "nosniff", what);
    assert.equal(response.headers.get("Access-Control-Allow-Origin"), null, what);
    assert.equal(response.headers.get("Set-Cookie"), null, what);
    assert.match((await response.json()).error, /token/);
  }
  // The same viewer on another port: a session of its own there.
  const there = await viewer(new Request(`${otherPort}/?token=${viewer.token}`));
  const second = sessionOf(there.headers.get("Set-Cookie"));
  assert.equal(second.name, otherName);
  assert.notEqual(second.value, session.value);
  const query = await viewer(new Request(`${BASE}/api/runs?token=${viewer.token}`));
  assert.equal(query.status, 200, "the API takes the token in the query without redirecting");
  // Other methods are refused, even with the token; nothing is writable.
  const post = await get(viewer, "/api/runs", { method: "POST" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("Allow"), "GET, HEAD");
  const head = await get(viewer, "/api/runs", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
});

test("viewer: tokens are compared byte by byte over their whole length", () => {
  const token = "a".repeat(43);
  assert.equal(tokensEqual(token, token), true);
  assert.equal(tokensEqual(token.slice(0, 42), token), false, "a prefix");
  assert.equal(tokensEqual(token + "a", token), false, "longer");
  assert.equal(tokensEqual("", token), false);
  assert.equal(tokensEqual("b" + token.slice(1), token), false, "first byte");
  assert.equal(tokensEqual(token.slice(1) + "b", token), false, "last byte");
  assert.equal(tokensEqual("a".repeat(86), token), false, "a repeat of it");
  assert.equal(tokensEqual(undefined as unknown as string, token), false);
  assert.equal(tokensEqual("x".repeat(10_000), token), false, "oversized input");
});

test("viewer: failureResponse() maps every error code to its HTTP status", async () => {
  for (
    const [error, status] of [
      [new WorkspaceError("not-found", "read", "a.log"), 404],
      [new WorkspaceError("invalid-path", "read", "../a"), 400],
      [new WorkspaceError("symlink", "read", "a.log"), 403],
      [new WorkspaceError("hard-link", "read", "a.log"), 403],
      [new WorkspaceError("not-a-regular-file", "read", "a.log"), 403],
      [new WorkspaceError("too-large", "read", "a.log"), 413],
      [new WorkspaceError("too-many-open-files", "read", "a.log"), 503],
      [new WorkspaceError("io", "read", "a.log"), 500],
      [new RunLogError("not-found", "no run"), 404],
      [new RunLogError("invalid-run-id", "bad id"), 404],
      [new RunLogError("invalid-argument", "bad option"), 400],
      [new RunLogError("lease-held", "held"), 409],
      [new Error("surprise"), 500],
    ] as const
  ) {
    const response = failureResponse(error);
    assert.equal(response.status, status, error.message);
    assert.deepEqual(
      await response.json(),
      {
        error: error instanceof WorkspaceError || error instanceof RunLogError
          ? error.message
          : "unexpected error: surprise",
      },
    );
  }
});

test("viewer: responses carry a strict CSP and no CORS; the page allows only its own script and style", async () => {
  const ws = new MemoryWorkspace();
  const { runId } = await writeViewerRun(ws, { effects: 5, status: "succeeded" });
  const viewer = createViewer(ws);
  for (
    const path of ["/", `/run/${runId}`, "/api/runs", `/api/runs/${runId}/raw?path=pipeline.log`]
  ) {
    const response = await get(viewer, path);
    assert.equal(response.status, 200, path);
    const csp = response.headers.get("Content-Security-Policy")!;
    assert.match(csp, /default-src 'none'/, path);
    assert.doesNotMatch(csp, /https?:|\*|unsafe-inline|unsafe-eval/, path);
    assert.equal(response.headers.get("X-Content-Type-Options"), "nosniff");
    assert.equal(response.headers.get("Referrer-Policy"), "no-referrer");
    assert.equal(response.headers.get("X-Frame-Options"), "DENY");
    for (const [name] of response.headers) assert.doesNotMatch(name, /^access-control-/i);
    if (path.startsWith("/api/")) assert.match(csp, /sandbox/);
  }
  const page = await get(viewer, `/run/${runId}`);
  const html = await page.text();
  const csp = page.headers.get("Content-Security-Policy")!;
  const script = /<script>([\s\S]*)<\/script>/.exec(html)![1];
  const style = /<style>([\s\S]*)<\/style>/.exec(html)![1];
  assert.ok(csp.includes(`script-src '${await sha256(script)}'`));
  assert.ok(csp.includes(`style-src '${await sha256(style)}'`));
  assert.match(csp, /connect-src 'self'/);
  assert.doesNotMatch(html, /https?:\/\//);
  assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
});

test("viewer: paths outside run directories, links and FIFOs are refused", async () => {
  const ws = new MemoryWorkspace();
  const { runId, runDir } = await writeViewerRun(ws, { effects: 5, status: "succeeded" });
  await ws.write("secret.txt", "outside every run\n");
  ws.driver.symlink("/etc/passwd", `${ws.root}/${runDir}/agents/evil.log`);
  ws.driver.symlink("../../secret.txt", `${ws.root}/${runDir}/agents/inside.log`);
  ws.driver.mkspecial(`${ws.root}/${runDir}/agents/pipe.log`, "fifo");
  await ws.createDirAll(".agent/elsewhere");
  ws.driver.symlink(
    `${ws.root}/.agent/elsewhere`,
    `${ws.root}/.agent/logs-2026-01-01_00-00-00.000Z`,
  );
  const viewer = createViewer(ws);
  const refused: [string, number, RegExp][] = [
    [`/api/runs/${runId}/raw?path=../../secret.txt`, 403, /only files inside the run directory/],
    [`/api/runs/${runId}/raw?path=..%2F..%2Fsecret.txt`, 403, /'\.\.' segments are refused/],
    [`/api/runs/${runId}/lines?path=/etc/passwd`, 403, /absolute paths are refused/],
    [`/api/runs/${runId}/lines?path=agents\\..\\..\\x`, 403, /backslashes/],
    [`/api/runs/${runId}/raw?path=agents%00x`, 403, /NUL/],
    [`/api/runs/${runId}/raw?path=agents/evil.log`, 403, /symbolic link/],
    [`/api/runs/${runId}/raw?path=agents/inside.log`, 403, /symbolic link/],
    [`/api/runs/${runId}/lines?path=agents/evil.log`, 403, /symbolic link/],
    [`/api/runs/${runId}/raw?path=agents/pipe.log`, 403, /FIFO/],
    [`/api/runs/${runId}/raw?path=agents`, 403, /directory/],
    [`/api/runs/${runId}/raw`, 400, /\?path=/],
    [`/api/runs/x%2F..%2F..%2Fetc/raw?path=passwd`, 404, /no run/],
    [`/api/runs/..%2F..%2Fsecret.txt`, 404, /no run/],
    ["/api/runs/2026-01-01_00-00-00.000Z", 404, /no run/],
    ["/api/runs/2026-01-01_00-00-00.000Z/raw?path=x.log", 403, /symbolic link/],
    ["/api/runs/2026-01-01_00-00-00.000Z/timeline", 403, /symbolic link/],
    [`/api/runs/${runId}/raw?path=missing.log`, 404, /not-found/],
    ["/etc/passwd", 404, /nothing at/],
  ];
  for (const [path, status, message] of refused) {
    const response = await get(viewer, path);
    const body = await response.text();
    assert.equal(response.status, status, `${path}: ${body}`);
    assert.match(JSON.parse(body).error, message, path);
    assert.doesNotMatch(body, /outside every run|root:/);
  }
  const listing = await json(viewer, "/api/runs");
  assert.deepEqual(listing.runs.map((r: { id: string }) => r.id), [runId]);
  assert.match(listing.skipped.map((s: { reason: string }) => s.reason).join(), /symbolic link/);
  const { files, skipped } = await json(viewer, `/api/runs/${runId}`);
  assert.ok(!files.some((f: { path: string }) => /agents\/(evil|inside|pipe)/.test(f.path)));
  assert.deepEqual(skipped.map((s: { path: string }) => s.path).sort(), [
    "agents/evil.log",
    "agents/inside.log",
    "agents/pipe.log",
  ]);
});

test(`viewer (${adapter.name}): a link in a run directory on disk is refused, never followed`, async () => {
  const dir = await tempDir();
  try {
    const ws = adapter.make(dir.path);
    const { runId, runDir } = await writeViewerRun(ws, { effects: 3, status: "succeeded" });
    await writeFile(join(dir.path, "outside.txt"), "outside the run\n");
    await symlink(join(dir.path, "outside.txt"), join(dir.path, runDir, "agents/link.log"));
    await symlink(join(dir.path, "outside.txt"), join(dir.path, runDir, "pipeline.log.link"));
    await mkdir(join(dir.path, ".agent/real"));
    await symlink(
      join(dir.path, ".agent/real"),
      join(dir.path, ".agent/logs-2026-01-01_00-00-00.000Z"),
    );
    const viewer = createViewer(ws);
    for (
      const path of [
        `/api/runs/${runId}/raw?path=agents/link.log`,
        `/api/runs/${runId}/lines?path=pipeline.log.link`,
        "/api/runs/2026-01-01_00-00-00.000Z/raw?path=x",
      ]
    ) {
      const response = await get(viewer, path);
      const body = await response.text();
      assert.equal(response.status, 403, `${path}: ${body}`);
      assert.doesNotMatch(body, /outside the run/);
    }
  } finally {
    await dir.remove();
  }
});

test("viewer: log text, file names and run.json stay data: the page holds none of it, the report escapes it", async () => {
  const ws = new MemoryWorkspace();
  const runId = await plantedRun(ws);
  const viewer = createViewer(ws);
  for (const path of ["/", `/run/${runId}`]) {
    const html = await (await get(viewer, path)).text();
    assert.ok(!html.includes("alert(1)"), `${path} holds no run data`);
  }
  const lines = await json(viewer, `/api/runs/${runId}/lines?path=pipeline.log`);
  assert.deepEqual(lines.entries.slice(0, 2).map((e: { text: string }) => e.text), [
    `hostile ${SCRIPT}`,
    `attribute ${IMG}`,
  ]);
  const raw = await get(viewer, `/api/runs/${runId}/raw?path=agents/dev_1.log`);
  assert.equal(raw.headers.get("Content-Type"), "text/plain; charset=utf-8");
  assert.match(raw.headers.get("Content-Security-Policy")!, /sandbox/);
  assert.ok((await raw.text()).startsWith(SCRIPT));
  const { html } = await renderReport(ws, runId);
  for (const planted of [SCRIPT, IMG, "<img", "</script><"]) {
    assert.ok(!html.includes(planted), `the report holds ${planted} raw`);
  }
  assert.ok(html.includes("\\u003cscript\\u003ealert(1)\\u003c\\u002fscript\\u003e"));
  assert.equal(html.match(/<script/g)?.length, 2, "the data block and the page's script");
});

test("viewer: secrets are masked everywhere by default; redact: false shows them", async () => {
  const ws = new MemoryWorkspace();
  const runId = await plantedRun(ws);
  const paths = [
    "/api/runs",
    `/api/runs/${runId}`,
    `/api/runs/${runId}/lines?path=pipeline.log`,
    `/api/runs/${runId}/lines?path=agents/dev_1.log&dir=forward`,
    `/api/runs/${runId}/timeline`,
    `/api/runs/${runId}/raw?path=agents/dev_1.log`,
    `/api/runs/${runId}/raw?path=run.json`,
    `/api/runs/${runId}/trace`,
    `/api/compare?a=${runId}&b=${runId}`,
  ];
  const masked = createViewer(ws);
  for (const path of paths) {
    const body = await (await get(masked, path)).text();
    assert.ok(!body.includes(KEY), `${path} shows the key`);
    assert.ok(!body.includes(KEY.slice(8, 30)), `${path} shows part of the key`);
    assert.match(body, /\[redacted:/, path);
  }
  // A search cannot probe masked text.
  const probe = await json(
    masked,
    `/api/runs/${runId}/lines?path=pipeline.log&q=${KEY.slice(0, 20)}`,
  );
  assert.deepEqual(probe.entries, []);
  const live = await get(masked, `/api/runs/${runId}/live`);
  const events = eventReader(live.body!);
  const effects = await events.until((e) => e.event === "effects");
  assert.ok(!JSON.stringify(effects.data).includes(KEY));
  assert.ok(!JSON.stringify((await events.until((e) => e.event === "lines")).data).includes(KEY));
  assert.ok(!JSON.stringify((await events.until((e) => e.event === "run")).data).includes(KEY));
  await events.cancel();
  const report = await renderReport(ws, runId);
  assert.ok(!report.html.includes(KEY.slice(8, 30)));

  const open = createViewer(ws, { redact: false });
  assert.equal(open.redact, false);
  for (const path of paths.slice(0, 7)) {
    const body = await (await get(open, path)).text();
    assert.ok(body.includes(KEY), `${path} with redact: false`);
  }
  const page = await (await get(open, "/")).text();
  assert.match(page, /"redacted":false/);
  assert.ok((await renderReport(ws, runId, { redact: false })).html.includes(KEY.slice(8, 30)));
});

test("viewer: the JSON API lists runs, a run, its timeline, log pages, trace, and compares runs", async () => {
  const ws = new MemoryWorkspace();
  const a = await writeViewerRun(ws, { effects: 60, status: "succeeded", seed: 1 });
  const b = await writeViewerRun(ws, {
    effects: 40,
    status: "failed",
    seed: 2,
    start: new Date("2026-02-07T09:00:00Z"),
  });
  const viewer = createViewer(ws, { pollMs: 20 });
  const { runs } = await json(viewer, "/api/runs");
  assert.deepEqual(runs.map((r: { id: string; status: string }) => [r.id, r.status]), [
    [b.runId, "failed"],
    [a.runId, "succeeded"],
  ]);
  assert.ok(runs[0].bytes > 1000);
  assert.equal(runs[0].metadata.configSummary.developerAgent, "claude");

  const detail = await json(viewer, `/api/runs/${b.runId}`);
  assert.equal(detail.run.status, "failed");
  assert.equal(detail.trace, true);
  assert.equal(detail.run.metadata.sessions.length, 1);
  const names = detail.files.map((f: { path: string }) => f.path);
  for (
    const name of [
      "run.json",
      "pipeline.log",
      "event_loop.log",
      "agents/dev_1.log",
      "provider/claude-stream_dev_1.jsonl",
    ]
  ) {
    assert.ok(names.includes(name), name);
  }

  const log = new TextDecoder().decode(await ws.readBytes(`${b.runDir}/event_loop.log`));
  const parsed = log.trimEnd().split("\n").map((l) => parseEventLoopLine(l));
  const timeline = await json(viewer, `/api/runs/${b.runId}/timeline`);
  assert.equal(timeline.done, true);
  assert.equal(timeline.next, encoder.encode(log).length);
  assert.deepEqual(timeline.seq, parsed.map((e) => e.seq));
  assert.deepEqual(timeline.ms, parsed.map((e) => e.durationMs));
  assert.deepEqual(
    timeline.phase.map((i: number) => timeline.strings[i]),
    parsed.map((e) => e.phase),
  );
  let time = 0;
  assert.deepEqual(
    timeline.t.map((t: number) => (time += t)),
    parsed.map((e) => Date.parse(e.ts)),
    "times: the first absolute, then deltas",
  );
  const half = timeline.off[20];
  const rest = await json(viewer, `/api/runs/${b.runId}/timeline?from=${half}`);
  assert.deepEqual(rest.seq, parsed.slice(20).map((e) => e.seq));

  // Pipeline pages: the tail, the previous page, a forward page, filters.
  const tail = await json(viewer, `/api/runs/${b.runId}/lines?path=pipeline.log&limit=5`);
  assert.equal(tail.entries.length, 5);
  assert.equal(tail.eof, true);
  assert.equal(tail.end, tail.size);
  assert.match(tail.entries.at(-1).text, /Event loop exiting/);
  const before = await json(
    viewer,
    `/api/runs/${b.runId}/lines?path=pipeline.log&limit=5&before=${tail.next}`,
  );
  assert.equal(before.entries.at(-1).e, tail.entries[0].o, "pages meet exactly");
  const head = await json(
    viewer,
    `/api/runs/${b.runId}/lines?path=pipeline.log&dir=forward&at=0&limit=3`,
  );
  assert.equal(head.entries[0].o, 0);
  assert.equal(head.entries[0].level, "STEP");
  const next = await json(
    viewer,
    `/api/runs/${b.runId}/lines?path=pipeline.log&dir=forward&at=${head.next}&limit=3`,
  );
  assert.equal(next.entries[0].o, head.entries[2].e);
  const errors = await json(
    viewer,
    `/api/runs/${b.runId}/lines?path=pipeline.log&level=ERROR&limit=100`,
  );
  assert.ok(errors.entries.length >= 2);
  assert.ok(errors.entries.every((e: { level: string }) => e.level === "ERROR"));
  assert.equal(errors.bof, true);
  const search = await json(
    viewer,
    `/api/runs/${b.runId}/lines?path=pipeline.log&q=RATE%20LIMITED`,
  );
  assert.deepEqual(search.entries.map((e: { level: string }) => e.level), ["WARN"]);
  const agent = await json(viewer, `/api/runs/${b.runId}/lines?path=agents/dev_1.log&dir=forward`);
  assert.equal(agent.entries[0].text, "# Ralph Agent Invocation Log");
  assert.equal(agent.entries[0].level, "");
  for (const bad of ["dir=sideways", "level=LOUD", "at=-1&dir=forward", "limit=x"]) {
    const response = await get(viewer, `/api/runs/${b.runId}/lines?path=pipeline.log&${bad}`);
    assert.equal(response.status, 400, bad);
  }

  const trace = await json(viewer, `/api/runs/${b.runId}/trace`);
  assert.equal(trace.present, true);
  assert.equal(trace.final.reason, "unrecoverable_handler_error");
  assert.ok(trace.entries.length > 10);
  assert.equal(trace.earlier, undefined);
  // A resumed session that crashes again keeps the first dump beside its own.
  const resumed = await RunLogContext.resume(ws, b.runId, { force: true });
  const second = new EventLoopTrace(resumed);
  second.push({ event: "again" });
  await second.dump("panic");
  await resumed.close({ status: "failed" });
  const both = await json(viewer, `/api/runs/${b.runId}/trace`);
  assert.equal(both.final.reason, "panic");
  assert.deepEqual(
    both.earlier.map((d: { path: string; final: { reason: string } }) => [d.path, d.final.reason]),
    [["event_loop_trace.1.jsonl", "unrecoverable_handler_error"]],
  );
  assert.equal((await json(viewer, `/api/runs/${a.runId}/trace`)).present, false);

  const compare = await json(viewer, `/api/compare?a=${a.runId}&b=${b.runId}`);
  assert.equal(compare.a.effects, 60);
  assert.equal(compare.b.effects, 41);
  assert.equal(
    compare.a.totalMs,
    (await json(viewer, `/api/runs/${a.runId}/timeline`)).ms.reduce(
      (x: number, y: number) => x + y,
      0,
    ),
  );
  const phaseSum = compare.b.phases.reduce((n: number, p: { ms: number }) => n + p.ms, 0);
  assert.equal(phaseSum, compare.b.totalMs);
  // b's failing last effect is the same effect as a's 41st: b ends first, at 42.
  assert.equal(compare.divergence.index, 42);
  assert.equal(compare.divergence.b, null);
  assert.equal(compare.divergence.a.effect, "WriteFile");
  const same = await json(viewer, `/api/compare?a=${a.runId}&b=${a.runId}`);
  assert.equal(same.divergence, null);
  assert.equal((await get(viewer, `/api/compare?a=${a.runId}&b=nope`)).status, 404);
  assert.equal((await get(viewer, "/api/runs/2030-01-01_00-00-00.000Z")).status, 404);
});

test("viewer: the first divergence is the first position where phase or effect differ", async () => {
  const ws = new MemoryWorkspace();
  const ids: string[] = [];
  for (const effects of [["A", "B", "C", "D"], ["A", "B", "X", "D"], ["A", "B"]]) {
    const ctx = await RunLogContext.create(ws);
    const log = await EventLoopLogger.open(ctx);
    for (const effect of effects) {
      await log.logEffect({ phase: "P", effect, event: "Done", durationMs: 5 });
    }
    await log.close();
    await ctx.close({ status: "succeeded" });
    ids.push(ctx.runId.toString());
  }
  const viewer = createViewer(ws);
  const differ = await json(viewer, `/api/compare?a=${ids[0]}&b=${ids[1]}`);
  assert.equal(differ.divergence.index, 3);
  assert.equal(differ.divergence.a.effect, "C");
  assert.equal(differ.divergence.b.effect, "X");
  const shorter = await json(viewer, `/api/compare?a=${ids[0]}&b=${ids[2]}`);
  assert.equal(shorter.divergence.index, 3);
  assert.equal(shorter.divergence.b, null);
  assert.equal(shorter.a.totalMs, 20);
});

test("viewer: the live stream delivers appended lines within a second, across a resume", async () => {
  const ws = new MemoryWorkspace();
  const run = await writeViewerRun(ws, { effects: 10, status: "running" });
  const { ctx, pipeline, events } = run.open!;
  const viewer = createViewer(ws, { pollMs: 50 });
  const size = (path: string) => ws.fileSize(`${run.runDir}/${path}`);
  const response = await get(
    viewer,
    `/api/runs/${run.runId}/live?events=${await size("event_loop.log")}&pipeline=${await size(
      "pipeline.log",
    )}&path=agents/dev_1.log&file=${await size("agents/dev_1.log")}`,
  );
  assert.equal(response.headers.get("Content-Type"), "text/event-stream; charset=utf-8");
  const stream = eventReader(response.body!);
  const first = await stream.until((e) => e.event === "run");
  assert.equal(first.data.status, "running");

  let started = Date.now();
  await pipeline.info("a line written after the page opened");
  const line = await stream.until((e) =>
    e.event === "lines" &&
    e.data.entries.some((x: { text: string }) => x.text === "a line written after the page opened")
  );
  assert.ok(Date.now() - started < 1000);
  assert.equal(line.data.path, "pipeline.log");
  started = Date.now();
  await events.logEffect({ phase: "Review", effect: "Live", event: "Seen", durationMs: 7 });
  const effect = await stream.until((e) => e.event === "effects" && e.data.seq.includes(11));
  assert.ok(Date.now() - started < 1000);
  assert.equal(effect.data.strings[effect.data.effect[0]], "Live");
  await ws.appendBytes(`${run.runDir}/agents/dev_1.log`, encoder.encode("agent keeps talking\n"));
  await stream.until((e) =>
    e.event === "lines" && e.data.path === "agents/dev_1.log" &&
    e.data.entries[0].text === "agent keeps talking"
  );

  // The run ends, then another process resumes it: same files, a new lease.
  await pipeline.close();
  await events.close();
  await ctx.close({ status: "interrupted" });
  await stream.until((e) => e.event === "run" && e.data.status === "interrupted", 2000);
  const other = ws.asProcess(new MemoryHost({ pid: 77, alive: ws.host.alive }));
  const resumed = await RunLogContext.resume(other, run.runId);
  const after = await PipelineLogger.open(resumed);
  const more = await EventLoopLogger.open(resumed);
  started = Date.now();
  await after.info("written by the resumed session");
  await more.logEffect({ phase: "Review", effect: "AfterResume", event: "Seen", durationMs: 3 });
  await stream.until((e) =>
    e.event === "lines" &&
    e.data.entries.some((x: { text: string }) => x.text === "written by the resumed session")
  );
  const resumedEffect = await stream.until((e) => e.event === "effects" && e.data.seq.includes(12));
  assert.ok(Date.now() - started < 1000);
  assert.equal(resumedEffect.data.strings[resumedEffect.data.effect[0]], "AfterResume");
  const status = await stream.until(
    (e) => e.event === "run" && e.data.status === "running" && e.data.holder?.pid === 77,
    2500,
  );
  assert.equal(status.data.metadata.sessions.length, 2);
  // Each event's id is where the client is: a reconnection continues from there.
  const last = stream.events.at(-1)!;
  assert.match(last.id, /^\d+\.\d+\.\d+$/);
  await stream.cancel();
  const again = eventReader(
    (await get(viewer, `/api/runs/${run.runId}/live`, {
      headers: { "X-Runlog-Token": viewer.token, "Last-Event-ID": resumedEffect.id },
    })).body!,
  );
  await again.until((e) => e.event === "run");
  assert.ok(!again.events.some((e) => e.event === "effects"), "nothing again after the id");
  await again.cancel();
  await after.close();
  await more.close();
  await resumed.close({ status: "succeeded" });
});

test("viewer: a truncated log is announced with reset; close() ends every live stream", async () => {
  const ws = new MemoryWorkspace();
  const run = await writeViewerRun(ws, { effects: 5, status: "succeeded" });
  const viewer = createViewer(ws, { pollMs: 20 });
  const size = await ws.fileSize(`${run.runDir}/pipeline.log`);
  const stream = eventReader(
    (await get(viewer, `/api/runs/${run.runId}/live?pipeline=${size}&events=0`)).body!,
  );
  await stream.until((e) => e.event === "effects");
  await ws.write(`${run.runDir}/pipeline.log`, "[2026-02-06T09:00:00.000Z] [INFO] again\n");
  assert.equal((await stream.until((e) => e.event === "reset")).data.path, "pipeline.log");
  viewer.close();
  await assert.rejects(stream.until(() => false, 2000), /the stream ended/);
});

test("viewer: a run written by the Rust tool renders", async () => {
  const ws = new MemoryWorkspace();
  const dir = ".agent/logs-2026-02-06_14-03-27.123Z";
  for (const file of ["run.json", "pipeline.log", "event_loop.log", "event_loop_trace.jsonl"]) {
    await ws.writeBytes(`${dir}/${file}`, new Uint8Array(await readFile(join(RUST, file))));
  }
  const viewer = createViewer(ws);
  const id = "2026-02-06_14-03-27.123Z";
  const detail = await json(viewer, `/api/runs/${id}`);
  assert.equal(detail.run.status, "unknown");
  assert.equal(detail.run.metadata.ralphVersion, "0.6.3");
  assert.equal(detail.trace, true);
  const timeline = await json(viewer, `/api/runs/${id}/timeline`);
  assert.deepEqual(timeline.seq, [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(timeline.ms, [1234, 12, 5000, 812, 0, 3, 7]);
  assert.deepEqual(
    [...new Set(timeline.phase.map((i: number) => timeline.strings[i]))],
    ["Development", "Review", "Planning", "Commit Message", "Awaiting Dev Fix"],
  );
  assert.equal(timeline.strings[timeline.effect[3]], "InvokePlanningAgent { iteration: 0 }");
  assert.equal(timeline.t[0], Date.parse("2026-02-06T14:03:27.123Z"));
  assert.equal(timeline.invalid, 0);
  const lines = await json(viewer, `/api/runs/${id}/lines?path=pipeline.log&dir=forward&at=0`);
  assert.equal(lines.entries.length, 9);
  const multi = lines.entries[7];
  assert.equal(multi.level, "ERROR");
  assert.equal(multi.text, "multi-line error:\n  caused by: timeout\n  at step 2");
  assert.equal(lines.entries[0].ts, "2026-02-06 15:03:27");
  assert.ok(
    !lines.entries.some((e: { text: string }) => e.text.includes("\u001b")),
    "escapes removed",
  );
  const backward = await json(viewer, `/api/runs/${id}/lines?path=pipeline.log&limit=2`);
  assert.equal(backward.entries[0].text, multi.text, "grouped when read backward too");
  const trace = await json(viewer, `/api/runs/${id}/trace`);
  assert.equal(trace.entries.length, 2);
  assert.equal(trace.final.reason, "max_iterations");
  const report = await renderReport(ws, id);
  assert.equal(report.effects, 7);
});

test("viewer: the report is one self-contained file: inline script and style by hash, no URL, nothing to fetch", async () => {
  const ws = new MemoryWorkspace();
  const run = await writeViewerRun(ws, { effects: 80, status: "failed" });
  const report = await renderReport(ws, run.runId);
  const html = report.html;
  assert.doesNotMatch(html, /https?:\/\//);
  assert.doesNotMatch(html, /<script[^>]*\ssrc=/i);
  assert.doesNotMatch(html, /<link[^>]*stylesheet/i);
  assert.doesNotMatch(html, /<(iframe|object|embed|img|base|form)\b/i);
  assert.equal(html.match(/<script/g)?.length, 2);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1];
  const script = /<script>([\s\S]*)<\/script>/.exec(html)![1];
  const style = /<style>([\s\S]*)<\/style>/.exec(html)![1];
  assert.doesNotMatch(style, /@import|url\(/i);
  assert.equal(
    csp,
    `default-src 'none'; script-src '${await sha256(script)}'; style-src '${await sha256(
      style,
    )}'; img-src data:`,
  );
  const boot = JSON.parse(
    /<script type="application\/json" id="runlog-boot">([\s\S]*?)<\/script>/.exec(html)![1],
  );
  assert.equal(boot.mode, "report");
  assert.equal(boot.data.timeline.seq.length, 81);
  assert.equal(boot.data.detail.run.status, "failed");
  assert.ok(boot.data.logs["agents/dev_1.log"].entries.length > 10);
  assert.equal(boot.data.trace.present, true);
  assert.deepEqual(report.notes, []);

  const dir = await tempDir();
  try {
    const out = join(dir.path, "report.html");
    const summary = await writeReport(ws, run.runId, out);
    assert.equal(summary.path, out);
    assert.equal((await stat(out)).size, summary.bytes);
    assert.equal((await stat(out)).mode & 0o777, 0o600);
    await assert.rejects(writeReport(ws, run.runId, out), /already exists/);
    await writeReport(ws, run.runId, out, { overwrite: true });
    await assert.rejects(writeReport(ws, run.runId, dir.path), /is a directory/);
    assert.deepEqual(await readdir(dir.path), ["report.html"], "no temp file left");
  } finally {
    await dir.remove();
  }
});

test("viewer: the report of a 100,000-effect run with a 24 MB log stays small and says what it cut", async () => {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws);
  const phases = ["Planning", "Development", "Review", "Commit Message"];
  let text = "";
  for (let seq = 1; seq <= 100_000; seq++) {
    text += formatEventLoopLine({
      seq,
      ts: new Date(Date.UTC(2026, 1, 6) + seq * 1500).toISOString(),
      phase: phases[seq % 4],
      effect: `Effect${seq % 13}`,
      event: seq % 97 === 0 ? "Failed" : "Done",
      extra: [],
      context: [["iteration", String(Math.floor(seq / 10))]],
      durationMs: 200 + (seq % 1000),
    });
  }
  await ws.write(ctx.eventLoopLog(), text);
  const line =
    "[2026-02-06T09:00:00.000Z] [INFO] the agent edited src/app.ts and ran the tests again\n";
  await ws.write(ctx.pipelineLog(), line.repeat(Math.ceil(24e6 / line.length)));
  await ws.write(ctx.agentLog("dev", 1), "agent line\n".repeat(200_000));
  await ctx.close({ status: "succeeded" });
  const report = await renderReport(ws, ctx.runId);
  assert.equal(report.effects, 100_000);
  assert.ok(report.html.length < 6e6, `${report.html.length} bytes`);
  assert.match(
    report.notes.join("\n"),
    /pipeline\.log is 24 MB: this report holds its first 500 and last 2,000 entries/,
  );
  // Over the budget (the pipeline log alone is 24 MB): a long agent log by its end.
  assert.match(report.notes.join("\n"), /only the last 262 kB are included: agents\/dev_1\.log/);
  assert.match(report.notes.join("\n"), /runlog pack .* writes every file/);
  assert.ok(report.html.includes("of pipeline.log not included in this report"));
});

test("viewer: pages of a 64 MB log read bounded bytes, at any position and with a search", async () => {
  const inner = new MemoryWorkspace();
  const ctx = await RunLogContext.create(inner);
  const line =
    "[2026-02-06T09:00:00.000Z] [INFO] step: the agent edited src/app.ts and ran tests\n";
  const count = Math.ceil(64 * 1024 * 1024 / line.length);
  await inner.write(
    ctx.pipelineLog(),
    line.repeat(count) + "[2026-02-06T09:00:01.000Z] [ERROR] the end\n",
  );
  await ctx.close();
  const spy = spyWorkspace(inner);
  const viewer = createViewer(spy.ws);
  const id = ctx.runId.toString();
  const budget = (what: string, limit: number) => {
    const read = spy.bytesRead();
    assert.ok(read < limit, `${what}: read ${read} bytes`);
    // (run.json and the lease are read whole: whether the run is live decides how its tail shows.)
    assert.ok(
      !spy.calls.some((c) =>
        (c.startsWith("read(") || c.startsWith("readBytes(")) && c.includes("pipeline.log")
      ),
      "no whole-file read of the log",
    );
    spy.calls.length = 0;
  };
  const tail = await json(viewer, `/api/runs/${id}/lines?path=pipeline.log&limit=300`);
  assert.equal(tail.entries.at(-1).text, "the end");
  budget("the tail", 1024 * 1024);
  const before = spy.bytesRead();
  const middle = await json(
    viewer,
    `/api/runs/${id}/lines?path=pipeline.log&dir=forward&at=${32 * 1024 * 1024 + 5}&limit=300`,
  );
  assert.equal(middle.entries.length, 300);
  assert.equal(middle.entries[0].o % line.length, 0, "snapped to the next line");
  assert.ok(spy.bytesRead() - before < 1024 * 1024, "the middle");
  const searched = spy.bytesRead();
  const search = await json(viewer, `/api/runs/${id}/lines?path=pipeline.log&q=nowhere`);
  assert.deepEqual(search.entries, []);
  assert.equal(search.bof, false, "the search stops at its budget, to be continued");
  assert.ok(
    spy.bytesRead() - searched < 6 * 1024 * 1024,
    "a search reads its budget, not the file",
  );
  const rawStart = spy.bytesRead();
  const range = await get(viewer, `/api/runs/${id}/raw?path=pipeline.log`, {
    headers: { "X-Runlog-Token": viewer.token, Range: "bytes=1000-1099" },
  });
  assert.equal(range.status, 206);
  assert.equal(
    range.headers.get("Content-Range"),
    `bytes 1000-1099/${await inner.fileSize(ctx.pipelineLog())}`,
  );
  assert.equal((await range.text()).length, 100);
  assert.ok(spy.bytesRead() - rawStart < 512 * 1024);
  // The whole file streams in chunks, never in one read.
  const whole = await get(viewer, `/api/runs/${id}/raw?path=pipeline.log`);
  const reader = whole.body!.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
  }
  assert.equal(total, await inner.fileSize(ctx.pipelineLog()));
  const reads = spy.calls.filter((c) => c.startsWith("readRange("));
  assert.ok(reads.length > 200, `${reads.length} reads`);
});

test("viewer: a timeline chunk stops at its limits and the next one continues exactly", async () => {
  const ws = new MemoryWorkspace();
  const run = await writeViewerRun(ws, { effects: 50, status: "succeeded" });
  const masker = makeMasker(true);
  const path = `${run.runDir}/event_loop.log`;
  const seqs: number[] = [];
  for (let from = 0;;) {
    const chunk = await readTimeline(ws, path, from, masker, { maxBytes: 1 << 20, maxEffects: 7 });
    seqs.push(...chunk.seq);
    if (chunk.done) break;
    assert.equal(chunk.seq.length, 7);
    from = chunk.next;
  }
  assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => i + 1));
  // A torn last line waits for its end; an unreadable line is counted, not fatal.
  await ws.appendBytes(
    path,
    encoder.encode("garbage that is not an event\n51 ts=2026-02-06T12:00:00.000Z phase=P"),
  );
  const chunk = await readTimeline(ws, path, 0, masker, { maxBytes: 1 << 20, maxEffects: 1000 });
  assert.equal(chunk.seq.length, 50);
  assert.equal(chunk.invalid, 1);
  assert.equal(chunk.firstInvalid?.text, "garbage that is not an event");
  assert.equal(chunk.next, chunk.size - "51 ts=2026-02-06T12:00:00.000Z phase=P".length);
});

test(
  `viewer (${runtime}): the runtime's server adapter serves the viewer on 127.0.0.1 and streams live lines`,
  {
    skip: NET_SKIP,
  },
  async () => {
    const dir = await tempDir();
    const ws = adapter.make(dir.path);
    const run = await writeViewerRun(ws, { effects: 5, status: "running" });
    const server = await serveViewer(createViewer(ws, { pollMs: 50 }));
    try {
      assert.equal(server.hostname, "127.0.0.1");
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const second = createViewer(ws);
      const taken = await throwsRunLog(
        () => serveViewer(second, { port: server.port }),
        "invalid-argument",
      );
      second.close();
      assert.match(taken.message, new RegExp(`127\\.0\\.0\\.1:${server.port} is already in use`));
      assert.equal((await fetch(`${server.url}api/runs`)).status, 403);
      const redirect = await fetch(server.openUrl, { redirect: "manual" });
      assert.equal(redirect.status, 303);
      const cookie = redirect.headers.get("Set-Cookie")!.split(";")[0];
      await redirect.body?.cancel();
      const page = await fetch(server.url, { headers: { Cookie: cookie } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<canvas|runlog-boot/);
      const token = server.openUrl.split("token=")[1];
      const size = await ws.fileSize(`${run.runDir}/pipeline.log`);
      const live = await fetch(
        `${server.url}api/runs/${run.runId}/live?pipeline=${size}&events=0`,
        {
          headers: { "X-Runlog-Token": token },
        },
      );
      const stream = eventReader(live.body!);
      await stream.until((e) => e.event === "effects");
      const started = Date.now();
      await run.open!.pipeline.info("appended while streaming");
      await stream.until((e) =>
        e.event === "lines" &&
        e.data.entries.some((x: { text: string }) => x.text === "appended while streaming")
      );
      assert.ok(Date.now() - started < 1000);
      await stream.cancel();
      const big = await fetch(`${server.url}api/runs/${run.runId}/raw?path=event_loop.log`, {
        headers: { "X-Runlog-Token": token },
      });
      assert.equal(
        await big.text(),
        new TextDecoder().decode(await ws.readBytes(`${run.runDir}/event_loop.log`)),
      );
    } finally {
      await server.close();
      await run.open!.pipeline.close();
      await run.open!.events.close();
      await run.open!.ctx.close();
      await dir.remove();
    }
  },
);

test(
  `viewer (${runtime}): a session cookie is worth nothing on another port, to another viewer, or as the token`,
  { skip: NET_SKIP },
  async () => {
    const dir = await tempDir();
    const ws = adapter.make(dir.path);
    await writeViewerRun(ws, { effects: 3, status: "succeeded" });
    const viewer = createViewer(ws);
    const servers = [
      await serveViewer(viewer),
      // Another viewer given the same token, and the same viewer on a second port.
      await serveViewer(createViewer(ws, { token: viewer.token })),
      await serveViewer(viewer),
    ];
    const [first, ...others] = servers;
    try {
      const landing = await fetch(first.openUrl, { redirect: "manual" });
      assert.equal(landing.status, 303);
      assert.equal(landing.headers.get("Location"), "/");
      await landing.body?.cancel();
      const setCookie = landing.headers.get("Set-Cookie");
      const session = sessionOf(setCookie);
      assert.equal(session.port, String(first.port));
      assert.ok(!setCookie!.includes(viewer.token), "the cookie does not hold the token");
      const status = async (url: string, headers: Record<string, string>) => {
        const response = await fetch(url, { headers });
        await response.body?.cancel();
        return response.status;
      };
      assert.equal(await status(`${first.url}api/runs`, { Cookie: session.pair }), 200);
      for (const server of others) {
        const renamed = session.name.replace(`_${first.port}_`, `_${server.port}_`);
        assert.equal(await status(`${server.url}api/runs`, { Cookie: session.pair }), 403);
        assert.equal(
          await status(`${server.url}api/runs`, { Cookie: `${renamed}=${session.value}` }),
          403,
          "the value under the other port's name",
        );
        assert.equal(
          await status(`${server.url}api/runs`, { "X-Runlog-Token": viewer.token }),
          200,
        );
      }
      for (const server of servers) {
        assert.equal(
          await status(`${server.url}api/runs`, { "X-Runlog-Token": session.value }),
          403,
        );
        assert.equal(await status(`${server.url}api/runs?token=${session.value}`, {}), 403);
      }
    } finally {
      for (const server of servers) await server.close();
      await dir.remove();
    }
  },
);

test(
  `viewer (${runtime}): every API route answers 404 naming a run that does not exist`,
  { skip: NET_SKIP },
  async () => {
    const dir = await tempDir();
    const empty = await tempDir();
    const ws = adapter.make(dir.path);
    const { runId } = await writeViewerRun(ws, { effects: 3, status: "succeeded" });
    const missing = "2020-01-01_00-00-00.000Z";
    const routes = [
      `api/runs/${missing}`,
      `api/runs/${missing}/files`,
      `api/runs/${missing}/trace`,
      `api/runs/${missing}/timeline`,
      `api/runs/${missing}/timeline?from=10`,
      `api/runs/${missing}/lines?path=pipeline.log`,
      `api/runs/${missing}/lines?path=agents/dev_1.log&dir=forward&at=0`,
      `api/runs/${missing}/raw?path=pipeline.log`,
      `api/runs/${missing}/live`,
      `api/runs/${missing}/live?path=agents/dev_1.log`,
      `api/compare?a=${missing}&b=${runId}`,
      `api/compare?a=${runId}&b=${missing}`,
    ];
    const viewer = createViewer(ws);
    // A workspace with runs, and one without even .agent.
    const servers = [
      await serveViewer(viewer),
      await serveViewer(createViewer(adapter.make(empty.path), { token: viewer.token })),
    ];
    try {
      for (const [i, server] of servers.entries()) {
        // Where no run exists at all, a compare names whichever it looks for first.
        for (const route of i === 0 ? routes : routes.filter((r) => !r.includes(runId))) {
          const response = await fetch(server.url + route, {
            headers: { "X-Runlog-Token": viewer.token },
          });
          const what = `${server.url}${route}`;
          assert.equal(response.status, 404, what);
          assert.equal(
            response.headers.get("Content-Type"),
            "application/json; charset=utf-8",
            what,
          );
          assert.match((await response.json()).error, new RegExp(`no run '${missing}'`), what);
        }
      }
    } finally {
      for (const server of servers) await server.close();
      await dir.remove();
      await empty.remove();
    }
  },
);

test(
  `runlog serve (${runtime}): a file removed or truncated while it downloads cuts the download short, quietly`,
  { timeout: 60_000, skip: NET_SKIP },
  async () => {
    const dir = await tempDir();
    const ws = adapter.make(dir.path);
    const { runId, runDir } = await writeViewerRun(ws, { effects: 3, status: "succeeded" });
    // Far more than the sockets between server and client hold.
    const size = 24 * 1024 * 1024;
    const line = `${"x".repeat(99)}\n`;
    const vanish = {
      "removed.log": (path: string) => rm(path),
      "truncated.log": (path: string) => truncate(path, 1000),
    };
    for (const name of Object.keys(vanish)) {
      await writeFile(join(dir.path, runDir, "agents", name), line.repeat(size / line.length));
    }
    const { child, url } = await startServer(runtime, dir.path);
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    try {
      const headers = { "X-Runlog-Token": url.split("token=")[1] };
      const base = url.split("?")[0];
      for (const [name, make] of Object.entries(vanish)) {
        const response = await fetch(`${base}api/runs/${runId}/raw?path=agents/${name}`, {
          headers,
        });
        assert.equal(response.status, 200);
        const reader = response.body!.getReader();
        let received = (await reader.read()).value!.length;
        await make(join(dir.path, runDir, "agents", name));
        let cut = false;
        try {
          for (;;) {
            // A slow reader: the server meets the change while it still has most to send.
            await new Promise((resolve) => setTimeout(resolve, 1));
            const { done, value } = await reader.read();
            if (done) break;
            received += value.length;
          }
        } catch {
          cut = true;
        }
        assert.ok(
          received < size,
          `${name}: ${received} bytes, the file was sent before it changed`,
        );
        assert.ok(cut, `${name}: the client sees the download cut short, not a whole file`);
      }
      const after = await fetch(`${base}api/runs`, { headers });
      assert.equal(after.status, 200, "the server goes on serving");
      await after.body?.cancel();
    } finally {
      await stopServer(child);
      await dir.remove();
    }
    assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
    assert.equal(stderr, "runlog serve: stopped\n");
  },
);

test(`runlog report (${runtime}): writes the file, refuses to replace it without --force`, {
  timeout: 60_000,
}, async () => {
  const dir = await tempDir();
  try {
    const ws = adapter.make(dir.path);
    await writeViewerRun(ws, { effects: 20, status: "succeeded" });
    const out = join(dir.path, "r.html");
    const made = await runlog(["report", "latest", "--root", dir.path, "-o", out]);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.stdout, `${out}\n`);
    assert.match(made.stderr, /20 effects, secrets masked/);
    assert.match(await readFile(out, "utf8"), /^<!doctype html>/);
    const again = await runlog(["report", "latest", "--root", dir.path, "-o", out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists.*--force/);
    assert.equal(
      (await runlog(["report", "latest", "--root", dir.path, "-o", out, "--force"])).code,
      0,
    );
    const nowhere = await runlog(["report", "latest", "--root", join(dir.path, "nowhere")]);
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /the workspace root '.*nowhere' is not a directory/);
    await mkdir(join(dir.path, "empty"));
    const none = await runlog(["report", "latest", "--root", join(dir.path, "empty")]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no run in/);
    const usage = await runlog(["report", "a", "b", "--root", dir.path]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Usage: runlog report/);
  } finally {
    await dir.remove();
  }
});

test(`runlog serve (${runtime}): prints the URL with its token, serves, stops on SIGINT`, {
  timeout: 60_000,
  skip: NET_SKIP,
}, async () => {
  const dir = await tempDir();
  const ws = adapter.make(dir.path);
  const { runId } = await writeViewerRun(ws, { effects: 3, status: "succeeded" });
  const [command, ...prefix] = runlogCommand();
  const child = spawn(command, [...prefix, "serve", "--root", dir.path, "--no-open"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let out = "";
    child.stdout.setEncoding("utf8");
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: string) => {
        out += chunk;
        const match = /^\s*(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43})$/m.exec(out);
        if (match) resolve(match[1]);
      });
      child.on("exit", (code) => reject(new Error(`serve exited (${code}): ${out}`)));
    });
    const token = url.split("token=")[1];
    const base = url.split("?")[0];
    assert.equal((await fetch(`${base}api/runs/${runId}`)).status, 403);
    const detail = await fetch(`${base}api/runs/${runId}`, {
      headers: { "X-Runlog-Token": token },
    });
    assert.equal(detail.status, 200);
    assert.equal((await detail.json()).run.id, runId);
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<[number | null, string | null]>((resolve) =>
      child.on("exit", (code, signal) => resolve([code, signal]))
    );
    child.kill("SIGINT");
    const [code, signal] = await exited;
    assert.match(stderr, /runlog serve: stopped\n$/, "a graceful stop");
    // Deno's node:child_process reports a child that handled SIGINT as killed by it.
    assert.ok(code === 0 || (runtime === "deno" && signal === "SIGINT"), `exit ${code} ${signal}`);
  } finally {
    child.kill();
    await dir.remove();
  }
  const usage = await runlog(["serve", "--port", "http"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--port "http": use a whole number/);
});

test("viewer: createViewer refuses options it cannot use, naming them", () => {
  const ws = new MemoryWorkspace();
  assert.throws(
    () => createViewer(ws, { token: "short" }),
    /token must be a string of at least 32/,
  );
  assert.throws(
    () => createViewer(ws, { redact: "no" as unknown as boolean }),
    /redact must be a boolean/,
  );
  assert.throws(() => createViewer(ws, { pollMs: 0 }), /pollMs/);
  assert.throws(
    () => createViewer(ws, { redact: false, patterns: [{ kind: "x", pattern: /x/ }] }),
    /patterns must be absent when redact is false/,
  );
  assert.throws(() => createViewer(ws, 5 as unknown as object), /the options must be an object/);
});
