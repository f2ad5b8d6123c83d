// Responses of the viewer: strict security headers on every one of them,
// JSON for the API, and errors mapped from the shared vocabulary to HTTP.
import { WorkspaceError } from "../workspace_error.ts";
import { RunLogError } from "../run_log_error.ts";

/** The CSP of everything that is not the page itself: nothing may load or run. */
const LOCKED_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; " +
  "form-action 'none'; sandbox";

/**
 * The CSP of the page: its one inline script and style by hash, data only
 * from this origin; no remote source of any kind.
 */
export function pageCsp(scriptHash: string, styleHash: string): string {
  return `default-src 'none'; script-src '${scriptHash}'; style-src '${styleHash}'; ` +
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'";
}

/** Headers every response carries; `csp` replaces the locked-down default. */
export function secureHeaders(csp = LOCKED_CSP): Headers {
  return new Headers({
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
  });
}

/** A JSON response. */
export function jsonResponse(value: unknown, status = 200): Response {
  const headers = secureHeaders();
  headers.set("Content-Type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(value), { status, headers });
}

/** An error as JSON `{ error }` with its status. */
export function errorResponse(status: number, message: string): Response {
  return jsonResponse({ error: message }, status);
}

/** The HTTP status of a failure while serving a request, and what to say. */
export function failureResponse(error: unknown): Response {
  if (error instanceof HttpError) return errorResponse(error.status, error.message);
  if (error instanceof WorkspaceError) {
    const status = error.code === "not-found"
      ? 404
      : error.code === "invalid-path" || error.code === "invalid-argument"
      ? 400
      : error.code === "symlink" || error.code === "not-a-regular-file" ||
          error.code === "permission-denied" || error.code === "is-a-directory" ||
          error.code === "not-a-directory"
      ? 403
      : error.code === "too-large"
      ? 413
      : 500;
    return errorResponse(status, error.message);
  }
  if (error instanceof RunLogError) {
    const status = error.code === "not-found" || error.code === "invalid-run-id" ? 404 : 400;
    return errorResponse(status, error.message);
  }
  return errorResponse(500, `unexpected error: ${(error as Error)?.message ?? String(error)}`);
}

/** A refusal with an HTTP status, thrown by route handlers. */
export class HttpError extends Error {
  /** The HTTP status. */
  readonly status: number;

  /**
   * @param status The HTTP status.
   * @param message What is wrong and what to do.
   */
  constructor(status: number, message: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
  }
}
