// Provider streams as messages. The JSON lines a provider log holds, as
// parsed values, are assembled into what they say: who speaks (role), text
// with its deltas joined, thinking, tool calls (name and input) and tool
// results. Read: Claude's Messages API stream (bare, or wrapped by Claude
// Code as `stream_event`), Claude Code's stream-json (`system`, `assistant`,
// `user`, `result`), OpenAI Chat Completions chunks (and whole
// completions), OpenAI Responses events (and whole responses), and Codex's
// `exec --json` events. Pure: values in, messages out; no I/O, no import.

/** What a block of a message holds. */
export type BlockKind = "text" | "thinking" | "tool_call" | "tool_result";

/** A part of a message: text, thinking, a tool call or a tool result. */
export interface MessageBlock {
  kind: BlockKind;
  /** The text; a tool call's input (JSON indented when it is JSON); a tool result's output. */
  text: string;
  /** A tool call's name. */
  name?: string;
  /** A tool call's id, or the id of the call a result answers. */
  id?: string;
  /** A tool result that reports an error. */
  error?: boolean;
  /** Characters left out: the text is longer than a block shows. */
  cut?: number;
}

/** Where a message comes from. */
export type StreamSource = "claude" | "claude-code" | "openai-chat" | "openai-responses" | "codex";

/** One message of a provider stream. */
export interface StreamMessage {
  /** The byte offset of its first line. */
  o: number;
  /** The byte offset after its last line. */
  e: number;
  /** `assistant`, `user`, `system`, `result` or `error` (as the stream says). */
  role: string;
  source: StreamSource;
  model?: string;
  blocks: MessageBlock[];
  /** Why it ended: a stop or finish reason, a status. */
  stop?: string;
  inputTokens?: number;
  outputTokens?: number;
  /** What a Claude Code session cost, in US dollars. */
  costUsd?: number;
  durationMs?: number;
  turns?: number;
  /** Not ended in the lines read: still streaming, or cut off. */
  open?: boolean;
  /** Began before the lines read (its first event was not among them). */
  continued?: boolean;
  /** Its lines. */
  lines: number;
}

/** What a line was to the assembler. */
export type LineUse = "message" | "ignored" | "unknown";

/** The most characters a block keeps; the rest is counted in `cut`. */
export const MAX_BLOCK_CHARS = 32 * 1024;
/** The most blocks a message keeps. */
const MAX_BLOCKS = 500;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A value as text: strings as they are, anything else as JSON (indented). */
function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

/** A tool result's content: a string, or text parts (images named). */
function resultText(content: unknown): string {
  if (!Array.isArray(content)) return asText(content);
  return content.map((part) => {
    if (!isObject(part)) return asText(part);
    if (part.type === "text") return text(part.text) ?? "";
    if (part.type === "image") return "[image]";
    return asText(part);
  }).join("\n");
}

class Block {
  readonly kind: BlockKind;
  name: string | undefined;
  id: string | undefined;
  error: boolean | undefined;
  /** A `.done` event came: later deltas under its key start a new block. */
  done = false;
  #parts: string[] = [];
  #kept = 0;
  #cut = 0;

  constructor(kind: BlockKind, name?: string, id?: string) {
    this.kind = kind;
    this.name = name;
    this.id = id;
  }

  get empty(): boolean {
    return this.#kept === 0 && this.#cut === 0;
  }

  add(piece: string): void {
    const room = MAX_BLOCK_CHARS - this.#kept;
    if (piece.length <= room) {
      if (piece.length > 0) this.#parts.push(piece);
      this.#kept += piece.length;
      return;
    }
    if (room > 0) this.#parts.push(piece.slice(0, room));
    this.#kept += Math.max(0, room);
    this.#cut += piece.length - Math.max(0, room);
  }

  /** Sets the whole text, when no delta gave any. */
  fill(whole: string): void {
    if (this.empty) this.add(whole);
  }

