/**
 * A small S3 client for runlog's run store: `fetch` and Web Crypto (SigV4 by
 * [aws4fetch](https://github.com/mhart/aws4fetch)), the same on Deno, Bun and
 * Node, path-style addressing (`<endpoint>/<bucket>/<key>`) so that it works
 * with AWS, Ceph RGW, MinIO, R2 and the like, and only the calls a run store
 * needs: conditional single PUTs (claims and leases), reads with ranges
 * (tailing), listing, and multipart uploads (large logs).
 *
 * Nothing is retried: a conditional write retried blindly can report a loss
 * for a write that won, or the other way round. Every outcome the server
 * leaves open is returned as `"unknown"` for the caller to settle by reading.
 *
 * @module
 */

import { AwsClient } from "aws4fetch";
import { utf8Length } from "../_utf8.ts";
import { md5Base64 } from "./_md5.ts";
import { codeOfStatus, parseErrorBody, S3Error, type S3ErrorInit } from "./s3_error.ts";
import { escapeXmlText, xmlElements, xmlText } from "./_xml.ts";

export { S3Error, type S3ErrorInit } from "./s3_error.ts";

/** How the client sends a signed request: `fetch` by default, another function in tests. */
export type S3Fetch = (request: Request) => Promise<Response>;

/**
 * Where the client connects and with what credentials.
 *
 * @example Options for a local Ceph RGW or MinIO
 * ```ts
 * import type { S3ClientOptions } from "@ralph/runlog/s3";
 *
 * const options: S3ClientOptions = {
 *   endpoint: "http://127.0.0.1:17480", // plain http only to a loopback address
 *   region: "us-east-1",
 *   bucket: "runs",
 *   accessKeyId: "RUNLOGTESTKEY0000000",
 *   secretAccessKey: "runlogtestsecret0000000000000000000000000",
 * };
 * ```
 */
export interface S3ClientOptions {
  /**
   * The server's base URL, such as `https://s3.eu-west-1.amazonaws.com` or
   * `http://127.0.0.1:9000`: buckets are addressed by path under it. Plain
   * `http:` is refused unless the host is a loopback address (127.0.0.0/8,
   * `[::1]`, `localhost`) or {@linkcode S3ClientOptions.allowInsecureHttp} is set.
   */
  endpoint: string;
  /** The signing region (`us-east-1` for most self-hosted engines; `auto` for R2). */
  region: string;
  /** The bucket every call of this client works in. */
  bucket: string;
  /** The access key id. Never written to an error message. */
  accessKeyId: string;
  /** The secret access key. Never written to an error message. */
  secretAccessKey: string;
  /** A session token of temporary credentials. Never written to an error message. */
  sessionToken?: string;
  /**
   * Allows plain `http:` to a host that is not loopback, which sends the data
   * (and lets anyone on the way replay requests) unencrypted: for a trusted
   * network only.
   */
  allowInsecureHttp?: boolean;
  /** Milliseconds a request may take, answer and body included (default 120000; 0: no limit). */
  timeoutMs?: number;
  /** Sends the signed requests (default: the global `fetch`). */
  fetch?: S3Fetch;
}

/**
 * What {@linkcode S3Client.fromEnv} takes besides the environment.
 *
 * @example A bucket from the command line, the rest from the usual variables
 * ```ts
 * import type { S3FromEnvOptions } from "@ralph/runlog/s3";
 *
 * const options: S3FromEnvOptions = { bucket: "runs", endpoint: "https://s3.example.com" };
 * ```
 */
