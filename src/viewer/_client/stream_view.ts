/// <reference lib="dom" />
// A provider stream shown as messages (assembled by the server: role,
// text with its deltas joined, tool calls and results), page by page, with
// a toggle to its raw lines (a log view). Live: read again from the
// message still streaming when new lines come. In a report, the messages
// it holds.
import type { MessagePage } from "../_message_page.ts";
import type { StreamMessage } from "../_stream_messages.ts";
import type { PageContext } from "./context.ts";
import type { LiveLines } from "./live.ts";
import type { LogRow } from "./boot.ts";
import { fetchMessages } from "./api.ts";
import { errorText } from "./chrome.ts";
import { add, clear, h } from "./dom.ts";
import { formatCount } from "./format.ts";
import { LogView } from "./log_view.ts";
import { messageCard } from "./message_card.ts";

/** How long live lines gather before the messages are read again (ms). */
const LIVE_DELAY = 300;

/** What a stream view shows. */
export interface StreamViewOptions {
  runId: string;
  /** The file, relative to the run directory. */
  path: string;
  /** In a report: its messages, and its lines for the raw view. */
  messages?: MessagePage;
  lines?: { entries: LogRow[] };
}

/** The view of one provider stream. */
export class StreamView {
  /** The file, relative to the run directory. */
  readonly path: string;
  /** The element to put in the page. */
  readonly el: HTMLDivElement;

  readonly #ctx: PageContext;
  readonly #opts: StreamViewOptions;
  readonly #list: HTMLDivElement;
  readonly #status: HTMLSpanElement;
  readonly #more: HTMLButtonElement;
  readonly #asMessages: HTMLButtonElement;
  readonly #asRaw: HTMLButtonElement;
  readonly #rawHolder: HTMLDivElement;
  #messages: StreamMessage[] = [];
  /** Where the next page starts. */
  #next = 0;
  #eof = false;
  /** What each page read besides messages, by where it began. */
  #pages: { from: number; other: number; invalid: number; skipped: number }[] = [];
  #busy = false;
  #liveTimer: ReturnType<typeof setTimeout> | undefined;
  #raw: LogView | null = null;
  #showRaw = false;

