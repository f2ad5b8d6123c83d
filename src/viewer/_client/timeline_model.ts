// The effects of a run's timeline, held in columns (typed arrays and a
// string table) so that a million effects take tens of megabytes, laid out
// on a time axis from the run's start: each effect starts where it
// started, pauses longer than GAP_CAP shortened to it, so that a run idle
// for a night stays readable.
import type { TimelineChunk } from "../_timeline.ts";
import { isFailedEffect } from "../_effect_logs.ts";

/** The most effects a page holds. */
export const MAX_EFFECTS = 1000000;
/** Longer pauses between effects are drawn this long (10 min). */
export const GAP_CAP = 10 * 60 * 1000;

/** One effect, as the page shows it. */
export interface EffectView {
  seq: number;
  phase: string;
  effect: string;
  event: string;
  /** Its extra events and context (`extra=[…] ctx=k=v,…`), or "". */
  detail: string;
  ms: number;
  /** When it finished, ISO; "?" when its timestamp does not parse. */
  ts: string;
  failed: boolean;
  /** The effect as a line of event_loop.log. */
  line: string;
}

/** The effects of a timeline, appended chunk by chunk. */
export class TimelineModel {
  /** How many effects it holds. */
  n = 0;
  /** The event log offset to read on from. */
  next = 0;
  /** The distinct strings. */
  readonly strings: string[] = [];
  /** The phases, in lane order. */
  readonly phases: string[] = [];
  /** Per lane: its effects, and the sum of their durations. */
  readonly phaseCount: number[] = [];
  readonly phaseMs: number[] = [];
  /** Where the last effect ends, on the axis (ms). */
  end = 0;
  /** Where each shortened pause is, on the axis. */
  readonly breaks: number[] = [];
  /** Lines that did not parse, and the first of them. */
  invalid = 0;
  firstInvalid: { offset: number; text: string } | undefined;
  /** Lines read by their most plausible reading. */
  inexact = 0;
  /** The sum of every effect's duration. */
  totalMs = 0;
  /** How many effects failed. */
  failures = 0;
  /** The indices of the failed effects, in order. */
  readonly failed: number[] = [];

  // Per effect, by index.
  seq = new Float64Array(0);
  /** Where it starts on the axis (ms). */
  start = new Float64Array(0);
  dur = new Float64Array(0);
  /** When it finished (ms since the epoch), NaN when unknown. */
  time = new Float64Array(0);
  off = new Float64Array(0);
  /** Its lane. */
  phase = new Uint16Array(0);
  eff = new Int32Array(0);
  evt = new Int32Array(0);
  det = new Int32Array(0);
  /** 1 when it failed. */
  bad = new Uint8Array(0);

  #cap = 0;
  #lastT = NaN;
  readonly #stringIndex = new Map<string, number>();
  readonly #phaseIndex = new Map<string, number>();

  /**
   * `origin`: when the run started (ms since the epoch), where the axis
   * begins; without it, the axis begins at the first effect.
   */
  constructor(origin = NaN) {
    this.#lastT = origin;
    this.#grow(1024);
  }

