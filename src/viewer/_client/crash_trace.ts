/// <reference lib="dom" />
// The crash trace tab: the final state and the trace entries of the latest
// dump as a table, then each earlier session's dump, folded.
import type { TraceJson } from "../_run_data.ts";
import { add, clear, h } from "./dom.ts";
import { sizeText } from "./format.ts";

/** The most columns of the entries' table. */
const MAX_COLUMNS = 12;

/** Draws a run's crash dumps in `panel`. */
export function drawTrace(panel: HTMLElement, trace: TraceJson): void {
  clear(panel);
  if (!trace.present) {
    add(panel, h("p", { class: "muted" }, "No crash trace."));
    return;
  }
  const earlier = trace.earlier || [];
  if (earlier.length > 0) {
    add(
      panel,
      h(
        "p",
        { class: "note" },
        `${earlier.length + 1} crash dumps: the latest first, then each earlier session's.`,
      ),
    );
  }
  drawDump(panel, trace);
  earlier.slice().reverse().forEach((dump) => {
    const reason = (dump.final as { reason?: unknown } | null | undefined)?.reason;
    const box = h(
      "details",
      { class: "dump" },
      h("summary", null, dump.path + (dump.final && reason ? `: ${reason}` : "")),
    );
    drawDump(box, dump);
    add(panel, box);
  });
}

function drawDump(panel: HTMLElement, trace: TraceJson): void {
  if (!trace.present) {
    add(panel, h("p", { class: "muted" }, `No dump in ${trace.path}.`));
    return;
  }
  if (trace.cut) {
    add(
      panel,
      h(
        "p",
        { class: "note" },
        `The trace is long: its first ${sizeText(trace.cut)} are not shown.`,
      ),
    );
  }
  if (trace.final) {
    add(panel, [
      h("h3", null, "Final state"),
      h("pre", { class: "block" }, JSON.stringify(trace.final, null, 2)),
    ]);
  }
  const keys: string[] = [];
  for (const e of trace.entries) {
    if (e && typeof e === "object") {
      for (const k of Object.keys(e)) {
        if (keys.indexOf(k) < 0 && keys.length < MAX_COLUMNS) keys.push(k);
      }
    }
  }
  const body = h("tbody");
  for (const e of trace.entries) {
    body.appendChild(h(
      "tr",
      null,
      keys.map((k) => {
        const v = e && typeof e === "object" ? (e as Record<string, unknown>)[k] : e;
        return h(
          "td",
          { class: "mono" },
          v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v),
        );
      }),
    ));
  }
  add(panel, [
    h("h3", null, `${trace.entries.length} trace entries, oldest first`),
    h(
      "div",
      { style: { overflowX: "auto" } },
      h(
        "table",
        { class: "trace", "data-dump": trace.path },
        h("thead", null, h("tr", null, keys.map((k) => h("th", null, k)))),
        body,
      ),
    ),
  ]);
}
