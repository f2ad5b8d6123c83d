/**
 * The run viewer: a local web page of a workspace's runs, and a
 * self-contained HTML report of one run.
 *
 * - {@linkcode createViewer} makes one Web-standard handler,
 *   `(request: Request) => Promise<Response>`, for the pages (the runs, a
 *   run with its timeline, logs and crash trace, two runs compared), their
 *   JSON API and their live updates (Server-Sent Events). It requires a
 *   random token on every request, reads only files inside run
 *   directories through the workspace (links, FIFOs and `..` refused),
 *   reads them in bounded ranges, and masks secrets with the pack's
 *   redactor unless told otherwise.
 * - {@linkcode serveViewer} serves it on `127.0.0.1` with the server of the
 *   runtime running it (`Deno.serve`, `Bun.serve` or `node:http`).
 * - {@linkcode renderReport} and {@linkcode writeReport} make the static
 *   page of one run: no network, no external asset, opens from `file://`.
 *
 * The command line has them as `runlog serve` and `runlog report`.
 *
 * This entry point needs an HTTP server (for `serveViewer`) and `node:fs`
 * (for `writeReport`), which is why it is not part of the core.
 *
 * @example A report of a run, and the viewer answering a request
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { createViewer, renderReport } from "@ralph/runlog/viewer";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ws.write(ctx.pipelineLog(), "[2026-02-06T14:03:27.123Z] [INFO] <script>alert(1)</script>\n");
 * await ctx.close({ status: "succeeded" });
 *
 * // The report holds the text as inert JSON, never as markup.
 * const { html } = await renderReport(ws, ctx.runId);
 * assert.ok(!html.includes("<script>alert"));
 *
 * const viewer = createViewer(ws);
 * const page = await viewer(new Request(`http://127.0.0.1/api/runs/${ctx.runId}/lines?path=pipeline.log`, {
 *   headers: { "X-Runlog-Token": viewer.token },
 * }));
 * const { entries } = await page.json();
 * assert.equal(entries[0].text, "<script>alert(1)</script>"); // shown with textContent by the page
 * ```
 *
 * @module
 */
export { createViewer, type Viewer, type ViewerOptions } from "./create_viewer.ts";
export { type ServeOptions, serveViewer, type ViewerServer } from "./serve_viewer.ts";
export {
  type RenderedReport,
  renderReport,
  REPORT_MAX_EFFECTS,
  type ReportOptions,
  type ReportSummary,
  writeReport,
} from "./report.ts";
