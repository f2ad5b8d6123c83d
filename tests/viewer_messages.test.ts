// Provider streams as messages (`readMessagePage()`, the viewer's
// `/messages` route, the report) for every stream format the viewer reads,
// masked as every other read; and the page a browser gets without the token.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryWorkspace, RunLogContext } from "../mod.ts";
import { createViewer, renderReport, type Viewer } from "../src/viewer/mod.ts";
import { type MessagePage, readMessagePage } from "../src/viewer/_message_page.ts";
import { makeMasker } from "../src/viewer/_redacted_read.ts";
import { MessageAssembler, type StreamMessage } from "../src/viewer/_stream_messages.ts";
import { writeViewerRun } from "./fixtures/viewer_run.ts";
import { corpusRunFiles } from "./fixtures/secret_corpus.ts";
import { spyWorkspace } from "./_spy.ts";

const BASE = "http://127.0.0.1:9";
/** The messages of a Claude Code stream of viewer_run.ts: the session, three turns and their tools, the result. */
const CLAUDE_CODE_ROLES = [
  "system",
  "assistant",
  "user",
  "assistant",
  "user",
  "assistant",
  "result",
];
const lines = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join("\n") + "\n";
const pieces = (text: string, size: number) =>
  Array.from(
    { length: Math.ceil(text.length / size) },
    (_, i) => text.slice(i * size, i * size + size),
  );

/** A run holding `files` (paths relative to the run directory), closed unless `live`. */
async function runWith(files: Record<string, string>, live = false) {
  const ws = new MemoryWorkspace();
  const ctx = await RunLogContext.create(ws);
  for (const [path, text] of Object.entries(files)) await ws.write(`${ctx.runDir}/${path}`, text);
  if (!live) await ctx.close({ status: "succeeded" });
  return { ws, ctx, id: `${ctx.runId}` };
}

/** The messages of a file of a run, read whole, masked. */
async function messagesOf(text: string, live = false): Promise<MessagePage> {
  const { ws, ctx } = await runWith({ "provider/s.jsonl": text }, live);
  const page = await readMessagePage(
    ws,
    `${ctx.runDir}/provider/s.jsonl`,
    "provider/s.jsonl",
    { live },
    makeMasker(true),
  );
  if (live) await ctx.close();
  return page;
}

/** Each message as role and blocks `kind[:name]=text`, for comparing whole. */
function shape(messages: StreamMessage[]): [string, string[]][] {
  return messages.map((m) => [
    m.role,
    m.blocks.map((b) => `${b.kind}${b.name === undefined ? "" : `:${b.name}`}=${b.text}`),
  ]);
}

/** Claude's Messages API events of one message: text, then a tool call streamed as JSON pieces. */
function claudeEvents(text: string, tool: { name: string; input: unknown }) {
  return [
    {
      type: "message_start",
      message: { id: "msg_1", role: "assistant", model: "claude-x", usage: { input_tokens: 12 } },
    },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    ...pieces(text, 5).map((t) => ({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: t },
    })),
    { type: "ping" },
    { type: "content_block_stop", index: 0 },
    {
      type: "content_block_start",
      index: 1,
      content_block: { type: "tool_use", id: "toolu_1", name: tool.name, input: {} },
    },
    ...pieces(JSON.stringify(tool.input), 4).map((partial_json) => ({
      type: "content_block_delta",
      index: 1,
      delta: { type: "input_json_delta", partial_json },
    })),
    { type: "content_block_stop", index: 1 },
    { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 34 } },
    { type: "message_stop" },
  ];
}

test("readMessagePage() joins Claude stream deltas into text and a tool call with its input", async () => {
  const page = await messagesOf(
    lines(
      claudeEvents("Reading the config first.", { name: "Read", input: { file_path: "a.ts" } }),
    ),
  );
  assert.deepEqual(shape(page.messages), [[
    "assistant",
    ["text=Reading the config first.", 'tool_call:Read={\n  "file_path": "a.ts"\n}'],
  ]]);
  const [m] = page.messages;
  assert.equal(m.source, "claude");
  assert.equal(m.model, "claude-x");
  assert.equal(m.stop, "tool_use");
  assert.deepEqual([m.inputTokens, m.outputTokens], [12, 34]);
  assert.equal(m.open, undefined, "ended by message_stop");
  assert.deepEqual([page.eof, page.next, page.other, page.invalid], [true, page.size, 0, 0]);
});

