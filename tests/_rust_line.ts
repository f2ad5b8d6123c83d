// Event-loop lines as the Rust original writes them, for tests of the
// reader: tests/fixtures/ralph-rust/README.md says how, and
// rust_fixtures.test.ts checks it against the tool's own lines.
import type { EventLoopEntry } from "../mod.ts";

/**
 * A line as the Rust original writes it: every value as it is, nothing
 * quoted or escaped; extra items joined by "," in `extra=[…]`, pairs `k=v`
 * joined by "," after `ctx=`, each left out when there are none.
 */
export function rustLine(entry: EventLoopEntry): string {
  let line =
    `${entry.seq} ts=${entry.ts} phase=${entry.phase} effect=${entry.effect} event=${entry.event}`;
  if (entry.extra.length > 0) line += ` extra=[${entry.extra.join(",")}]`;
  if (entry.context.length > 0) {
    line += ` ctx=${entry.context.map(([key, value]) => `${key}=${value}`).join(",")}`;
  }
  return `${line} ms=${entry.durationMs}\n`;
}
