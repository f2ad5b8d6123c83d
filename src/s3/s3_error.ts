/**
 * The one error of the S3 client: what was asked (operation, bucket, key), what
 * the server answered (HTTP status, S3 `<Code>`), and what to do about it.
 *
 * @module
 */

import { xmlText } from "./_xml.ts";

/** What an {@linkcode S3Error} is made from. */
export interface S3ErrorInit {
  /** The HTTP status, or 0 when no answer came (unreachable, timed out, refused before sending). */
  status: number;
  /**
   * The S3 error code (`NoSuchBucket`, `SignatureDoesNotMatch`, `PreconditionFailed`, …), or one
   * of the client's own when there was no S3 answer: `NetworkError`, `Timeout`,
   * `InvalidConfiguration`, `InvalidResponse`.
   */
  code: string;
  /** The client call: `put`, `get`, `list`, `completeMultipart`, `configure`, … */
  operation: string;
  /** The endpoint asked (never with credentials). */
  endpoint?: string;
  /** The bucket asked. */
  bucket?: string;
  /** The object key asked, if the call was about one object. */
  key?: string;
  /** The server's `<Message>`, if it sent one. */
  serverMessage?: string;
  /** The server's `<RequestId>` (or `x-amz-request-id`), to quote to the operator. */
  requestId?: string;
  /** What to do, when the caller knows better than the code's usual advice. */
  detail?: string;
  /** The underlying error (a failed `fetch`, for example). */
  cause?: unknown;
}

/**
 * A failed S3 request, or an S3 configuration that cannot work. Its message
 * names the operation, the bucket and key, the status and code, and says what
 * to do; it never holds credentials.
 *
 * @example Telling a missing bucket from bad credentials
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3Error } from "@ralph/runlog/s3";
 *
 * const error = new S3Error({
 *   status: 404,
 *   code: "NoSuchBucket",
 *   operation: "put",
 *   endpoint: "http://127.0.0.1:17480",
 *   bucket: "runs",
 *   key: "agent/run.json",
 * });
 * assert.equal(error.code, "NoSuchBucket");
 * assert.match(error.message, /s3:\/\/runs\/agent\/run\.json/);
 * assert.match(error.message, /create the bucket/);
 * ```
 */
export class S3Error extends Error {
  /** Always `"S3Error"`. */
  override name = "S3Error";
  /** The HTTP status, or 0 when no answer came. */
  readonly status: number;
  /** The S3 error code, or the client's own (`NetworkError`, `Timeout`, …). */
  readonly code: string;
  /** The client call that failed. */
  readonly operation: string;
  /** The bucket asked. */
  readonly bucket: string | undefined;
  /** The object key asked. */
  readonly key: string | undefined;
  /** The server's request id, when it sent one. */
  readonly requestId: string | undefined;

  /** An error from what was asked and what came back; the message is composed from them. */
  constructor(init: S3ErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.operation = init.operation;
    this.bucket = init.bucket;
    this.key = init.key;
    this.requestId = init.requestId;
  }
}

/** The `<Code>`, `<Message>` and `<RequestId>` of an S3 `<Error>` body, if `body` is one. */
export function parseErrorBody(
  body: string,
): { code: string; message?: string; requestId?: string } | undefined {
  // Not anchored at the start: an XML declaration or whitespace may come first.
  const error = /<Error(?:\s[^>]*)?>([\s\S]*)<\/Error\s*>/.exec(body);
  if (error === null) return undefined;
  const code = xmlText(error[1], "Code")?.trim();
  if (!code) return undefined;
  const message = xmlText(error[1], "Message")?.trim();
  const requestId = xmlText(error[1], "RequestId")?.trim();
  return { code, message: message || undefined, requestId: requestId || undefined };
}

/** The error code of an answer without a body (HEAD, or a proxy's plain page). */
export function codeOfStatus(status: number): string {
  const codes: Record<number, string> = {
    301: "PermanentRedirect",
    307: "TemporaryRedirect",
    400: "BadRequest",
    403: "AccessDenied",
    404: "NotFound",
    409: "Conflict",
    412: "PreconditionFailed",
    416: "InvalidRange",
    429: "SlowDown",
    500: "InternalError",
    501: "NotImplemented",
    503: "ServiceUnavailable",
  };
  return codes[status] ?? `HTTP${status}`;
}