test("readMessagePage() reads Claude Code stream-json once, though it repeats streamed messages whole", async () => {
  const wrap = (event: unknown) => ({ type: "stream_event", event, session_id: "s" });
  const streamed = claudeEvents("Listing files.", { name: "Bash", input: { command: "ls" } });
  const page = await messagesOf(lines([
    { type: "system", subtype: "init", model: "claude-x", cwd: "/repo", tools: ["Bash", "Read"] },
    ...streamed.map(wrap),
    // Claude Code then writes the message whole, a line per block: not twice on the page.
    {
      type: "assistant",
      message: {
        id: "msg_1",
        role: "assistant",
        content: [{ type: "text", text: "Listing files." }],
      },
    },
    {
      type: "user",
      message: {
        role: "user",
        content: [{
          type: "tool_result",
          tool_use_id: "toolu_1",
          content: "a.ts\nb.ts",
          is_error: false,
        }],
      },
    },
    // Without partial messages: each block of a message its own line, under one id.
    {
      type: "assistant",
      message: { id: "msg_2", role: "assistant", content: [{ type: "text", text: "Two files." }] },
    },
    {
      type: "assistant",
      message: {
        id: "msg_2",
        role: "assistant",
        content: [{ type: "tool_use", id: "toolu_2", name: "Read", input: { file_path: "a.ts" } }],
      },
    },
    {
      type: "user",
      message: {
        role: "user",
        content: [{
          type: "tool_result",
          tool_use_id: "toolu_2",
          content: [{ type: "text", text: "no such file" }],
          is_error: true,
        }],
      },
    },
    {
      type: "result",
      subtype: "success",
      result: "Done.",
      num_turns: 2,
      duration_ms: 4200,
      total_cost_usd: 0.0123,
    },
  ]));
  assert.deepEqual(shape(page.messages), [
    ["system", ["text=session started, in /repo, 2 tools (Bash, Read)"]],
    ["assistant", ["text=Listing files.", 'tool_call:Bash={\n  "command": "ls"\n}']],
    ["user", ["tool_result=a.ts\nb.ts"]],
    ["assistant", ["text=Two files.", 'tool_call:Read={\n  "file_path": "a.ts"\n}']],
    ["user", ["tool_result=no such file"]],
    ["result", ["text=Done."]],
  ]);
  assert.equal(page.messages[1].source, "claude-code");
  assert.equal(page.messages[4].blocks[0].error, true);
  assert.equal(page.messages[4].blocks[0].id, "toolu_2");
  const result = page.messages[5];
  assert.deepEqual([result.stop, result.turns, result.durationMs, result.costUsd], [
    "success",
    2,
    4200,
    0.0123,
  ]);
  assert.equal(page.other, 0);
});

