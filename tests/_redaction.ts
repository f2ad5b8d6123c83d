// Feeding a redactor in chunks, as pack and the viewer do.
import { createRedactor } from "../src/pack/mod.ts";
import { concat } from "./_bytes.ts";

/** `bytes` through a new redactor in chunks whose sizes `next()` picks (at least 1). */
export function redactInChunks(
  bytes: Uint8Array,
  next: () => number,
): { out: Uint8Array; counts: Record<string, number> } {
  const redactor = createRedactor();
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = Math.max(1, next());
    parts.push(redactor.push(bytes.subarray(at, at + n)));
    at += n;
  }
  parts.push(redactor.flush());
  return { out: concat(parts), counts: { ...redactor.counts } };
}
