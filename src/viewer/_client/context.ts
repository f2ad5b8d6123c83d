/// <reference lib="dom" />
// What every part of a page is given: where it draws, whether it is a
// report (and its data), whether secrets are masked, and the test hook.
import type { Boot, ReportData } from "./boot.ts";
import type { RunlogHook } from "./hook.ts";

/** The page being built. */
export interface PageContext {
  /** The element the page is built in. */
  readonly app: HTMLElement;
  /** In a report, all it shows; `undefined` in the live viewer. */
  readonly report: ReportData | undefined;
  /** When the report was made (ISO), in a report. */
  readonly generatedAt: string | undefined;
  /** Whether secrets are masked. */
  readonly redacted: boolean;
  readonly hook: RunlogHook;
}

/** The context of a page, from its boot data. */
export function pageContext(boot: Boot, app: HTMLElement, hook: RunlogHook): PageContext {
  const report = boot.mode === "report" ? boot : undefined;
  return {
    app,
    report: report?.data,
    generatedAt: report?.generatedAt,
    redacted: boot.redacted,
    hook,
  };
}
