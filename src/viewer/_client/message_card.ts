/// <reference lib="dom" />
// One message of a provider stream as the page shows it: who speaks, the
// model and how it ended, then its text, its thinking (folded), its tool
// calls (name and input) and their results (folded).
import type { MessageBlock, StreamMessage } from "../_stream_messages.ts";
import { type Child, h } from "./dom.ts";
import { durationText, formatCount } from "./format.ts";

/** What follows the role in a message's head: model, end, tokens, cost. */
function facts(m: StreamMessage): string {
  const parts: string[] = [];
  if (m.model) parts.push(m.model);
  if (m.stop) parts.push(m.stop);
  if (m.inputTokens !== undefined || m.outputTokens !== undefined) {
    parts.push(
      `${formatCount(m.inputTokens ?? 0)} in / ${formatCount(m.outputTokens ?? 0)} out tokens`,
    );
  }
  if (m.turns !== undefined) parts.push(`${formatCount(m.turns)} turns`);
  if (m.durationMs !== undefined) parts.push(durationText(m.durationMs));
  if (m.costUsd !== undefined) parts.push(`$${m.costUsd.toFixed(4)}`);
  if (m.open) parts.push("not ended");
  if (m.continued) parts.push("began earlier in the file");
  return parts.join(" \u00b7 ");
}

/** What a block leaves out, said after it. */
function cutNote(b: MessageBlock): Child {
  return b.cut
    ? h("div", { class: "muted cut" }, `\u2026 ${formatCount(b.cut)} more characters (raw lines)`)
    : null;
}

function block(b: MessageBlock): HTMLElement {
  if (b.kind === "text") {
    return h("div", { class: "block text", "data-kind": "text" }, b.text, cutNote(b));
  }
  if (b.kind === "thinking") {
    return h(
      "details",
      { class: "block thinking", "data-kind": "thinking" },
      h("summary", null, "thinking"),
      h("div", { class: "body" }, b.text, cutNote(b)),
    );
  }
  if (b.kind === "tool_call") {
    return h(
      "div",
      { class: "block tool-call", "data-kind": "tool_call", "data-tool": b.name ?? "" },
      h(
        "div",
        { class: "tool-head" },
        h("span", { class: "tool-label" }, "tool call"),
        h("span", { class: "tool-name mono" }, b.name ?? "?"),
        b.id ? h("span", { class: "muted mono" }, b.id) : null,
      ),
      b.text ? h("pre", { class: "tool-input" }, b.text) : null,
      cutNote(b),
    );
  }
  const lines = b.text.split("\n").length;
  return h(
    "details",
    { class: "block tool-result" + (b.error ? " error" : ""), "data-kind": "tool_result" },
    h(
      "summary",
      null,
      b.error ? "tool error" : "tool result",
      b.id ? h("span", { class: "muted mono" }, ` ${b.id}`) : null,
      h("span", { class: "muted" }, ` \u00b7 ${formatCount(lines)} line${lines === 1 ? "" : "s"}`),
    ),
    h("pre", null, b.text),
    cutNote(b),
  );
}

/** A message as an element. */
export function messageCard(m: StreamMessage): HTMLElement {
  return h(
    "article",
    {
      class: `message role-${m.role.replace(/[^a-z_-]/gi, "")}`,
      "data-role": m.role,
      "data-offset": m.o,
    },
    h(
      "header",
      null,
      h("span", { class: "role" }, m.role),
      h("span", { class: "muted facts" }, facts(m)),
    ),
    m.blocks.length ? m.blocks.map(block) : h("div", { class: "muted" }, "(no content)"),
  );
}
