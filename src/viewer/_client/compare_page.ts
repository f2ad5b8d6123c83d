/// <reference lib="dom" />
// Two runs side by side: their effects, failures, work and wall time,
// their timelines one above the other on the same axis (each from its
// run's start, zoomed and panned together, phases in the same colours),
// the first position where their effect sequences differ, and time per
// phase.
import type { ComparedEffect, CompareSide, Comparison } from "../_compare.ts";
import type { PageContext } from "./context.ts";
import { fetchComparison, runHref } from "./api.ts";
import { badge, showError, topBar } from "./chrome.ts";
import { add, clear, h } from "./dom.ts";
import { durationText, formatCount, sizeText, timeText } from "./format.ts";
import { sessionMarks, sessionViews } from "./sessions.ts";
import { phaseColour } from "./theme.ts";
import { Timeline } from "./timeline.ts";
import { loadTimeline } from "./timeline_loader.ts";
import { TimelineView } from "./timeline_view.ts";

/** How much of each event log the server reads (MAX_COMPARE_BYTES of `_compare.ts`). */
const MAX_COMPARE_BYTES = 512 * 1024 * 1024;

/** Builds the page comparing runs `a` and `b`. */
export function renderCompare(ctx: PageContext, a: string, b: string): void {
  ctx.hook.page = "compare";
  document.title = "runlog: compare";
  const root = h("main");
  ctx.app.appendChild(topBar(ctx, [h("a", { href: "/" }, "Runs"), h("span", null, "Compare")]));
  ctx.app.appendChild(root);
  add(root, h("p", { class: "muted" }, "Reading both event logs\u2026"));
  fetchComparison(a, b).then((c) => {
    clear(root);
    drawComparison(root, c);
    return drawTimelines(ctx, root, c);
  }).then(() => {
    ctx.hook.ready = true;
  }).catch((error) => {
    clear(root);
    showError(ctx, root, error);
    ctx.hook.ready = true;
  });
}

function side(s: CompareSide, label: string): HTMLElement {
  return h(
    "section",
    { class: "panel", "data-side": label },
    h(
      "h2",
      null,
      `${label}: `,
      h("a", { class: "mono", href: runHref(s.run.id) }, s.run.id),
      " ",
      badge(s.run.status),
    ),
    h(
      "dl",
      { class: "meta" },
      h("dt", null, "Started"),
      h("dd", null, timeText(s.run.startedAt)),
      h("dt", null, "Effects"),
      h("dd", { "data-k": "effects" }, formatCount(s.effects)),
      h("dt", null, "Failures"),
      h(
        "dd",
        { "data-k": "failures", class: s.failures ? "failures" : null },
        formatCount(s.failures),
      ),
      h("dt", null, "Work"),
      h("dd", null, durationText(s.totalMs)),
      h("dt", null, "Wall time"),
      h("dd", null, durationText(s.wallMs)),
    ),
    s.cut
      ? h(
        "p",
        { class: "note" },
        `Only the first ${sizeText(MAX_COMPARE_BYTES)} of its event log were read (${
          sizeText(s.cut)
        } left).`,
      )
      : null,
    s.invalid ? h("p", { class: "note" }, `${s.invalid} unreadable line(s) skipped.`) : null,
  );
}

function effectText(e: ComparedEffect | null): string {
  return e
    ? `#${e.seq} ${e.phase}: ${e.effect} \u2192 ${e.event} (${durationText(e.ms)})`
    : "(the sequence has ended)";
}

