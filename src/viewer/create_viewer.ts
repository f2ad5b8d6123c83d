/**
 * The viewer as one Web-standard handler: `(request) => Promise<Response>`,
 * served by any runtime's HTTP server (see `serveViewer`) or called
 * directly.
 *
 * @module
 */
import type { Workspace } from "../workspace.ts";
import { RunLogError } from "../run_log_error.ts";
import { WorkspaceError } from "../workspace_error.ts";
import { isWorkspaceError } from "../_workspace_checks.ts";
import type { RunId } from "../run_id.ts";
import { listRuns, type RunListing } from "../runs/list_runs.ts";
import type { RedactionPattern } from "../redaction/redaction_patterns.ts";
import {
  cookieValue,
  newInstanceId,
  newToken,
  sessionCookie,
  sessionsOf,
  TOKEN_HEADER,
  TOKEN_PARAM,
  tokensEqual,
} from "./_auth.ts";
import {
  errorResponse,
  failureResponse,
  HttpError,
  jsonResponse,
  pageCsp,
  secureHeaders,
} from "./_http.ts";
import { makeMasker, maskedStream, type Masker } from "./_redacted_read.ts";
import { LEVELS, readLogPage } from "./_log_lines.ts";
import { readMessagePage } from "./_message_page.ts";
import { isPageRequest, tokenPageResponse } from "./_token_page.ts";
import { readTimeline } from "./_timeline.ts";
import { EARLIER_DUMP } from "../event_loop_trace.ts";
import { cursorsFrom, liveStream } from "./_live.ts";
import { compareRuns } from "./_compare.ts";
import {
  findRun,
  listRunFiles,
  parseRunId,
  readTrace,
  type RunDetailJson,
  runFilePath,
  runJson,
  type RunsJson,
} from "./_run_data.ts";
import { isPagePath, pageHashes, pageHtml } from "./_page.ts";
import { runDirOf } from "../run_dir.ts";
import { invalidArgument } from "../_invalid_argument.ts";

/** Options of {@linkcode createViewer}. */
export interface ViewerOptions {
  /**
   * Mask secrets in everything shown (default `true`), with the pack's
   * redactor. `false` shows the files as they are, and the page says so.
   */
  redact?: boolean;
  /** Redaction patterns of your own, used after the built-in ones. */
  patterns?: readonly RedactionPattern[];
  /**
   * The access token (at least 32 characters); default a fresh random one
   * of 256 bits. Every request must carry it.
   */
  token?: string;
  /** How often live pages look for new lines, in ms (default 250). */
  pollMs?: number;
}

/**
 * The viewer's request handler, with its token. Call it with a `Request`;
 * {@linkcode Viewer.close} ends its live streams (before stopping a server).
 */
export interface Viewer {
  /** Answers one request. */
  (request: Request): Promise<Response>;
  /**
   * The token every request must carry (`?token=` or the `X-Runlog-Token`
   * header), unless it carries the session cookie that `?token=` set.
   */
  readonly token: string;
  /** Whether secrets are masked. */
  readonly redact: boolean;
  /** Ends every live stream; the handler still answers other requests. */
  close(): void;
}

// Per response, at most: more is read by the next request.
const TIMELINE_BYTES = 32 * 1024 * 1024;
const TIMELINE_EFFECTS = 250_000;
const MAX_PAGE = 2000;
const MESSAGE_BYTES = 4 * 1024 * 1024;
const MAX_MESSAGES = 1000;
const LISTING_TTL_MS = 500;

function refuse(what: string, value: unknown, expected: string): never {
  throw invalidArgument("createViewer", what, value, expected);
}

function checkOptions(options: unknown): ViewerOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) refuse("the options", options, "an object");
  const o = options as ViewerOptions;
  if (o.redact !== undefined && typeof o.redact !== "boolean") {
    refuse("redact", o.redact, "a boolean");
  }
  if (o.token !== undefined && (typeof o.token !== "string" || o.token.length < 32)) {
    refuse(
      "token",
      "(hidden)",
      "a string of at least 32 characters (or left out for a random one)",
    );
  }
  if (o.pollMs !== undefined && !(Number.isFinite(o.pollMs) && o.pollMs >= 10)) {
    refuse("pollMs", o.pollMs, "a number of milliseconds, at least 10");
  }
  if (o.redact === false && o.patterns !== undefined) {
    refuse("patterns", "(given)", "absent when redact is false (nothing would use them)");
  }
  return o;
}

function whole(text: string | null, name: string, fallback?: number): number {
  if (text === null || text === "") {
    if (fallback !== undefined) return fallback;
    throw new HttpError(400, `give ${name}, a byte offset`);
  }
  if (!/^\d{1,15}$/.test(text)) {
    throw new HttpError(400, `${name}=${JSON.stringify(text.slice(0, 40))}: use a whole number`);
  }
  return Number(text);
}

