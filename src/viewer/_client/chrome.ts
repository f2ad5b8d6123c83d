/// <reference lib="dom" />
// What every page shares: the top bar, status badges, and errors shown in
// place (and recorded in the hook).
import type { RunStatus } from "../../runs/list_runs.ts";
import type { PageContext } from "./context.ts";
import { add, type Child, h } from "./dom.ts";
import { timeText } from "./format.ts";

/** Every run status, in the order the runs page's filter lists them. */
export const STATUSES: readonly RunStatus[] = [
  "running",
  "idle",
  "succeeded",
  "failed",
  "interrupted",
  "crashed",
  "unknown",
];

/** A run status as a coloured badge. */
export function badge(status: string): HTMLSpanElement {
  const known = (STATUSES as readonly string[]).indexOf(status) >= 0 ? status : "unknown";
  return h("span", { class: `badge st-${known}`, "data-status": status }, status);
}

/** The top bar: the brand, the crumbs, and whether secrets are masked. */
export function topBar(ctx: PageContext, crumbs: Child[]): HTMLElement {
  const bar = h(
    "header",
    { class: "top" },
    ctx.report
      ? h("span", { class: "brand" }, "runlog")
      : h("a", { class: "brand", href: "/" }, "runlog"),
  );
  for (const crumb of crumbs) {
    add(bar, h("span", { class: "crumb" }, "/"));
    add(bar, crumb);
  }
  add(bar, h("span", { class: "spacer" }));
  if (ctx.report) add(bar, h("span", { class: "pill" }, `report of ${timeText(ctx.generatedAt)}`));
  add(
    bar,
    ctx.redacted
      ? h(
        "span",
        { class: "pill", title: "secrets are masked as in runlog pack" },
        "secrets masked",
      )
      : h("span", { class: "pill off" }, "redaction OFF"),
  );
  return bar;
}

/** The message of an error, or the thing thrown as text. */
export function errorText(error: unknown): string {
  return String((error as Error | null)?.message || error);
}

/** Shows an error where it happened, and records it in the hook. */
export function showError(ctx: PageContext, where: Node, error: unknown): void {
  ctx.hook.errors.push(errorText(error));
  add(where, h("p", { class: "error" }, errorText(error)));
}
