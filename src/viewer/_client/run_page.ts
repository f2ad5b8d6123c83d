/// <reference lib="dom" />
// A run's page: its head, the timeline of its effects (failures, crashes
// and resumes marked) with the panel of the effect picked, and tabs for the
// pipeline log, the files (the list beside the file shown: a log, or a
// provider stream as messages), the crash trace and a comparison; live
// while it runs.
import type { RunDetailJson, RunJson, TraceJson } from "../_run_data.ts";
import type { PageContext } from "./context.ts";
import { compareHref, fetchRun, fetchRuns, fetchTrace } from "./api.ts";
import { showError, topBar } from "./chrome.ts";
import { drawTrace } from "./crash_trace.ts";
import { add, clear, h } from "./dom.ts";
import { showEffect } from "./effect_panel.ts";
import { FilesTab } from "./files_tab.ts";
import { formatCount } from "./format.ts";
import { type LiveStream, startLive } from "./live.ts";
import { LogView } from "./log_view.ts";
import { drawHead } from "./run_head.ts";
import { sessionMarks, sessionViews } from "./sessions.ts";
import { Tabs } from "./tabs.ts";
import { Timeline } from "./timeline.ts";
import { loadTimeline } from "./timeline_loader.ts";

/** Builds the page of run `id`. */
export function renderRun(ctx: PageContext, id: string): void {
  ctx.hook.page = "run";
  document.title = `runlog: ${id}`;
  const root = h("main");
  ctx.app.appendChild(topBar(ctx, [
    ctx.report ? h("span", null, "Run") : h("a", { href: "/" }, "Runs"),
    h("span", { class: "mono" }, id),
  ]));
  ctx.app.appendChild(root);
  const data = ctx.report ? Promise.resolve(ctx.report.detail) : fetchRun(id);
  data.then((detail) => buildRun(ctx, root, id, detail)).catch((error) => {
    showError(ctx, root, error);
    ctx.hook.ready = true;
  });
}

function buildRun(ctx: PageContext, root: HTMLElement, id: string, detail: RunDetailJson): void {
  const report = ctx.report;
  const head = h("section", { class: "run-head", id: "run-head" });
  const problems = h("div", { id: "problems" });
  root.appendChild(head);
  root.appendChild(problems);
  drawHead(ctx, head, detail.run);
  for (const note of report?.notes ?? []) root.appendChild(h("p", { class: "note" }, note));
  if (detail.filesCut) {
    root.appendChild(h(
      "p",
      { class: "note" },
      "This run holds more files than the viewer lists; the first " +
        `${formatCount(detail.files.length)} are shown.`,
    ));
  }

  let files = detail.files;
  const tlPanel = h("section", { class: "panel", id: "timeline" });
  root.appendChild(tlPanel);
  const effectPanel = h("div", { class: "effect-panel", id: "effect", hidden: true });
  const timeline = new Timeline(
    ctx,
    tlPanel,
    (i) => showEffect(effectPanel, i < 0 ? null : timeline.effect(i), files, openFile),
    { origin: Date.parse(detail.run.startedAt) },
  );
  tlPanel.appendChild(effectPanel);
  ctx.hook.timeline = timeline.hook();
  const markSessions = (run: RunJson) => timeline.setMarks(sessionMarks(sessionViews(run)));
  markSessions(detail.run);

  const tabs = new Tabs();
  root.appendChild(tabs.el);

  const pipeline = new LogView(ctx, {
    runId: id,
    path: "pipeline.log",
    levels: true,
    data: report?.logs["pipeline.log"],
  });
  tabs.add(
    "pipeline",
    "Pipeline log",
    h("div", { "data-panel": "pipeline" }, pipeline.el),
    () => pipeline.render(),
  );

  let live: LiveStream | null = null;
  const filesTab = new FilesTab(ctx, id, () => live?.reconnect());
  tabs.add("files", "Files", filesTab.el, () => filesTab.render());

  if (detail.trace) {
    const tracePanel = h("div", { "data-panel": "trace" });
    tabs.add("trace", "Crash trace", tracePanel);
    const traceData: Promise<TraceJson> = report ? Promise.resolve(report.trace) : fetchTrace(id);
    traceData.then((trace) => drawTrace(tracePanel, trace))
      .catch((error) => showError(ctx, tracePanel, error));
  }
  if (!report) {
    const comparePanel = h("div", { "data-panel": "compare" });
    tabs.add("compare", "Compare", comparePanel);
    compareWith(ctx, id, comparePanel);
  }
  tabs.select("pipeline");

  const drawFiles = () => filesTab.draw(files, detail.skipped || []);
  drawFiles();

  function openFile(path: string): void {
    tabs.select("files");
    filesTab.open(path);
  }

  Promise.all([pipeline.open(), loadTimeline(ctx, timeline, id)]).then(() => {
    ctx.hook.readyAt = performance.now();
    ctx.hook.ready = true;
    if (!report) {
      live = startLive(ctx, id, timeline, pipeline, () => filesTab.shown, {
        run: (run) => {
          detail.run = run;
          drawHead(ctx, head, run);
          markSessions(run);
        },
        files: (f) => {
          detail.skipped = f.skipped;
          files = f.files;
          drawFiles();
        },
        problem: (message) => {
          clear(problems);
          add(problems, h("p", { class: "problem" }, message));
        },
      });
    }
  }).catch((error) => {
    showError(ctx, root, error);
    ctx.hook.ready = true;
  });
}

/** The compare tab: pick another run of the workspace. */
function compareWith(ctx: PageContext, id: string, panel: HTMLElement): void {
  fetchRuns().then((list) => {
    const others = list.runs.filter((r) => r.id !== id);
    if (!others.length) {
      add(panel, h("p", { class: "muted" }, "No other run to compare with."));
      return;
    }
    const pick = h(
      "select",
      { "aria-label": "Run to compare with" },
      others.map((r) => h("option", { value: r.id }, `${r.id}  (${r.status})`)),
    );
    const go = h("button", null, "Compare");
    go.addEventListener("click", () => {
      location.href = compareHref(id, pick.value);
    });
    add(panel, h("div", { class: "toolbar" }, h("label", null, "Compare with ", pick), go));
  }).catch((error) => showError(ctx, panel, error));
}
