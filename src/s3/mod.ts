/**
 * Runs in S3-compatible object storage (AWS S3, Cloudflare R2, Ceph RGW,
 * MinIO, …), for a fleet of runners that outgrows one disk: every runner's
 * runs in one bucket, listed, tailed, packed and viewed as a directory is,
 * with a lease that holds across hosts.
 *
 * - {@linkcode S3RunStore}: claims runs with a conditional PUT
 *   (`If-None-Match: *`, collision counters as on disk), leases them with
 *   `If-Match` renewals judged by heartbeat, and lists them with one walk
 *   of the keys, in the shapes of `listRuns`.
 * - {@linkcode shipRun}: ships a local run (which keeps writing to disk as
 *   always) as sealed, content-addressed segments and a manifest, once or
 *   while it runs; a crash at any point leaves the store consistent.
 * - {@linkcode S3StoreWorkspace}: a store as a read-only `Workspace`, so
 *   `listRuns`, `packRun`, `createViewer` and `runlog tail` read it unchanged.
 * - {@linkcode S3Client}: the small SigV4 client underneath (fetch and Web
 *   Crypto, through `aws4fetch`, the only dependency of this entry point).
 *
 * Credentials come from the standard `AWS_*` variables; plain `http:` is
 * refused except to a loopback endpoint. Layout under the prefix:
 * `logs-<id>/run.json`, `logs-<id>/lease.json`, `logs-<id>/manifest.json`,
 * `logs-<id>/ended-<status>`, and `segments/<sha256>`.
 *
 * @example Shipping a run and reading it back from the store
 * ```ts
 * import assert from "node:assert/strict";
 * import { listRuns, type Workspace } from "@ralph/runlog";
 * import { S3RunStore, S3StoreWorkspace, shipRun } from "@ralph/runlog/s3";
 *
 * async function pushAndCheck(ws: Workspace, runId: string): Promise<void> {
 *   const store = S3RunStore.fromUrl("s3://agent-runs/team-a"); // AWS_* variables
 *   const summary = await shipRun(ws, runId, store);
 *   const { runs } = await store.listRuns(); // one walk of the keys, no GET per run
 *   assert.ok(runs.some((run) => run.id === summary.runId));
 *   const view = new S3StoreWorkspace(store); // the store as a read-only directory
 *   assert.ok((await listRuns(view)).runs.some((run) => run.id === runId));
 * }
 * ```
 *
 * @module
 */
export {
  type ClaimStoreRunOptions,
  type ReleaseStoreRunOptions,
  S3RunStore,
  type S3RunStoreOptions,
  type S3RunStoreUrlOptions,
  S3StoreRun,
  type StoreLeaseOptions,
  type StoreListRunsOptions,
} from "./run_store.ts";
export { type S3LeaseOptions, S3StoreLease, STORE_HEARTBEAT_MS } from "./store_lease.ts";
export {
  SEGMENT_BYTES,
  type ShipRound,
  shipRun,
  type ShipRunOptions,
  type ShipSummary,
} from "./ship_run.ts";
export { S3StoreWorkspace, type S3StoreWorkspaceOptions } from "./store_workspace.ts";
export {
  S3Client,
  type S3ClientOptions,
  type S3Fetch,
  type S3FromEnvOptions,
  type S3GetOptions,
  type S3ListEntry,
  type S3ListOptions,
  type S3ListPage,
  type S3MultipartUpload,
  type S3Object,
  type S3ObjectInfo,
  type S3Part,
  type S3PutOptions,
  type S3PutResult,
} from "./s3_client.ts";
export { S3Error, type S3ErrorInit } from "./s3_error.ts";
