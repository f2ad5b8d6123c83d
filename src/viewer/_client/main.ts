/// <reference lib="dom" />
// The viewer page's script (bundled by scripts/build_client.ts into
// `../_page_script.ts`): reads the page's boot data, sets the test hook,
// and builds the page the URL names (a report: its run).
import { dropTokenFromUrl, readBoot } from "./boot.ts";
import { showError } from "./chrome.ts";
import { pageContext } from "./context.ts";
import { renderCompare } from "./compare_page.ts";
import { installHook } from "./hook.ts";
import { renderRun } from "./run_page.ts";
import { renderRuns } from "./runs_page.ts";

dropTokenFromUrl();
const boot = readBoot();
const ctx = pageContext(boot, document.getElementById("app")!, installHook());
try {
  if (boot.mode === "report") {
    renderRun(ctx, boot.data.detail.run.id);
  } else {
    const parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] === "run" && parts[1]) renderRun(ctx, parts[1]);
    else if (parts[0] === "compare" && parts[1] && parts[2]) renderCompare(ctx, parts[1], parts[2]);
    else renderRuns(ctx);
  }
} catch (error) {
  showError(ctx, ctx.app, error);
}
