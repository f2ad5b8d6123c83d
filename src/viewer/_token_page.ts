// What a browser sees when it opens a page of the viewer without the
// token (or with a wrong one): a plain page that says the URL needs the
// token `runlog serve` printed and how to get it, and nothing else: no
// data, no script, no style (the browser's own colours, dark ones too).
// The API keeps answering JSON.
import { secureHeaders } from "./_http.ts";
import { isPagePath } from "./_page.ts";

/** The page: static, the same for every request. */
const TOKEN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>runlog: this URL needs the viewer's token</title>
</head>
<body>
<main>
<h1>This URL needs the viewer's token</h1>
<p>The runlog viewer only answers URLs that carry its access token, and this one has none (or a wrong one: each <code>runlog serve</code> makes a new token).</p>
<p>Open the URL that <code>runlog serve</code> printed when it started, the one that ends in <code>/?token=…</code>: this browser then stays signed in while that viewer runs.</p>
<p>Lost it? Look in the terminal where <code>runlog serve</code> runs, or stop it (Ctrl+C) and start <code>runlog serve</code> again: it prints a new URL, and opens it unless given <code>--no-open</code>.</p>
</main>
</body>
</html>
`;

/** Whether a refused request is a browser opening one of the viewer's pages. */
export function isPageRequest(request: Request, url: URL): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const accept = request.headers.get("Accept") ?? "";
  return isPagePath(url.pathname) && /\btext\/html\b/i.test(accept);
}

/** The 403 page for a browser without the token. */
export function tokenPageResponse(): Response {
  // The locked-down CSP: the page needs no script, no style, nothing loaded.
  const headers = secureHeaders();
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set("Vary", "Accept");
  return new Response(TOKEN_PAGE, { status: 403, headers });
}
