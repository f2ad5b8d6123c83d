// A run's manifest in a store (`logs-<id>/manifest.json`): which files were
// shipped, each as ordered, contiguous, content-addressed segments, and the
// folders of the run. It is written last in every round, so it only ever
// names segments already uploaded. Read as untrusted: every path, offset,
// length and key is checked before a reader uses it.
import { RunLogError } from "../run_log_error.ts";
import { isLeaseFileName } from "../lease.ts";
import { type EndedStatus, isEndedStatus, segmentName } from "./_store_layout.ts";

/** The largest manifest a reader loads. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** The largest segment a reader loads (a reader holds one whole in memory). */
export const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
const FORMAT = "runlog-store-manifest/1";
const SHA256 = /^[0-9a-f]{64}$/;

/** One sealed piece of a file: `length` bytes from `offset`, stored at `key`. */
export interface ManifestSegment {
  offset: number;
  length: number;
  sha256: string;
  /** The segment's key relative to the store's prefix: `segments/<sha256>`. */
  key: string;
}

/**
 * A shipped file: its size and segments. `append` files (logs) grow by new
 * segments; `whole` files (run metadata, traces, anything else) are
 * re-shipped whole when they change.
 */
export interface ManifestFile {
  size: number;
  kind: "append" | "whole";
  segments: ManifestSegment[];
}

/** What a manifest says. */
export interface StoreManifest {
  runId: string;
  /** The run ended and everything it wrote is shipped. */
  complete: boolean;
  /** How it ended, once complete. */
  status?: EndedStatus;
  /** How many times the manifest was written before (every body differs: its ETag too). */
  revision: number;
  writtenAt: string;
  /** Which taking of the lease wrote it. */
  writer: { nonce: string; generation: number };
  /** The run's folders, relative to its directory (`agents`, `provider`, …). */
  dirs: string[];
  /** The files, by path relative to the run directory (run.json and leases are not here). */
  files: Map<string, ManifestFile>;
}

/** An empty manifest of a run. */
export function emptyManifest(runId: string): StoreManifest {
  return {
    runId,
    complete: false,
    revision: 0,
    writtenAt: "",
    writer: { nonce: "", generation: 0 },
    dirs: [],
    files: new Map(),
  };
}

/** The manifest as stored: one line of JSON, snake_case keys. */
export function formatManifest(manifest: StoreManifest): string {
  const files: Record<string, unknown> = {};
  for (const [path, file] of [...manifest.files].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    files[path] = { size: file.size, kind: file.kind, segments: file.segments };
  }
  return JSON.stringify({
    format: FORMAT,
    run_id: manifest.runId,
    complete: manifest.complete,
    ...(manifest.status === undefined ? {} : { status: manifest.status }),
    revision: manifest.revision,
    written_at: manifest.writtenAt,
    writer: manifest.writer,
    dirs: [...manifest.dirs].sort(),
    files,
  }) + "\n";
}

/** Whether `path` may name an entry of a run directory in a manifest. */
export function isManifestPath(path: unknown): path is string {
  if (typeof path !== "string" || path === "" || path.length > 4096) return false;
  if (path.includes("\\") || path.includes("\0")) return false;
  const segments = path.split("/");
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.length > 255)) return false;
  // Never shadows what the store keeps beside the manifest.
  return !(segments.length === 1 && (path === "run.json" || isLeaseFileName(path)));
}

/**
 * Reads a manifest, checking everything a reader relies on.
 *
 * @throws {RunLogError} `"invalid-metadata"` naming `where` and what is wrong.
 */
export function parseManifest(text: string, where: string): StoreManifest {
  const fail = (why: string): never => {
    throw new RunLogError(
      "invalid-metadata",
      `the store manifest ${where} ${why}; it was not written by runlog, or was damaged: ` +
        "push the run again with runlog push --force to rewrite it",
    );
  };
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail(`is not JSON (${(error as Error).message})`);
  }
  if (typeof data !== "object" || data === null || data.format !== FORMAT) {
    return fail(`is not a ${FORMAT} document`);
  }
  const writer = data.writer as Record<string, unknown> | undefined;
  if (
    typeof data.run_id !== "string" || typeof data.complete !== "boolean" ||
    !Number.isSafeInteger(data.revision) || typeof data.written_at !== "string" ||
    typeof writer !== "object" || writer === null || typeof writer.nonce !== "string" ||
    !Number.isSafeInteger(writer.generation)
  ) {
    return fail("lacks run_id, complete, revision, written_at or writer");
  }
  if (data.status !== undefined && !isEndedStatus(data.status)) {
    return fail(`has an unknown status ${JSON.stringify(data.status)}`);
  }
  if (!Array.isArray(data.dirs) || !data.dirs.every(isManifestPath)) {
    return fail("has a folder that is not a relative path inside the run");
  }
  if (typeof data.files !== "object" || data.files === null || Array.isArray(data.files)) {
    return fail("has no files object");
  }
  const files = new Map<string, ManifestFile>();
  for (const [path, value] of Object.entries(data.files as Record<string, unknown>)) {
    if (!isManifestPath(path)) {
      fail(`names the file ${JSON.stringify(path)}, not a path in the run`);
    }
    const file = value as Record<string, unknown>;
    if (
      typeof file !== "object" || file === null || !Number.isSafeInteger(file.size) ||
      (file.size as number) < 0 || (file.kind !== "append" && file.kind !== "whole") ||
      !Array.isArray(file.segments)
    ) {
      fail(`has a malformed entry for ${JSON.stringify(path)}`);
    }
    const segments: ManifestSegment[] = [];
    let offset = 0;
    for (const raw of file.segments as Record<string, unknown>[]) {
      const ok = typeof raw === "object" && raw !== null && raw.offset === offset &&
        Number.isSafeInteger(raw.length) && (raw.length as number) > 0 &&
        (raw.length as number) <= MAX_SEGMENT_BYTES &&
        typeof raw.sha256 === "string" && SHA256.test(raw.sha256) &&
        raw.key === segmentName(raw.sha256);
      if (!ok) {
        fail(
          `has a segment of ${JSON.stringify(path)} at ${offset} that does not follow on, ` +
            "is larger than 64 MiB, or whose key is not segments/<its sha256>",
        );
      }
      segments.push({
        offset,
        length: raw.length as number,
        sha256: raw.sha256 as string,
        key: raw.key as string,
      });
      offset += raw.length as number;
    }
    if (offset !== file.size) {
      fail(`says ${JSON.stringify(path)} has ${file.size} bytes, but its segments hold ${offset}`);
    }
    files.set(path, { size: offset, kind: file.kind as "append" | "whole", segments });
  }
  return {
    runId: data.run_id,
    complete: data.complete,
    ...(data.status === undefined ? {} : { status: data.status as EndedStatus }),
    revision: data.revision as number,
    writtenAt: data.written_at,
    writer: { nonce: writer.nonce as string, generation: writer.generation as number },
    dirs: data.dirs as string[],
    files,
  };
}