export interface S3FromEnvOptions {
  /** The bucket every call of the client works in. */
  bucket: string;
  /** Overrides `AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL`. */
  endpoint?: string;
  /** Overrides `AWS_REGION` and `AWS_DEFAULT_REGION`. */
  region?: string;
  /** As {@linkcode S3ClientOptions.allowInsecureHttp}. */
  allowInsecureHttp?: boolean;
  /** As {@linkcode S3ClientOptions.timeoutMs}. */
  timeoutMs?: number;
  /** As {@linkcode S3ClientOptions.fetch}. */
  fetch?: S3Fetch;
  /** The variables to read instead of the process environment. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Options of {@linkcode S3Client.put}: at most one condition.
 *
 * @example A renewal that also has the server check the body
 * ```ts
 * import type { S3PutOptions } from "@ralph/runlog/s3";
 *
 * const renew: S3PutOptions = { ifMatch: "9e107d9d372bb6826bd81d3542a419d6", contentMd5: true };
 * ```
 */
export interface S3PutOptions {
  /** `"*"`: write only if the key does not exist yet (a claim). */
  ifNoneMatch?: "*";
  /**
   * Write only if the object's ETag is still this one (a renewal). Quoted or
   * not; it is sent unquoted, the only form Ceph RGW matches.
   */
  ifMatch?: string;
  /** Send the body's MD5, so that the server refuses a body changed on the way. */
  contentMd5?: boolean;
  /**
   * The body's SHA-256 as 64 lowercase hex characters, when the caller has
   * it: signed as the payload hash (`x-amz-content-sha256`) instead of
   * `UNSIGNED-PAYLOAD`, so that the server refuses a body changed on the way
   * (AWS and Ceph RGW answer 400 `XAmzContentSHA256Mismatch` and store
   * nothing), without the cost of an MD5 pass.
   */
  sha256?: string;
  /** The object's `Content-Type` (default: none, which servers store as binary). */
  contentType?: string;
}

/**
 * What a {@linkcode S3Client.put} did. A write without conditions is always
 * `ok` (or throws). A conditional one that did not happen says why:
 * - `"exists"`: `ifNoneMatch: "*"` and the key exists (412, or 409 when the
 *   server saw another conditional write to the key at the same time);
 * - `"changed"`: `ifMatch` and the object has another ETag or is gone (412,
 *   404, or 409);
 * - `"unknown"`: the server failed (5xx), the connection broke, or the
 *   request timed out. The write may or may not have happened (Ceph RGW
 *   answers some losing renewals with 500): read the object before deciding.
 *
 * @example Claiming a key, settling "unknown" by reading it back
 * ```ts
 * import type { S3Client } from "@ralph/runlog/s3";
 *
 * async function claim(client: S3Client, key: string, body: string): Promise<boolean> {
 *   const result = await client.put(key, body, { ifNoneMatch: "*" });
 *   if (result.ok) return true;
 *   if (result.reason !== "unknown") return false;
 *   const stored = await client.get(key);
 *   return stored !== undefined && new TextDecoder().decode(stored.body) === body;
 * }
 * ```
 */
export type S3PutResult =
  | { ok: true; etag: string }
  | { ok: false; reason: "exists" | "changed" | "unknown"; error: S3Error };

/**
 * Which bytes {@linkcode S3Client.get} reads: `start` (inclusive) to `end`
 * (exclusive), like `Uint8Array.subarray`. Either may be left out.
 *
 * @example The bytes after what a tailer has read
 * ```ts
 * import type { S3GetOptions } from "@ralph/runlog/s3";
 *
 * const readSoFar = 4096;
 * const next: S3GetOptions = { start: readSoFar };
 * ```
 */
export interface S3GetOptions {
  /** The first byte to read (default 0). */
  start?: number;
  /** The byte after the last one to read (default: to the end). */
  end?: number;
}

/**
 * An object (or the asked part of it) as {@linkcode S3Client.get} read it.
 *
 * @example Reading the new bytes of a growing log
 * ```ts
 * import type { S3Client } from "@ralph/runlog/s3";
 *
 * async function readNew(client: S3Client, key: string, offset: number): Promise<Uint8Array> {
 *   const object = await client.get(key, { start: offset });
 *   // undefined: not written yet; an empty body: nothing new since `offset`.
 *   return object?.body ?? new Uint8Array(0);
 * }
 * ```
 */
export interface S3Object {
  /** The bytes read; empty when the range starts at or after the end ("nothing new"). */
  body: Uint8Array;
  /**
   * The ETag, unquoted; `undefined` only when the range starts at or after the
   * end, where Ceph RGW's 416 answer carries none.
   */
  etag: string | undefined;
  /**
   * The whole object's size in bytes; `undefined` only when the range starts
   * at or after the end and the server did not say (Ceph RGW does not).
   */
  size: number | undefined;
  /** When the object was last written, if the server said. */
  lastModified: Date | undefined;
}

/**
 * What {@linkcode S3Client.head} (and a completed multipart upload) tells about an object.
 *
 * @example Checking whether a segment is complete
 * ```ts
 * import type { S3Client } from "@ralph/runlog/s3";
 *
 * async function hasSize(client: S3Client, key: string, size: number): Promise<boolean> {
 *   return (await client.head(key))?.size === size;
 * }
 * ```
 */
export interface S3ObjectInfo {
  /** The ETag, unquoted (`<md5>` for a single PUT, `<md5 of md5s>-<parts>` for multipart). */
  etag: string;
  /** The size in bytes. */
  size: number;
  /** When the object was last written, if the server said. */
  lastModified: Date | undefined;
}

/**
 * Options of {@linkcode S3Client.list}.
 *
 * @example The run folders under a prefix, 100 a page
 * ```ts
 * import type { S3ListOptions } from "@ralph/runlog/s3";
 *
 * const folders: S3ListOptions = { delimiter: "/", maxKeys: 100 };
 * ```
 */
export interface S3ListOptions {
  /** Groups keys into {@linkcode S3ListPage.prefixes} up to the first delimiter after the prefix. */
  delimiter?: string;
  /** Lists only keys (and prefixes) after this one, in byte order. */
  startAfter?: string;
  /** At most this many keys and prefixes a page (1 to 1000; servers may send fewer). */
  maxKeys?: number;
}

/**
 * One object in a listing.
 *
 * @example Adding up the sizes of a page
 * ```ts
 * import type { S3ListEntry } from "@ralph/runlog/s3";
 *
 * const total = (entries: S3ListEntry[]) => entries.reduce((sum, entry) => sum + entry.size, 0);
 * ```
 */
export interface S3ListEntry {
  /** The key. */
  key: string;
  /** The size in bytes. */
  size: number;
  /** The ETag, unquoted. */
  etag: string;
  /** When the object was last written. */
  lastModified: Date;
}

/**
 * One page of a listing: the keys, and with a delimiter the common prefixes,
 * each in byte (UTF-8) order, not in the order a person or a run id would
 * sort them (`…Z-01/` comes before `…Z/`, since `-` sorts before `/`).
 *
 * @example Every run folder, across pages
 * ```ts
 * import type { S3Client } from "@ralph/runlog/s3";
 *
 * async function runFolders(client: S3Client, prefix: string): Promise<string[]> {
 *   const folders: string[] = [];
 *   for await (const page of client.list(prefix, { delimiter: "/" })) folders.push(...page.prefixes);
 *   return folders.sort(); // byte order is not run order: sort as the caller needs
 * }
 * ```
 */
export interface S3ListPage {
  /** The objects of this page. */
  keys: S3ListEntry[];
  /** With a delimiter: the key prefixes up to and including it, each once. */
  prefixes: string[];
  /**
   * The server's clock when it answered (its `Date` header), if it said: to
   * judge the keys' `lastModified` against the clock that set them, not
   * against this machine's.
   */
  serverDate: Date | undefined;
}

/**
 * An uploaded part of a multipart upload, as {@linkcode S3Client.completeMultipart} wants it.
 *
 * @example Parts as their uploads returned them
 * ```ts
 * import type { S3Part } from "@ralph/runlog/s3";
 *
 * const parts: S3Part[] = [{ partNumber: 1, etag: "b1946ac92492d2347c6235b4d2611184" }];
 * ```
 */
export interface S3Part {
  /** 1 to 10000. */
  partNumber: number;
  /** The part's ETag, as {@linkcode S3Client.uploadPart} returned it. */
  etag: string;
}

/**
 * A multipart upload that was started and neither completed nor aborted.
 *
 * @example Uploads older than a day
 * ```ts
 * import type { S3Client, S3MultipartUpload } from "@ralph/runlog/s3";
 *
 * async function stale(client: S3Client, prefix: string): Promise<S3MultipartUpload[]> {
 *   const old: S3MultipartUpload[] = [];
 *   for await (const upload of client.listMultipartUploads(prefix)) {
 *     if ((upload.initiated?.getTime() ?? 0) < Date.now() - 86_400_000) old.push(upload);
 *   }
 *   return old;
 * }
 * ```
 */
export interface S3MultipartUpload {
  /** The key the upload will create. */
  key: string;
  /** The upload's id. */
  uploadId: string;
  /** When it was started, if the server said. */
  initiated: Date | undefined;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_KEY_BYTES = 1024;
const MAX_PART_NUMBER = 10_000;
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What signs requests for a client, and the secrets to keep out of its messages. */
interface Signer {
  aws: AwsClient;
  secrets: string[];
}
// Outside the instances, so that no inspector, logger or JSON.stringify can reach the secrets.
const signers = new WeakMap<S3Client, Signer>();

/**
 * An S3 client for one bucket at one endpoint.
 *
 * Keys are object names (`runs/logs-…/run.json`): any UTF-8 of 1 to 1024
 * bytes without `.` or `..` segments. Every ETag it returns is unquoted.
 * Failures throw {@linkcode S3Error}, except conditional writes that lost or
 * whose outcome is unknown (see {@linkcode S3PutResult}), and 404s, which
 * `get` and `head` return as `undefined`.
 *
 * @example A client from the standard AWS variables
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3Client } from "@ralph/runlog/s3";
 *
 * const client = S3Client.fromEnv({
 *   bucket: "runs",
 *   env: {
 *     AWS_ACCESS_KEY_ID: "RUNLOGTESTKEY0000000",
 *     AWS_SECRET_ACCESS_KEY: "runlogtestsecret0000000000000000000000000",
 *     AWS_REGION: "us-east-1",
 *     AWS_ENDPOINT_URL_S3: "http://127.0.0.1:17480",
 *   },
 * });
 * assert.equal(client.endpoint, "http://127.0.0.1:17480");
 * assert.equal(client.bucket, "runs");
 * // Credentials are not reachable from the object.
 * assert.doesNotMatch(JSON.stringify(client), /runlogtestsecret/);
 * ```
 */
export class S3Client {
  /** The endpoint, without a trailing slash. */
  readonly endpoint: string;
  /** The signing region. */
  readonly region: string;
  /** The bucket every call works in. */
  readonly bucket: string;
  #fetch: S3Fetch;
  #timeoutMs: number;