/**
 * Makes the viewer of a workspace's runs: one handler for the pages (runs,
 * run, compare), their JSON API and live event streams, behind a token.
 *
 * Every request must carry the token: `?token=` (a page then answers a
 * redirect to its URL without it, setting a session cookie), the
 * `X-Runlog-Token` header, or that cookie; anything else is refused with
 * 403 (a browser opening a page gets an HTML page that says how to get the
 * token; the API answers JSON). The cookie never holds the token (a browser sends the cookies of
 * `127.0.0.1` to all its ports): its value is derived from the token, the
 * port of the request and this viewer, so it is worthless on another
 * port, to another viewer, and as a token. Files are read
 * only inside run directories, through the workspace (so links, FIFOs and
 * `..` are refused), in bounded ranges; secrets are masked unless
 * `redact: false`. Responses carry a strict CSP and no CORS headers.
 *
 * Routes (GET): `/`, `/run/<id>`, `/compare/<a>/<b>` (the page);
 * `/api/runs`, `/api/runs/<id>`, `/api/runs/<id>/files`,
 * `/api/runs/<id>/timeline?from=`, `/api/runs/<id>/lines?path=&dir=&at=&limit=&level=&q=`,
 * `/api/runs/<id>/messages?path=&from=` (a provider stream as messages),
 * `/api/runs/<id>/raw?path=` (ranges), `/api/runs/<id>/trace`,
 * `/api/runs/<id>/live` (Server-Sent Events), `/api/compare?a=&b=`.
 *
 * @example Calling the handler directly
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { createViewer } from "@ralph/runlog/viewer";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * await ctx.close({ status: "succeeded" });
 * const viewer = createViewer(ws);
 *
 * const refused = await viewer(new Request("http://127.0.0.1/api/runs"));
 * assert.equal(refused.status, 403);
 *
 * const response = await viewer(new Request("http://127.0.0.1/api/runs", {
 *   headers: { "X-Runlog-Token": viewer.token },
 * }));
 * const { runs } = await response.json();
 * assert.deepEqual(runs.map((r: { status: string }) => r.status), ["succeeded"]);
 * assert.equal(response.headers.get("X-Content-Type-Options"), "nosniff");
 * ```
 *
 * @param workspace The workspace whose `.agent/` runs to show.
 * @param options Redaction, token and polling.
 * @returns The handler.
 * @throws {RunLogError} `"invalid-argument"` for a refused option, naming it.
 */
