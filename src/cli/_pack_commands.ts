// runlog pack and runlog verify: a run as one verified, redacted archive.
import { packRun, type PackSummary } from "../pack/pack_run.ts";
import { verifyPack } from "../pack/verify_pack.ts";
import { formatBytes, json, type Output, paint, table, terminalSafe } from "./_output.ts";
import { noMore, parse, parseWhole, UsageError } from "./_usage.ts";
import { resolveRun, workspaceAt } from "./_workspace.ts";

// A progress bar on the terminal's stderr, redrawn at most ten times a second.
function progressBar(output: Output): ((done: number, total: number) => void) | undefined {
  if (!output.tty) return undefined;
  let drawn = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - drawn < 100 && done < total) return;
    drawn = now;
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const bar = "#".repeat(Math.round(share * width)).padEnd(width, ".");
    output.err(
      `\r[${bar}] ${Math.round(share * 100)}% ${formatBytes(done)} of ${formatBytes(total)}`,
    );
  };
}

/** runlog pack: writes a run as a .tar.gz with a manifest, secrets masked. */
export async function pack(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    root: { type: "string" },
    output: { type: "string", short: "o" },
    "no-redact": { type: "boolean" },
    level: { type: "string" },
    force: { type: "boolean" },
    json: { type: "boolean" },
    "dry-run": { type: "boolean" },
    explain: { type: "boolean" },
  });
  noMore(positionals.slice(1));
  const dryRun = values["dry-run"] === true;
  if (dryRun && values.output !== undefined) {
    throw new UsageError("--dry-run writes no archive: leave out -o/--output");
  }
  if (dryRun && values["no-redact"]) {
    throw new UsageError("--dry-run shows what redaction masks: leave out --no-redact");
  }
  const level = values.level === undefined ? undefined : parseWhole(values.level, "--level");
  const ws = await workspaceAt(values.root ?? ".");
  const runId = await resolveRun(ws, positionals[0]);
  const progress = progressBar(output);
  const summary = await packRun(ws, runId, {
    ...(dryRun ? { dryRun } : { output: values.output ?? `run-${runId}.tar.gz` }),
    redact: values["no-redact"] !== true,
    overwrite: values.force === true,
    ...(level === undefined ? {} : { level }),
    ...(progress === undefined ? {} : { onProgress: progress }),
  });
  if (progress !== undefined) output.err("\n");
  if (values.json) {
    output.out(json(summary));
    return 0;
  }
  const masked = Object.values(summary.redactions).reduce((a, b) => a + b, 0);
  const live = summary.live ? "; the run was live: a snapshot of what it had written" : "";
  if (dryRun) {
    output.out(
      `run ${runId} (dry run, nothing written): ${summary.files} files, ` +
        `${formatBytes(summary.bytesIn)} read; ${masked} secret(s) would be masked${live}\n`,
    );
  } else {
    const file = terminalSafe(summary.output ?? "");
    output.out(
      `${file}: ${summary.files} files, ${formatBytes(summary.bytesIn)} in, ` +
        `${formatBytes(summary.bytesOut)} out; ${
          values["no-redact"]
            ? paint(output, "yellow", "not redacted")
            : `${masked} secret(s) masked`
        }${live}\n`,
    );
  }
  if (values.explain) output.out(explanation(output, summary));
  return 0;
}

/**
 * Per file, which kinds of secret were masked and how many times (never
 * the secrets), then what was left out: `runlog pack --explain`.
 */
function explanation(output: Output, summary: PackSummary): string {
  const rows: string[][] = [];
  for (const file of summary.manifest.files) {
    const found = Object.entries(file.redactions ?? {}).sort((a, b) => b[1] - a[1]);
    const what = !file.text
      ? paint(output, "dim", "binary: archived as it is, not scanned")
      : found.length === 0
      ? paint(output, "dim", "nothing found")
      : found.map(([kind, n]) => `${kind} x${n}`).join(", ");
    rows.push([terminalSafe(file.path), formatBytes(file.size), what]);
  }
  const lines = [table(output, [["FILE", "SIZE", "MASKED"], ...rows])];
  for (const skipped of summary.manifest.skipped) {
    lines.push(`left out: ${terminalSafe(skipped.path)} (${terminalSafe(skipped.reason)})\n`);
  }
  if ((summary.redactions["live-tail"] ?? 0) > 0) {
    lines.push(
      "live-tail: the end of a file still being written (an unfinished line, the last " +
        "characters of a streamed message) is masked, since it could be the start of a secret\n",
    );
  }
  return lines.join("");
}

/** runlog verify: checks an archive against its manifest. */
export async function verify(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError("name the archive to verify");
  const result = await verifyPack(positionals[0]);
  if (values.json) {
    output.out(json(result));
    return result.ok ? 0 : 1;
  }
  // The archive's name may come from a glob; entry names come from the archive.
  const archive = terminalSafe(positionals[0]);
  if (result.ok) {
    output.out(
      `${archive}: ${
        paint(output, "green", "ok")
      }, ${result.manifest?.files.length} files match the manifest\n`,
    );
    return 0;
  }
  // Data after the archive alone: the files match, but the file is not the pack as made.
  const onlyAfter = result.manifest !== undefined &&
    result.problems.every((problem) => problem.kind === "trailing-data");
  const verdict = onlyAfter
    ? `not ok: its ${result.manifest?.files.length} files match the manifest, but data follows the archive`
    : "does not match its manifest";
  output.err(`${archive}: ${paint(output, "red", verdict)}\n`);
  for (const problem of result.problems) {
    output.err(`  ${terminalSafe(problem.path ?? "")} ${terminalSafe(problem.message)}\n`);
  }
  return 1;
}
