/// <reference lib="dom" />
// A log of any size in a scrolling view: pages of entries loaded as the
// view nears either end (at most MAX_ROWS held), only the visible rows in
// the DOM, filters by level and text on the server, new lines from the live
// stream appended when the view shows the end. In a report, the entries the
// report holds, filtered here.
import type { LogEntry, LogPage } from "../_log_lines.ts";
import type { PageContext } from "./context.ts";
import type { LiveLines } from "./live.ts";
import { fetchLines, type LinesQuery } from "./api.ts";
import { isSeparator, type LogRow } from "./boot.ts";
import { add, h } from "./dom.ts";
import { formatCount, sizeText } from "./format.ts";
import { entryDetail, fillRow } from "./log_entry.ts";
import { errorText } from "./chrome.ts";

/** The height of a row (CSS pixels). */
const ROW = 20;
/** The most rows a view holds. */
const MAX_ROWS = 20000;
/** Entries per request. */
const PAGE = 300;
/** The levels the filter offers: the server's (`LEVELS` of `_log_lines.ts`), and `OTHER` for any other. */
const LEVELS = ["STEP", "INFO", "OK", "WARN", "ERROR", "OTHER"];

/** What a log view shows. */
export interface LogViewOptions {
  runId: string;
  /** The file, relative to the run directory. */
  path: string;
  /** Whether to offer the level filter (the pipeline log). */
  levels: boolean;
  /** In a report: the entries it holds. */
  data?: { entries: LogRow[] };
}

/** The view of one log. */
export class LogView {
  /** The file, relative to the run directory. */
  readonly path: string;
  /** The element to put in the page. */
  readonly el: HTMLDivElement;
  /** The byte after the last entry held: where the live stream goes on. */
  tail = 0;

  readonly #ctx: PageContext;
  readonly #runId: string;
  readonly #data: { entries: LogRow[] } | undefined;
  #rows: LogRow[] = [];
  /** The offset of the first entry held. */
  #head = 0;
  /** The file's size when last opened. */
  #size: number | undefined;
  #bof = true;
  #eof = true;
  #busy = false;
  /** Lines came while loading: look again once done. */
  #pendingLive = false;
  #levels: string[] = [];
  #q = "";
  /** The row elements, and the row each shows. */
  readonly #pool: HTMLDivElement[] = [];
  readonly #shown: (LogRow | null)[] = [];
  #selected: LogEntry | null = null;
  readonly #follow: HTMLInputElement;
  readonly #status: HTMLSpanElement;
  readonly #search: HTMLInputElement;
  readonly #spacer: HTMLDivElement;
  readonly #empty: HTMLDivElement;
  readonly #viewport: HTMLDivElement;
  readonly #detail: HTMLPreElement;

