/// <reference lib="dom" />
// The head of a run page: its id, status and what run.json says, with its
// sessions (each one's status: a session that never ended and was followed
// by another crashed); drawn again when the live stream says the run changed.
import type { RunJson } from "../_run_data.ts";
import type { PageContext } from "./context.ts";
import { badge } from "./chrome.ts";
import { add, clear, h } from "./dom.ts";
import { runDuration, shortTime, sizeText, timeText } from "./format.ts";
import { sessionViews } from "./sessions.ts";

/** Draws (or draws again) the head of run `run` in `head`; the sessions stay open or closed. */
export function drawHead(ctx: PageContext, head: HTMLElement, run: RunJson): void {
  const was = head.querySelector("details");
  const open = was ? was.open : true;
  clear(head);
  const m = run.metadata;
  const c = m?.configSummary;
  add(
    head,
    h(
      "div",
      { class: "run-title" },
      h("h1", null, run.id),
      badge(run.status),
      run.live ? h("span", { class: "live", id: "live-badge" }, "\u25cf live") : null,
    ),
  );
  if (run.live && ctx.redacted) {
    add(
      head,
      h(
        "p",
        { class: "note", id: "live-tail-note" },
        "Live run: the unfinished last line of a log, and the end of a " +
          "message still streaming, are masked (live-tail) until they end: they could be the start of a secret.",
      ),
    );
  }
  const dl = h("dl", { class: "meta" });
  function row(label: string, value: unknown, mono?: boolean): void {
    if (value === undefined || value === null || value === "") return;
    add(dl, [h("dt", null, label), h("dd", { class: mono ? "mono" : null }, String(value))]);
  }
  row("Started", timeText(run.startedAt));
  row("Ended", run.endedAt ? timeText(run.endedAt) : run.live ? "still running" : "not recorded");
  row("Duration", runDuration(run));
  row("Size", sizeText(run.bytes));
  if (run.holder) {
    row(
      "Written by",
      `pid ${run.holder.pid} on ${run.holder.host} (${run.holder.runtime}), since ${
        timeText(run.holder.takenAt)
      }`,
    );
  }
  row("Command", m?.command, true);
  row("Version", m?.ralphVersion);
  row("Repository", m?.repoRoot, true);
  row("Agents", [c?.developerAgent, c?.reviewerAgent].filter(Boolean).join(", "));
  row("Iterations", c?.totalIterations);
  row("Reviewer passes", c?.totalReviewerPasses);
  row("run.json", run.problem);
  add(head, dl);
  const sessions = sessionViews(run);
  if (sessions.length) {
    const body = h("tbody");
    for (const { index, session: s, status } of sessions) {
      body.appendChild(h(
        "tr",
        { "data-status": status },
        h(
          "td",
          { class: "nowrap" },
          String(index + 1) + (s.resume ? " (resume)" : "") + (s.recreated ? " (recreated)" : ""),
        ),
        h("td", { class: "nowrap", title: timeText(s.startedAtUtc) }, shortTime(s.startedAtUtc)),
        h(
          "td",
          { class: "nowrap", title: timeText(s.endedAtUtc) },
          shortTime(s.endedAtUtc, s.startedAtUtc),
        ),
        h("td", null, badge(status)),
        h("td", null, s.pid === undefined ? "" : String(s.pid)),
        h("td", null, s.host || ""),
        h("td", { class: "cmd", title: s.command || "" }, s.command || ""),
      ));
    }
    const columns = ["#", "Started (UTC)", "Ended", "Status", "PID", "Host", "Command"];
    const crashed = sessions.filter((v) => v.status === "crashed").length;
    add(
      head,
      h(
        "details",
        { class: "sessions", open: open ? "" : null },
        h(
          "summary",
          null,
          `${sessions.length} session${sessions.length > 1 ? "s" : ""}` +
            (crashed ? `, ${crashed} crashed` : ""),
        ),
        h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { id: "sessions" },
            h("thead", null, h("tr", null, columns.map((t) => h("th", null, t)))),
            body,
          ),
        ),
      ),
    );
  }
}