  /**
   * A client for `options.bucket` at `options.endpoint`.
   *
   * @throws {S3Error} `InvalidConfiguration`: an empty credential, an endpoint that is not an
   *   http(s) URL or holds credentials, plain http to a host that is not loopback without
   *   `allowInsecureHttp`, or a bucket name that cannot be one.
   *
   * @example A client for a local engine
   * ```ts
   * import { S3Client } from "@ralph/runlog/s3";
   *
   * const client = new S3Client({
   *   endpoint: "http://localhost:9000",
   *   region: "us-east-1",
   *   bucket: "runs",
   *   accessKeyId: "minioadmin",
   *   secretAccessKey: "minioadmin",
   * });
   * ```
   */
  constructor(options: S3ClientOptions) {
    const secrets = [options.accessKeyId, options.secretAccessKey, options.sessionToken]
      .filter((s): s is string => typeof s === "string" && s.length >= 4);
    const invalid = (detail: string): S3Error =>
      configError(
        detail,
        secrets,
        options.bucket === undefined ? undefined : String(options.bucket),
      );
    for (const name of ["accessKeyId", "secretAccessKey"] as const) {
      const value: unknown = options[name];
      if (typeof value !== "string" || value === "") {
        throw invalid(
          `${name} is empty: give the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`,
        );
      }
    }
    if (options.sessionToken !== undefined && typeof options.sessionToken !== "string") {
      throw invalid("sessionToken must be a string");
    }
    if (typeof options.region !== "string" || !/^[a-z0-9-]{1,64}$/i.test(options.region)) {
      throw invalid(
        `the region ${
          JSON.stringify(options.region)
        } is not a region name: give one such as "us-east-1" (AWS_REGION)`,
      );
    }
    this.endpoint = checkEndpoint(options.endpoint, options.allowInsecureHttp === true, invalid);
    this.region = options.region;
    this.bucket = checkBucket(options.bucket, invalid);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
      throw invalid(
        `timeoutMs ${String(timeoutMs)} is not a whole number of milliseconds (0: no limit)`,
      );
    }
    this.#timeoutMs = timeoutMs;
    this.#fetch = options.fetch ?? ((request) => fetch(request));
    signers.set(this, {
      // retries: 0, as aws4fetch would otherwise repeat 5xx answers, conditional writes included.
      aws: new AwsClient({
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
        sessionToken: options.sessionToken,
        service: "s3",
        region: options.region,
        retries: 0,
      }),
      secrets,
    });
  }