  toJson(clean: (text: string) => string): MessageBlock {
    let body = this.#parts.join("");
    let cut = this.#cut;
    if (this.kind === "tool_call" && cut === 0 && /^\s*[[{]/.test(body)) {
      // Input streamed as JSON pieces: shown indented once whole.
      try {
        const pretty = JSON.stringify(JSON.parse(body), null, 2);
        if (pretty.length <= MAX_BLOCK_CHARS) body = pretty;
      } catch { /* Not JSON (cut off, or masked where a number was): as written. */ }
    }
    if (body.length > MAX_BLOCK_CHARS) {
      cut += body.length - MAX_BLOCK_CHARS;
      body = body.slice(0, MAX_BLOCK_CHARS);
    }
    const out: MessageBlock = { kind: this.kind, text: clean(body) };
    if (this.name !== undefined) out.name = clean(this.name);
    if (this.id !== undefined) out.id = clean(this.id);
    if (this.error) out.error = true;
    if (cut > 0) out.cut = cut;
    return out;
  }
}

class Message {
  readonly o: number;
  e: number;
  role: string;
  readonly source: StreamSource;
  model: string | undefined;
  id: string | undefined;
  readonly blocks: Block[] = [];
  /** Blocks by the key their events name them by (an index, an item id). */
  readonly keyed = new Map<string, Block>();
  stop: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  costUsd: number | undefined;
  durationMs: number | undefined;
  turns: number | undefined;
  open = true;
  continued: boolean;
  /** Framed by a start event (a Responses `response.created`, a Codex turn). */
  framed = false;
  lines = 0;
  /** Blocks past MAX_BLOCKS, not kept. */
  dropped = 0;

  constructor(o: number, role: string, source: StreamSource, continued: boolean) {
    this.o = o;
    this.e = o;
    this.role = role;
    this.source = source;
    this.continued = continued;
  }

  block(kind: BlockKind, key?: string, name?: string, id?: string): Block {
    const block = new Block(kind, name, id);
    if (this.blocks.length < MAX_BLOCKS) this.blocks.push(block);
    else this.dropped++;
    if (key !== undefined) this.keyed.set(key, block);
    return block;
  }

  /** The block under `key`, made (of `kind`) when there is none or it is done. */
  keyedBlock(key: string, kind: BlockKind): Block {
    const found = this.keyed.get(key);
    return found !== undefined && !found.done ? found : this.block(kind, key);
  }

  usage(usage: unknown): void {
    if (!isObject(usage)) return;
    this.inputTokens = count(usage.input_tokens) ?? count(usage.prompt_tokens) ??
      this.inputTokens;
    this.outputTokens = count(usage.output_tokens) ?? count(usage.completion_tokens) ??
      this.outputTokens;
  }

  toJson(clean: (text: string) => string): StreamMessage {
    const blocks = this.blocks.map((b) => b.toJson(clean));
    if (this.dropped > 0) {
      blocks.push({
        kind: "text",
        text: `… ${this.dropped} more blocks not shown (see the raw lines)`,
      });
    }
    const out: StreamMessage = {
      o: this.o,
      e: this.e,
      role: clean(this.role),
      source: this.source,
      blocks,
      lines: this.lines,
    };
    if (this.model !== undefined) out.model = clean(this.model);
    if (this.stop !== undefined) out.stop = clean(this.stop);
    if (this.inputTokens !== undefined) out.inputTokens = this.inputTokens;
    if (this.outputTokens !== undefined) out.outputTokens = this.outputTokens;
    if (this.costUsd !== undefined) out.costUsd = this.costUsd;
    if (this.durationMs !== undefined) out.durationMs = this.durationMs;
    if (this.turns !== undefined) out.turns = this.turns;
    if (this.open) out.open = true;
    if (this.continued) out.continued = true;
    return out;
  }
}

const CLAUDE_EVENTS = new Set([
  "message_start",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
  "message_delta",
  "message_stop",
  "ping",
]);
const CODEX_EVENTS = new Set([
  "thread.started",
  "turn.started",
  "turn.completed",
  "turn.failed",
  "item.started",
  "item.updated",
  "item.completed",
]);
// Responses deltas: the block kind each one feeds.
const RESPONSES_DELTAS: Record<string, BlockKind> = {
  "response.output_text.delta": "text",
  "response.refusal.delta": "text",
  "response.reasoning_summary_text.delta": "thinking",
  "response.reasoning_text.delta": "thinking",
  "response.function_call_arguments.delta": "tool_call",
  "response.custom_tool_call_input.delta": "tool_call",
};
// The `.done` event of each, and the field holding the whole text.
const RESPONSES_DONE: Record<string, string> = {
  "response.output_text.done": "text",
  "response.refusal.done": "refusal",
  "response.reasoning_summary_text.done": "text",
  "response.reasoning_text.done": "text",
  "response.function_call_arguments.done": "arguments",
  "response.custom_tool_call_input.done": "input",
};

/**
 * Assembles messages from the JSON values of a stream's lines, in order:
 * {@linkcode MessageAssembler.push} each line's value with its byte range,
 * then {@linkcode MessageAssembler.finish}.
 */
export class MessageAssembler {
  readonly #messages: Message[] = [];
  /** The Claude message being streamed (by `message_start`). */
  #claude: Message | undefined;
  /** Ids of Claude messages streamed: Claude Code repeats them whole as `assistant` lines. */
  readonly #streamedIds = new Set<string>();
  /** OpenAI Chat messages being streamed, by completion id and choice. */
  readonly #chat = new Map<string, Message>();
  #responses: Message | undefined;
  #codex: Message | undefined;
  #line = { o: 0, e: 0 };
  readonly #fromStart: boolean;

  /** `fromStart`: the lines begin at the start of the stream (else a message may be under way). */
  constructor(fromStart = true) {
    this.#fromStart = fromStart;
  }

  /** How many messages so far. */
  get count(): number {
    return this.#messages.length;
  }

  /** Forgets the last message (one a page leaves for the next). */
  dropLast(): void {
    const last = this.#messages.pop();
    if (last === this.#claude) this.#claude = undefined;
    if (last === this.#responses) this.#responses = undefined;
    if (last === this.#codex) this.#codex = undefined;
    for (const [key, m] of this.#chat) if (m === last) this.#chat.delete(key);
  }

  /** Takes one line's value (`o`, `e`: its byte range); says whether it belongs to a message. */
  push(value: unknown, o: number, e: number): LineUse {
    this.#line = { o, e };
    if (!isObject(value)) return "unknown";
    const type = text(value.type) ?? "";
    if (type === "stream_event" && isObject(value.event)) {
      return this.#claudeEvent(value.event, "claude-code");
    }
    if (CLAUDE_EVENTS.has(type)) return this.#claudeEvent(value, "claude");
    if ((type === "assistant" || type === "user") && isObject(value.message)) {
      return this.#claudeCode(type, value.message);
    }
    if (type === "system") return this.#system(value);
    if (type === "result") return this.#result(value);
    if (type === "error") return this.#error(value);
    if (type.startsWith("response.")) return this.#responsesEvent(type, value);
    if (CODEX_EVENTS.has(type)) return this.#codexEvent(type, value);
    if (Array.isArray(value.choices)) return this.#chatChunk(value);
    if (value.object === "response" && Array.isArray(value.output)) {
      const m = this.#start("assistant", "openai-responses", false);
      this.#responseOutput(m, value.output);
      this.#responseEnd(m, value);
      return "message";
    }
    return "unknown";
  }

  /** The messages, their texts passed through `clean` (control characters, escapes). */
  finish(clean: (text: string) => string = (t) => t): StreamMessage[] {
    return this.#messages.map((m) => m.toJson(clean));
  }

  /** A new message; `implicit`: made by an event that is not a start (a delta, an end). */
  #start(role: string, source: StreamSource, implicit: boolean): Message {
    // Only the first message of lines read from the middle can have begun before them.
    const continued = implicit && !this.#fromStart && this.#messages.length === 0;
    const m = new Message(this.#line.o, role, source, continued);
    this.#messages.push(m);
    return this.#touch(m);
  }

  /** Counts the current line in `m`. */
  #touch(m: Message): Message {
    if (m.e < this.#line.e) {
      m.e = this.#line.e;
      m.lines++;
    }
    return m;
  }

  #claudeEvent(event: Json, source: StreamSource): LineUse {
    const type = text(event.type);
    if (type === "ping") {
      if (this.#claude !== undefined) this.#touch(this.#claude);
      return "ignored";
    }
    if (type === "error") return this.#error(event);
    if (type === "message_start") {
      const message = isObject(event.message) ? event.message : {};
      const m = this.#start(text(message.role) ?? "assistant", source, false);
      m.model = text(message.model);
      m.id = text(message.id);
      if (m.id !== undefined) this.#streamedIds.add(m.id);
      m.usage(message.usage);
      this.#claude = m;
      return "message";
    }
    const m = this.#claude === undefined
      ? (this.#claude = this.#start("assistant", source, true))
      : this.#touch(this.#claude);
    const key = `i${count(event.index) ?? 0}`;
    if (type === "content_block_start") {
      const cb = isObject(event.content_block) ? event.content_block : {};
      const kind = text(cb.type) ?? "text";
      if (kind === "text") m.block("text", key).add(text(cb.text) ?? "");
      else if (kind === "thinking" || kind === "redacted_thinking") {
        m.block("thinking", key).add(text(cb.thinking) ?? "");
      } else if (kind.endsWith("tool_use")) {
        const input = isObject(cb.input) && Object.keys(cb.input).length > 0
          ? asText(cb.input)
          : "";
        m.block("tool_call", key, text(cb.name) ?? kind, text(cb.id)).add(input);
      } else {
        const block = m.block("tool_result", key, undefined, text(cb.tool_use_id));
        block.name = kind;
        block.add(resultText(cb.content));
      }
    } else if (type === "content_block_delta") {
      const delta = isObject(event.delta) ? event.delta : {};
      const kind = text(delta.type);
      if (kind === "text_delta") m.keyedBlock(key, "text").add(text(delta.text) ?? "");
      else if (kind === "input_json_delta") {
        m.keyedBlock(key, "tool_call").add(text(delta.partial_json) ?? "");
      } else if (kind === "thinking_delta") {
        m.keyedBlock(key, "thinking").add(text(delta.thinking) ?? "");
      } else if (kind === undefined && text(event.text) !== undefined) {
        // A delta without its object, as some wrappers write it.
        m.keyedBlock(key, "text").add(text(event.text)!);
      }
    } else if (type === "message_delta") {
      const delta = isObject(event.delta) ? event.delta : {};
      m.stop = text(delta.stop_reason) ?? m.stop;
      m.usage(event.usage);
    } else if (type === "message_stop") {
      m.open = false;
      this.#claude = undefined;
    }
    return "message";
  }

  /** A whole message of Claude Code (`assistant`, or `user` with tool results). */
  #claudeCode(role: string, message: Json): LineUse {
    const id = text(message.id);
    // Streamed already (Claude Code with partial messages): the deltas made it.
    if (id !== undefined && this.#streamedIds.has(id)) {
      if (this.#claude !== undefined) this.#touch(this.#claude);
      return "ignored";
    }
    const last = this.#messages[this.#messages.length - 1];
    // Claude Code writes each content block of a message as a line of its own.
    const m = id !== undefined && last?.id === id && last.source === "claude-code"
      ? this.#touch(last)
      : this.#start(text(message.role) ?? role, "claude-code", false);
    m.id = id;
    m.open = false;
    m.model = text(message.model) ?? m.model;
    m.stop = text(message.stop_reason) ?? m.stop;
    m.usage(message.usage);
    const content = message.content;
    if (typeof content === "string") {
      m.block("text").add(content);
      return "message";
    }
    for (const part of Array.isArray(content) ? content : []) {
      if (!isObject(part)) continue;
      const kind = text(part.type);
      if (kind === "text") m.block("text").add(text(part.text) ?? "");
      else if (kind === "thinking") m.block("thinking").add(text(part.thinking) ?? "");
      else if (kind === "tool_use" || kind === "server_tool_use") {
        m.block("tool_call", undefined, text(part.name), text(part.id)).add(asText(part.input));
      } else if (kind === "tool_result") {
        const block = m.block("tool_result", undefined, undefined, text(part.tool_use_id));
        block.error = part.is_error === true ? true : undefined;
        block.add(resultText(part.content));
      } else if (kind !== "redacted_thinking") {
        m.block("text").add(asText(part));
      }
    }
    return "message";
  }

  #system(value: Json): LineUse {
    const m = this.#start("system", "claude-code", false);
    m.open = false;
    m.model = text(value.model);
    const subtype = text(value.subtype) ?? "system";
    const tools = Array.isArray(value.tools)
      ? value.tools.filter((t) => typeof t === "string")
      : [];
    const facts = [
      subtype === "init" ? "session started" : subtype,
      text(value.cwd) === undefined ? "" : `in ${value.cwd}`,
      tools.length > 0
        ? `${tools.length} tools (${tools.slice(0, 12).join(", ")}${
          tools.length > 12 ? ", …" : ""
        })`
        : "",
      text(value.permissionMode) === undefined ? "" : `permission mode ${value.permissionMode}`,
    ].filter((f) => f !== "");
    m.block("text").add(facts.join(", "));
    return "message";
  }

  #result(value: Json): LineUse {
    const m = this.#start("result", "claude-code", false);
    m.open = false;
    m.stop = text(value.subtype) ?? (value.is_error === true ? "error" : undefined);
    m.costUsd = count(value.total_cost_usd) ?? count(value.cost_usd);
    m.durationMs = count(value.duration_ms);
    m.turns = count(value.num_turns);
    m.usage(value.usage);
    const result = text(value.result);
    if (result !== undefined) m.block("text").add(result);
    if (value.is_error === true && result === undefined) m.block("text").add("error");
    return "message";
  }

  #error(value: Json): LineUse {
    const m = this.#start("error", this.#messages.at(-1)?.source ?? "claude", false);
    m.open = false;
    const error = isObject(value.error) ? value.error : value;
    const kind = text(error.type) ?? text(error.code);
    m.block("text").add(
      (kind !== undefined && kind !== "error" ? `${kind}: ` : "") +
        (text(error.message) ?? asText(error)),
    );
    return "message";
  }

  #chatChunk(value: Json): LineUse {
    const choices = value.choices as unknown[];
    const id = text(value.id) ?? "";
    if (choices.length === 0) {
      // The last chunk of a stream with usage: it belongs to the message before.
      const m = [...this.#messages].reverse().find((x) =>
        x.source === "openai-chat" && x.id === id
      );
      if (m === undefined || value.usage === undefined) return "ignored";
      this.#touch(m).usage(value.usage);
      return "message";
    }
    for (const choice of choices) {
      if (!isObject(choice)) continue;
      const key = `${id}:${count(choice.index) ?? 0}`;
      const delta = isObject(choice.delta) ? choice.delta : undefined;
      const whole = isObject(choice.message) ? choice.message : undefined;
      const part = delta ?? whole ?? {};
      let m = this.#chat.get(key);
      if (m === undefined || !m.open) {
        const implicit = delta !== undefined && text(part.role) === undefined;
        m = this.#start(text(part.role) ?? "assistant", "openai-chat", implicit);
        m.id = id;
        m.model = text(value.model);
        this.#chat.set(key, m);
      } else this.#touch(m);
      if (text(part.role) !== undefined) m.role = text(part.role)!;
      const reasoning = text(part.reasoning_content) ?? text(part.reasoning);
      if (reasoning !== undefined) m.keyedBlock("thinking", "thinking").add(reasoning);
      const content = part.content;
      if (typeof content === "string") m.keyedBlock("text", "text").add(content);
      else if (Array.isArray(content)) {
        m.keyedBlock("text", "text").add(resultText(content));
      }
      if (text(part.refusal) !== undefined) m.keyedBlock("text", "text").add(text(part.refusal)!);
      const calls = Array.isArray(part.tool_calls)
        ? part.tool_calls
        : isObject(part.function_call)
        ? [{ index: 0, function: part.function_call }]
        : [];
      calls.forEach((call: unknown, n: number) => {
        if (!isObject(call)) return;
        const fn = isObject(call.function) ? call.function : {};
        const block = m!.keyedBlock(`t${count(call.index) ?? n}`, "tool_call");
        block.name = text(fn.name) ?? block.name;
        block.id = text(call.id) ?? block.id;
        block.add(text(fn.arguments) ?? "");
      });
      const finish = text(choice.finish_reason);
      if (finish !== undefined) {
        m.stop = finish;
        m.open = false;
      } else if (whole !== undefined) m.open = false;
    }
    this.#messages.at(-1)?.usage(value.usage);
    return "message";
  }

  #responsesEvent(type: string, value: Json): LineUse {
    const response = isObject(value.response) ? value.response : undefined;
    if (
      type === "response.created" || type === "response.in_progress" ||
      type === "response.queued"
    ) {
      const id = text(response?.id);
      const current = this.#responses;
      if (current !== undefined && current.open && (id === undefined || current.id === id)) {
        this.#touch(current);
        return "message";
      }
      const m = this.#start("assistant", "openai-responses", false);
      m.id = id;
      m.model = text(response?.model);
      m.framed = true;
      this.#responses = m;
      return "message";
    }
    if (
      type === "response.completed" || type === "response.incomplete" ||
      type === "response.failed"
    ) {
      const m = this.#responses === undefined
        ? this.#start("assistant", "openai-responses", true)
        : this.#touch(this.#responses);
      if (m.blocks.length === 0 && Array.isArray(response?.output)) {
        this.#responseOutput(m, response.output);
      }
      this.#responseEnd(m, response ?? {});
      this.#responses = undefined;
      return "message";
    }
    const key = text(value.item_id) ?? `o${count(value.output_index) ?? 0}`;
    const item = isObject(value.item) ? value.item : undefined;
    const itemKey = text(item?.id) ?? `o${count(value.output_index) ?? 0}`;
    const deltaKind = RESPONSES_DELTAS[type];
    const doneField = RESPONSES_DONE[type];
    if (
      deltaKind === undefined && doneField === undefined && type !== "response.output_item.added" &&
      type !== "response.output_item.done"
    ) {
      // Parts added, annotations, searches in progress: nothing to show.
      if (this.#responses !== undefined) this.#touch(this.#responses);
      return "ignored";
    }
    let m = this.#responses;
    const found = m?.keyed.get(type.startsWith("response.output_item") ? itemKey : key);
    // A delta after its item's `.done`, outside a response: the next message.
    if (m === undefined || (!m.framed && found?.done === true && deltaKind !== undefined)) {
      m = this.#start("assistant", "openai-responses", deltaKind !== undefined);
      this.#responses = m;
    } else this.#touch(m);
    if (type === "response.output_item.added" || type === "response.output_item.done") {
      if (item === undefined) return "message";
      const block = m.keyed.get(itemKey) ?? this.#itemBlock(m, item, itemKey);
      if (type === "response.output_item.done") {
        block.fill(this.#itemText(item));
        block.done = true;
      }
      return "message";
    }
    if (deltaKind !== undefined) {
      m.keyedBlock(key, deltaKind).add(text(value.delta) ?? "");
      return "message";
    }
    const block = m.keyed.get(key) ??
      m.block(type.includes("reasoning") ? "thinking" : "text", key);
    block.fill(text(value[doneField!]) ?? "");
    block.done = true;
    return "message";
  }

  /** The block of a Responses output item. */
  #itemBlock(m: Message, item: Json, key: string): Block {
    const kind = text(item.type) ?? "message";
    if (kind === "message") {
      if (text(item.role) !== undefined) m.role = text(item.role)!;
      return m.block("text", key);
    }
    if (kind === "reasoning") return m.block("thinking", key);
    const name = kind === "function_call" || kind === "custom_tool_call"
      ? text(item.name) ?? kind
      : kind;
    return m.block("tool_call", key, name, text(item.call_id) ?? text(item.id));
  }

  /** The whole text of a Responses output item. */
  #itemText(item: Json): string {
    const kind = text(item.type);
    if (kind === "message" || kind === "reasoning") {
      const parts = Array.isArray(item.content) && item.content.length > 0
        ? item.content
        : Array.isArray(item.summary)
        ? item.summary
        : [];
      return parts.map((p: unknown) => isObject(p) ? text(p.text) ?? text(p.refusal) ?? "" : "")
        .join("\n");
    }
    if (text(item.arguments) !== undefined) return text(item.arguments)!;
    if (text(item.input) !== undefined) return text(item.input)!;
    const { id: _id, type: _type, status: _status, ...rest } = item;
    return Object.keys(rest).length > 0 ? asText(rest) : "";
  }

  #responseOutput(m: Message, output: unknown[]): void {
    output.forEach((item, i) => {
      if (!isObject(item)) return;
      this.#itemBlock(m, item, text(item.id) ?? `o${i}`).fill(this.#itemText(item));
    });
  }

