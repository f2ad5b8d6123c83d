/// <reference lib="dom" />
// The files tab: the list of the run's files and, beside it, the file
// shown (two columns on a wide screen). On a narrow one the list folds away
// once a file is open, behind a button that brings it back: an opened file
// never lands below a long list, out of sight.
import type { RunFile, SkippedFile } from "../_run_data.ts";
import type { PageContext } from "./context.ts";
import type { LiveLines } from "./live.ts";
import { isProviderStream } from "../_effect_logs.ts";
import { rawHref } from "./api.ts";
import { clear, h } from "./dom.ts";
import { FileList } from "./file_list.ts";
import { sizeText } from "./format.ts";
import { LogView } from "./log_view.ts";
import { StreamView } from "./stream_view.ts";

/** A file shown: a log view, or a provider stream's view. */
export interface ShownFile {
  /** The file, relative to the run directory. */
  readonly path: string;
  /** Where the live stream goes on in it. */
  readonly tail: number;
  readonly el: HTMLElement;
  open(): Promise<void>;
  render(): void;
  live(d: LiveLines): void;
}

/** The files tab of a run page. */
export class FilesTab {
  /** The tab's panel. */
  readonly el: HTMLDivElement;
  readonly #ctx: PageContext;
  readonly #runId: string;
  readonly #onShown: () => void;
  readonly #list: FileList;
  readonly #holder: HTMLDivElement;
  readonly #toggle: HTMLButtonElement;
  #files: readonly RunFile[] = [];
  #shown: ShownFile | null = null;

  /** `onShown` hears of each file shown once it is read (the live stream follows it). */
  constructor(ctx: PageContext, runId: string, onShown: () => void) {
    this.#ctx = ctx;
    this.#runId = runId;
    this.#onShown = onShown;
    this.#toggle = h("button", { class: "list-toggle", "aria-expanded": "false" }, "Show the list");
    this.#toggle.addEventListener(
      "click",
      () => this.#fold(!this.el.classList.contains("list-open")),
    );
    this.#list = new FileList(ctx, runId, (path) => this.open(path), this.#toggle);
    this.#holder = h(
      "div",
      { class: "file-view", id: "file-view" },
      h("p", { class: "muted empty" }, "Pick a file to show it here."),
    );
    this.el = h(
      "div",
      { class: "files-layout", "data-panel": "files" },
      this.#list.el,
      this.#holder,
    );
    // Filtering a folded list unfolds it.
    this.#list.el.addEventListener("input", () => this.#fold(true));
  }

  /** The file shown, if any. */
  get shown(): ShownFile | null {
    return this.#shown;
  }

  /** Lists the run's files (again: the live stream says they changed). */
  draw(files: readonly RunFile[], skipped: readonly SkippedFile[]): void {
    this.#files = files;
    this.#list.draw(files, skipped);
  }

  /** Draws the file shown again (the tab was shown). */
  render(): void {
    this.#shown?.render();
  }

  /** Shows `path` beside the list (a narrow page folds the list), in sight. */
  open(path: string): void {
    this.#list.markOpen(path);
    this.el.classList.add("has-file");
    this.#fold(false);
    if (this.#shown?.path !== path) this.#show(path);
    // In sight, whichever column it landed in.
    this.#holder.scrollIntoView?.({ block: "nearest" });
  }

  #fold(open: boolean): void {
    this.el.classList.toggle("list-open", open);
    this.#toggle.setAttribute("aria-expanded", String(open));
    this.#toggle.textContent = open ? "Hide the list" : "Show the list";
  }

  #show(path: string): void {
    const report = this.#ctx.report;
    if (this.#shown) {
      delete this.#ctx.hook.logs[this.#shown.path];
      delete this.#ctx.hook.messages[this.#shown.path];
    }
    const view: ShownFile = isProviderStream(path)
      ? new StreamView(this.#ctx, {
        runId: this.#runId,
        path,
        messages: report?.messages?.[path],
        lines: report?.logs[path],
      })
      : new LogView(this.#ctx, {
        runId: this.#runId,
        path,
        levels: false,
        data: report?.logs[path],
      });
    this.#shown = view;
    const file = this.#files.find((f) => f.path === path);
    clear(this.#holder);
    this.#holder.appendChild(h(
      "div",
      { class: "file-head" },
      h("h3", { class: "mono", id: "file-title" }, path),
      h("span", { class: "muted" }, file ? sizeText(file.bytes) : ""),
      report ? null : h("a", {
        href: rawHref(this.#runId, path),
        target: "_blank",
        rel: "noopener noreferrer",
      }, "raw"),
    ));
    this.#holder.appendChild(view.el);
    view.open().then(() => {
      if (this.#shown === view) this.#onShown();
    });
  }
}