  /**
   * A client configured the way the AWS tools are: `AWS_ACCESS_KEY_ID`,
   * `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`; the region from
   * `AWS_REGION` or `AWS_DEFAULT_REGION` (default `us-east-1`); the endpoint
   * from `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (default
   * `https://s3.<region>.amazonaws.com`). Options given win over variables.
   *
   * @throws {S3Error} `InvalidConfiguration`, as the constructor, or when a
   *   credential variable is not set or may not be read (under Deno, allow
   *   the variables with `--allow-env`).
   *
   * @example A client for whatever the environment says
   * ```ts
   * import { S3Client, S3Error } from "@ralph/runlog/s3";
   *
   * try {
   *   const client = S3Client.fromEnv({ bucket: "runs", env: {} });
   *   console.log(client.endpoint);
   * } catch (error) {
   *   if (!(error instanceof S3Error)) throw error;
   *   console.log(error.message); // "… AWS_ACCESS_KEY_ID is not set …"
   * }
   * ```
   */
  static fromEnv(options: S3FromEnvOptions): S3Client {
    const read = (name: string): string | undefined => {
      const value = options.env !== undefined ? options.env[name] : readProcessEnv(name);
      return value === undefined || value === "" ? undefined : value;
    };
    const accessKeyId = read("AWS_ACCESS_KEY_ID");
    const secretAccessKey = read("AWS_SECRET_ACCESS_KEY");
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      const missing = accessKeyId === undefined ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY";
      throw configError(
        `${missing} is not set: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the credentials for the bucket`,
        [accessKeyId, secretAccessKey].filter((s): s is string => s !== undefined),
        options.bucket,
      );
    }
    const region = options.region ?? read("AWS_REGION") ?? read("AWS_DEFAULT_REGION") ??
      "us-east-1";
    return new S3Client({
      endpoint: options.endpoint ?? read("AWS_ENDPOINT_URL_S3") ?? read("AWS_ENDPOINT_URL") ??
        `https://s3.${region}.amazonaws.com`,
      region,
      bucket: options.bucket,
      accessKeyId,
      secretAccessKey,
      sessionToken: read("AWS_SESSION_TOKEN"),
      allowInsecureHttp: options.allowInsecureHttp,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
  }

  /**
   * Writes `body` to `key` in one PUT (up to 5 GiB), with at most one
   * condition. See {@linkcode S3PutResult} for what comes back. Identical
   * bodies get identical ETags (the body's MD5), so a renewal with `ifMatch`
   * must change the body (a time and a nonce) for a later `ifMatch` to tell
   * it from the one before.
   *
   * @throws {S3Error} A write without conditions that failed; any write
   *   refused for a reason other than its condition (credentials, bucket, …).
   *
   * @example Renewing a lease only if nobody replaced it
   * ```ts
   * import type { S3Client } from "@ralph/runlog/s3";
   *
   * async function renew(client: S3Client, key: string, etag: string): Promise<string | undefined> {
   *   const body = JSON.stringify({ renewedAt: new Date().toISOString(), nonce: crypto.randomUUID() });
   *   const result = await client.put(key, body, { ifMatch: etag });
   *   if (result.ok) return result.etag; // the ETag to renew from next time
   *   return undefined; // "changed", or "unknown": read the lease before anything else
   * }
   * ```
   */
  async put(
    key: string,
    body: Uint8Array | string,
    options: S3PutOptions = {},
  ): Promise<S3PutResult> {
    checkKey(key, "put");
    const { ifNoneMatch, ifMatch } = options;
    if (ifNoneMatch !== undefined && ifNoneMatch !== "*") {
      throw new TypeError(`put(): ifNoneMatch must be "*", not ${JSON.stringify(ifNoneMatch)}`);
    }
    if (ifNoneMatch !== undefined && ifMatch !== undefined) {
      throw new TypeError("put(): give ifNoneMatch or ifMatch, not both");
    }
    const expected = ifMatch === undefined ? undefined : unquoteEtag(String(ifMatch));
    if (expected === "") throw new TypeError("put(): ifMatch is empty: give the ETag to match");
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    const headers: Record<string, string> = {};
    if (ifNoneMatch !== undefined) headers["If-None-Match"] = "*";
    // Unquoted: Ceph RGW matches only that form (and AWS accepts it).
    if (expected !== undefined) headers["If-Match"] = expected;
    if (options.contentMd5) headers["Content-MD5"] = md5Base64(bytes);
    if (options.sha256 !== undefined) {
      if (!/^[0-9a-f]{64}$/.test(options.sha256)) {
        throw new TypeError(
          `put(): sha256 must be 64 lowercase hex characters, not ${
            JSON.stringify(String(options.sha256).slice(0, 80))
          }`,
        );
      }
      headers["X-Amz-Content-Sha256"] = options.sha256;
    }
    if (options.contentType !== undefined) headers["Content-Type"] = options.contentType;
    const conditional = ifNoneMatch !== undefined || expected !== undefined;
    let response: Response;
    try {
      response = await this.#send("put", key, "PUT", [], headers, bytes);
    } catch (error) {
      // The request may have reached the server before the connection broke.
      if (conditional && error instanceof S3Error) return { ok: false, reason: "unknown", error };
      throw error;
    }
    if (response.ok) {
      await drain(response);
      return { ok: true, etag: this.#etagOf(response, "put", key) };
    }
    const error = await this.#failure(response, "put", key);
    if (conditional) {
      const lost = ifNoneMatch !== undefined ? "exists" : "changed";
      if (response.status === 412 || response.status === 409) {
        return { ok: false, reason: lost, error };
      }
      // AWS answers If-Match on a missing key with 404 (Ceph RGW with 412); a missing bucket is no loss.
      if (response.status === 404 && expected !== undefined && error.code !== "NoSuchBucket") {
        return { ok: false, reason: lost, error };
      }
      if (response.status >= 500) return { ok: false, reason: "unknown", error };
    }
    throw error;
  }

  /**
   * Reads `key`, or the bytes from `start` to `end` of it; `undefined` if
   * there is no such key. A range that starts at or after the end gives an
   * empty body (the server answers 416): for a tailer, "nothing new".
   *
   * @throws {S3Error} Anything but a missing key (a missing bucket included).
   *
   * @example Reading a whole object as text
   * ```ts
   * import type { S3Client } from "@ralph/runlog/s3";
   *
   * async function readText(client: S3Client, key: string): Promise<string | undefined> {
   *   const object = await client.get(key);
   *   return object === undefined ? undefined : new TextDecoder().decode(object.body);
   * }
   * ```
   */
  async get(key: string, options: S3GetOptions = {}): Promise<S3Object | undefined> {
    checkKey(key, "get");
    const start = options.start ?? 0;
    const end = options.end;
    if (!Number.isSafeInteger(start) || start < 0) {
      throw new RangeError(
        `get(): start ${String(start)} is not a byte offset (a whole number ≥ 0)`,
      );
    }
    if (end !== undefined && (!Number.isSafeInteger(end) || end <= start)) {
      throw new RangeError(
        `get(): end ${String(end)} must be a whole number greater than start ${start}`,
      );
    }
    const ranged = start > 0 || end !== undefined;
    const headers: Record<string, string> = {};
    if (ranged) headers.Range = `bytes=${start}-${end === undefined ? "" : end - 1}`;
    const response = await this.#send("get", key, "GET", [], headers);
    if (response.status === 404) {
      const error = await this.#failure(response, "get", key);
      if (error.code === "NoSuchBucket") throw error;
      return undefined;
    }
    if (response.status === 416) {
      await drain(response);
      // AWS says the size ("bytes */1000"); Ceph RGW sends no Content-Range and no ETag.
      const total = /^bytes \*\/(\d+)$/.exec(response.headers.get("content-range") ?? "")?.[1];
      const etag = response.headers.get("etag");
      return {
        body: EMPTY,
        etag: etag === null ? undefined : unquoteEtag(etag),
        size: total === undefined ? undefined : Number(total),
        lastModified: undefined,
      };
    }
    if (!response.ok) throw await this.#failure(response, "get", key);
    let body = await this.#bytes(response, "get", key);
    let size: number | undefined;
    if (response.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(
        response.headers.get("content-range") ?? "",
      );
      if (range === null || Number(range[1]) !== start) {
        throw this.#error({
          status: 206,
          code: "InvalidResponse",
          operation: "get",
          key,
          detail: `asked for bytes from ${start}, got Content-Range ${
            JSON.stringify(response.headers.get("content-range"))
          }: check that the endpoint is an S3 server`,
        });
      }
      size = range[3] === "*" ? undefined : Number(range[3]);
    } else {
      // A server that ignores Range sends the whole object: cut the asked part from it.
      size = body.length;
      if (ranged) body = body.subarray(Math.min(start, body.length), end);
    }
    return {
      body,
      etag: this.#etagOf(response, "get", key),
      size,
      lastModified: lastModifiedOf(response),
    };
  }

  /**
   * The ETag, size and time of `key`, or `undefined` if there is no such key.
   * A HEAD answer has no body, so a missing bucket also gives `undefined`.
   *
   * @throws {S3Error} Anything but a 404.
   *
   * @example Whether a key exists
   * ```ts
   * import type { S3Client } from "@ralph/runlog/s3";
   *
   * const exists = async (client: S3Client, key: string) => (await client.head(key)) !== undefined;
   * ```
   */
  async head(key: string): Promise<S3ObjectInfo | undefined> {
    checkKey(key, "head");
    const response = await this.#send("head", key, "HEAD", []);
    if (response.status === 404) {
      await drain(response);
      return undefined;
    }
    if (!response.ok) throw await this.#failure(response, "head", key);
    await drain(response);
    return this.#infoOf(response, "head", key);
  }

