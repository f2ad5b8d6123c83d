/// <reference lib="dom" />
// The timeline of a run's effects on a canvas: a lane of failures on top
// (a marker for every failed effect, at any zoom), then a lane per phase in
// its colour, a bar per effect as long as it took, thinner than a pixel
// marked per pixel column; the sessions' crashes, ends and resumes as
// vertical lines. Zoom with the wheel, pan by dragging, hover for the
// line, click to pick; step from failure to failure.
import type { TimelineChunk } from "../_timeline.ts";
import type { PageContext } from "./context.ts";
import type { Bar, FailureMarker, TimelineHook, TimelineMark } from "./hook.ts";
import type { SessionMark } from "./sessions.ts";
import { fetchTimeline } from "./api.ts";
import { add, clear, h } from "./dom.ts";
import { axisText, durationText, formatCount } from "./format.ts";
import { canvasColours, onSchemeChange, phaseColour } from "./theme.ts";
import { type EffectView, TimelineModel } from "./timeline_model.ts";
import { TimelineView } from "./timeline_view.ts";

/** The height of the axis, of a lane, and of the gap between lanes (CSS pixels). */
const AXIS = 22;
const LANE = 18;
const LANE_GAP = 4;
/** The width of a failure's marker, and how near a click must be to pick it (CSS pixels). */
const MARKER = 5;
const MARKER_SLACK = 6;
/** Axis steps in ms: the first at least 90 pixels apart is taken. */
const STEPS = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  1000,
  2000,
  5000,
  10000,
  15000,
  30000,
  60000,
  120000,
  300000,
  600000,
  900000,
  1800000,
  3600000,
  7200000,
  10800000,
  21600000,
  43200000,
  86400000,
];

/** How a timeline is built. */
export interface TimelineOptions {
  /** Its heading (default "Timeline"). */
  title?: string;
  /** When the run started (ms since the epoch): where the axis begins. */
  origin?: number;
  /** A view shared with other timelines (compare); default one of its own. */
  view?: TimelineView;
}

/** The timeline panel of a run page. */
export class Timeline {
  /** The effects. */
  readonly model: TimelineModel;
  /** Set when the page holds no more effects: live ones are ignored. */
  capped = false;

  readonly #ctx: PageContext;
  readonly #onSelect: (index: number) => void;
  readonly #view: TimelineView;
  readonly #info: HTMLSpanElement;
  readonly #notice: HTMLDivElement;
  readonly #lanes: HTMLDivElement;
  readonly #canvas: HTMLCanvasElement;
  readonly #tip: HTMLDivElement;
  readonly #box: HTMLDivElement;
  readonly #legend: HTMLDivElement;
  readonly #prevFailure: HTMLButtonElement;
  readonly #nextFailure: HTMLButtonElement;
  #marks: SessionMark[] = [];
  /** The marks on the axis, computed when the effects or the sessions change. */
  #placed: { mark: SessionMark; x: number }[] = [];
  #placedAt = -1;
  #selected = -1;
  #hoverIndex = -1;
  #pending = false;
  #fetching = false;
  #drawnCount = 0;
  #laneCount: number | undefined;
  #legendAt: number | undefined;

