/// <reference lib="dom" />
// The colours the canvas draws with: a phase's colour from its name, and
// the others from the style sheet's variables (`--tl-*`), which the dark
// scheme sets too; read again when the scheme changes.

/**
 * The colours of phases. No red: red marks failures. Each reads on the
 * light and on the dark background.
 */
export const PALETTE: readonly string[] = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#b07aa1",
  "#76b7b2",
  "#edc948",
  "#9c755f",
  "#ff9da7",
  "#8cd17d",
  "#499894",
  "#a0cbe8",
  "#d37295",
];

/**
 * The colour of a phase: its name hashed (FNV-1a) into the palette, so
 * that a phase has the same colour in every run, on every page.
 */
export function phaseColour(phase: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < phase.length; i++) {
    hash ^= phase.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return PALETTE[hash % PALETTE.length];
}

/** The timeline canvas's other colours. */
export interface CanvasColours {
  background: string;
  /** Lanes alternate between these two. */
  laneOdd: string;
  laneEven: string;
  /** The failure lane's background. */
  failureLane: string;
  /** A failed effect's mark and marker. */
  failure: string;
  /** The dashed line at a shortened pause. */
  pause: string;
  /** The outline of the selected effect. */
  selected: string;
  axisText: string;
  axisLine: string;
  /** A session that crashed, and one that resumed the run. */
  crash: string;
  resume: string;
}

/** The light scheme's, used where the style sheet gives none. */
const LIGHT: CanvasColours = {
  background: "#ffffff",
  laneOdd: "#f6f8fa",
  laneEven: "#fbfcfd",
  failureLane: "#fff5f5",
  failure: "#b91c1c",
  pause: "#6e7781",
  selected: "#1f2328",
  axisText: "#656d76",
  axisLine: "#d8dee4",
  crash: "#8250df",
  resume: "#0969da",
};

const VARIABLES: Record<keyof CanvasColours, string> = {
  background: "--tl-bg",
  laneOdd: "--tl-lane-odd",
  laneEven: "--tl-lane-even",
  failureLane: "--tl-failure-lane",
  failure: "--tl-failure",
  pause: "--tl-pause",
  selected: "--tl-selected",
  axisText: "--tl-axis-text",
  axisLine: "--tl-axis-line",
  crash: "--tl-crash",
  resume: "--tl-resume",
};

let held: CanvasColours | undefined;

/** The canvas colours of the scheme shown (read once per scheme). */
export function canvasColours(): CanvasColours {
  if (held !== undefined) return held;
  const style = typeof getComputedStyle === "function"
    ? getComputedStyle(document.documentElement)
    : undefined;
  const colours = { ...LIGHT };
  for (const key of Object.keys(VARIABLES) as (keyof CanvasColours)[]) {
    const value = style?.getPropertyValue(VARIABLES[key]).trim();
    if (value) colours[key] = value;
  }
  held = colours;
  return colours;
}

/** Calls `redraw` whenever the colour scheme changes (the system's dark mode). */
export function onSchemeChange(redraw: () => void): void {
  const query = globalThis.matchMedia?.("(prefers-color-scheme: dark)");
  query?.addEventListener("change", () => {
    held = undefined;
    redraw();
  });
}