  /**
   * Deletes `key`; deleting a missing key succeeds. Unconditional: Ceph RGW
   * ignores `If-Match` on DELETE, so nothing that needs a condition may rely
   * on a delete.
   *
   * @throws {S3Error} A missing bucket, refused credentials, a failed server.
   *
   * @example Removing what a test wrote
   * ```ts
   * import type { S3Client } from "@ralph/runlog/s3";
   *
   * async function removeAll(client: S3Client, keys: string[]): Promise<void> {
   *   for (const key of keys) await client.delete(key);
   * }
   * ```
   */
  async delete(key: string): Promise<void> {
    checkKey(key, "delete");
    const response = await this.#send("delete", key, "DELETE", []);
    if (response.ok) return await drain(response);
    const error = await this.#failure(response, "delete", key);
    if (response.status === 404 && error.code !== "NoSuchBucket") return;
    throw error;
  }

  /**
   * The keys under `prefix` (ListObjectsV2), one page per iteration, in byte
   * order; with a `delimiter`, the keys below the next delimiter come as
   * {@linkcode S3ListPage.prefixes} instead. Pages follow each other by
   * continuation token until the listing is complete.
   *
   * @throws {S3Error} A missing bucket, refused credentials, a failed server.
   *
   * @example Every key under a prefix
   * ```ts
   * import type { S3Client } from "@ralph/runlog/s3";
   *
   * async function keysUnder(client: S3Client, prefix: string): Promise<string[]> {
   *   const keys: string[] = [];
   *   for await (const page of client.list(prefix)) keys.push(...page.keys.map((entry) => entry.key));
   *   return keys;
   * }
   * ```
   */
  async *list(
    prefix: string,
    options: S3ListOptions = {},
  ): AsyncGenerator<S3ListPage, void, undefined> {
    if (typeof prefix !== "string") {
      throw new TypeError(`list(): the prefix must be a string, not ${typeof prefix}`);
    }
    const { delimiter, startAfter, maxKeys } = options;
    if (
      maxKeys !== undefined && (!Number.isSafeInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000)
    ) {
      throw new RangeError(
        `list(): maxKeys ${String(maxKeys)} must be a whole number from 1 to 1000`,
      );
    }
    let token: string | undefined;
    do {
      const query: [string, string][] = [["list-type", "2"], ["encoding-type", "url"], [
        "prefix",
        prefix,
      ]];
      if (delimiter !== undefined) query.push(["delimiter", delimiter]);
      if (maxKeys !== undefined) query.push(["max-keys", String(maxKeys)]);
      if (token !== undefined) query.push(["continuation-token", token]);
      else if (startAfter !== undefined) query.push(["start-after", startAfter]);
      let serverDate: Date | undefined;
      const xml = await this.#xml(
        "list",
        undefined,
        "GET",
        query,
        "ListBucketResult",
        undefined,
        undefined,
        (response) => serverDate = dateHeaderOf(response),
      );
      const decode = keyDecoder(xml);
      const keys = xmlElements(xml, "Contents").map((entry): S3ListEntry => ({
        key: decode(xmlText(entry, "Key") ?? ""),
        size: Number(xmlText(entry, "Size") ?? "0"),
        etag: unquoteEtag(xmlText(entry, "ETag") ?? ""),
        lastModified: new Date(xmlText(entry, "LastModified") ?? ""),
      }));
      const prefixes = xmlElements(xml, "CommonPrefixes").map((entry) =>
        decode(xmlText(entry, "Prefix") ?? "")
      );
      const next = xmlText(xml, "IsTruncated") === "true"
        ? xmlText(xml, "NextContinuationToken") ?? ""
        : undefined;
      if (next === "" || (next !== undefined && next === token)) {
        throw this.#error({
          status: 200,
          code: "InvalidResponse",
          operation: "list",
          detail:
            "the listing says it goes on but gives no new continuation token: check the endpoint",
        });
      }
      token = next;
      yield { keys, prefixes, serverDate };
    } while (token !== undefined);
  }

  /**
   * Starts a multipart upload to `key` and returns its id. Nothing is visible
   * at `key` until {@linkcode S3Client.completeMultipart}; an upload that is
   * never completed stays listed (and stored) until
   * {@linkcode S3Client.abortMultipart}.
   *
   * @throws {S3Error} A missing bucket, refused credentials, a failed server.
   *
   * @example An upload of two parts
   * ```ts
   * import type { S3Client, S3ObjectInfo } from "@ralph/runlog/s3";
   *
   * async function upload(client: S3Client, key: string, first: Uint8Array, last: Uint8Array): Promise<S3ObjectInfo> {
   *   const uploadId = await client.createMultipart(key);
   *   try {
   *     const parts = [
   *       await client.uploadPart(key, uploadId, 1, first), // at least 5 MiB: not the last part
   *       await client.uploadPart(key, uploadId, 2, last),
   *     ];
   *     return await client.completeMultipart(key, uploadId, parts);
   *   } catch (error) {
   *     await client.abortMultipart(key, uploadId);
   *     throw error;
   *   }
   * }
   * ```
   */
  async createMultipart(key: string, options: { contentType?: string } = {}): Promise<string> {
    checkKey(key, "createMultipart");
    const headers: Record<string, string> = {};
    if (options.contentType !== undefined) headers["Content-Type"] = options.contentType;
    const xml = await this.#xml(
      "createMultipart",
      key,
      "POST",
      [["uploads", ""]],
      "InitiateMultipartUploadResult",
      headers,
    );
    const uploadId = xmlText(xml, "UploadId");
    if (!uploadId) {
      throw this.#error({
        status: 200,
        code: "InvalidResponse",
        operation: "createMultipart",
        key,
        detail: "the answer has no UploadId: check the endpoint",
      });
    }
    return uploadId;
  }

  /**
   * Uploads part `partNumber` (1 to 10000) of an upload. Every part but the
   * last must be at least 5 MiB (the server says so only at completion).
   * Uploading a part number again replaces that part.
   *
   * @throws {S3Error} `NoSuchUpload` (completed or aborted), and as any request.
   *
   * @example Parts of 8 MiB from a larger buffer
   * ```ts
   * import type { S3Client, S3Part } from "@ralph/runlog/s3";
   *
   * async function uploadAll(client: S3Client, key: string, uploadId: string, bytes: Uint8Array): Promise<S3Part[]> {
   *   const parts: S3Part[] = [];
   *   const size = 8 * 1024 * 1024;
   *   for (let at = 0, n = 1; at < bytes.length; at += size, n++) {
   *     parts.push(await client.uploadPart(key, uploadId, n, bytes.subarray(at, at + size), { contentMd5: true }));
   *   }
   *   return parts;
   * }
   * ```
   */
  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    bytes: Uint8Array,
    options: { contentMd5?: boolean } = {},
  ): Promise<S3Part> {
    checkKey(key, "uploadPart");
    checkUploadId(uploadId, "uploadPart");
    checkPartNumber(partNumber, "uploadPart");
    const headers: Record<string, string> = {};
    if (options.contentMd5) headers["Content-MD5"] = md5Base64(bytes);
    const query: [string, string][] = [["partNumber", String(partNumber)], ["uploadId", uploadId]];
    const response = await this.#send("uploadPart", key, "PUT", query, headers, bytes);
    if (!response.ok) throw await this.#failure(response, "uploadPart", key);
    await drain(response);
    return { partNumber, etag: this.#etagOf(response, "uploadPart", key) };
  }

  /**
   * Completes an upload from its `parts` (each uploaded part once, in any
   * order) and returns the new object's ETag and size. Ceph RGW sends an
   * empty ETag here, so the object is then read with HEAD. Unconditional:
   * it replaces whatever `key` held (RGW ignores `If-None-Match` here), so
   * never complete onto a key that something else may claim.
   *
   * @throws {S3Error} `EntityTooSmall` (a non-last part under 5 MiB), `InvalidPart`
   *   (a part or ETag that was not uploaded), `NoSuchUpload`, and as any request.
   *
   * @example Completing with the parts as uploaded
   * ```ts
   * import type { S3Client, S3Part } from "@ralph/runlog/s3";
   *
   * async function finish(client: S3Client, key: string, uploadId: string, parts: S3Part[]): Promise<string> {
   *   return (await client.completeMultipart(key, uploadId, parts)).etag; // "<md5 of md5s>-<parts>"
   * }
   * ```
   */
  async completeMultipart(
    key: string,
    uploadId: string,
    parts: readonly S3Part[],
  ): Promise<S3ObjectInfo> {
    checkKey(key, "completeMultipart");
    checkUploadId(uploadId, "completeMultipart");
    if (!Array.isArray(parts) || parts.length === 0) {
      throw new TypeError("completeMultipart(): give the uploaded parts (at least one)");
    }
    const seen = new Set<number>();
    for (const part of parts) {
      checkPartNumber(part.partNumber, "completeMultipart");
      if (seen.has(part.partNumber)) {
        throw new TypeError(`completeMultipart(): part ${part.partNumber} is listed twice`);
      }
      seen.add(part.partNumber);
      if (typeof part.etag !== "string" || unquoteEtag(part.etag) === "") {
        throw new TypeError(`completeMultipart(): part ${part.partNumber} has no ETag`);
      }
    }
    const body = "<CompleteMultipartUpload>" +
      [...parts].sort((a, b) => a.partNumber - b.partNumber).map((part) =>
        `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>"${
          escapeXmlText(unquoteEtag(part.etag))
        }"</ETag></Part>`
      ).join("") + "</CompleteMultipartUpload>";
    // A 200 may still carry an <Error>: the server can fail after it started answering.
    const xml = await this.#xml(
      "completeMultipart",
      key,
      "POST",
      [["uploadId", uploadId]],
      "CompleteMultipartUploadResult",
      {
        "Content-Type": "application/xml",
      },
      encoder.encode(body),
    );
    const etag = unquoteEtag(xmlText(xml, "ETag") ?? "");
    const info = await this.head(key);
    if (info === undefined) {
      throw this.#error({
        status: 404,
        code: "NoSuchKey",
        operation: "completeMultipart",
        key,
        detail:
          "the upload completed, but the object was gone when read back: something deleted it at once",
      });
    }
    return etag === "" ? info : { ...info, etag };
  }

  /**
   * Aborts an upload and frees its parts; `false` if there was no such upload
   * (already completed or aborted).
   *
   * @throws {S3Error} As any request.
   *
   * @example Aborting whatever a crashed writer left under a prefix
   * ```ts
   * import type { S3Client } from "@ralph/runlog/s3";
   *
   * async function abortAll(client: S3Client, prefix: string): Promise<number> {
   *   let aborted = 0;
   *   for await (const upload of client.listMultipartUploads(prefix)) {
   *     if (await client.abortMultipart(upload.key, upload.uploadId)) aborted++;
   *   }
   *   return aborted;
   * }
   * ```
   */
  async abortMultipart(key: string, uploadId: string): Promise<boolean> {
    checkKey(key, "abortMultipart");
    checkUploadId(uploadId, "abortMultipart");
    const response = await this.#send("abortMultipart", key, "DELETE", [["uploadId", uploadId]]);
    if (response.ok) {
      await drain(response);
      return true;
    }
    const error = await this.#failure(response, "abortMultipart", key);
    if (response.status === 404 && error.code !== "NoSuchBucket") return false;
    throw error;
  }

  /**
   * The multipart uploads under `prefix` that were neither completed nor
   * aborted, in key order, across as many pages as it takes (`maxUploads` a
   * page, 1 to 1000; default 1000).
   *
   * @throws {S3Error} As any request.
   *
   * @example Counting unfinished uploads
   * ```ts
   * import type { S3Client } from "@ralph/runlog/s3";
   *
   * async function unfinished(client: S3Client, prefix: string): Promise<number> {
   *   let count = 0;
   *   for await (const _ of client.listMultipartUploads(prefix)) count++;
   *   return count;
   * }
   * ```
   */
  async *listMultipartUploads(
    prefix: string,
    options: { maxUploads?: number } = {},
  ): AsyncGenerator<S3MultipartUpload, void, undefined> {
    if (typeof prefix !== "string") {
      throw new TypeError(
        `listMultipartUploads(): the prefix must be a string, not ${typeof prefix}`,
      );
    }
    const { maxUploads } = options;
    if (
      maxUploads !== undefined &&
      (!Number.isSafeInteger(maxUploads) || maxUploads < 1 || maxUploads > 1000)
    ) {
      throw new RangeError(
        `listMultipartUploads(): maxUploads ${
          String(maxUploads)
        } must be a whole number from 1 to 1000`,
      );
    }
    let marker: [string, string] | undefined;
    for (;;) {
      // No encoding-type=url here: Ceph RGW then encodes <Key> but not <NextKeyMarker>, and does
      // not say so (no <EncodingType>), so the keys could not be told apart from encoded ones.
      const query: [string, string][] = [["uploads", ""], ["prefix", prefix]];
      if (maxUploads !== undefined) query.push(["max-uploads", String(maxUploads)]);
      if (marker !== undefined) {
        query.push(["key-marker", marker[0]], ["upload-id-marker", marker[1]]);
      }
      const xml = await this.#xml(
        "listMultipartUploads",
        undefined,
        "GET",
        query,
        "ListMultipartUploadsResult",
      );
      const decode = keyDecoder(xml);
      for (const upload of xmlElements(xml, "Upload")) {
        const initiated = xmlText(upload, "Initiated");
        yield {
          key: decode(xmlText(upload, "Key") ?? ""),
          uploadId: xmlText(upload, "UploadId") ?? "",
          initiated: initiated === undefined ? undefined : new Date(initiated),
        };
      }
      if (xmlText(xml, "IsTruncated") !== "true") return;
      const next: [string, string] = [
        decode(xmlText(xml, "NextKeyMarker") ?? ""),
        xmlText(xml, "NextUploadIdMarker") ?? "",
      ];
      if (
        next[0] === "" || (marker !== undefined && next[0] === marker[0] && next[1] === marker[1])
      ) {
        throw this.#error({
          status: 200,
          code: "InvalidResponse",
          operation: "listMultipartUploads",
          detail: "the listing says it goes on but gives no new marker: check the endpoint",
        });
      }
      marker = next;
    }
  }

  /**
   * Creates the client's bucket; a bucket this account owns already counts
   * as created. Meant for tests and self-hosted engines: it sends no
   * location constraint, so on AWS it creates buckets in us-east-1 only.
   *
   * @throws {S3Error} `BucketAlreadyExists` (another account's), and as any request.
   *
   * @example A bucket for a test
   * ```ts
   * import type { S3Client } from "@ralph/runlog/s3";
   *
   * const prepare = (client: S3Client) => client.createBucket();
   * ```
   */
  async createBucket(): Promise<void> {
    const response = await this.#send("createBucket", undefined, "PUT", []);
    if (response.ok) return await drain(response);
    const error = await this.#failure(response, "createBucket", undefined);
    if (error.code === "BucketAlreadyOwnedByYou") return;
    throw error;
  }

  /**
   * Deletes the client's bucket, which must be empty (no objects and no
   * unfinished uploads); a missing bucket counts as deleted.
   *
   * @throws {S3Error} `BucketNotEmpty`, and as any request.
   *
   * @example Removing a test's bucket
   * ```ts
   * import type { S3Client } from "@ralph/runlog/s3";
   *
   * const cleanUp = (client: S3Client) => client.deleteBucket();
   * ```
   */
  async deleteBucket(): Promise<void> {
    const response = await this.#send("deleteBucket", undefined, "DELETE", []);
    if (response.ok) return await drain(response);
    const error = await this.#failure(response, "deleteBucket", undefined);
    if (error.code === "NoSuchBucket") return;
    throw error;
  }

  /** Signs and sends one request; an unanswered one throws `NetworkError` or `Timeout`. */
  async #send(
    operation: string,
    key: string | undefined,
    method: string,
    query: [string, string][],
    headers: Record<string, string> = {},
    body?: Uint8Array,
  ): Promise<Response> {
    const signer = signers.get(this)!;
    const path = `/${encodeURIComponent(this.bucket)}${
      key === undefined ? "" : `/${encodeKey(key)}`
    }`;
    const search = query.map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`)
      .join("&");
    const url = `${this.endpoint}${path}${search === "" ? "" : `?${search}`}`;
    const signal = this.#timeoutMs > 0 ? AbortSignal.timeout(this.#timeoutMs) : undefined;
    let request: Request;
    try {
      // redirect "manual": a signed request must not follow a redirect to another host.
      request = await signer.aws.sign(url, {
        method,
        headers,
        // The Fetch types want a view of a plain ArrayBuffer; every view is one here.
        body: body as Uint8Array<ArrayBuffer> | undefined,
        signal,
        redirect: "manual",
      });
    } catch (cause) {
      throw this.#error({
        status: 0,
        code: "InvalidConfiguration",
        operation,
        key,
        detail: `the request could not be signed: ${String(cause)}`,
      });
    }
    try {
      return await this.#fetch(request);
    } catch (cause) {
      throw this.#unanswered(cause, signal, operation, key);
    }
  }

  /** Sends a request whose answer is the XML document `root`, and returns that document. */
  async #xml(
    operation: string,
    key: string | undefined,
    method: string,
    query: [string, string][],
    root: string,
    headers?: Record<string, string>,
    body?: Uint8Array,
    onAnswer?: (response: Response) => void,
  ): Promise<string> {
    const response = await this.#send(operation, key, method, query, headers, body);
    if (!response.ok) throw await this.#failure(response, operation, key);
    onAnswer?.(response);
    const xml = decoder.decode(await this.#bytes(response, operation, key));
    const embedded = parseErrorBody(xml);
    if (embedded !== undefined) {
      throw this.#error({
        status: response.status,
        code: embedded.code,
        operation,
        key,
        serverMessage: embedded.message,
        requestId: embedded.requestId,
      });
    }
    if (!new RegExp(`<${root}[\\s>/]`).test(xml)) {
      throw this.#error({
        status: response.status,
        code: "InvalidResponse",
        operation,
        key,
        detail: `expected an XML ${root}, got ${
          JSON.stringify(xml.slice(0, 80))
        }: check that the endpoint is an S3 server`,
      });
    }
    return xml;
  }

  /** The body of an answer, or `NetworkError`/`Timeout` if it broke off. */
  async #bytes(
    response: Response,
    operation: string,
    key: string | undefined,
  ): Promise<Uint8Array> {
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (cause) {
      throw this.#unanswered(cause, undefined, operation, key);
    }
  }

  /** The S3Error of a failed answer, from its XML body when it has one. */
  async #failure(response: Response, operation: string, key: string | undefined): Promise<S3Error> {
    let text = "";
    try {
      text = await response.text();
    } catch { /* the status alone will do */ }
    const parsed = parseErrorBody(text);
    return this.#error({
      status: response.status,
      code: parsed?.code ?? codeOfStatus(response.status),
      operation,
      key,
      serverMessage: parsed?.message,
      requestId: parsed?.requestId ?? response.headers.get("x-amz-request-id") ?? undefined,
    });
  }

  #unanswered(
    cause: unknown,
    signal: AbortSignal | undefined,
    operation: string,
    key: string | undefined,
  ): S3Error {
    const timedOut = signal?.aborted === true ||
      (cause as { name?: unknown })?.name === "TimeoutError";
    return this.#error({
      status: 0,
      code: timedOut ? "Timeout" : "NetworkError",
      operation,
      key,
      detail: timedOut
        ? `no complete answer within ${this.#timeoutMs} ms: check the network and the server, or raise timeoutMs`
        : undefined,
      cause,
    });
  }

  /** An S3Error about this client's bucket, with any credential removed from its text. */
  #error(init: Omit<S3ErrorInit, "endpoint" | "bucket">): S3Error {
    const { secrets } = signers.get(this)!;
    const clean = (text: string | undefined) =>
      text === undefined ? undefined : redact(text, secrets);
    return new S3Error({
      ...init,
      endpoint: this.endpoint,
      bucket: this.bucket,
      key: clean(init.key),
      serverMessage: clean(init.serverMessage),
      detail: clean(init.detail),
    });
  }

  #etagOf(response: Response, operation: string, key: string): string {
    const etag = unquoteEtag(response.headers.get("etag") ?? "");
    if (etag === "") {
      throw this.#error({
        status: response.status,
        code: "InvalidResponse",
        operation,
        key,
        detail:
          "the server sent no ETag (the request itself succeeded): check that the endpoint is an S3 server",
      });
    }
    return etag;
  }

  #infoOf(response: Response, operation: string, key: string): S3ObjectInfo {
    const size = Number(response.headers.get("content-length") ?? "NaN");
    if (!Number.isSafeInteger(size)) {
      throw this.#error({
        status: response.status,
        code: "InvalidResponse",
        operation,
        key,
        detail: "the server sent no Content-Length: check the endpoint",
      });
    }
    return {
      etag: this.#etagOf(response, operation, key),
      size,
      lastModified: lastModifiedOf(response),
    };
  }
}

