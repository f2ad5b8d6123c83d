// The page's hook for tests and benchmarks, `window.__runlog`: whether the
// page is ready, what went wrong, and views of the timeline and the logs
// shown. Browser tests read it with page.evaluate(); it changes nothing.

/** One bar of the timeline, in CSS pixels of its canvas. */
export interface Bar {
  seq: number;
  x: number;
  w: number;
  ms: number;
  lane: number;
  y: number;
  h: number;
  failed: boolean;
}

/** A failed effect's marker in the failure lane, in CSS pixels of its canvas (its middle). */
export interface FailureMarker {
  seq: number;
  x: number;
  y: number;
  h: number;
}

/** A session boundary marked on the timeline, in CSS pixels of its canvas. */
export interface TimelineMark {
  kind: "crash" | "end" | "resume";
  label: string;
  x: number;
}

/** The timeline of a run page. */
export interface TimelineHook {
  /** How many effects it holds. */
  count(): number;
  /** The phases, one lane each, in lane order. */
  phases(): string[];
  /** The colour of a lane's bars (its phase's). */
  colour(lane: number): string;
  /** Shows everything, and draws at once. */
  fit(): void;
  /** CSS pixels per millisecond. */
  scale(): number;
  /** The bars of effects `from` (default 0) to `to` (default all), by index. */
  bars(from?: number, to?: number): Bar[];
  /** The sequence number of the effect under the pointer. */
  hovered(): number | null;
  /** How many effects the last drawing covered. */
  drawn(): number;
  /** The marker of every failed effect, in order. */
  failures(): FailureMarker[];
  /** The crashes, ends and resumes of the run's sessions. */
  marks(): TimelineMark[];
  /** The sequence number of the effect picked. */
  selected(): number | null;
}

/** A provider stream shown as messages. */
export interface MessagesHook {
  /** The messages: role, and each block's kind, name and text. */
  messages(): { role: string; blocks: { kind: string; name?: string; text: string }[] }[];
  /** Whether the raw lines are shown instead. */
  raw(): boolean;
}

/** A log shown on the page. */
export interface LogHook {
  /** The texts of the rows it holds (a separator's own text). */
  texts(): string[];
  /** How many rows it holds. */
  count(): number;
  /** The view itself, for a look from the console. */
  view: unknown;
}

/** `window.__runlog`. */
export interface RunlogHook {
  /** Set once the page's first data is shown (or failed to load). */
  ready: boolean;
  /** `performance.now()` when a run page became ready. */
  readyAt?: number;
  /** The page shown. */
  page: "" | "runs" | "run" | "compare";
  /** A run page's timeline. */
  timeline: TimelineHook | null;
  /** The logs shown, by path relative to the run directory. */
  logs: Record<string, LogHook>;
  /** The provider streams shown as messages, by path relative to the run directory. */
  messages: Record<string, MessagesHook>;
  /** The compare page's two timelines (A, then B). */
  timelines?: TimelineHook[];
  /** Every error the page showed. */
  errors: string[];
  /** How many times the live stream (re)connected. */
  live: number;
  /** How many times the timeline was drawn. */
  drawCount?: number;
}

/** A fresh hook, set as `window.__runlog`. */
export function installHook(): RunlogHook {
  const hook: RunlogHook = {
    ready: false,
    page: "",
    timeline: null,
    logs: {},
    messages: {},
    errors: [],
    live: 0,
  };
  (globalThis as unknown as { __runlog: RunlogHook }).__runlog = hook;
  return hook;
}
