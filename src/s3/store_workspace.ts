/**
 * An S3 run store seen as a read-only workspace, so that everything that
 * reads runs from a directory (`listRuns`, `packRun`, `createViewer`,
 * `runlog tail`) reads them from the store unchanged.
 *
 * @module
 */
import type { AppendHandle } from "../append_handle.ts";
import type { DirEntry, OpenAppendOptions, ReadOptions, Workspace } from "../workspace.ts";
import type { ProcessHost } from "../process_host.ts";
import { WorkspaceError } from "../workspace_error.ts";
import { normalizeWorkspacePath, ROOT } from "../_workspace_path.ts";
import { decodeUtf8 } from "../_utf8.ts";
import { concatBytes } from "../_bytes.ts";
import { RunId } from "../run_id.ts";
import { AGENT_DIR, RUN_DIR_PREFIX } from "../run_dir.ts";
import { LEASE_OBJECT, MANIFEST_OBJECT, RUN_JSON } from "./_store_layout.ts";
import { type ManifestFile, MAX_MANIFEST_BYTES, parseManifest } from "./_store_manifest.ts";
import { sha256Hex } from "./_sha256.ts";
import type { S3RunStore } from "./run_store.ts";

/** The name the store lease has in the view: the first generation of a local lease. */
const LEASE_FILE = "lease.1.json";
const CACHE_MS = 1000;
const SEGMENT_CACHE_BYTES = 64 * 1024 * 1024;
const MAX_SMALL_OBJECT_BYTES = 16 * 1024 * 1024;

/**
 * Options of the {@linkcode S3StoreWorkspace} constructor.
 *
 * @example A view that looks again at most every half second
 * ```ts
 * import type { S3StoreWorkspaceOptions } from "@ralph/runlog/s3";
 *
 * const options: S3StoreWorkspaceOptions = { cacheMs: 500 };
 * ```
 */
export interface S3StoreWorkspaceOptions {
  /**
   * How long what was read of a run (its manifest, run.json, lease) and the
   * list of runs are reused before the store is asked again, in ms
   * (default 1000). Segments never change, and are kept while memory allows.
   */
  cacheMs?: number;
}

/** What the store holds of one run, read together (run.json first, the manifest last). */
interface RunView {
  runJson: Uint8Array | undefined;
  lease: Uint8Array | undefined;
  files: Map<string, ManifestFile>;
  dirs: Set<string>;
}

type Node =
  | { kind: "dir"; children: () => Promise<DirEntry[]> }
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "segments"; file: ManifestFile }
  | { kind: "none" };

/**
 * A run store as a read-only {@linkcode Workspace}: `.agent/logs-<id>/`
 * holds each run's `run.json`, the files its manifest names (read from
 * their segments, each checked against its SHA-256), and the store lease as
 * `lease.1.json`. It has no `host`: leases are judged by their heartbeat.
 * Every write is refused with `"permission-denied"` naming the store.
 *
 * @example Packing a run straight from a store
 * ```ts
 * import { packRun } from "@ralph/runlog/pack";
 * import { type S3RunStore, S3StoreWorkspace } from "@ralph/runlog/s3";
 *
 * async function packFromStore(store: S3RunStore, runId: string): Promise<string | undefined> {
 *   const ws = new S3StoreWorkspace(store);
 *   const summary = await packRun(ws, runId, { output: `run-${runId}.tar.gz` });
 *   return summary.output;
 * }
 * ```
 */
export class S3StoreWorkspace implements Workspace {
  /** The store's URL, `s3://bucket/prefix`. */
  readonly root: string;
  /** None: a store's leases are judged by their heartbeat. */
  readonly host: ProcessHost | undefined = undefined;
  /** The store read. */
  readonly store: S3RunStore;
  readonly #cacheMs: number;
  readonly #runs = new Map<string, { at: number; view: Promise<RunView | undefined> }>();
  #listing: { at: number; names: Promise<string[]> } | undefined;
  // Segments never change: kept by key, least recently used first, up to SEGMENT_CACHE_BYTES.
  readonly #segments = new Map<string, { loading: Promise<Uint8Array>; length: number }>();
  #segmentBytes = 0;

  /** A view of `store`. */
  constructor(store: S3RunStore, options: S3StoreWorkspaceOptions = {}) {
    const cacheMs = options.cacheMs ?? CACHE_MS;
    if (!Number.isSafeInteger(cacheMs) || cacheMs < 0) {
      throw new WorkspaceError("invalid-argument", "open store", store.url, {
        detail: `cacheMs must be a whole number of milliseconds ≥ 0, got ${String(cacheMs)}`,
      });
    }
    this.store = store;
    this.root = store.url;
    this.#cacheMs = cacheMs;
  }