/** An ETag without `W/` and quotes: `"abc"` and `W/"abc"` are `abc`. */
function unquoteEtag(etag: string): string {
  return etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/** Percent-encoding as SigV4 canonicalises it (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay). */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A key as a URL path: each segment encoded, the slashes kept. */
function encodeKey(key: string): string {
  return key.split("/").map(encodeRfc3986).join("/");
}

/** Listings asked with `encoding-type=url` carry URL-encoded keys (AWS writes a space as `+`). */
function keyDecoder(xml: string): (text: string) => string {
  if (xmlText(xml, "EncodingType") !== "url") return (text) => text;
  return (text) => decodeURIComponent(text.replace(/\+/g, " "));
}

async function drain(response: Response): Promise<void> {
  try {
    await response.arrayBuffer(); // frees the connection for the next request
  } catch { /* nothing left to free */ }
}

function dateHeaderOf(response: Response): Date | undefined {
  const text = response.headers.get("date");
  const date = text === null ? undefined : new Date(text);
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

function lastModifiedOf(response: Response): Date | undefined {
  const text = response.headers.get("last-modified");
  const date = text === null ? undefined : new Date(text);
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

function redact(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) clean = clean.replaceAll(secret, "[redacted]");
  return clean;
}

function configError(
  detail: string,
  secrets: readonly string[],
  bucket: string | undefined,
): S3Error {
  return new S3Error({
    status: 0,
    code: "InvalidConfiguration",
    operation: "configure",
    bucket: bucket === undefined ? undefined : redact(bucket, secrets),
    detail: redact(detail, secrets),
  });
}

function checkEndpoint(
  endpoint: unknown,
  allowInsecureHttp: boolean,
  invalid: (detail: string) => S3Error,
): string {
  const example = "such as https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000";
  if (typeof endpoint !== "string" || !URL.canParse(endpoint)) {
    throw invalid(
      `the endpoint ${
        JSON.stringify(endpoint)
      } is not a URL: give one ${example} (AWS_ENDPOINT_URL_S3)`,
    );
  }
  const url = new URL(endpoint);
  if (url.username !== "" || url.password !== "") {
    url.username = "";
    url.password = "";
    throw invalid(
      `the endpoint ${url.origin} has credentials in it: give them as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not in the URL`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalid(
      `the endpoint ${JSON.stringify(endpoint)} is not an http(s) URL: give one ${example}`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw invalid(
      `the endpoint ${url.origin}${url.pathname} must not have a query or fragment: give the server's base URL`,
    );
  }
  if (url.protocol === "http:" && !allowInsecureHttp && !isLoopback(url.hostname)) {
    throw invalid(
      `refusing plain http to ${url.host}: the data would cross the network unencrypted and requests could be replayed; use https, or set allowInsecureHttp for a trusted network`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function isLoopback(hostname: string): boolean {
  // The URL parser has already normalised IPv4 forms (0x7f.1 → 127.0.0.1) and IPv6 ([0::1] → [::1]).
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function checkBucket(bucket: unknown, invalid: (detail: string) => S3Error): string {
  if (
    typeof bucket !== "string" || !/^[A-Za-z0-9._-]{1,255}$/.test(bucket) || bucket === "." ||
    bucket === ".."
  ) {
    throw invalid(
      `${
        JSON.stringify(bucket)
      } is not a bucket name: use 3 to 63 lowercase letters, digits, dots and hyphens (S3's rule)`,
    );
  }
  return bucket;
}

function checkKey(key: unknown, operation: string): asserts key is string {
  if (typeof key !== "string" || key === "") {
    throw new TypeError(
      `${operation}(): the key must be a non-empty string, not ${JSON.stringify(key)}`,
    );
  }
  if (!key.isWellFormed()) {
    throw new TypeError(
      `${operation}(): the key ${JSON.stringify(key)} has an unpaired surrogate: it is not UTF-8`,
    );
  }
  if (utf8Length(key) > MAX_KEY_BYTES) {
    throw new TypeError(
      `${operation}(): the key ${
        JSON.stringify(key.slice(0, 40))
      }… is longer than 1024 bytes of UTF-8`,
    );
  }
  // A URL would resolve these away and address another key.
  if (key.split("/").some((segment) => segment === "." || segment === "..")) {
    throw new TypeError(
      `${operation}(): the key ${
        JSON.stringify(key)
      } has a "." or ".." segment, which a URL cannot address`,
    );
  }
}

function checkUploadId(uploadId: unknown, operation: string): void {
  if (typeof uploadId !== "string" || uploadId === "") {
    throw new TypeError(`${operation}(): give the upload id that createMultipart() returned`);
  }
}

function checkPartNumber(partNumber: unknown, operation: string): void {
  if (
    typeof partNumber !== "number" || !Number.isInteger(partNumber) || partNumber < 1 ||
    partNumber > MAX_PART_NUMBER
  ) {
    throw new RangeError(
      `${operation}(): part number ${String(partNumber)} must be a whole number from 1 to 10000`,
    );
  }
}

/** A variable of the process environment, on any runtime, read only when asked. */
function readProcessEnv(name: string): string | undefined {
  const runtime = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env: { get(name: string): string | undefined } };
  };
  try {
    if (runtime.process?.env !== undefined) return runtime.process.env[name];
    return runtime.Deno?.env.get(name);
  } catch (cause) {
    throw new S3Error({
      status: 0,
      code: "InvalidConfiguration",
      operation: "configure",
      detail:
        `reading ${name} was refused (${
          String((cause as Error)?.message ?? cause)
        }); under Deno allow it: ` +
        "--allow-env=AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY,AWS_SESSION_TOKEN,AWS_REGION,AWS_DEFAULT_REGION,AWS_ENDPOINT_URL_S3,AWS_ENDPOINT_URL",
      cause,
    });
  }
}
