/// <reference lib="dom" />
// The files tab's list: the run's files in groups (agents, provider,
// other), each in natural order (dev_1, dev_2, dev_10), narrowed by a
// filter box; each a button that shows it (in a report, only those it
// holds) and a link to the raw file; then what is not served, and why.
import type { RunFile, SkippedFile } from "../_run_data.ts";
import type { PageContext } from "./context.ts";
import { rawHref } from "./api.ts";
import { add, clear, h } from "./dom.ts";
import { formatCount, sizeText } from "./format.ts";
import { naturalCompare } from "./natural_order.ts";

/** The groups, in the order listed: the folder a file is in, or any other. */
const GROUPS = [
  { name: "agents", prefix: "agents/" },
  { name: "provider", prefix: "provider/" },
  { name: "other", prefix: "" },
] as const;

/** The group a file is listed in. */
export function groupOf(path: string): string {
  return GROUPS.find((g) => path.startsWith(g.prefix))!.name;
}

/** The list of a run's files. */
export class FileList {
  /** The list, to put in the page. */
  readonly el: HTMLElement;
  readonly #ctx: PageContext;
  readonly #runId: string;
  readonly #onOpen: (path: string) => void;
  readonly #filter: HTMLInputElement;
  readonly #count: HTMLSpanElement;
  readonly #groups: HTMLDivElement;
  #files: readonly RunFile[] = [];
  #skipped: readonly SkippedFile[] = [];
  #open: string | undefined;

  /** `onOpen` shows a file; `toggle`, when given, goes in the list's head. */
  constructor(
    ctx: PageContext,
    runId: string,
    onOpen: (path: string) => void,
    toggle?: HTMLElement,
  ) {
    this.#ctx = ctx;
    this.#runId = runId;
    this.#onOpen = onOpen;
    this.#filter = h("input", {
      type: "search",
      id: "file-filter",
      placeholder: "Filter files",
      "aria-label": "Filter files",
    });
    this.#filter.addEventListener("input", () => this.#render());
    this.#count = h("span", { class: "muted", id: "file-count" });
    this.#groups = h("div", { class: "file-groups", id: "file-groups" });
    this.el = h(
      "div",
      { class: "file-list" },
      h("div", { class: "file-list-head" }, this.#filter, this.#count, toggle),
      this.#groups,
    );
  }

  /** Lists `files` (grouped, in natural order), then `skipped`. */
  draw(files: readonly RunFile[], skipped: readonly SkippedFile[]): void {
    this.#files = files.slice().sort((a, b) => naturalCompare(a.path, b.path));
    this.#skipped = skipped;
    this.#render();
  }

  /** Marks `path` as the file shown. */
  markOpen(path: string): void {
    this.#open = path;
    for (const row of Array.from(this.#groups.querySelectorAll<HTMLElement>(".file-row"))) {
      if (row.dataset.path === path) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    }
  }

  #render(): void {
    const words = this.#filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (path: string) => {
      const p = path.toLowerCase();
      return words.every((w) => p.includes(w));
    };
    const shown = this.#files.filter((f) => matches(f.path));
    this.#count.textContent = words.length
      ? `${formatCount(shown.length)} of ${formatCount(this.#files.length)} files`
      : `${formatCount(this.#files.length)} files`;
    clear(this.#groups);
    for (const group of GROUPS) {
      const own = shown.filter((f) => groupOf(f.path) === group.name);
      if (own.length === 0) continue;
      add(
        this.#groups,
        h(
          "section",
          { class: "file-group", "data-group": group.name },
          h("h4", null, group.name, h("span", { class: "muted" }, formatCount(own.length))),
          h("ul", null, own.map((f) => this.#row(f, group.prefix))),
        ),
      );
    }
    const skipped = this.#skipped.filter((s) => matches(s.path));
    if (skipped.length > 0) {
      add(
        this.#groups,
        h(
          "section",
          { class: "file-group", "data-group": "skipped" },
          h("h4", null, "not served", h("span", { class: "muted" }, formatCount(skipped.length))),
          h(
            "ul",
            null,
            skipped.map((s) =>
              h(
                "li",
                { class: "file-row skipped" },
                h("span", { class: "mono name" }, s.path),
                h("span", { class: "muted why" }, s.reason),
              )
            ),
          ),
        ),
      );
    }
    if (shown.length === 0 && skipped.length === 0) {
      add(
        this.#groups,
        h(
          "p",
          { class: "muted empty" },
          this.#files.length ? "No file matches." : "This run has no files yet.",
        ),
      );
    }
  }

  #row(f: RunFile, prefix: string): HTMLLIElement {
    const report = this.#ctx.report;
    const viewable = !report || report.logs[f.path] !== undefined;
    const name = f.path.slice(prefix.length);
    const open = viewable
      ? h("button", { class: "linkish mono name", "data-file": f.path, title: f.path }, name)
      : h("span", { class: "mono name muted", title: f.path }, name);
    if (viewable) open.addEventListener("click", () => this.#onOpen(f.path));
    return h(
      "li",
      {
        class: "file-row",
        "data-path": f.path,
        "aria-current": this.#open === f.path ? "true" : null,
      },
      open,
      h("span", { class: "size" }, sizeText(f.bytes)),
      report
        ? (viewable ? null : h("span", { class: "muted why" }, "not in this report"))
        : h("a", {
          class: "raw",
          href: rawHref(this.#runId, f.path),
          target: "_blank",
          rel: "noopener noreferrer",
          title: `${f.path} as it is (masked), in a new tab`,
        }, "raw"),
    );
  }
}
