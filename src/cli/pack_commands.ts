// runlog pack and runlog verify: a run as one verified, redacted archive.
import { packRun } from "../pack/pack_run.ts";
import { verifyPack } from "../pack/verify_pack.ts";
import { formatBytes, json, type Output, paint } from "./_output.ts";
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
  });
  noMore(positionals.slice(1));
  const level = values.level === undefined ? undefined : parseWhole(values.level, "--level");
  if (level !== undefined && level > 9) {
    throw new UsageError("--level: use 0 (store) to 9 (smallest)");
  }
  const ws = await workspaceAt(values.root ?? ".");
  const runId = await resolveRun(ws, positionals[0]);
  const progress = progressBar(output);
  const summary = await packRun(ws, runId, {
    output: values.output ?? `run-${runId}.tar.gz`,
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
  output.out(
    `${summary.output}: ${summary.files} files, ${formatBytes(summary.bytesIn)} in, ` +
      `${formatBytes(summary.bytesOut)} out; ${
        values["no-redact"] ? paint(output, "yellow", "not redacted") : `${masked} secret(s) masked`
      }${summary.live ? "; the run was live: a snapshot of what it had written" : ""}\n`,
  );
  return 0;
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
  if (result.ok) {
    output.out(
      `${positionals[0]}: ${
        paint(output, "green", "ok")
      }, ${result.manifest?.files.length} files match the manifest\n`,
    );
    return 0;
  }
  output.err(`${positionals[0]}: ${paint(output, "red", "does not match its manifest")}\n`);
  for (const problem of result.problems) output.err(`  ${problem.path ?? ""} ${problem.message}\n`);
  return 1;
}
