// Two runs side by side: effect counts, durations per phase, and the first
// index where their effect sequences differ, read from both event logs in
// lockstep, one bounded chunk at a time.
import type { Workspace } from "../workspace.ts";
import type { RunInfo } from "../runs/list_runs.ts";
import type { Masker } from "./_redacted_read.ts";
import { readTimeline, type TimelineChunk } from "./_timeline.ts";
import { type RunJson, runJson } from "./_run_data.ts";
import { isFailedEffect } from "./_effect_logs.ts";

/** The most of each event log read for a comparison; the page says what was left. */
const MAX_COMPARE_BYTES = 512 * 1024 * 1024;
const CHUNK_BYTES = 8 * 1024 * 1024;

/** One effect as the comparison names it. */
export interface ComparedEffect {
  seq: number;
  phase: string;
  effect: string;
  event: string;
  ms: number;
}

/** One run's side of a comparison. */
export interface CompareSide {
  run: RunJson;
  effects: number;
  /** How many effects failed (as the run page and the report count them). */
  failures: number;
  /** The sum of the effects' durations. */
  totalMs: number;
  /** From the first effect's start to the last one's end, by their timestamps. */
  wallMs: number | null;
  phases: { phase: string; count: number; ms: number }[];
  /** Bytes of the event log not read (over MAX_COMPARE_BYTES). */
  cut: number;
  invalid: number;
}

/** What {@linkcode compareRuns} finds. */
export interface Comparison {
  a: CompareSide;
  b: CompareSide;
  /**
   * The first position (1-based) where the phase or effect differs, or
   * where one sequence ends before the other; `null` when they are alike.
   */
  divergence: { index: number; a: ComparedEffect | null; b: ComparedEffect | null } | null;
}

/** Reads one event log effect by effect, in bounded chunks. */
class EffectReader {
  readonly side: CompareSide;
  readonly #ws: Workspace;
  readonly #path: string;
  readonly #masker: Masker;
  #chunk: TimelineChunk | undefined;
  #i = 0;
  #next = 0;
  #done = false;
  #time: number | null = null;
  #first: number | null = null;
  #phases = new Map<string, { phase: string; count: number; ms: number }>();

  constructor(ws: Workspace, run: RunInfo, masker: Masker) {
    this.#ws = ws;
    this.#path = `${run.dir}/event_loop.log`;
    this.#masker = masker;
    this.side = {
      run: runJson(run, masker),
      effects: 0,
      failures: 0,
      totalMs: 0,
      wallMs: null,
      phases: [],
      cut: 0,
      invalid: 0,
    };
  }

  async next(): Promise<ComparedEffect | null> {
    while (this.#chunk === undefined || this.#i >= this.#chunk.seq.length) {
      if (this.#done) return null;
      const budget = MAX_COMPARE_BYTES - this.#next;
      const chunk = await readTimeline(this.#ws, this.#path, this.#next, this.#masker, {
        maxBytes: Math.min(CHUNK_BYTES, budget),
        maxEffects: Number.MAX_SAFE_INTEGER,
      });
      this.side.invalid += chunk.invalid;
      this.#chunk = chunk;
      this.#i = 0;
      this.#time = null;
      this.#next = chunk.next;
      if (chunk.done) this.#done = true;
      else if (chunk.next >= MAX_COMPARE_BYTES || chunk.next === chunk.from) {
        this.#done = true;
        this.side.cut = chunk.size - chunk.next;
      }
    }
    const c = this.#chunk;
    const i = this.#i++;
    const effect: ComparedEffect = {
      seq: c.seq[i],
      phase: c.strings[c.phase[i]],
      effect: c.strings[c.effect[i]],
      event: c.strings[c.event[i]],
      ms: c.ms[i],
    };
    const t = c.t[i];
    if (t !== null) {
      // A chunk's first time is absolute, the next ones relative to it.
      this.#time = this.#time === null ? t : this.#time + t;
      this.#first ??= this.#time - effect.ms;
      this.side.wallMs = this.#time - this.#first;
    }
    this.side.effects++;
    if (isFailedEffect(effect.event, c.strings[c.detail[i]])) this.side.failures++;
    this.side.totalMs += effect.ms;
    let phase = this.#phases.get(effect.phase);
    if (phase === undefined) {
      phase = { phase: effect.phase, count: 0, ms: 0 };
      this.#phases.set(effect.phase, phase);
      this.side.phases.push(phase);
    }
    phase.count++;
    phase.ms += effect.ms;
    return effect;
  }
}

/**
 * Compares the event logs of two runs: counts and durations, per phase
 * too, and the first position where the sequences of (phase, effect)
 * differ.
 */
export async function compareRuns(
  ws: Workspace,
  a: RunInfo,
  b: RunInfo,
  masker: Masker,
): Promise<Comparison> {
  const left = new EffectReader(ws, a, masker);
  const right = new EffectReader(ws, b, masker);
  let divergence: Comparison["divergence"] = null;
  for (let index = 1;; index++) {
    const x = await left.next();
    const y = await right.next();
    if (x === null && y === null) break;
    if (
      divergence === null &&
      (x === null || y === null || x.phase !== y.phase || x.effect !== y.effect)
    ) {
      divergence = { index, a: x, b: y };
    }
  }
  return { a: left.side, b: right.side, divergence };
}