test("readMessagePage() assembles OpenAI Chat Completions chunks: role, content, tool calls, usage", async () => {
  const chunk = (delta: unknown, finish: string | null = null) => ({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    model: "gpt-x",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const page = await messagesOf(lines([
    chunk({ role: "assistant", content: "" }),
    ...pieces("Let me check the tests.", 6).map((content) => chunk({ content })),
    chunk({
      tool_calls: [{
        index: 0,
        id: "call_1",
        type: "function",
        function: { name: "run", arguments: "" },
      }],
    }),
    ...pieces('{"cmd":"npm test"}', 5).map((args) =>
      chunk({ tool_calls: [{ index: 0, function: { arguments: args } }] })
    ),
    chunk({}, "tool_calls"),
    {
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      choices: [],
      usage: { prompt_tokens: 7, completion_tokens: 9 },
    },
    // A whole completion, as a non-streaming call logs it.
    {
      id: "chatcmpl-2",
      object: "chat.completion",
      choices: [{
        index: 0,
        message: { role: "assistant", content: "All green." },
        finish_reason: "stop",
      }],
    },
  ]));
  assert.deepEqual(shape(page.messages), [
    ["assistant", ["text=Let me check the tests.", 'tool_call:run={\n  "cmd": "npm test"\n}']],
    ["assistant", ["text=All green."]],
  ]);
  const [first, second] = page.messages;
  assert.deepEqual([first.source, first.model, first.stop], ["openai-chat", "gpt-x", "tool_calls"]);
  assert.equal(first.blocks[1].id, "call_1");
  assert.deepEqual([first.inputTokens, first.outputTokens], [7, 9]);
  assert.equal(second.stop, "stop");
  assert.equal(first.open, undefined);
});

test("readMessagePage() assembles OpenAI Responses events: items, text and argument deltas, the end", async () => {
  const event = (type: string, extra: Record<string, unknown>) => ({ type, ...extra });
  const page = await messagesOf(lines([
    event("response.created", {
      response: { id: "resp_1", model: "gpt-y", status: "in_progress" },
    }),
    event("response.output_item.added", {
      output_index: 0,
      item: { id: "rs_1", type: "reasoning", summary: [] },
    }),
    event("response.reasoning_summary_text.delta", { item_id: "rs_1", delta: "Plan: look" }),
    event("response.reasoning_summary_text.delta", { item_id: "rs_1", delta: " first." }),
    event("response.output_item.added", {
      output_index: 1,
      item: { id: "msg_1", type: "message", role: "assistant", content: [] },
    }),
    event("response.content_part.added", { item_id: "msg_1", output_index: 1, content_index: 0 }),
    ...pieces("Calling the linter.", 4).map((delta) =>
      event("response.output_text.delta", {
        item_id: "msg_1",
        output_index: 1,
        content_index: 0,
        delta,
      })
    ),
    event("response.output_text.done", { item_id: "msg_1", text: "Calling the linter." }),
    event("response.output_item.added", {
      output_index: 2,
      item: { id: "fc_1", type: "function_call", name: "lint", call_id: "call_9", arguments: "" },
    }),
    ...pieces('{"fix":true}', 3).map((delta) =>
      event("response.function_call_arguments.delta", { item_id: "fc_1", output_index: 2, delta })
    ),
    event("response.function_call_arguments.done", { item_id: "fc_1", arguments: '{"fix":true}' }),
    event("response.completed", {
      response: {
        id: "resp_1",
        status: "completed",
        usage: { input_tokens: 50, output_tokens: 20 },
      },
    }),
    // Deltas without a response around them (what a log of deltas alone holds): one message per item run.
    event("response.output_text.delta", { item_id: "m", delta: "first " }),
    event("response.output_text.delta", { item_id: "m", delta: "answer" }),
    event("response.output_text.done", { item_id: "m", text: "first answer" }),
    event("response.output_text.delta", { item_id: "m", delta: "second" }),
    event("response.output_text.done", { item_id: "m", text: "second" }),
  ]));
  assert.deepEqual(shape(page.messages), [
    [
      "assistant",
      [
        "thinking=Plan: look first.",
        "text=Calling the linter.",
        'tool_call:lint={\n  "fix": true\n}',
      ],
    ],
    ["assistant", ["text=first answer"]],
    ["assistant", ["text=second"]],
  ]);
  const [m] = page.messages;
  assert.deepEqual([m.source, m.model, m.stop, m.inputTokens, m.outputTokens], [
    "openai-responses",
    "gpt-y",
    "completed",
    50,
    20,
  ]);
  assert.equal(m.blocks[2].id, "call_9");
});

test("readMessagePage() reads Codex exec events: turns, commands and their output, messages", async () => {
  const page = await messagesOf(
    lines([
      { type: "thread.started", thread_id: "t1" },
      { type: "turn.started" },
      {
        type: "item.started",
        item: { id: "i1", type: "command_execution", command: "ls", status: "in_progress" },
      },
      {
        type: "item.completed",
        item: {
          id: "i1",
          type: "command_execution",
          command: "ls",
          aggregated_output: "a\nb\n",
          exit_code: 2,
        },
      },
      { type: "item.completed", item: { id: "i2", type: "agent_message", text: "Reviewed." } },
      { type: "turn.completed", usage: { input_tokens: 5, output_tokens: 6 } },
      { type: "something.else", value: 1 },
      "not an object",
    ]) + "not json at all\n",
  );
  assert.deepEqual(shape(page.messages), [
    ["assistant", ["tool_call:shell=ls", "tool_result=a\nb\n(exit 2)", "text=Reviewed."]],
  ]);
  assert.equal(page.messages[0].blocks[1].error, true, "a command that failed");
  assert.equal(page.messages[0].stop, "completed");
  assert.deepEqual([page.other, page.invalid, page.lines], [2, 1, 9]);
});

test("readMessagePage() never shows a secret cut across deltas: messages are joined after masking", async () => {
  const { files, probes } = corpusRunFiles();
  for (const path of [...files.keys()].filter((p) => p.startsWith("provider/"))) {
    const page = await messagesOf(files.get(path)!);
    assert.ok(page.messages.length > 10, `${path}: ${page.messages.length} messages`);
    const text = JSON.stringify(page.messages).replace(/\[redacted:[A-Za-z0-9._-]+\]/g, "");
    assert.deepEqual(probes.filter((p) => text.includes(p)), [], path);
    assert.match(JSON.stringify(page.messages), /\[redacted:/, `${path}: masks are shown`);
  }
});

test("readMessagePage() pages meet exactly: a message open where a page ends begins the next", async () => {
  const events: unknown[] = [];
  for (let i = 0; i < 40; i++) {
    events.push(...claudeEvents(`message ${i} `.repeat(4), { name: "Read", input: { i } }));
  }
  const text = lines(events);
  const { ws, ctx } = await runWith({ "provider/s.jsonl": text });
  const path = `${ctx.runDir}/provider/s.jsonl`;
  const masker = makeMasker(true);
  const whole = await readMessagePage(ws, path, "s", {}, masker);
  assert.equal(whole.messages.length, 40);
  let from = 0;
  let got: StreamMessage[] = [];
  let pages = 0;
  for (;;) {
    const page = await readMessagePage(ws, path, "s", { from, budget: 3000 }, masker);
    pages++;
    assert.ok(page.next > from || page.eof, `page ${pages} moves on from ${from}`);
    got = got.filter((m) => m.o < page.from).concat(page.messages);
    if (page.eof) break;
    const last = page.messages.at(-1)!;
    assert.equal(last.open, true, "a page of a few messages ends inside one");
    assert.equal(page.next, last.o, "the open message is read again");
    from = page.next;
  }
  assert.ok(pages > 5, `${pages} pages`);
  assert.deepEqual(shape(got), shape(whole.messages));
  // A cursor inside a line starts at the next one; a limit of messages ends a page early.
  const inside = await readMessagePage(ws, path, "s", { from: 5, maxMessages: 2 }, masker);
  assert.equal(inside.from, text.indexOf("\n") + 1);
  assert.equal(inside.messages.length, 2);
  assert.equal(inside.next, inside.messages.length ? whole.messages[2].o : 0);
  assert.equal(inside.messages[0].continued, true, "began before the page");
});

test("readMessagePage() of a live run leaves the message still streaming open, masked at its end", async () => {
  const open = lines(claudeEvents("done", { name: "Read", input: { a: 1 } })) + lines([
    { type: "message_start", message: { id: "msg_2", role: "assistant" } },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    {
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "still writing the answer" },
    },
  ]) + '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"unfini';
  const page = await messagesOf(open, true);
  assert.equal(page.messages.length, 2);
  const streaming = page.messages[1];
  assert.equal(streaming.open, true);
  assert.equal(page.next, streaming.o, "read again from its start");
  assert.equal(page.eof, true);
  assert.doesNotMatch(JSON.stringify(streaming), /unfini/, "the unfinished line is not read");
  // Its last word could be the start of a secret: held back (masked) until the stream goes on.
  assert.match(streaming.blocks[0].text, /^still writing the \*+$/);
});

test("MessageAssembler keeps a block within MAX_BLOCK_CHARS and says how much it cut", () => {
  const assembler = new MessageAssembler();
  assembler.push({ type: "message_start", message: { role: "assistant" } }, 0, 10);
  for (let i = 0; i < 50; i++) {
    assembler.push(
      {
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text: "x".repeat(1000) },
      },
      10 + i,
      11 + i,
    );
  }
  const [m] = assembler.finish();
  assert.equal(m.blocks[0].text.length, 32 * 1024);
  assert.equal(m.blocks[0].cut, 50_000 - 32 * 1024);
  assert.equal(m.open, true);
});

function get(
  viewer: Viewer,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return viewer(
    new Request(BASE + path, { headers: { "X-Runlog-Token": viewer.token, ...headers } }),
  );
}

test("viewer: /messages serves a provider stream as messages, masked, refusing paths outside the run", async () => {
  const ws = new MemoryWorkspace();
  const { runId } = await writeViewerRun(ws, { effects: 20, status: "succeeded" });
  const viewer = createViewer(ws);
  const path = encodeURIComponent("provider/claude-stream_dev_1.jsonl");
  const response = await get(viewer, `/api/runs/${runId}/messages?path=${path}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), "application/json; charset=utf-8");
  const page: MessagePage = await response.json();
  assert.equal(page.path, "provider/claude-stream_dev_1.jsonl");
  assert.deepEqual(page.messages.map((m) => m.role), CLAUDE_CODE_ROLES);
  const first = page.messages[1];
  assert.equal(
    first.blocks[0].text,
    "I'll read src/module_1.ts first, to see how the cache evicts entries.",
  );
  assert.deepEqual(first.blocks.map((b) => [b.kind, b.name]), [["text", undefined], [
    "tool_call",
    "Read",
  ]]);
  const from = await get(
    viewer,
    `/api/runs/${runId}/messages?path=${path}&from=${page.messages[3].o}`,
  );
  assert.deepEqual(
    (await from.json()).messages.map((m: StreamMessage) => m.o),
    page.messages.slice(3).map((m) => m.o),
  );
  for (
    const [query, status] of [
      ["", 400],
      ["?path=..%2F..%2Fsecret", 403],
      [`?path=${path}&from=-1`, 400],
      [`?path=${path}&from=abc`, 400],
      ["?path=provider%2Fnothere.jsonl", 404],
    ] as const
  ) {
    const refused = await get(viewer, `/api/runs/${runId}/messages${query}`);
    assert.equal(refused.status, status, query);
    assert.match((await refused.json()).error, /\w/);
  }
});

test("viewer: /messages reads a bounded part of a 64 MB stream", async () => {
  const inner = new MemoryWorkspace();
  const ctx = await RunLogContext.create(inner);
  const message = lines(
    claudeEvents("a line of text ".repeat(20), { name: "Read", input: { a: 1 } }),
  );
  await inner.write(
    `${ctx.runDir}/provider/big.jsonl`,
    message.repeat(Math.ceil(64 * 1024 * 1024 / message.length)),
  );
  await ctx.close();
  const spy = spyWorkspace(inner);
  const viewer = createViewer(spy.ws);
  const response = await get(
    viewer,
    `/api/runs/${ctx.runId}/messages?path=provider%2Fbig.jsonl&from=${32 * 1024 * 1024}`,
  );
  const page: MessagePage = await response.json();
  assert.equal(page.eof, false);
  assert.ok(page.messages.length > 100 && page.messages.length <= 1000, `${page.messages.length}`);
  assert.ok(page.next > page.from);
  assert.ok(spy.bytesRead() < 7 * 1024 * 1024, `read ${spy.bytesRead()} bytes`);
  assert.ok(
    !spy.calls.some((c) =>
      (c.startsWith("read(") || c.startsWith("readBytes(")) && c.includes("big.jsonl")
    ),
    "no whole-file read",
  );
  assert.ok((await get(viewer, `/api/runs/${ctx.runId}/messages?path=provider%2Fbig.jsonl`)).ok);
});

test("renderReport() holds the provider streams it includes as messages too", async () => {
  const ws = new MemoryWorkspace();
  const { runId } = await writeViewerRun(ws, { effects: 20, status: "succeeded" });
  const { html } = await renderReport(ws, runId);
  const boot = JSON.parse(
    /<script type="application\/json" id="runlog-boot">(.*?)<\/script>/s.exec(html)![1],
  );
  const page: MessagePage = boot.data.messages["provider/claude-stream_dev_1.jsonl"];
  assert.deepEqual(page.messages.map((m) => m.role), CLAUDE_CODE_ROLES);
  const review: MessagePage = boot.data.messages["provider/codex_review_1.jsonl"];
  assert.equal(review.messages[0].source, "codex");
  assert.equal(boot.data.messages["agents/dev_1.log"], undefined, "only provider streams");
});

test("renderReport() gives messages a budget of their own: past it, streams show as lines only", async () => {
  const message = lines(claudeEvents("text ".repeat(40), { name: "Read", input: { a: 1 } }));
  const stream = message.repeat(Math.ceil(1.5 * 1024 * 1024 / message.length));
  const { ws, id } = await runWith({
    "provider/a_1.jsonl": stream,
    "provider/b_1.jsonl": stream,
    "provider/c_1.jsonl": stream,
  });
  const { html, notes } = await renderReport(ws, id);
  const boot = JSON.parse(
    /<script type="application\/json" id="runlog-boot">(.*?)<\/script>/s.exec(html)![1],
  );
  assert.deepEqual(Object.keys(boot.data.messages), ["provider/a_1.jsonl", "provider/b_1.jsonl"]);
  assert.ok(boot.data.logs["provider/c_1.jsonl"].entries.length > 1000, "its lines are there");
  assert.ok(notes.some((n) => /1 provider stream\(s\) show as lines only/.test(n)), `${notes}`);
});

test("viewer: a browser opening a page without the token gets an HTML page saying how to get in; the API answers JSON", async () => {
  const ws = new MemoryWorkspace();
  const { runId } = await writeViewerRun(ws, { effects: 5, status: "succeeded" });
  const viewer = createViewer(ws);
  const html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  const wrong = viewer.token.slice(0, -1) + (viewer.token.endsWith("A") ? "B" : "A");
  for (
    const path of [
      "/",
      `/run/${runId}`,
      `/compare/${runId}/${runId}`,
      `/run/${runId}?token=${wrong}`,
    ]
  ) {
    const response = await viewer(new Request(BASE + path, { headers: { Accept: html } }));
    assert.equal(response.status, 403, path);
    assert.equal(response.headers.get("Content-Type"), "text/html; charset=utf-8", path);
    assert.match(response.headers.get("Content-Security-Policy")!, /default-src 'none'.*sandbox/);
    assert.equal(response.headers.get("Set-Cookie"), null);
    const body = await response.text();
    assert.match(body, /needs the viewer's token/);
    assert.match(body, /<code>runlog serve<\/code> printed/);
    assert.match(body, /\?token=/);
    assert.doesNotMatch(body, /<script|<style|<link|src=/i, "nothing to run or load");
    assert.ok(!body.includes(runId) && !body.includes(ws.root), "nothing of the workspace");
  }
  for (
    const [path, accept] of [["/api/runs", html], [`/api/runs/${runId}`, html], ["/", "*/*"], [
      "/",
      "",
    ]]
  ) {
    const response = await viewer(
      new Request(BASE + path, { headers: accept ? { Accept: accept } : {} }),
    );
    assert.equal(response.status, 403, path);
    assert.equal(response.headers.get("Content-Type"), "application/json; charset=utf-8", path);
    assert.match((await response.json()).error, /token/);
  }
  const page = await get(viewer, `/run/${runId}`, { Accept: html });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /runlog-boot/);
});
