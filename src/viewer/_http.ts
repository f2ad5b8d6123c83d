// Responses of the viewer: strict security headers on every one of them,
// JSON for the API, and errors mapped from the shared vocabulary to HTTP.
import { WorkspaceError, type WorkspaceErrorCode } from "../workspace_error.ts";
import { RunLogError, type RunLogErrorCode } from "../run_log_error.ts";

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

/**
 * The HTTP status of every error code of both vocabularies, one table: a
 * code added to either type fails to compile here until it has a status.
 * A code in both (`not-found`, `invalid-argument`, `closed`) means the
 * same in both.
 */
const STATUS_OF: Record<WorkspaceErrorCode | RunLogErrorCode, number> = {
  // The request named something that is not there.
  "not-found": 404,
  "invalid-run-id": 404,
  // The request itself is wrong.
  "invalid-path": 400,
  "invalid-argument": 400,
  "invalid-name": 400,
  // Something in the run is never served: a link, a FIFO, a file with two names, a denied mode.
  "permission-denied": 403,
  "symlink": 403,
  "hard-link": 403,
  "not-a-regular-file": 403,
  "is-a-directory": 403,
  "not-a-directory": 403,
  "too-large": 413,
  // The run is being written or managed by someone else meanwhile.
  "already-exists": 409,
  "directory-not-empty": 409,
  "lease-held": 409,
  "lease-lost": 409,
  "already-open": 409,
  // The files are not what runlog wrote; the server cannot help it.
  "invalid-metadata": 500,
  "invalid-log-line": 500,
  "invalid-lease": 500,
  "collisions-exhausted": 500,
  "closed": 500,
  "io": 500,
  // The machine is short of something; trying again later may work.
  "no-space": 507,
  "too-many-open-files": 503,
};

/** The HTTP status of a failure while serving a request, and what to say. */
export function failureResponse(error: unknown): Response {
  if (error instanceof HttpError) return errorResponse(error.status, error.message);
  if (error instanceof WorkspaceError || error instanceof RunLogError) {
    return errorResponse(STATUS_OF[error.code] ?? 500, error.message);
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
