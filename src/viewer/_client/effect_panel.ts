/// <reference lib="dom" />
// The panel under the timeline: the effect picked, its line, and its agent
// and provider logs (by its iteration, review pass or agent index, and its
// attempt: `logsOfEffect`, as the report chooses them), each a button that
// shows the log.
import type { RunFile } from "../_run_data.ts";
import type { EffectView } from "./timeline_model.ts";
import { logsOfEffect } from "../_effect_logs.ts";
import { add, clear, h } from "./dom.ts";

/** The most logs offered when none is the effect's own. */
const MAX_OTHERS = 40;

/** What an effect's context says about which invocation it was, to name it. */
function invocation(detail: string): string {
  const parts: string[] = [];
  for (const key of ["iteration", "reviewer_pass", "agent_index", "attempt"]) {
    const match = new RegExp(`(?:^|[ ,=])${key}=(\\d+)(?=,|$| )`).exec(detail);
    if (match !== null) parts.push(`${key.replace("_", " ")} ${match[1]}`);
  }
  return parts.join(", ");
}

/** Shows `effect` (or hides the panel for none), offering its logs to `open`. */
export function showEffect(
  panel: HTMLElement,
  effect: EffectView | null,
  files: readonly RunFile[],
  open: (path: string) => void,
): void {
  clear(panel);
  if (effect === null) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  panel.dataset.seq = String(effect.seq);
  add(
    panel,
    h(
      "h3",
      null,
      `#${effect.seq}  ${effect.phase}`,
      effect.failed ? h("span", { class: "failed-tag" }, "\u2716 failed") : null,
    ),
  );
  add(panel, h("pre", { class: "line" }, effect.line));
  const paths = files.map((f) => f.path);
  let matches = logsOfEffect(effect, paths);
  const which = invocation(effect.detail);
  if (matches.length) {
    add(panel, h("div", null, `Logs of this effect${which ? ` (${which})` : ""}:`));
  } else {
    // None of its own: the logs of its phase, the latest first; else every one.
    const phase = logsOfEffect({ phase: effect.phase, detail: "" }, paths);
    matches = (phase.length ? phase : paths.filter((p) => /^(agents|provider)\//.test(p)))
      .slice(0, MAX_OTHERS);
    add(
      panel,
      h(
        "div",
        { class: "muted" },
        !matches.length
          ? "This run has no agent or provider logs."
          : `No log is named after this effect's ${which || "phase and index"}; ` +
            (phase.length
              ? `the run's ${effect.phase} logs, the latest first:`
              : "the run's agent and provider logs:"),
      ),
    );
  }
  const row = h("div", { class: "files" });
  for (const path of matches) {
    const b = h("button", { "data-open": path }, path);
    b.addEventListener("click", () => open(path));
    row.appendChild(b);
  }
  add(panel, row);
}
