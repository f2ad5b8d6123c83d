// Where a run store keeps what: the keys under its prefix, and `s3://` URLs.
//
//   <prefix>/logs-<id>/run.json        the run's metadata (claimed with If-None-Match: *)
//   <prefix>/logs-<id>/lease.json      the store lease (renewed with If-Match)
//   <prefix>/logs-<id>/manifest.json   which files were shipped, as which segments
//   <prefix>/logs-<id>/ended-<status>  empty: the run ended so (listing needs no GET)
//   <prefix>/logs-<id>/released        empty: the lease was handed back before the end
//   <prefix>/segments/<sha256>         sealed, content-addressed bytes of the logs
import { RUN_DIR_PREFIX } from "../run_dir.ts";
import type { RunId } from "../run_id.ts";
import { RunLogError } from "../run_log_error.ts";

/** The object names inside a run's folder. */
export const RUN_JSON = "run.json";
export const LEASE_OBJECT = "lease.json";
export const MANIFEST_OBJECT = "manifest.json";
export const ENDED_PREFIX = "ended-";
export const RELEASED_MARKER = "released";
/** The folder of segments, under the store's prefix. */
export const SEGMENTS_DIR = "segments";

/** A bucket and a prefix, as an `s3://bucket/prefix` URL names them. */
export interface StoreLocation {
  bucket: string;
  /** Without leading or trailing slashes; "" for the bucket's top. */
  prefix: string;
}

/**
 * Checks a key prefix and returns its normal form: segments joined by `/`,
 * no leading or trailing slash.
 *
 * @throws {RunLogError} `"invalid-argument"` for empty, `.` or `..` segments, or a non-string.
 */
export function normalizePrefix(prefix: unknown): string {
  if (typeof prefix !== "string") {
    throw new RunLogError(
      "invalid-argument",
      `the store prefix must be a string, not ${typeof prefix}`,
    );
  }
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return "";
  for (const segment of trimmed.split("/")) {
    if (segment === "" || segment === "." || segment === ".." || segment.includes("\0")) {
      throw new RunLogError(
        "invalid-argument",
        `the store prefix ${
          JSON.stringify(prefix)
        } has an empty, "." or ".." segment: give folder names joined by "/", such as "team-a/runs"`,
      );
    }
  }
  return trimmed;
}

/**
 * The bucket and prefix of `s3://bucket/prefix`.
 *
 * @throws {RunLogError} `"invalid-argument"` for anything else, saying what a store URL looks like.
 */
export function parseStoreUrl(url: string): StoreLocation {
  const match = typeof url === "string" ? /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(url) : null;
  if (match === null) {
    throw new RunLogError(
      "invalid-argument",
      `${
        JSON.stringify(url)
      } is not a store URL: give s3://<bucket>/<prefix>, such as s3://agent-runs/team-a ` +
        "(the endpoint and credentials come from AWS_ENDPOINT_URL_S3 and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)",
    );
  }
  return { bucket: match[1], prefix: normalizePrefix(match[2] ?? "") };
}

/** `s3://bucket/prefix` of a location. */
export function storeUrl(location: StoreLocation): string {
  return `s3://${location.bucket}${location.prefix === "" ? "" : `/${location.prefix}`}`;
}

/** `rest` under `prefix`. */
export function keyUnder(prefix: string, rest: string): string {
  return prefix === "" ? rest : `${prefix}/${rest}`;
}

/** The folder of a run: `<prefix>/logs-<id>/`. */
export function runFolder(prefix: string, runId: RunId | string): string {
  return keyUnder(prefix, `${RUN_DIR_PREFIX}${runId}/`);
}

/** The key of a segment, relative to the store's prefix (as the manifest holds it). */
export function segmentName(sha256: string): string {
  return `${SEGMENTS_DIR}/${sha256}`;
}

/** The store lets a run end with these statuses (its `ended-<status>` marker). */
export const ENDED_STATUSES = ["succeeded", "failed", "interrupted", "crashed", "unknown"] as const;

/** A status an `ended-<status>` marker may name. */
export type EndedStatus = typeof ENDED_STATUSES[number];

/** Whether `value` is a status an ended marker may name. */
export function isEndedStatus(value: unknown): value is EndedStatus {
  return (ENDED_STATUSES as readonly unknown[]).includes(value);
}