  constructor(ctx: PageContext, opts: LogViewOptions) {
    this.#ctx = ctx;
    this.#runId = opts.runId;
    this.path = opts.path;
    this.#data = opts.data;
    const report = ctx.report !== undefined;
    this.#follow = h("input", { type: "checkbox", "aria-label": "Follow new lines" });
    this.#follow.checked = !report;
    this.#status = h("span", { class: "muted" });
    this.#search = h("input", {
      type: "search",
      placeholder: "Search" + (ctx.redacted ? " (masked text)" : ""),
      "aria-label": `Search ${opts.path}`,
    });
    const toolbar = h("div", { class: "toolbar" });
    if (opts.levels) {
      const chips = h("span", { class: "chips" });
      for (const level of LEVELS) {
        const box = h("input", { type: "checkbox", value: level, "data-level": level });
        box.addEventListener("change", () => {
          this.#levels = Array.from(chips.querySelectorAll<HTMLInputElement>("input:checked"))
            .map((b) => b.value);
          this.open();
        });
        add(chips, h("label", { class: `lvl-${level}` }, box, level));
      }
      add(toolbar, [h("span", { class: "muted" }, "Levels"), chips]);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.#search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.#q = this.#search.value.toLowerCase();
        this.open();
      }, 250);
    });
    const start = h("button", null, "Start");
    const end = h("button", null, "End");
    start.addEventListener("click", () => this.openStart());
    end.addEventListener("click", () => this.open());
    add(toolbar, [
      this.#search,
      start,
      end,
      report ? null : h("label", null, this.#follow, " follow"),
      this.#status,
    ]);
    this.#spacer = h("div", { class: "spacer" });
    this.#empty = h("div", { class: "empty", hidden: true });
    this.#viewport = h(
      "div",
      { class: "viewport", tabindex: "0", "data-path": opts.path },
      this.#empty,
      this.#spacer,
    );
    this.#detail = h("pre", { class: "block", hidden: true });
    this.el = h(
      "div",
      { class: "logview", "data-path": opts.path },
      toolbar,
      this.#viewport,
      this.#detail,
    );
    this.#viewport.addEventListener("scroll", () => this.#onScroll());
    ctx.hook.logs[opts.path] = {
      texts: () => this.#rows.map((r) => isSeparator(r) ? r.sep : r.text),
      count: () => this.#rows.length,
      view: this,
    };
  }

  #query(dir: LinesQuery["dir"], at: { at?: number; before?: number }): LinesQuery {
    return { path: this.path, limit: PAGE, levels: this.#levels, q: this.#q, dir, ...at };
  }

  #fetch(query: LinesQuery): Promise<LogPage> {
    return fetchLines(this.#runId, query);
  }

  #matches(e: LogRow): boolean {
    if (isSeparator(e)) return !this.#q && !this.#levels.length;
    if (this.#levels.length) {
      const level = LEVELS.indexOf(e.level) >= 0 && e.level !== "OTHER" ? e.level : "OTHER";
      if (this.#levels.indexOf(level) < 0) return false;
    }
    return !this.#q || e.text.toLowerCase().indexOf(this.#q) >= 0;
  }

  /** Opens at the end, as tail does; in a report, shows what the report holds. */
  open(): Promise<void> {
    this.#selected = null;
    this.#detail.hidden = true;
    if (this.#data) {
      this.#rows = this.#data.entries.filter((e) => this.#matches(e));
      this.#bof = this.#eof = true;
      this.#describe();
      this.render();
      this.#viewport.scrollTop = this.#viewport.scrollHeight;
      return Promise.resolve();
    }
    this.#busy = true;
    this.#status.textContent = "loading\u2026";
    return this.#fetch(this.#query("backward", {})).then((page) => {
      this.#rows = page.entries;
      this.#head = page.next;
      this.#bof = page.bof;
      this.tail = page.end;
      this.#eof = true;
      this.#size = page.size;
      this.#busy = false;
      this.#describe();
      this.render();
      this.#viewport.scrollTop = this.#viewport.scrollHeight;
      this.render();
      this.#settle();
    }).catch((error) => {
      this.#busy = false;
      this.#status.textContent = errorText(error);
    });
  }

  /** Opens at the start of the file. */
  openStart(): Promise<void> {
    if (this.#data) {
      this.#viewport.scrollTop = 0;
      this.render();
      return Promise.resolve();
    }
    this.#busy = true;
    return this.#fetch(this.#query("forward", { at: 0 })).then((page) => {
      this.#rows = page.entries;
      this.#head = 0;
      this.#bof = true;
      this.tail = page.next;
      this.#eof = page.eof;
      this.#busy = false;
      this.#describe();
      this.#viewport.scrollTop = 0;
      this.render();
    }).catch((error) => {
      this.#busy = false;
      this.#status.textContent = errorText(error);
    });
  }

  /** Called when a load ends: lines that came meanwhile are read now. */
  #settle(): void {
    if (!this.#pendingLive || this.#busy) return;
    this.#pendingLive = false;
    this.#eof = false;
    this.#loadAfter();
  }

  #describe(): void {
    const filtered = this.#q || this.#levels.length;
    let text = `${formatCount(this.#rows.length)}${filtered ? " matching" : ""} entries loaded`;
    if (!this.#bof) text += "; scroll up for more";
    if (this.#size !== undefined) text += ` \u00b7 ${sizeText(this.#size)}`;
    this.#status.textContent = text;
    const none = this.#rows.length === 0;
    this.#empty.hidden = !none;
    this.#empty.textContent = none
      ? (filtered
        ? (this.#bof
          ? "No entry matches."
          : "No match in the part read; scroll up to search further.")
        : "This log is empty.")
      : "";
  }

  #loadBefore(): void {
    if (this.#bof || this.#busy || this.#data) return;
    this.#busy = true;
    this.#fetch(this.#query("backward", { before: this.#head })).then((page) => {
      const fresh = page.entries.filter((e) => e.e <= this.#head);
      this.#rows = (fresh as LogRow[]).concat(this.#rows);
      this.#head = page.next;
      this.#bof = page.bof;
      this.#viewport.scrollTop += fresh.length * ROW;
      if (this.#rows.length > MAX_ROWS) {
        this.#rows.length = MAX_ROWS;
        this.tail = (this.#rows[this.#rows.length - 1] as LogEntry).e;
        this.#eof = false;
      }
      this.#busy = false;
      this.#describe();
      this.render();
    }).catch(() => {
      this.#busy = false;
    });
  }

  #loadAfter(): void {
    if (this.#eof || this.#busy || this.#data) return;
    this.#busy = true;
    this.#fetch(this.#query("forward", { at: this.tail })).then((page) => {
      this.#append(page.entries, this.tail);
      this.tail = page.next;
      this.#eof = page.eof;
      this.#busy = false;
      this.#describe();
      this.render();
      this.#settle();
    }).catch(() => {
      this.#busy = false;
    });
  }

  #append(entries: LogEntry[], from: number): void {
    const rows = this.#rows as LogEntry[];
    // A partial last line is read again once it ends: drop the old copy.
    while (rows.length && rows[rows.length - 1].o >= from) rows.pop();
    for (const entry of entries) rows.push(entry);
    if (rows.length > MAX_ROWS) {
      const drop = rows.length - MAX_ROWS;
      rows.splice(0, drop);
      this.#head = rows[0].o;
      this.#bof = false;
      this.#viewport.scrollTop = Math.max(0, this.#viewport.scrollTop - drop * ROW);
    }
  }

  /** New lines from the live stream, shown when this view shows the end of the file. */
  live(d: LiveLines): void {
    if (this.#data) return;
    // Busy loading: look again once done (the load may or may not hold these lines).
    if (this.#busy) {
      this.#pendingLive = true;
      return;
    }
    if (!this.#eof) return;
    if (d.from > this.tail) {
      this.#eof = false;
      this.#loadAfter();
      return;
    }
    const v = this.#viewport;
    const atBottom = v.scrollTop + v.clientHeight >= v.scrollHeight - ROW * 2;
    const tail = this.tail;
    const fresh = d.entries.filter((e) => e.o >= tail).filter((e) => this.#matches(e));
    this.#append(fresh, tail);
    this.tail = Math.max(this.tail, d.next);
    this.#describe();
    this.render();
    if (this.#follow.checked && atBottom) {
      v.scrollTop = v.scrollHeight;
      this.render();
    }
  }

  #onScroll(): void {
    const v = this.#viewport;
    if (v.scrollTop < ROW * 20) this.#loadBefore();
    if (v.scrollTop + v.clientHeight > v.scrollHeight - ROW * 20) this.#loadAfter();
    this.render();
  }

  /** Puts the visible rows (and ten on either side) in the DOM. */
  render(): void {
    const n = this.#rows.length;
    this.#spacer.style.height = `${n * ROW}px`;
    const top = this.#viewport.scrollTop;
    const height = this.#viewport.clientHeight || 420;
    const first = Math.max(0, Math.floor(top / ROW) - 10);
    const last = Math.min(n, Math.ceil((top + height) / ROW) + 10);
    while (this.#pool.length < last - first) {
      const k = this.#pool.length;
      const el = h("div", { class: "row" });
      el.addEventListener("click", () => this.#pick(this.#shown[k]));
      this.#spacer.appendChild(el);
      this.#pool.push(el);
      this.#shown.push(null);
    }
    for (let k = 0; k < this.#pool.length; k++) {
      const row = this.#pool[k];
      const i = first + k;
      if (i >= last) {
        row.hidden = true;
        this.#shown[k] = null;
        continue;
      }
      row.hidden = false;
      row.style.top = `${i * ROW}px`;
      const entry = this.#rows[i];
      if (this.#shown[k] === entry) continue;
      this.#shown[k] = entry;
      fillRow(row, entry, entry === this.#selected);
    }
  }

  #pick(entry: LogRow | null): void {
    if (!entry || isSeparator(entry)) return;
    this.#selected = entry;
    this.#detail.hidden = false;
    this.#detail.textContent = entryDetail(entry, this.#ctx.report !== undefined);
    this.#shown.fill(null);
    this.render();
  }
}