  /**
   * Builds the timeline in `panel`; `onSelect` hears of each effect picked
   * (-1: none). Element ids are the run page's (`timeline-canvas`…) unless
   * `options.view` is given (several on a page): then classes alone.
   */
  constructor(
    ctx: PageContext,
    panel: HTMLElement,
    onSelect: (index: number) => void,
    options: TimelineOptions = {},
  ) {
    this.#ctx = ctx;
    this.#onSelect = onSelect;
    this.model = new TimelineModel(options.origin);
    this.#view = options.view ?? new TimelineView();
    const single = options.view === undefined;
    const id = (name: string) => single ? name : null;
    this.#info = h("span", { class: "muted timeline-info", id: id("timeline-info") });
    this.#notice = h("div");
    this.#lanes = h("div", { class: "lanes" });
    this.#canvas = h("canvas", {
      class: "timeline",
      id: id("timeline-canvas"),
      "aria-label": "Timeline of effects",
    });
    this.#tip = h("div", { class: "tooltip", id: id("timeline-tip"), hidden: true });
    this.#box = h("div", { class: "canvas-box" }, this.#canvas, this.#tip);
    this.#legend = h("div", { class: "legend", id: id("timeline-legend") });
    const fit = h("button", { title: "Show everything (double-click)" }, "Fit");
    const zoomIn = h("button", { title: "Zoom in (wheel)", "aria-label": "Zoom in" }, "+");
    const zoomOut = h(
      "button",
      { title: "Zoom out (wheel)", "aria-label": "Zoom out" },
      "\u2212",
    );
    this.#prevFailure = h("button", {
      class: "failure-step",
      "data-step": "previous",
      title: "Pick the failure before the one picked",
      disabled: true,
    }, "\u25c0 failure");
    this.#nextFailure = h("button", {
      class: "failure-step",
      "data-step": "next",
      title: "Pick the failure after the one picked",
      disabled: true,
    }, "failure \u25b6");
    fit.addEventListener("click", () => this.#view.fit());
    zoomIn.addEventListener("click", () => this.#view.zoom(0.5, 0.5));
    zoomOut.addEventListener("click", () => this.#view.zoom(2, 0.5));
    this.#prevFailure.addEventListener("click", () => this.#stepFailure(-1));
    this.#nextFailure.addEventListener("click", () => this.#stepFailure(1));
    add(panel, [
      h(
        "div",
        { class: "toolbar" },
        h("h2", { style: { margin: "0" } }, options.title ?? "Timeline"),
        fit,
        zoomOut,
        zoomIn,
        this.#prevFailure,
        this.#nextFailure,
        this.#info,
      ),
      this.#notice,
      h("div", { class: "timeline-wrap" }, this.#lanes, this.#box),
      this.#legend,
    ]);
    this.#view.attach(() => this.model.end, () => this.#schedule());
    this.#bind();
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => this.#schedule()).observe(this.#box);
    }
    onSchemeChange(() => this.#schedule());
  }

  /** Appends a chunk of the timeline API, and draws soon. */
  append(chunk: TimelineChunk): void {
    this.model.append(chunk);
    this.#view.follow();
    this.#schedule();
  }

  /** Marks these session boundaries (crash, end, resume), and draws soon. */
  setMarks(marks: readonly SessionMark[]): void {
    this.#marks = marks.slice();
    this.#placedAt = -1;
    this.#schedule();
  }

  /** Picks effect `i` (-1: none), shows it if it is out of view, and says so to `onSelect`. */
  select(i: number): void {
    const m = this.model;
    this.#selected = i >= 0 && i < m.n ? i : -1;
    if (this.#selected >= 0) {
      const v = this.#view;
      const start = m.start[i];
      const end = start + m.dur[i];
      if (end < v.start || start > v.end) {
        const span = v.end - v.start;
        v.show(start - span / 2, start + span / 2);
      }
    }
    this.#schedule();
    this.#onSelect(this.#selected);
  }

  /** Picks the failure before (-1) or after (1) the effect picked. */
  #stepFailure(direction: -1 | 1): void {
    const failed = this.model.failed;
    if (failed.length === 0) return;
    const at = this.#selected;
    let next: number | undefined;
    if (direction > 0) next = failed.find((i) => i > at) ?? failed[0];
    else {
      for (let k = failed.length - 1; k >= 0 && next === undefined; k--) {
        if (failed[k] < at || at < 0) next = failed[k];
      }
      next ??= failed[failed.length - 1];
    }
    this.select(next);
  }

  /** All effects are in: says what is missing (`note`, unread lines, pauses), fits and draws. */
  done(note: string): void {
    const m = this.model;
    clear(this.#notice);
    if (note) add(this.#notice, h("p", { class: "note" }, note));
    if (m.invalid) {
      add(
        this.#notice,
        h(
          "p",
          { class: "note" },
          `${
            formatCount(m.invalid)
          } line(s) of event_loop.log could not be read and are not shown` +
            (m.firstInvalid
              ? ` (the first at byte ${formatCount(m.firstInvalid.offset)}: ${
                m.firstInvalid.text.slice(0, 160)
              })`
              : "") +
            ".",
        ),
      );
    }
    if (m.breaks.length) {
      add(
        this.#notice,
        h(
          "p",
          { class: "muted" },
          `Pauses longer than 10 min (${m.breaks.length}) are drawn as 10 min, marked by a dashed line.`,
        ),
      );
    }
    this.fit();
    this.draw();
  }

  /** Effects from the live stream; a part missed (the page was busy) is read first. */
  live(chunk: TimelineChunk, runId: string): void {
    if (this.capped) return;
    if (chunk.from > this.model.next) {
      // Missed a part: read it (it holds this chunk's effects too).
      if (this.#fetching) return;
      this.#fetching = true;
      fetchTimeline(runId, this.model.next).then((c) => {
        this.append(c);
        this.#fetching = false;
      }).catch(() => {
        this.#fetching = false;
      });
      return;
    }
    this.append(chunk);
  }

  /** Effect `i`. */
  effect(i: number): EffectView {
    return this.model.effect(i);
  }

  /** Shows everything, and follows the end again. */
  fit(): void {
    this.#view.fit();
  }

  #width(): number {
    return Math.max(50, this.#box.clientWidth || 800);
  }

  /** CSS pixels per ms. */
  #scale(): number {
    return this.#width() / (this.#view.end - this.#view.start);
  }

  /** The top of a phase's lane (the failure lane is above the first). */
  #laneY(lane: number): number {
    return AXIS + (lane + 1) * (LANE + LANE_GAP);
  }

  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      this.draw();
    });
  }

  /** The marks placed on the axis (ms), again only when effects or sessions changed. */
  #placeMarks(): { mark: SessionMark; x: number }[] {
    const m = this.model;
    if (this.#placedAt !== m.n) {
      this.#placedAt = m.n;
      this.#placed = this.#marks.map((mark) => ({ mark, x: m.axisAt(mark.at, mark.side) }));
    }
    return this.#placed;
  }

  /** Where a failed effect's marker is on the axis: the middle of its bar. */
  #failureAt(i: number): number {
    return this.model.start[i] + this.model.dur[i] / 2;
  }

  /** Draws the view now. */
  draw(): void {
    const m = this.model;
    const colours = canvasColours();
    const width = this.#width();
    const lanes = Math.max(1, m.phases.length);
    const height = this.#laneY(lanes) + 4;
    const dpr = globalThis.devicePixelRatio || 1;
    const canvas = this.#canvas;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = colours.background;
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = colours.failureLane;
    ctx.fillRect(0, AXIS - LANE_GAP / 2, width, LANE + LANE_GAP);
    for (let l = 0; l < lanes; l++) {
      ctx.fillStyle = l % 2 ? colours.laneOdd : colours.laneEven;
      ctx.fillRect(0, this.#laneY(l) - LANE_GAP / 2, width, LANE + LANE_GAP);
    }
    const k = this.#scale();
    const vs = this.#view.start;
    const laneColours = m.phases.map(phaseColour);
    const labels = this.#markLabels(ctx, k, width);
    this.#drawAxis(ctx, k, height, labels);
    // Bars of a pixel or more as they are; thinner ones marked per pixel column and lane.
    const marks: Uint8Array[] = [];
    for (let l = 0; l < lanes; l++) marks.push(new Uint8Array(Math.ceil(width) + 1));
    let drawn = 0;
    for (let i = m.firstEndingAfter(vs); i < m.n; i++) {
      const x0 = (m.start[i] - vs) * k;
      if (x0 > width) break;
      const w = m.dur[i] * k;
      const lane = m.phase[i];
      const y = this.#laneY(lane);
      drawn++;
      if (w >= 1) {
        ctx.fillStyle = laneColours[lane];
        ctx.fillRect(x0, y, w > 4 ? w - 1 : w, LANE);
        if (m.bad[i]) {
          ctx.fillStyle = colours.failure;
          ctx.fillRect(x0, y, Math.max(w - 1, 1), 3);
        }
      } else {
        const col = Math.max(0, Math.floor(x0));
        marks[lane][col] = m.bad[i] ? 2 : Math.max(marks[lane][col], 1);
      }
    }
    for (let l = 0; l < lanes; l++) {
      const row = marks[l];
      for (let c = 0; c <= width; c++) {
        if (!row[c]) continue;
        let run = c;
        while (run + 1 <= width && row[run + 1]) run++;
        ctx.fillStyle = laneColours[l];
        ctx.fillRect(c, this.#laneY(l), run - c + 1, LANE);
        for (let f = c; f <= run; f++) {
          if (row[f] === 2) {
            ctx.fillStyle = colours.failure;
            ctx.fillRect(f, this.#laneY(l), 1, 3);
          }
        }
        c = run;
      }
    }
    // Every failure, however many effects share its pixel: a marker of its own lane.
    ctx.fillStyle = colours.failure;
    let lastMarker = -Infinity;
    for (const i of m.failed) {
      const x = (this.#failureAt(i) - vs) * k;
      if (x < -MARKER || x > width + MARKER || x - lastMarker < 1) continue;
      lastMarker = x;
      ctx.beginPath();
      ctx.moveTo(x - MARKER / 2 - 1, AXIS);
      ctx.lineTo(x + MARKER / 2 + 1, AXIS);
      ctx.lineTo(x + 0.5, AXIS + LANE - 2);
      ctx.lineTo(x - 0.5, AXIS + LANE - 2);
      ctx.closePath();
      ctx.fill();
    }
    ctx.strokeStyle = colours.pause;
    ctx.setLineDash([3, 3]);
    for (const b of m.breaks) {
      const x = (b - vs) * k;
      if (x >= 0 && x <= width) {
        ctx.beginPath();
        ctx.moveTo(x + 0.5, AXIS);
        ctx.lineTo(x + 0.5, height);
        ctx.stroke();
      }
    }
    ctx.setLineDash([]);
    // The sessions: a crash or an end, then the resume, each line with its label.
    for (const label of labels) {
      const colour = label.kind === "resume" ? colours.resume : colours.crash;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(label.kind === "end" ? [4, 3] : []);
      ctx.beginPath();
      ctx.moveTo(label.x, 2);
      ctx.lineTo(label.x, height);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = 1;
      ctx.fillStyle = colours.background;
      ctx.fillRect(label.left, 2, label.right - label.left, AXIS - 6);
      ctx.fillStyle = colour;
      ctx.fillText(label.text, label.left + 3, AXIS / 2 - 1);
    }
    const selected = this.#selected;
    if (selected >= 0 && selected < m.n) {
      const sx = (m.start[selected] - vs) * k;
      ctx.strokeStyle = colours.selected;
      ctx.lineWidth = 2;
      ctx.strokeRect(
        sx - 1,
        this.#laneY(m.phase[selected]) - 1,
        Math.max(m.dur[selected] * k, 1) + 2,
        LANE + 2,
      );
      ctx.lineWidth = 1;
    }
    canvas.dataset.effects = String(m.n);
    canvas.dataset.drawn = String(drawn);
    canvas.dataset.scale = String(k);
    canvas.dataset.viewStart = String(this.#view.start);
    canvas.dataset.viewEnd = String(this.#view.end);
    this.#drawnCount = drawn;
    this.#prevFailure.disabled = this.#nextFailure.disabled = m.failures === 0;
    this.#drawLanes();
    this.#info.textContent =
      `${formatCount(m.n)} effects \u00b7 ${durationText(m.totalMs)} of work over ${
        durationText(m.end)
      }` +
      (m.failures ? ` \u00b7 ${formatCount(m.failures)} failed` : "") +
      (m.inexact ? ` \u00b7 ${formatCount(m.inexact)} read by their most plausible reading` : "");
    this.#ctx.hook.drawCount = (this.#ctx.hook.drawCount || 0) + 1;
  }

  /**
   * The session marks in view: each one's line (x) and label (its text and
   * span on the axis row: a crash or an end left of its line, a resume right).
   */
  #markLabels(
    ctx: CanvasRenderingContext2D,
    k: number,
    width: number,
  ): { kind: string; x: number; text: string; left: number; right: number }[] {
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    const out = [];
    for (const { mark, x: at } of this.#placeMarks()) {
      const x = Math.round((at - this.#view.start) * k) + 0.5;
      if (x < -1 || x > width + 1) continue;
      const text = mark.kind === "crash"
        ? "\u2716 crash"
        : mark.kind === "resume"
        ? "\u25b6 resume"
        : "\u25a0 end";
      const span = ctx.measureText(text).width + 6;
      const left = mark.kind === "resume"
        ? Math.min(x + 2, width - span)
        : Math.max(0, x - span - 3);
      out.push({ kind: mark.kind, x, text, left, right: left + span });
    }
    return out;
  }

  /** The axis: its ticks, and their times where no mark's label stands. */
  #drawAxis(
    ctx: CanvasRenderingContext2D,
    k: number,
    height: number,
    labels: readonly { left: number; right: number }[],
  ): void {
    let step = STEPS[STEPS.length - 1];
    for (const s of STEPS) {
      if (s * k >= 90) {
        step = s;
        break;
      }
    }
    const colours = canvasColours();
    const { start, end } = this.#view;
    ctx.fillStyle = colours.axisText;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    ctx.strokeStyle = colours.axisLine;
    for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
      const x = Math.round((t - start) * k) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, AXIS - 6);
      ctx.lineTo(x, height);
      ctx.stroke();
      const text = axisText(t);
      const right = x + 3 + ctx.measureText(text).width;
      if (labels.every((l) => right < l.left || x > l.right)) {
        ctx.fillText(text, x + 3, AXIS / 2 - 1);
      }
    }
  }

  /** The lane names beside the canvas and the legend below it, when they changed. */
  #drawLanes(): void {
    const m = this.model;
    if (this.#laneCount === m.phases.length && this.#legendAt === m.n) return;
    this.#laneCount = m.phases.length;
    this.#legendAt = m.n;
    clear(this.#lanes);
    clear(this.#legend);
    add(
      this.#lanes,
      h(
        "div",
        {
          class: m.failures ? "failure-lane" : "failure-lane muted",
          title: "Every failed effect, one marker each; click one to pick it",
          "data-lane": "failures",
        },
        h("span", { class: "swatch failure-swatch" }),
        m.failures ? `${formatCount(m.failures)} failed` : "no failures",
      ),
    );
    m.phases.forEach((p, i) => {
      const colour = phaseColour(p);
      add(
        this.#lanes,
        h(
          "div",
          { title: p, "data-lane": i },
          h("span", { class: "swatch", style: { background: colour } }),
          p,
        ),
      );
      add(
        this.#legend,
        h(
          "span",
          { class: "item" },
          h("span", { class: "swatch", style: { background: colour } }),
          `${p}: ${formatCount(m.phaseCount[i])} effects, ${durationText(m.phaseMs[i])}`,
        ),
      );
    });
    if (!m.n) add(this.#lanes, h("div", { class: "muted" }, "no effects yet"));
  }

  /**
   * The effect under (x, y), in CSS pixels of the canvas: in the failure
   * lane, the failure whose marker is nearest, within MARKER_SLACK pixels;
   * in a phase's lane, its effect within 3 pixels; -1 for none.
   */
  #pick(x: number, y: number): number {
    const m = this.model;
    const lane = Math.floor((y - AXIS + LANE_GAP / 2) / (LANE + LANE_GAP)) - 1;
    if (lane === -1) return this.#pickFailure(x);
    if (lane < 0 || lane >= m.phases.length || m.n === 0) return -1;
    const k = this.#scale();
    const t = this.#view.start + x / k;
    const slack = 3 / k;
    let best = -1;
    let bestDist = Infinity;
    let steps = 0;
    for (
      let i = m.firstEndingAfter(t - slack);
      i < m.n && m.start[i] <= t + slack && steps < 5000;
      i++, steps++
    ) {
      if (m.phase[i] !== lane) continue;
      const d = t < m.start[i]
        ? m.start[i] - t
        : t > m.start[i] + m.dur[i]
        ? t - m.start[i] - m.dur[i]
        : 0;
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
      if (d === 0) break;
    }
    return best;
  }

  /** The failure whose marker is nearest to x, within MARKER_SLACK pixels; -1 for none. */
  #pickFailure(x: number): number {
    const failed = this.model.failed;
    const k = this.#scale();
    const t = this.#view.start + x / k;
    // The failures' markers are in order: search for the first at or after t.
    let lo = 0;
    let hi = failed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#failureAt(failed[mid]) < t) lo = mid + 1;
      else hi = mid;
    }
    let best = -1;
    let bestDist = MARKER_SLACK;
    for (const j of [lo - 1, lo]) {
      if (j < 0 || j >= failed.length) continue;
      const d = Math.abs(this.#failureAt(failed[j]) - t) * k;
      if (d <= bestDist) {
        bestDist = d;
        best = failed[j];
      }
    }
    return best;
  }

  #showTip(i: number, x = 0, y = 0): void {
    const tip = this.#tip;
    if (i < 0) {
      tip.hidden = true;
      this.#hoverIndex = -1;
      return;
    }
    this.#hoverIndex = i;
    const e = this.model.effect(i);
    clear(tip);
    add(tip, [
      h(
        "div",
        null,
        h("b", null, `#${e.seq} ${e.phase}`),
        `  ${durationText(e.ms)}${e.failed ? "  \u2716 failed" : ""}`,
      ),
      h("div", null, `${e.effect} \u2192 ${e.event}`),
      h("div", { class: "line" }, e.line),
    ]);
    tip.dataset.seq = String(e.seq);
    tip.hidden = false;
    // Beside the pointer, inside the canvas: above it when below would leave the page section.
    const width = this.#box.clientWidth;
    tip.style.left = `${Math.min(Math.max(0, x + 12), Math.max(0, width - tip.offsetWidth - 4))}px`;
    const below = y + 14;
    tip.style.top = `${
      below + tip.offsetHeight > this.#box.clientHeight + 120
        ? Math.max(-tip.offsetHeight, y - tip.offsetHeight - 10)
        : below
    }px`;
  }

  #bind(): void {
    const canvas = this.#canvas;
    let drag: { x: number; start: number; end: number; moved: boolean } | null = null;
    const point = (ev: MouseEvent) => {
      const r = canvas.getBoundingClientRect();
      return { x: ev.clientX - r.left, y: ev.clientY - r.top };
    };
    canvas.addEventListener("mousemove", (ev) => {
      const p = point(ev);
      if (drag) {
        if (!drag.moved && Math.abs(drag.x - p.x) <= 3) return;
        drag.moved = true;
        const dt = (drag.x - p.x) / this.#scale();
        this.#view.show(drag.start + dt, drag.end + dt);
        return;
      }
      this.#showTip(this.#pick(p.x, p.y), p.x, p.y);
    });
    canvas.addEventListener("mouseleave", () => {
      this.#showTip(-1);
      drag = null;
    });
    canvas.addEventListener("mousedown", (ev) => {
      const p = point(ev);
      drag = { x: p.x, start: this.#view.start, end: this.#view.end, moved: false };
    });
    canvas.addEventListener("mouseup", (ev) => {
      const p = point(ev);
      const moved = drag && drag.moved;
      drag = null;
      if (moved) return;
      this.select(this.#pick(p.x, p.y));
    });
    canvas.addEventListener("dblclick", () => this.#view.fit());
    canvas.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const p = point(ev);
      this.#view.zoom(ev.deltaY > 0 ? 1.25 : 0.8, p.x / this.#width());
    }, { passive: false });
  }

  /** The test and benchmark hook: geometry of every bar in CSS pixels of the canvas. */
  hook(): TimelineHook {
    const m = this.model;
    return {
      count: () => m.n,
      phases: () => m.phases.slice(),
      colour: (lane) => phaseColour(m.phases[lane]),
      fit: () => {
        this.fit();
        this.draw();
      },
      scale: () => this.#scale(),
      bars: (from, to) => {
        const k = this.#scale();
        const out: Bar[] = [];
        for (let i = from || 0; i < Math.min(m.n, to === undefined ? m.n : to); i++) {
          out.push({
            seq: m.seq[i],
            x: (m.start[i] - this.#view.start) * k,
            w: m.dur[i] * k,
            ms: m.dur[i],
            lane: m.phase[i],
            y: this.#laneY(m.phase[i]),
            h: LANE,
            failed: !!m.bad[i],
          });
        }
        return out;
      },
      hovered: () => this.#hoverIndex < 0 ? null : m.seq[this.#hoverIndex],
      drawn: () => this.#drawnCount,
      failures: () => {
        const k = this.#scale();
        return m.failed.map((i): FailureMarker => ({
          seq: m.seq[i],
          x: (this.#failureAt(i) - this.#view.start) * k,
          y: AXIS,
          h: LANE,
        }));
      },
      marks: () => {
        const k = this.#scale();
        return this.#placeMarks().map(({ mark, x }): TimelineMark => ({
          kind: mark.kind,
          label: mark.label,
          x: (x - this.#view.start) * k,
        }));
      },
      selected: () => this.#selected < 0 ? null : m.seq[this.#selected],
    };
  }
}
