/**
 * Sharing a run: {@linkcode packRun} writes its directory as one
 * `.tar.gz` with a `MANIFEST.json` of sizes and SHA-256 hashes, secrets
 * masked; {@linkcode verifyPack} checks an archive against its manifest;
 * {@linkcode createRedactor} and {@linkcode redactText} mask secrets in any
 * other log text.
 *
 * This entry point needs `node:zlib`, `node:crypto` and `node:fs` (all
 * three runtimes have them) and the `modern-tar` package, which is why it
 * is not part of the core.
 *
 * The archive holds `logs-<run id>/` with every regular file of the run
 * directory (`run.json` first), then `logs-<run id>/MANIFEST.json`. Links
 * and special files are left out and listed in the manifest. Extract it
 * with any tar: `tar xzf run.tar.gz`.
 *
 * @example Pack, verify, and read the manifest
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 * import { packRun, verifyPack } from "@ralph/runlog/pack";
 *
 * const ws = new MemoryWorkspace();
 * const ctx = await RunLogContext.create(ws);
 * const token = ["ghp", "x".repeat(36)].join("_");
 * await ws.write(ctx.agentLog("dev", 1), `cloning with ${token}\n`);
 * await ctx.close({ status: "succeeded" });
 *
 * const chunks: Uint8Array[] = [];
 * const summary = await packRun(ws, ctx.runId, {
 *   output: new WritableStream({ write: (chunk) => void chunks.push(chunk) }),
 * });
 * assert.deepEqual(summary.redactions, { "github-token": 1 });
 *
 * const { ok, manifest } = await verifyPack(ReadableStream.from(chunks));
 * assert.equal(ok, true);
 * assert.equal(manifest?.root, `logs-${ctx.runId}`);
 * assert.deepEqual(manifest?.files.map((f) => f.path), ["run.json", "agents/dev_1.log", "lease.1.json"]);
 * ```
 *
 * @module
 */
export { type PackOptions, packRun, type PackSummary } from "./pack_run.ts";
export {
  type PackProblem,
  type PackProblemKind,
  verifyPack,
  type VerifyResult,
} from "./verify_pack.ts";
export {
  MANIFEST_NAME,
  PACK_FORMAT,
  PACK_FORMAT_VERSION,
  type PackedFile,
  type PackHolder,
  type PackManifest,
  type PackSkipped,
} from "./pack_manifest.ts";
export {
  createRedactor,
  type RedactedText,
  type RedactionCounts,
  type Redactor,
  type RedactorOptions,
  redactText,
} from "../redaction/redactor.ts";
export { REDACTION_KINDS, type RedactionPattern } from "../redaction/redaction_patterns.ts";
