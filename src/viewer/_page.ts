// The one HTML page of the viewer (runs, run, compare, report): a static
// shell with its script and style inline, allowed by their SHA-256 in the
// CSP, and the data it starts from as JSON in a non-executed script element.
import { PAGE_SCRIPT } from "./_page_script.ts";
import { PAGE_STYLE } from "./_page_style.ts";

/** Whether a URL path is one of the page's: `/`, `/run/<id>`, `/compare/<a>/<b>`. */
export function isPagePath(pathname: string): boolean {
  return pathname === "/" || /^\/run\/[^/]*$/.test(pathname) ||
    /^\/compare\/[^/]*\/[^/]*$/.test(pathname);
}

/** The CSP sources of the page's script and style. */
export interface PageHashes {
  script: string;
  style: string;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`;
}

let hashes: Promise<PageHashes> | undefined;

/** The hashes of the page's inline script and style (computed once). */
export function pageHashes(): Promise<PageHashes> {
  hashes ??=
    (async () => ({ script: await sha256(PAGE_SCRIPT), style: await sha256(PAGE_STYLE) }))();
  return hashes;
}

/**
 * JSON that is safe inside a `<script>` element and inert as text: `<`,
 * `>`, `&`, `/` and the line separators as `\uXXXX`, so that no data can
 * close the element, and no URL appears as such in the file.
 */
function embedJson(value: unknown): string {
  // One native pass per character (a callback per match costs seconds on a large report).
  return JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026").replaceAll("/", "\\u002f").replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/**
 * The page, starting from `boot` (`{ mode: "live" | "report", … }`).
 * With `metaCsp`, the CSP is also in the page itself (the report, opened
 * from a file, has no headers).
 */
export function pageHtml(boot: unknown, metaCsp?: string): string {
  const meta = metaCsp === undefined
    ? ""
    : `<meta http-equiv="Content-Security-Policy" content="${metaCsp}">\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${meta}<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>runlog</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<div id="app"><noscript>This page needs JavaScript.</noscript></div>
<script type="application/json" id="runlog-boot">${embedJson(boot)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
