// The span of the time axis a timeline shows, shareable: the compare page
// gives both runs' timelines one view, so that they zoom and pan together
// on the same axis, each from its run's start.

/** What a view shows, and who draws it. */
export class TimelineView {
  /** The span shown, in ms of the axis. */
  start = 0;
  end = 1;
  /** Whether the view follows the end as effects come. */
  following = true;
  readonly #extents: (() => number)[] = [];
  readonly #redraws: (() => void)[] = [];

  /** A timeline that shows this view: how long its axis is, and how to draw it again. */
  attach(extent: () => number, redraw: () => void): void {
    this.#extents.push(extent);
    this.#redraws.push(redraw);
  }

  /** The longest axis of the timelines shown (ms), at least 1. */
  total(): number {
    return Math.max(1, ...this.#extents.map((extent) => extent()));
  }

  /** Shows everything, and follows the end again. */
  fit(): void {
    this.following = true;
    this.start = 0;
    this.end = this.total();
    this.#changed();
  }

  /** Shows everything again if following (effects came); draws nothing. */
  follow(): void {
    if (!this.following) return;
    this.start = 0;
    this.end = this.total();
  }

  /** Shows `[start, end)`, kept within the axis; stops following. */
  show(start: number, end: number): void {
    const span = end - start;
    const total = this.total();
    this.start = start;
    this.end = end;
    if (this.start < 0) {
      this.start = 0;
      this.end = span;
    }
    if (this.end > total && span <= total) {
      this.end = total;
      this.start = total - span;
    }
    this.following = false;
    this.#changed();
  }

  /** Zooms by `factor` about `at` (0: the left edge, 1: the right one). */
  zoom(factor: number, at: number): void {
    const span = this.end - this.start;
    const center = this.start + span * at;
    const next = Math.max(2, Math.min(span * factor, this.total() * 1.05));
    this.show(center - next * at, center - next * at + next);
  }

  #changed(): void {
    for (const redraw of this.#redraws) redraw();
  }
}