const CREDENTIALS =
  "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN if you use one)";
const WHAT_TO_DO: Record<string, string> = {
  InvalidAccessKeyId:
    `the endpoint does not know this access key id: ${CREDENTIALS}, and that the endpoint is the right one`,
  SignatureDoesNotMatch: `the secret key does not match the access key id: ${CREDENTIALS}`,
  AccessDenied:
    `the credentials are refused or lack permission for this operation on this bucket: ${CREDENTIALS}, and the bucket's policy`,
  ExpiredToken: "the session token has expired: get fresh credentials (AWS_SESSION_TOKEN)",
  InvalidToken: "the session token is invalid: get fresh credentials (AWS_SESSION_TOKEN)",
  TokenRefreshRequired: "the session token has expired: get fresh credentials (AWS_SESSION_TOKEN)",
  NoSuchBucket:
    "the bucket does not exist at this endpoint: create the bucket, or check its name and the endpoint",
  AuthorizationHeaderMalformed:
    "the bucket is in another region: set AWS_REGION (or the client's region) to the bucket's region",
  PermanentRedirect:
    "the bucket is in another region or behind another endpoint: set AWS_REGION and the endpoint to the bucket's",
  TemporaryRedirect:
    "the bucket is in another region or behind another endpoint: set AWS_REGION and the endpoint to the bucket's",
  RequestTimeTooSkewed: "this machine's clock is off by more than 15 minutes: correct the clock",
  NetworkError:
    "no answer from the endpoint: check the endpoint URL (AWS_ENDPOINT_URL_S3) and that the server runs and is reachable",
  Timeout:
    "the endpoint did not answer in time: check the network and the server, or raise timeoutMs",
  NoSuchUpload: "the multipart upload was completed or aborted already: start a new one",
  EntityTooSmall: "every part of a multipart upload but the last must be at least 5 MiB",
  EntityTooLarge: "a single PUT takes at most 5 GiB: upload larger objects in parts",
  InvalidPart: "list each uploaded part once, with the part number and ETag its upload returned",
  InvalidPartOrder: "list the parts in ascending order of part number",
  BadDigest: "the body changed on the way (its Content-MD5 did not match): send it again",
  XAmzContentSHA256Mismatch:
    "the body changed on the way (its SHA-256 did not match): send it again",
  InvalidObjectName: "the key is not acceptable to this server: use at most 1024 bytes of UTF-8",
  KeyTooLongError: "the key is too long: use at most 1024 bytes of UTF-8",
  SlowDown: "the server asks to slow down: retry later, with fewer requests at once",
  InvalidResponse:
    "the server's answer is not what S3 sends: check that the endpoint is an S3 server",
};

function describe(init: S3ErrorInit): string {
  const target = init.bucket === undefined
    ? ""
    : ` of s3://${init.bucket}${init.key === undefined ? "" : `/${init.key}`}`;
  const at = init.endpoint === undefined ? "" : ` at ${init.endpoint}`;
  const answer = init.status === 0 ? init.code : `${init.status} ${init.code}`;
  const said = init.serverMessage ? `: ${init.serverMessage}` : "";
  const request = init.requestId ? ` (request id ${init.requestId})` : "";
  return `S3 ${init.operation}${target}${at} failed with ${answer}${said}${request}; ${
    init.detail ?? whatToDo(init.code, init.status)
  }`;
}

function whatToDo(code: string, status: number): string {
  const known = WHAT_TO_DO[code];
  if (known !== undefined) return known;
  if (status === 403) return WHAT_TO_DO.AccessDenied;
  if (status === 301 || status === 307) return WHAT_TO_DO.PermanentRedirect;
  if (status >= 500) {
    return "the server failed: retry later (after a conditional write, read the object first: the write may have happened)";
  }
  return "see the S3 error code in the server's documentation";
}