export function createViewer(workspace: Workspace, options?: ViewerOptions): Viewer {
  const opts = checkOptions(options);
  const ws = workspace;
  const token = opts.token ?? newToken();
  const sessionOn = sessionsOf(token, newInstanceId());
  const masker: Masker = makeMasker(opts.redact !== false, opts.patterns);
  const pollMs = opts.pollMs ?? 250;
  const closing = new AbortController();
  // One listing for every client polling at once; a slow listing (thousands
  // of runs) is reused longer, so that polling never keeps the disk busy.
  const cache = (make: () => Promise<RunListing>) => {
    let held: { at: number; ttl: number; value: Promise<RunListing> } | undefined;
    return (): Promise<RunListing> => {
      const now = Date.now();
      if (held === undefined || now - held.at > held.ttl) {
        const value = make();
        const entry = { at: now, ttl: LISTING_TTL_MS, value };
        held = entry;
        value.then(
          () => (entry.ttl = Math.max(LISTING_TTL_MS, 4 * (Date.now() - now))),
          () => (held = undefined),
        );
      }
      return held.value;
    };
  };
  const runs = cache(() => listRuns(ws, { sizes: true }));
  const statuses = cache(() => listRuns(ws));

  // The port the browser sent the request to: its session is bound to it.
  const portOf = (url: URL) => url.port || (url.protocol === "https:" ? "443" : "80");

  const authenticated = async (
    request: Request,
    url: URL,
  ): Promise<"query" | "other" | undefined> => {
    const query = url.searchParams.get(TOKEN_PARAM);
    if (query !== null) return tokensEqual(query, token) ? "query" : undefined;
    const header = request.headers.get(TOKEN_HEADER);
    if (header !== null) return tokensEqual(header, token) ? "other" : undefined;
    const cookies = request.headers.get("Cookie");
    if (cookies === null) return undefined;
    const session = await sessionOn(portOf(url));
    const cookie = cookieValue(cookies, session.name);
    if (cookie !== undefined) return tokensEqual(cookie, session.value) ? "other" : undefined;
    return undefined;
  };

  const page = async (url: URL, via: "query" | "other"): Promise<Response> => {
    if (via === "query") {
      // Keep the token out of the address bar and history: the landing URL
      // is the one without it, and a session cookie stands for it from now on.
      url.searchParams.delete(TOKEN_PARAM);
      const headers = secureHeaders();
      headers.set("Location", url.pathname + url.search);
      headers.set("Set-Cookie", sessionCookie(await sessionOn(portOf(url))));
      return new Response(null, { status: 303, headers });
    }
    const { script, style } = await pageHashes();
    const headers = secureHeaders(pageCsp(script, style));
    headers.set("Content-Type", "text/html; charset=utf-8");
    const html = pageHtml({ mode: "live", redacted: masker.on, root: ws.root });
    return new Response(html, { headers });
  };

  const route = async (request: Request, url: URL, via: "query" | "other"): Promise<Response> => {
    const parts = url.pathname.split("/").slice(1).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        throw new HttpError(
          400,
          `the path ${JSON.stringify(url.pathname)} is not valid URL encoding`,
        );
      }
    });
    if (isPagePath(url.pathname)) return await page(url, via);
    if (parts[0] !== "api") {
      throw new HttpError(404, `nothing at ${url.pathname}; the runs page is /`);
    }
    if (parts[1] === "runs" && parts.length === 2) {
      const { runs: list, skipped } = await runs();
      return jsonResponse(
        {
          root: ws.root,
          redacted: masker.on,
          runs: list.map((r) => runJson(r, masker)),
          skipped,
        } satisfies RunsJson,
      );
    }
    if (parts[1] === "compare" && parts.length === 2) {
      const a = parseRunId(url.searchParams.get("a") ?? "");
      const b = parseRunId(url.searchParams.get("b") ?? "");
      return jsonResponse(
        await compareRuns(ws, await findRun(ws, a), await findRun(ws, b), masker),
      );
    }
    if (parts[1] !== "runs" || parts.length < 3 || parts.length > 4) {
      throw new HttpError(404, `no API at ${url.pathname}`);
    }
    const id = parseRunId(parts[2]);
    const runDir = runDirOf(id);
    const what = parts[3] ?? "";
    if (what !== "") await requireRun(id);
    if (what === "") {
      const run = await findRun(ws, id, statuses);
      const { files, skipped, cut } = await listRunFiles(ws, run.dir);
      return jsonResponse(
        {
          run: runJson(run, masker),
          files,
          skipped,
          filesCut: cut,
          trace: files.some((f) =>
            f.path === "event_loop_trace.jsonl" || EARLIER_DUMP.test(f.path)
          ),
          redacted: masker.on,
        } satisfies RunDetailJson,
      );
    }
    if (what === "files") return jsonResponse(await listRunFiles(ws, runDir));
    if (what === "trace") return jsonResponse(await readTrace(ws, runDir, masker));
    if (what === "timeline") {
      const from = whole(url.searchParams.get("from"), "from", 0);
      return jsonResponse(
        await readTimeline(ws, `${runDir}/event_loop.log`, from, masker, {
          maxBytes: TIMELINE_BYTES,
          maxEffects: TIMELINE_EFFECTS,
        }),
      );
    }
    if (what === "lines") return jsonResponse(await lines(id, url));
    if (what === "messages") {
      const path = runFilePath(id, url.searchParams.get("path"));
      return jsonResponse(
        await readMessagePage(ws, path, path.slice(runDir.length + 1), {
          from: whole(url.searchParams.get("from"), "from", 0),
          budget: MESSAGE_BYTES,
          maxMessages: MAX_MESSAGES,
          live: await isLive(id),
        }, masker),
      );
    }
    if (what === "raw") {
      return await raw(request, runFilePath(id, url.searchParams.get("path")), await isLive(id));
    }
    if (what === "live") {
      const file = url.searchParams.get("path");
      const start = cursorsFrom(request.headers.get("Last-Event-ID"), {
        events: whole(url.searchParams.get("events"), "events", 0),
        pipeline: whole(url.searchParams.get("pipeline"), "pipeline", 0),
        ...(file === null || file === "" || file === "pipeline.log" ? {} : {
          file: {
            path: runFilePath(id, file).slice(runDir.length + 1),
            at: whole(url.searchParams.get("file"), "file", 0),
          },
        }),
      });
      const body = liveStream({
        ws,
        runDir,
        masker,
        pollMs,
        status: async () => runJson(await findRun(ws, id, statuses), masker),
        files: () => listRunFiles(ws, runDir),
        signals: [closing.signal],
      }, start);
      const headers = secureHeaders();
      headers.set("Content-Type", "text/event-stream; charset=utf-8");
      headers.set("X-Accel-Buffering", "no");
      return new Response(body, { headers });
    }
    throw new HttpError(404, `no API at ${url.pathname}`);
  };

  // A run that is not there is a 404 naming it on every route, not an empty
  // answer; a link or file in its place is refused by the reads that follow.
  const requireRun = async (id: RunId): Promise<void> => {
    let found = false;
    try {
      found = await ws.exists(runDirOf(id));
    } catch (error) {
      // No .agent at all; a link at .agent is refused as in the listing.
      if (!isWorkspaceError(error, "not-found")) throw error;
    }
    if (!found) {
      throw new RunLogError(
        "not-found",
        `no run '${id}' in ${ws.root}/.agent; the runs page lists them`,
      );
    }
  };

  // A live run's files may end in a line still being written (redaction masks it).
  const isLive = async (id: RunId): Promise<boolean> =>
    (await statuses()).runs.some((r) => r.id === `${id}` && r.status === "running");

  const lines = async (id: RunId, url: URL) => {
    const params = url.searchParams;
    const path = runFilePath(id, params.get("path"));
    const name = path.slice(runDirOf(id).length + 1);
    const dir = params.get("dir") ?? "backward";
    if (dir !== "forward" && dir !== "backward") {
      throw new HttpError(400, `dir=${JSON.stringify(dir)}: use forward or backward`);
    }
    const at = params.get(dir === "forward" ? "at" : "before");
    const levels = (params.get("level") ?? "").split(",").filter((l) => l !== "");
    for (const level of levels) {
      if (level !== "OTHER" && !LEVELS.includes(level)) {
        throw new HttpError(
          400,
          `level=${JSON.stringify(level)}: use ${[...LEVELS, "OTHER"].join(", ")}`,
        );
      }
    }
    return await readLogPage(ws, path, name, {
      direction: dir,
      ...(at === null || at === "" ? {} : { at: whole(at, dir === "forward" ? "at" : "before") }),
      limit: Math.min(MAX_PAGE, Math.max(1, whole(params.get("limit"), "limit", 300))),
      levels,
      q: params.get("q") ?? "",
      partial: true,
      live: await isLive(id),
    }, masker);
  };

  const raw = async (request: Request, path: string, live: boolean): Promise<Response> => {
    const size = await ws.fileSize(path);
    let start = 0;
    let end = size;
    let status = 200;
    const range = request.headers.get("Range");
    const headers = secureHeaders();
    if (range !== null) {
      const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      const a = match?.[1] ? Number(match[1]) : undefined;
      const b = match?.[2] ? Number(match[2]) : undefined;
      if (match !== null && (a !== undefined || b !== undefined)) {
        start = a ?? Math.max(0, size - b!);
        end = a === undefined ? size : b === undefined ? size : Math.min(size, b + 1);
        if (start >= size || start >= end) {
          headers.set("Content-Range", `bytes */${size}`);
          return new Response(null, { status: 416, headers });
        }
        status = 206;
        headers.set("Content-Range", `bytes ${start}-${end - 1}/${size}`);
      }
    }
    const name = path.slice(path.lastIndexOf("/") + 1);
    headers.set("Content-Type", "text/plain; charset=utf-8");
    headers.set("Content-Length", String(end - start));
    headers.set("Accept-Ranges", "bytes");
    headers.set("Content-Disposition", `inline; filename*=UTF-8''${encodeURIComponent(name)}`);
    const pieces = maskedStream(ws, path, start, end, masker, live);
    let left = end - start;
    const body = new ReadableStream<Uint8Array>({
      // A file removed or truncated while it is sent errors the body: the
      // status and length are out, so the client must see it cut short
      // (serveViewer then ends the response quietly).
      async pull(controller) {
        try {
          const { done, value } = await pieces.next();
          if (!done) {
            left -= value.bytes.length;
            controller.enqueue(value.bytes);
          } else if (left === 0) controller.close();
          else {
            throw new WorkspaceError("io", "raw", path, {
              detail: `the file shrank while it was sent, ${left} of ${end - start} bytes ` +
                "short; download it again",
            });
          }
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await pieces.return(undefined);
      },
    }, { highWaterMark: 0 });
    return new Response(body, { status, headers });
  };

  const handler = async (request: Request): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return errorResponse(400, "invalid request URL");
    }
    const via = await authenticated(request, url);
    if (via === undefined) {
      // A browser opening a page: a page that says what to open instead.
      if (isPageRequest(request, url)) return tokenPageResponse();
      return errorResponse(
        403,
        "missing or wrong token: open the URL that runlog serve printed (it holds ?token=…)",
      );
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      const response = errorResponse(405, `${request.method} is not served: the viewer only reads`);
      response.headers.set("Allow", "GET, HEAD");
      return response;
    }
    let response: Response;
    try {
      response = await route(request, url, via);
    } catch (error) {
      response = failureResponse(error);
    }
    if (request.method === "HEAD") {
      await response.body?.cancel();
      return new Response(null, { status: response.status, headers: response.headers });
    }
    return response;
  };

  return Object.assign(handler, {
    token,
    redact: masker.on,
    close: () => closing.abort(),
  });
}