  #responseEnd(m: Message, response: Json): void {
    m.model = text(response.model) ?? m.model;
    m.stop = text(response.status) ?? m.stop;
    m.usage(response.usage);
    const error = isObject(response.error) ? response.error : undefined;
    if (error !== undefined) m.block("text").add(`error: ${text(error.message) ?? asText(error)}`);
    m.open = false;
  }

  #codexEvent(type: string, value: Json): LineUse {
    if (type === "thread.started" || type === "item.started" || type === "item.updated") {
      if (this.#codex !== undefined) this.#touch(this.#codex);
      return "ignored";
    }
    if (type === "turn.started") {
      const m = this.#start("assistant", "codex", false);
      m.framed = true;
      this.#codex = m;
      return "message";
    }
    const m = this.#codex === undefined
      ? (this.#codex = this.#start("assistant", "codex", true))
      : this.#touch(this.#codex);
    if (type === "turn.completed" || type === "turn.failed") {
      m.usage(value.usage);
      if (type === "turn.failed") {
        const error = isObject(value.error) ? value.error : {};
        m.block("text").add(`error: ${text(error.message) ?? asText(error)}`);
        m.stop = "failed";
      } else m.stop = "completed";
      m.open = false;
      this.#codex = undefined;
      return "message";
    }
    const item = isObject(value.item) ? value.item : {};
    const kind = text(item.type) ?? "";
    if (kind === "agent_message") m.block("text").add(text(item.text) ?? "");
    else if (kind === "reasoning") m.block("thinking").add(text(item.text) ?? "");
    else if (kind === "command_execution") {
      m.block("tool_call", undefined, "shell", text(item.id)).add(asText(item.command));
      const result = m.block("tool_result", undefined, undefined, text(item.id));
      const exit = count(item.exit_code);
      result.error = exit !== undefined && exit !== 0 ? true : undefined;
      result.add(
        (text(item.aggregated_output) ?? "").replace(/\n+$/, "") +
          (exit === undefined ? "" : `\n(exit ${exit})`),
      );
    } else if (kind === "file_change") {
      const changes = Array.isArray(item.changes) ? item.changes : [];
      m.block("tool_call", undefined, "apply_patch", text(item.id)).add(
        changes.map((c: unknown) =>
          isObject(c) ? `${text(c.kind) ?? ""} ${text(c.path) ?? ""}` : ""
        )
          .join("\n"),
      );
    } else if (kind === "mcp_tool_call") {
      const name = [text(item.server), text(item.tool)].filter(Boolean).join(".");
      m.block("tool_call", undefined, name || "mcp", text(item.id)).add(asText(item.arguments));
      if (item.result !== undefined || item.error !== undefined) {
        const result = m.block("tool_result", undefined, undefined, text(item.id));
        result.error = item.error !== undefined && item.error !== null ? true : undefined;
        result.add(asText(item.result ?? item.error));
      }
    } else if (kind === "web_search") {
      m.block("tool_call", undefined, "web_search", text(item.id)).add(asText(item.query));
    } else if (kind === "todo_list") {
      const items = Array.isArray(item.items) ? item.items : [];
      m.block("text").add(
        items.map((t: unknown) =>
          isObject(t) ? `${t.completed === true ? "[x]" : "[ ]"} ${text(t.text) ?? ""}` : ""
        ).join("\n"),
      );
    } else if (kind === "error") m.block("text").add(`error: ${text(item.message) ?? ""}`);
    else m.block("text").add(asText(item));
    return "message";
  }
}