/** Both runs' timelines, on one axis from each run's start; loaded before it resolves. */
function drawTimelines(ctx: PageContext, root: HTMLElement, c: Comparison): Promise<void> {
  const view = new TimelineView();
  const panel = h(
    "section",
    { class: "panel", id: "compare-timelines" },
    h("h2", null, "Timelines"),
    h(
      "p",
      { class: "muted" },
      "Both runs from their start, on the same time axis: zoom or pan one, the other follows.",
    ),
  );
  const divergence = root.querySelector("#divergence");
  root.insertBefore(panel, divergence);
  const sides: [string, CompareSide][] = [["A", c.a], ["B", c.b]];
  const timelines = sides.map(([label, side]) => {
    const box = h("div", { class: "compare-timeline", "data-side": label });
    const line = h("pre", { class: "line", hidden: true });
    add(panel, box);
    const timeline = new Timeline(ctx, box, (i) => {
      line.hidden = i < 0;
      line.textContent = i < 0 ? "" : timeline.effect(i).line;
    }, {
      title: `${label}: ${side.run.id}`,
      origin: Date.parse(side.run.startedAt),
      view,
    });
    add(box, line);
    timeline.setMarks(sessionMarks(sessionViews(side.run)));
    return timeline;
  });
  ctx.hook.timelines = timelines.map((t) => t.hook());
  return Promise.all([
    loadTimeline(ctx, timelines[0], c.a.run.id),
    loadTimeline(ctx, timelines[1], c.b.run.id),
  ]).then(() => view.fit());
}

function drawComparison(root: HTMLElement, c: Comparison): void {
  add(root, h("div", { class: "cols" }, side(c.a, "A"), side(c.b, "B")));
  const d = c.divergence;
  add(
    root,
    h(
      "section",
      { class: "panel", id: "divergence" },
      h("h2", null, "First divergence"),
      d
        ? [
          h("p", null, `The effect sequences differ first at position ${formatCount(d.index)}:`),
          h("pre", { class: "block" }, `A  ${effectText(d.a)}\nB  ${effectText(d.b)}`),
        ]
        : h(
          "p",
          null,
          `Both runs executed the same sequence of effects (${formatCount(c.a.effects)}).`,
        ),
    ),
  );
  const phases: string[] = [];
  for (const p of c.a.phases.concat(c.b.phases)) {
    if (phases.indexOf(p.phase) < 0) phases.push(p.phase);
  }
  const find = (list: CompareSide["phases"], name: string) =>
    list.find((p) => p.phase === name) ?? { count: 0, ms: 0 };
  const body = h("tbody");
  for (const name of phases) {
    const x = find(c.a.phases, name);
    const y = find(c.b.phases, name);
    const delta = y.ms - x.ms;
    body.appendChild(h(
      "tr",
      null,
      h(
        "td",
        { class: "nowrap" },
        h("span", { class: "swatch", style: { background: phaseColour(name) } }),
        ` ${name}`,
      ),
      h("td", { class: "num" }, formatCount(x.count)),
      h("td", { class: "num" }, formatCount(y.count)),
      h("td", { class: "num" }, durationText(x.ms)),
      h("td", { class: "num" }, durationText(y.ms)),
      h(
        "td",
        { class: "num " + (delta > 0 ? "delta-up" : delta < 0 ? "delta-down" : "") },
        (delta > 0 ? "+" : delta < 0 ? "\u2212" : "") + durationText(Math.abs(delta)),
      ),
    ));
  }
  body.appendChild(h(
    "tr",
    null,
    h("th", null, "Total"),
    h("th", { class: "num" }, formatCount(c.a.effects)),
    h("th", { class: "num" }, formatCount(c.b.effects)),
    h("th", { class: "num" }, durationText(c.a.totalMs)),
    h("th", { class: "num" }, durationText(c.b.totalMs)),
    h("th", null, ""),
  ));
  const columns = ["Phase", "A effects", "B effects", "A time", "B time", "B \u2212 A"];
  add(
    root,
    h(
      "section",
      { class: "panel" },
      h("h2", null, "Per phase"),
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { id: "phases" },
          h(
            "thead",
            null,
            h("tr", null, columns.map((t, i) => h("th", { class: i ? "num" : null }, t))),
          ),
          body,
        ),
      ),
    ),
  );
}