  #grow(cap: number): void {
    const n = this.n;
    function more<T extends Float64Array | Uint16Array | Int32Array | Uint8Array>(
      make: (cap: number) => T,
      old: T,
    ): T {
      const a = make(cap);
      a.set(old.subarray(0, n));
      return a;
    }
    this.seq = more((c) => new Float64Array(c), this.seq);
    this.start = more((c) => new Float64Array(c), this.start);
    this.dur = more((c) => new Float64Array(c), this.dur);
    this.time = more((c) => new Float64Array(c), this.time);
    this.off = more((c) => new Float64Array(c), this.off);
    this.phase = more((c) => new Uint16Array(c), this.phase);
    this.eff = more((c) => new Int32Array(c), this.eff);
    this.evt = more((c) => new Int32Array(c), this.evt);
    this.det = more((c) => new Int32Array(c), this.det);
    this.bad = more((c) => new Uint8Array(c), this.bad);
    this.#cap = cap;
  }

  #intern(s: string): number {
    let i = this.#stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.#stringIndex.set(s, i);
    }
    return i;
  }

  #lane(name: string): number {
    let i = this.#phaseIndex.get(name);
    if (i === undefined) {
      i = this.phases.length;
      this.phases.push(name);
      this.#phaseIndex.set(name, i);
      this.phaseCount.push(0);
      this.phaseMs.push(0);
    }
    return i;
  }

  /** Appends a chunk of the timeline API; effects it already has are skipped. */
  append(chunk: TimelineChunk): void {
    const local = chunk.strings.map((s) => this.#intern(s));
    let abs: number | null = null;
    let count = chunk.seq.length;
    if (this.n + count > MAX_EFFECTS) count = Math.max(0, MAX_EFFECTS - this.n);
    for (let i = 0; i < count; i++) {
      const t = chunk.t[i];
      if (t !== null) abs = abs === null ? t : abs + t;
      if (chunk.off[i] < this.next) continue;
      if (this.n >= this.#cap) this.#grow(this.#cap * 2);
      const n = this.n;
      const ms = chunk.ms[i];
      const time = t === null ? NaN : abs!;
      let gap = isFinite(time) && isFinite(this.#lastT) ? time - ms - this.#lastT : 0;
      if (gap > GAP_CAP) {
        this.breaks.push(this.end + GAP_CAP / 2);
        gap = GAP_CAP;
      }
      this.start[n] = this.end + Math.max(0, gap);
      this.dur[n] = ms;
      this.end = this.start[n] + ms;
      if (isFinite(time)) this.#lastT = time;
      this.seq[n] = chunk.seq[i];
      this.time[n] = time;
      this.off[n] = chunk.off[i];
      const lane = this.#lane(chunk.strings[chunk.phase[i]]);
      this.phase[n] = lane;
      this.phaseCount[lane]++;
      this.phaseMs[lane] += ms;
      this.totalMs += ms;
      this.eff[n] = local[chunk.effect[i]];
      this.evt[n] = local[chunk.event[i]];
      this.det[n] = local[chunk.detail[i]];
      this.bad[n] = isFailedEffect(this.strings[this.evt[n]], this.strings[this.det[n]]) ? 1 : 0;
      if (this.bad[n]) {
        this.failures++;
        this.failed.push(n);
      }
      this.n++;
    }
    this.next = count === chunk.seq.length ? Math.max(this.next, chunk.next) : chunk.off[count];
    this.invalid += chunk.invalid || 0;
    this.inexact += chunk.inexact || 0;
    if (chunk.firstInvalid && !this.firstInvalid) this.firstInvalid = chunk.firstInvalid;
  }

  /** The first effect whose end is after `t` (ends grow with the index). */
  firstEndingAfter(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.start[mid] + this.dur[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Where a wall-clock time (ms since the epoch) is on the axis: `before`,
   * the end of the last effect that ended by then (0 when none did);
   * `after`, the start of the first effect that began at or after it (the
   * end of the axis when none did).
   */
  axisAt(time: number, side: "before" | "after"): number {
    let found = side === "before" ? 0 : this.end;
    for (let i = 0; i < this.n; i++) {
      const t = this.time[i];
      if (!isFinite(t)) continue;
      if (side === "before" && t <= time) found = this.start[i] + this.dur[i];
      if (side === "after" && t - this.dur[i] >= time) return this.start[i];
    }
    return found;
  }

  /** Effect `i` as the page shows it. */
  effect(i: number): EffectView {
    const detail = this.strings[this.det[i]];
    const t = this.time[i];
    const ts = isFinite(t) ? new Date(t).toISOString() : "?";
    const phase = this.phases[this.phase[i]];
    const effect = this.strings[this.eff[i]];
    const event = this.strings[this.evt[i]];
    return {
      seq: this.seq[i],
      phase,
      effect,
      event,
      detail,
      ms: this.dur[i],
      ts,
      failed: !!this.bad[i],
      line: `${this.seq[i]} ts=${ts} phase=${phase} effect=${effect} event=${event}` +
        `${detail ? ` ${detail}` : ""} ms=${this.dur[i]}`,
    };
  }
}
