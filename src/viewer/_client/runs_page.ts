/// <reference lib="dom" />
// The runs page: every run of the workspace, newest first, filtered by
// status, polled every 2 s; two picked to compare.
import type { RunJson } from "../_run_data.ts";
import type { PageContext } from "./context.ts";
import { compareHref, fetchRuns, runHref } from "./api.ts";
import { badge, showError, STATUSES, topBar } from "./chrome.ts";
import { add, clear, h } from "./dom.ts";
import { formatCount, runDuration, shortTime, sizeText, timeText } from "./format.ts";

/** The most rows drawn: thousands redrawn every poll would freeze the page. */
const MAX_RUN_ROWS = 1000;
const POLL_MS = 2000;

/** Builds the runs page. */
export function renderRuns(ctx: PageContext): void {
  ctx.hook.page = "runs";
  document.title = "runlog: runs";
  const filter = h(
    "select",
    { id: "status-filter", "aria-label": "Filter by status" },
    ["all", ...STATUSES].map((s) => h("option", { value: s }, s)),
  );
  const count = h("span", { class: "muted", id: "run-count" });
  const selected: string[] = [];
  const compare = h("button", { id: "compare", disabled: true }, "Compare the 2 selected");
  const tbody = h("tbody");
  const note = h("p", { class: "muted" });
  const problem = h("div");
  let runs: RunJson[] = [];
  let loaded = false;
  const columns = ["", "Run", "Status", "Started (UTC)", "Duration", "Size", "Live", "Command"];
  ctx.app.appendChild(topBar(ctx, [h("span", null, "Runs")]));
  ctx.app.appendChild(h(
    "main",
    null,
    h("div", { class: "toolbar" }, h("label", null, "Status ", filter), count, compare),
    problem,
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "runs" },
        h(
          "thead",
          null,
          h("tr", null, columns.map((c) => h("th", c === "Size" ? { class: "num" } : null, c))),
        ),
        tbody,
      ),
    ),
    note,
  ));

  function row(r: RunJson): HTMLTableRowElement {
    const box = h("input", { type: "checkbox", "aria-label": `select ${r.id}` });
    box.checked = selected.indexOf(r.id) >= 0;
    box.addEventListener("change", () => {
      const at = selected.indexOf(r.id);
      if (box.checked && at < 0) selected.push(r.id);
      if (!box.checked && at >= 0) selected.splice(at, 1);
      while (selected.length > 2) selected.shift();
      compare.disabled = selected.length !== 2;
      draw();
    });
    const command = r.metadata?.command || r.problem || "";
    return h(
      "tr",
      { "data-run-id": r.id, "data-status": r.status },
      h("td", null, box),
      h("td", { class: "nowrap" }, h("a", { class: "mono", href: runHref(r.id) }, r.id)),
      h("td", null, badge(r.status)),
      h("td", { class: "nowrap", title: timeText(r.startedAt) }, shortTime(r.startedAt)),
      h("td", { class: "nowrap" }, runDuration(r)),
      h("td", { class: "num" }, sizeText(r.bytes)),
      h(
        "td",
        null,
        r.live
          ? h("span", {
            class: "live",
            title: r.holder ? `pid ${r.holder.pid} on ${r.holder.host}` : "",
          }, "\u25cf live")
          : "",
      ),
      h("td", { class: "cmd", title: command }, command),
    );
  }

  function draw(): void {
    clear(tbody);
    const shown = runs.filter((r) => filter.value === "all" || r.status === filter.value);
    count.textContent = `${formatCount(shown.length)} of ${formatCount(runs.length)} runs`;
    // The newest ones, and a note.
    const more = shown.length - MAX_RUN_ROWS;
    for (const r of shown.slice(0, MAX_RUN_ROWS)) tbody.appendChild(row(r));
    if (more > 0) {
      tbody.appendChild(h(
        "tr",
        null,
        h(
          "td",
          { colspan: 8, class: "muted" },
          `\u2026 and ${formatCount(more)} older runs, not shown: filter by status to see others.`,
        ),
      ));
    }
    if (shown.length === 0) {
      tbody.appendChild(h(
        "tr",
        null,
        h(
          "td",
          { colspan: 8, class: "muted" },
          !loaded
            ? "Loading\u2026"
            : runs.length
            ? "No run has this status."
            : "No runs in this workspace yet.",
        ),
      ));
    }
  }
  filter.addEventListener("change", draw);
  compare.addEventListener("click", () => {
    if (selected.length === 2) location.href = compareHref(selected[0], selected[1]);
  });
  function poll(): void {
    fetchRuns().then((data) => {
      runs = data.runs;
      loaded = true;
      clear(problem);
      clear(note);
      if (data.skipped.length) {
        add(
          note,
          "Not runs, left alone: " +
            data.skipped.map((s) => `${s.name} (${s.reason})`).join("; "),
        );
      }
      draw();
      ctx.hook.ready = true;
    }).catch((error) => {
      clear(problem);
      showError(ctx, problem, error);
    }).then(() => {
      setTimeout(poll, POLL_MS);
    });
  }
  draw();
  poll();
}