  async read(path: string, options: ReadOptions = {}): Promise<string> {
    return decodeUtf8(await this.readBytes(path, options), "read", path);
  }

  async readBytes(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
    const node = await this.#file(path, "readBytes");
    const size = sizeOf(node);
    if (options.maxBytes !== undefined && size > options.maxBytes) {
      throw new WorkspaceError("too-large", "readBytes", path, {
        detail: `the file has ${size} bytes, more than the ${options.maxBytes} this read accepts`,
      });
    }
    return await this.#range(node, path, 0, size);
  }

  async fileSize(path: string): Promise<number> {
    return sizeOf(await this.#file(path, "fileSize"));
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    if (
      !Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0
    ) {
      throw new WorkspaceError("invalid-argument", "readRange", path, {
        detail: `offset ${offset} and length ${length} must be whole numbers ≥ 0`,
      });
    }
    const node = await this.#file(path, "readRange");
    const size = sizeOf(node);
    const start = Math.min(offset, size);
    return await this.#range(node, path, start, Math.min(size, start + length));
  }

  async exists(path: string): Promise<boolean> {
    return (await this.#node(path, "exists")).kind !== "none";
  }

  async isFile(path: string): Promise<boolean> {
    const kind = (await this.#node(path, "isFile")).kind;
    return kind === "bytes" || kind === "segments";
  }

  async isDir(path: string): Promise<boolean> {
    return (await this.#node(path, "isDir")).kind === "dir";
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const node = await this.#node(path, "readDir");
    if (node.kind === "none") throw this.#missing("readDir", path);
    if (node.kind !== "dir") throw new WorkspaceError("not-a-directory", "readDir", path);
    return await node.children();
  }

  write(path: string, _text?: string): Promise<void> {
    return this.#refuse("write", path);
  }

  writeBytes(path: string, _bytes?: Uint8Array): Promise<void> {
    return this.#refuse("writeBytes", path);
  }

  appendBytes(path: string, _bytes?: Uint8Array): Promise<void> {
    return this.#refuse("appendBytes", path);
  }

  openAppend(path: string, _options?: OpenAppendOptions): Promise<AppendHandle> {
    return this.#refuse("openAppend", path);
  }

  remove(path: string): Promise<void> {
    return this.#refuse("remove", path);
  }

  removeIfExists(path: string): Promise<boolean> {
    return this.#refuse("removeIfExists", path);
  }

  removeDirAll(path: string): Promise<void> {
    return this.#refuse("removeDirAll", path);
  }

  removeDirAllIfExists(path: string): Promise<boolean> {
    return this.#refuse("removeDirAllIfExists", path);
  }

  createDirAll(path: string): Promise<void> {
    return this.#refuse("createDirAll", path);
  }

  createDir(path: string): Promise<boolean> {
    return this.#refuse("createDir", path);
  }

  rename(from: string, _to?: string): Promise<void> {
    return this.#refuse("rename", from);
  }

  writeAtomic(path: string, _content?: string | Uint8Array): Promise<void> {
    return this.#refuse("writeAtomic", path);
  }

  setReadonly(path: string): Promise<void> {
    return this.#refuse("setReadonly", path);
  }

  setWritable(path: string): Promise<void> {
    return this.#refuse("setWritable", path);
  }

  #refuse(operation: string, path: string): Promise<never> {
    return Promise.reject(
      new WorkspaceError("permission-denied", operation, String(path), {
        detail: `${this.root} is a run store, read-only here: runs get into a store with ` +
          "runlog push (shipRun), and nothing else writes it",
      }),
    );
  }

  #missing(operation: string, path: string): WorkspaceError {
    return new WorkspaceError("not-found", operation, path, {
      detail: `the store ${this.root} has no such file or folder; runlog list --from ` +
        `${this.root} shows its runs`,
    });
  }

  async #file(path: string, operation: string): Promise<Exclude<Node, { kind: "dir" | "none" }>> {
    const node = await this.#node(path, operation);
    if (node.kind === "none") throw this.#missing(operation, path);
    if (node.kind === "dir") throw new WorkspaceError("is-a-directory", operation, path);
    return node;
  }

  /** What stands at a workspace path in the store. */
  async #node(path: string, operation: string): Promise<Node> {
    const normal = normalizeWorkspacePath(path, operation);
    if (normal === ROOT) {
      return {
        kind: "dir",
        children: () => Promise.resolve([dirEntry(AGENT_DIR, AGENT_DIR, true)]),
      };
    }
    const parts = normal.split("/");
    if (parts[0] !== AGENT_DIR) return { kind: "none" };
    if (parts.length === 1) {
      return {
        kind: "dir",
        children: async () =>
          (await this.#runNames()).map((name) => dirEntry(name, `${AGENT_DIR}/${name}`, true)),
      };
    }
    const runId = runIdOf(parts[1]);
    if (runId === undefined) return { kind: "none" };
    const view = await this.#run(runId);
    if (view === undefined) return { kind: "none" };
    const rel = parts.slice(2).join("/");
    const dir = `${AGENT_DIR}/${parts[1]}`;
    if (rel === RUN_JSON && view.runJson !== undefined) {
      return { kind: "bytes", bytes: view.runJson };
    }
    if (rel === LEASE_FILE && view.lease !== undefined) return { kind: "bytes", bytes: view.lease };
    const file = view.files.get(rel);
    if (file !== undefined) return { kind: "segments", file };
    if (rel !== "" && !view.dirs.has(rel)) return { kind: "none" };
    return { kind: "dir", children: () => Promise.resolve(childrenOf(view, dir, rel)) };
  }

  /** The run folders of the store, as `logs-<id>` names sorted. */
  #runNames(): Promise<string[]> {
    const now = Date.now();
    if (this.#listing === undefined || now - this.#listing.at > this.#cacheMs) {
      const names = (async () => {
        const base = this.store.key(RUN_DIR_PREFIX);
        const found: string[] = [];
        for await (const page of this.store.client.list(base, { delimiter: "/" })) {
          for (const prefix of page.prefixes) {
            const name = prefix.slice(base.length - RUN_DIR_PREFIX.length, -1);
            if (runIdOf(name) !== undefined) found.push(name);
          }
        }
        return found.sort();
      })();
      this.#listing = { at: now, names };
      names.catch(() => (this.#listing = undefined));
    }
    return this.#listing.names;
  }

  /** What the store holds of a run, read at most once per cacheMs. */
  #run(runId: RunId): Promise<RunView | undefined> {
    const id = `${runId}`;
    const now = Date.now();
    const cached = this.#runs.get(id);
    if (cached !== undefined && now - cached.at <= this.#cacheMs) return cached.view;
    const view = this.#loadRun(runId);
    this.#runs.set(id, { at: now, view });
    view.catch(() => this.#runs.delete(id));
    return view;
  }

  // run.json before the manifest: a shipper writes them the other way round,
  // so a run.json that says the run ended comes with every byte shipped.
  async #loadRun(runId: RunId): Promise<RunView | undefined> {
    const folder = this.store.runFolder(runId);
    const client = this.store.client;
    const small = async (name: string) => {
      const object = await client.get(`${folder}${name}`);
      if (object !== undefined && object.body.length > MAX_SMALL_OBJECT_BYTES) {
        throw new WorkspaceError(
          "too-large",
          "read",
          `${AGENT_DIR}/${RUN_DIR_PREFIX}${runId}/${name}`,
          {
            detail: `s3://${client.bucket}/${folder}${name} is larger than runlog reads`,
          },
        );
      }
      return object?.body;
    };
    const runJson = await small(RUN_JSON);
    const lease = await small(LEASE_OBJECT);
    const manifest = await client.get(`${folder}${MANIFEST_OBJECT}`);
    if (runJson === undefined && lease === undefined && manifest === undefined) return undefined;
    const view: RunView = { runJson, lease, files: new Map(), dirs: new Set() };
    if (manifest !== undefined) {
      const where = `s3://${client.bucket}/${folder}${MANIFEST_OBJECT}`;
      if (manifest.body.length > MAX_MANIFEST_BYTES) {
        throw new WorkspaceError("too-large", "read", `${AGENT_DIR}/${RUN_DIR_PREFIX}${runId}`, {
          detail: `${where} is larger than runlog reads`,
        });
      }
      let parsed;
      try {
        parsed = parseManifest(new TextDecoder().decode(manifest.body), where);
      } catch (error) {
        throw new WorkspaceError("io", "read", `${AGENT_DIR}/${RUN_DIR_PREFIX}${runId}`, {
          cause: error,
          detail: (error as Error).message,
        });
      }
      view.files = parsed.files;
      for (const dir of parsed.dirs) addDirs(view.dirs, `${dir}/`);
      for (const path of parsed.files.keys()) addDirs(view.dirs, path);
    }
    return view;
  }

  /** The bytes `start` to `end` of a file. */
  async #range(
    node: Exclude<Node, { kind: "dir" | "none" }>,
    path: string,
    start: number,
    end: number,
  ): Promise<Uint8Array> {
    if (node.kind === "bytes") return node.bytes.slice(start, end);
    const parts: Uint8Array[] = [];
    for (const segment of node.file.segments) {
      const segmentEnd = segment.offset + segment.length;
      if (segmentEnd <= start || segment.offset >= end) continue;
      const bytes = await this.#segment(segment.key, segment.sha256, segment.length, path);
      parts.push(
        bytes.subarray(
          Math.max(start, segment.offset) - segment.offset,
          Math.min(end, segmentEnd) - segment.offset,
        ),
      );
    }
    // A fresh array every time: callers (packRun's redaction) may change it in place.
    const joined = concatBytes(parts);
    return joined.length > 0 && parts.length === 1 ? joined.slice() : joined;
  }

  /** A segment, whole and checked against its SHA-256; kept while the cache allows. */
  #segment(name: string, sha256: string, length: number, path: string): Promise<Uint8Array> {
    const cached = this.#segments.get(name);
    if (cached !== undefined) {
      this.#segments.delete(name);
      this.#segments.set(name, cached);
      return cached.loading;
    }
    const key = this.store.key(name);
    const loading = (async () => {
      const object = await this.store.client.get(key);
      const bytes = object?.body;
      const damaged = bytes === undefined
        ? "is missing"
        : bytes.length !== length
        ? `has ${bytes.length} bytes, not ${length}`
        : (await sha256Hex(bytes)) !== sha256
        ? "does not match its SHA-256"
        : undefined;
      if (damaged !== undefined) {
        throw new WorkspaceError("io", "read", path, {
          detail: `its segment s3://${this.store.client.bucket}/${key} ${damaged}: the store ` +
            "is damaged; push the run again (runlog push --force) from a machine that has it",
        });
      }
      return bytes!;
    })();
    const entry = { loading, length };
    this.#segments.set(name, entry);
    this.#segmentBytes += length;
    loading.catch(() => this.#forget(name, entry));
    for (const [oldest, old] of this.#segments) {
      if (this.#segmentBytes <= SEGMENT_CACHE_BYTES || old === entry) break;
      this.#forget(oldest, old);
    }
    return loading;
  }

  #forget(name: string, entry: { length: number }): void {
    if (this.#segments.get(name) !== entry) return;
    this.#segments.delete(name);
    this.#segmentBytes -= entry.length;
  }
}

function sizeOf(node: Exclude<Node, { kind: "dir" | "none" }>): number {
  return node.kind === "bytes" ? node.bytes.length : node.file.size;
}

function dirEntry(name: string, path: string, isDir: boolean): DirEntry {
  return { name, path, isFile: !isDir, isDir, isSymlink: false };
}

function runIdOf(name: string): RunId | undefined {
  if (!name.startsWith(RUN_DIR_PREFIX)) return undefined;
  try {
    return RunId.parse(name.slice(RUN_DIR_PREFIX.length));
  } catch {
    return undefined;
  }
}

/** Adds every folder on the way to `path` (a path ending in "/" is a folder itself). */
function addDirs(dirs: Set<string>, path: string): void {
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
}

function childrenOf(view: RunView, dir: string, rel: string): DirEntry[] {
  const prefix = rel === "" ? "" : `${rel}/`;
  const entries = new Map<string, DirEntry>();
  const add = (name: string, isDir: boolean) =>
    entries.set(name, dirEntry(name, `${dir}/${prefix}${name}`, isDir));
  if (rel === "") {
    if (view.runJson !== undefined) add(RUN_JSON, false);
    if (view.lease !== undefined) add(LEASE_FILE, false);
  }
  for (const path of view.dirs) {
    if (path.startsWith(prefix) && !path.slice(prefix.length).includes("/")) {
      add(path.slice(prefix.length), true);
    }
  }
  for (const path of view.files.keys()) {
    if (path.startsWith(prefix) && !path.slice(prefix.length).includes("/")) {
      add(path.slice(prefix.length), false);
    }
  }
  return [...entries.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
