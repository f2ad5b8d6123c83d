// Durations for people, the same in the command line and the viewer.

/**
 * A duration for people: "850 ms", "4.2 s" (one decimal under 10 s),
 * "42 s", "3 min 5 s", "2 h 10 min".
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${ms < 10_000 ? (ms / 1000).toFixed(1) : s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