  constructor(ctx: PageContext, opts: StreamViewOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.path = opts.path;
    this.#asMessages = h("button", { "data-view": "messages", "aria-pressed": "true" }, "Messages");
    this.#asRaw = h("button", { "data-view": "raw", "aria-pressed": "false" }, "Raw lines");
    this.#asMessages.addEventListener("click", () => this.showRaw(false));
    this.#asRaw.addEventListener("click", () => this.showRaw(true));
    this.#status = h("span", { class: "muted stream-status" });
    this.#more = h("button", { hidden: true, class: "more" }, "Load more");
    this.#more.addEventListener("click", () => this.#load(this.#next, false));
    this.#list = h("div", { class: "messages", "data-path": opts.path });
    this.#rawHolder = h("div", { hidden: true });
    this.el = h(
      "div",
      { class: "streamview", "data-path": opts.path },
      h(
        "div",
        { class: "toolbar" },
        h("span", { class: "segmented", role: "group", "aria-label": "Show as" }, [
          this.#asMessages,
          this.#asRaw,
        ]),
        this.#status,
      ),
      h("div", { class: "messages-box" }, this.#list, this.#more),
      this.#rawHolder,
    );
    ctx.hook.messages[opts.path] = {
      messages: () =>
        this.#messages.map((m) => ({
          role: m.role,
          blocks: m.blocks.map((b) => ({ kind: b.kind, name: b.name, text: b.text })),
        })),
      raw: () => this.#showRaw,
    };
  }

  /** Where the live stream goes on in this file. */
  get tail(): number {
    return this.#showRaw && this.#raw ? this.#raw.tail : this.#next;
  }

  /** Reads the first page (in a report: shows what it holds). */
  open(): Promise<void> {
    const data = this.#opts.messages;
    if (this.#ctx.report) {
      this.#eof = true;
      if (data) {
        this.#take(data, 0);
        this.#draw();
      } else {
        // Its lines only (the report's budget for messages was spent).
        this.showRaw(true);
        this.#asMessages.disabled = true;
        this.#status.textContent = "This report holds this stream's lines only.";
      }
      return Promise.resolve();
    }
    return this.#load(0, false);
  }

  /** Shows the raw lines (`true`) or the messages. */
  showRaw(raw: boolean): void {
    this.#showRaw = raw;
    this.#asRaw.setAttribute("aria-pressed", String(raw));
    this.#asMessages.setAttribute("aria-pressed", String(!raw));
    (this.#list.parentNode as HTMLElement).hidden = raw;
    this.#rawHolder.hidden = !raw;
    if (raw && this.#raw === null) {
      this.#raw = new LogView(this.#ctx, {
        runId: this.#opts.runId,
        path: this.path,
        levels: false,
        data: this.#opts.lines,
      });
      this.#rawHolder.appendChild(this.#raw.el);
      this.#raw.open();
    } else if (raw) this.#raw?.render();
  }

  /** Draws what is shown again (the tab was shown). */
  render(): void {
    if (this.#showRaw) this.#raw?.render();
  }

  /** Lines appended to the file: read on from the message still streaming. */
  live(d: LiveLines): void {
    this.#raw?.live(d);
    if (this.#ctx.report) return;
    clearTimeout(this.#liveTimer);
    this.#liveTimer = setTimeout(() => this.#load(this.#next, true), LIVE_DELAY);
  }

  #load(from: number, live: boolean): Promise<void> {
    if (this.#busy) return Promise.resolve();
    this.#busy = true;
    if (!live) this.#status.textContent = "loading\u2026";
    return fetchMessages(this.#opts.runId, this.path, from).then((page) => {
      this.#busy = false;
      // Follow the end only when it was in view.
      const box = this.#list;
      const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 40;
      this.#take(page, from);
      this.#draw();
      if (live && atEnd) box.scrollTop = box.scrollHeight;
    }).catch((error) => {
      this.#busy = false;
      this.#status.textContent = errorText(error);
    });
  }

  /** Takes a page read from `from`: what it holds replaces what began there or after. */
  #take(page: MessagePage, from: number): void {
    const start = Math.min(from, page.from);
    this.#messages = this.#messages.filter((m) => m.o < start).concat(page.messages);
    this.#pages = this.#pages.filter((p) => p.from < start).concat([{
      from: start,
      other: page.other,
      invalid: page.invalid,
      skipped: page.skipped,
    }]);
    this.#next = page.next;
    this.#eof = page.eof;
  }

  #draw(): void {
    clear(this.#list);
    for (const m of this.#messages) add(this.#list, messageCard(m));
    if (this.#messages.length === 0) {
      add(
        this.#list,
        h(
          "p",
          { class: "muted empty" },
          this.#eof
            ? "No message of a known stream format here (Claude, Claude Code, OpenAI Chat, " +
              "OpenAI Responses, Codex): see the raw lines."
            : "No message in the part read.",
        ),
      );
    }
    this.#more.hidden = this.#eof || this.#ctx.report !== undefined;
    const sum = (key: "other" | "invalid" | "skipped") =>
      this.#pages.reduce((n, p) => n + p[key], 0);
    const notes = [
      `${formatCount(this.#messages.length)} message${this.#messages.length === 1 ? "" : "s"}`,
    ];
    if (sum("other")) notes.push(`${formatCount(sum("other"))} other JSON lines`);
    if (sum("invalid")) notes.push(`${formatCount(sum("invalid"))} lines not JSON`);
    if (sum("skipped")) notes.push(`${formatCount(sum("skipped"))} lines over 1 MiB`);
    if (!this.#eof) notes.push("more below");
    this.#status.textContent = notes.join(" \u00b7 ");
  }
}
