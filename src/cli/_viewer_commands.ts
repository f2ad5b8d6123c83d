/**
 * `runlog serve` and `runlog report`: the viewer from the command line.
 * The viewer's modules load only when one of them runs.
 *
 * @module
 */
import process from "node:process";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatBytes, type Output, printedPath, terminalSafe } from "./_output.ts";
import { noMore, parse, parseWhole } from "./_usage.ts";
import { resolveRun, workspaceAt } from "./_workspace.ts";
import type { Command } from "./_command.ts";

// Opens the URL in the desktop's browser through a private launcher file,
// so that the token never appears in a command line other users can see.
async function openBrowser(url: string, output: Output): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "runlog-serve-"));
  const file = join(dir, "open.html");
  const attribute = url.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  await writeFile(
    file,
    `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
      `<meta http-equiv="refresh" content="0;url=${attribute}"><title>runlog</title>` +
      `<p>Opening the runlog viewer…</p>\n`,
    { mode: 0o600 },
  );
  const [command, args] = process.platform === "darwin"
    ? ["open", [file]]
    : process.platform === "win32"
    ? ["cmd", ["/c", "start", "", file]]
    : ["xdg-open", [file]];
  try {
    const child = spawn(command, args as string[], { stdio: "ignore", detached: true });
    child.on(
      "error",
      () =>
        output.err(`runlog serve: could not start a browser (${command}); open the URL above\n`),
    );
    child.unref();
  } catch {
    output.err(`runlog serve: could not start a browser (${command}); open the URL above\n`);
  }
  // The browser reads the file within moments; it goes when the server stops.
  return () => rm(dir, { recursive: true, force: true });
}

function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(signal);
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
}

/** runlog serve: a local web viewer of the runs, until Ctrl-C. */
export async function serve(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    root: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "no-open": { type: "boolean" },
    "no-redact": { type: "boolean" },
  });
  noMore(positionals);
  const port = values.port === undefined ? 0 : parseWhole(values.port, "--port");
  const host = values.host ?? "127.0.0.1";
  const redact = values["no-redact"] !== true;
  const ws = await workspaceAt(values.root ?? ".");
  const { createViewer } = await import("../viewer/create_viewer.ts");
  const { isLoopback, serveViewer } = await import("../viewer/serve_viewer.ts");
  const viewer = createViewer(ws, { redact });
  const server = await serveViewer(viewer, { hostname: host, port });
  // Listening for Ctrl-C before the URL is out: whoever reads it may stop us at once.
  const stopped = untilStopped();
  output.out(
    `Serving the runs of ${terminalSafe(ws.root)}/.agent (${
      redact ? "secrets masked" : "REDACTION OFF"
    }) at\n\n` +
      `  ${terminalSafe(server.openUrl)}\n\n` +
      "The token in this URL is required: share it only with people who may read these logs.\n" +
      "Ctrl-C stops the server.\n",
  );
  if (!isLoopback(host)) {
    output.err(
      `runlog serve: listening on ${
        terminalSafe(host)
      }, reachable from other machines over plain HTTP; ` +
        "anyone who sees the URL can read the logs\n",
    );
  }
  if (!redact) {
    output.err("runlog serve: --no-redact: secrets in the logs are shown as they are\n");
  }
  const cleanup = values["no-open"] === true
    ? undefined
    : await openBrowser(server.openUrl, output);
  await stopped;
  await server.close();
  await cleanup?.();
  output.err("runlog serve: stopped\n");
  return 0;
}

/** runlog report: one self-contained HTML file of a run. */
export async function report(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    root: { type: "string" },
    output: { type: "string", short: "o" },
    "no-redact": { type: "boolean" },
    force: { type: "boolean" },
  });
  noMore(positionals.slice(1));
  const ws = await workspaceAt(values.root ?? ".");
  const runId = await resolveRun(ws, positionals[0]);
  const { writeReport } = await import("../viewer/report.ts");
  const redact = values["no-redact"] !== true;
  const summary = await writeReport(ws, runId, values.output ?? `run-${runId}.html`, {
    redact,
    overwrite: values.force === true,
  });
  output.out(`${printedPath(output, summary.path)}\n`);
  output.err(
    `runlog report: ${formatBytes(summary.bytes)}, ${summary.effects} effects, ` +
      `${redact ? "secrets masked" : "REDACTION OFF"}\n`,
  );
  for (const note of summary.notes) output.err(`  note: ${terminalSafe(note)}\n`);
  return 0;
}

/** `runlog serve`, for the command table. */
export const SERVE_COMMAND: Command = {
  run: serve,
  usage: "runlog serve [--port N] [--host ADDR] [--no-open] [--no-redact]",
  help: `Serves a web viewer of the runs: timelines, logs, live updates, comparisons.
Prints the URL to open, with its access token; serves until Ctrl-C.
  --port N       the port (default: any free port)
  --host ADDR    the address to listen on (default 127.0.0.1: this machine only)
  --no-open      do not open a browser
  --no-redact    show secrets as they are (masked by default, as in runlog pack)`,
};

/** `runlog report`, for the command table. */
export const REPORT_COMMAND: Command = {
  run: report,
  usage: "runlog report <id|latest> [-o FILE] [--no-redact] [--force]",
  help: `Writes a run as one self-contained HTML page, secrets masked.
It needs no network and opens from disk; long logs are summarised, and the page says what
it leaves out.
  -o, --output FILE  the file (default: run-<id>.html in the current directory)
  --no-redact        keep secrets as they are (redaction is on by default)
  --force            replace an existing file`,
};
