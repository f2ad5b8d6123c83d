/**
 * The `runlog` command: run directories from a shell, and a look at runs.
 *
 * ```sh
 * deno run -A jsr:@ralph/runlog/cli list        # Deno, from JSR
 * node bin/runlog.mjs list                      # Node 22.18+, from a checkout
 * bun bin/runlog.mjs list                       # Bun, from a checkout
 * ```
 *
 * A shell loop around an agent CLI:
 *
 * ```sh
 * dir=$(runlog new --command "my-loop" --owner $$)
 * runlog log latest --owner $$ "iteration 1"
 * runlog event latest --owner $$ --phase Development --effect InvokeAgent --event Done --ms 4200
 * runlog close latest --owner $$ --status succeeded
 * ```
 *
 * Exit codes: 0 success, 1 failure, 2 usage error. Colour only on a
 * terminal, and never with `NO_COLOR`. Every string read from disk or an
 * archive (run.json, file and entry names, lease hosts, error messages) is
 * printed with its control characters escaped (`\x1b`, `\n`, `\u{202e}`);
 * `--json` escapes them as JSON does. Log lines printed by `tail` are
 * escaped on a terminal, and exact into a pipe. A reader that closes the
 * output early (`runlog list | head -1`) ends the command quietly, exit 0.
 *
 * @example Running a command from code
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { runCli } from "@ralph/runlog/cli";
 *
 * const root = await mkdtemp(join(tmpdir(), "runlog-cli-"));
 * let out = "";
 * const output = { out: (t: string) => (out += t), err: () => {}, tty: false, color: false };
 * assert.equal(await runCli(["list", "--json", "--root", root], output), 0);
 * assert.deepEqual(JSON.parse(out).runs, []);
 * await rm(root, { recursive: true });
 * ```
 *
 * @module
 */
import process from "node:process";
import { realpathSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RunLogError } from "../run_log_error.ts";
import { safeString } from "../_safe_string.ts";
import { WorkspaceError } from "../workspace_error.ts";
import { processOutput, terminalSafe } from "./_output.ts";
import type { Output } from "./output.ts";
import { UsageError } from "./_usage.ts";
import { VERSION } from "../_version.ts";
import type { Command } from "./_command.ts";
import { close, event, log, newRun } from "./_run_commands.ts";
import { list, path, prune, show, tail } from "./_read_commands.ts";
import { REPORT_COMMAND, SERVE_COMMAND } from "./_viewer_commands.ts";
import { pack, verify } from "./_pack_commands.ts";
import {
  FROM_HELP,
  PUSH_COMMAND,
  readsStore,
  runWithStore,
  STORE_READERS,
} from "./_store_commands.ts";

export type { Output } from "./output.ts";

const COMMON = `
Common options:
  --root DIR   the workspace root holding .agent/ (default: the current directory)
  --help, -h   this help`;

const OWNER = `
  --owner PID  the process the run belongs to (default: the parent of runlog,
               usually your shell): the run is live while it lives`;

const COMMANDS: Readonly<Record<string, Command>> = {
  new: {
    run: newRun,
    usage: "runlog new [--command C] [--version V] [--owner PID]",
    help: `Creates a run directory and prints its path alone, for dir=$(runlog new).
  --command C  the command line to record in run.json
  --version V  the version to record (ralph_version)${OWNER}`,
  },
  log: {
    run: log,
    usage: "runlog log <id|latest> [--level L] MESSAGE...",
    help: `Appends a line to the run's pipeline.log.
  --level L    INFO (default), OK, WARN, ERROR or STEP${OWNER}`,
  },
  event: {
    run: event,
    usage:
      "runlog event <id|latest> --phase P --effect E --event V [--ms N] [--extra X]... [--ctx K=V]...",
    help: `Appends a line to the run's event_loop.log and prints its sequence number.
Only the process that created the run with runlog new (see --owner) may.
  --phase P --effect E --event V   what ran and what it produced
  --ms N       how long it took, in milliseconds (default 0)
  --extra X    a further event (repeatable)
  --ctx K=V    a context pair (repeatable)${OWNER}`,
  },
  close: {
    run: close,
    usage: "runlog close <id|latest> [--status S]",
    help: `Records the end of the run (and how it ended) and releases it.
  --status S   succeeded, failed or interrupted${OWNER}`,
  },
  list: {
    run: list,
    usage: "runlog list [--json] [--sizes]",
    help: `Lists every run, newest first, with its status.
Statuses: running, idle (between two runlog commands: its shell has exited, the next
command continues it), succeeded, failed, interrupted, crashed, or unknown (a run the Rust
tool wrote, or one closed without a status).
  --json       one JSON document, for scripts
  --sizes      add up each run's size`,
  },
  show: {
    run: show,
    usage: "runlog show <id|latest> [--json]",
    help: `Shows one run: its metadata, sessions and files.
  --json       one JSON document, for scripts`,
  },
  path: {
    run: path,
    usage: "runlog path <id|latest> [FILE]",
    help: `Prints the absolute path of a run's directory, or of a file in it.
FILE: pipeline, events, trace, metadata, or a path such as agents/dev_1.log.`,
  },
  tail: {
    run: tail,
    usage: "runlog tail [-f] [-n N|all] <id|latest> [FILE]",
    help: `Prints the last lines of a run's log; -f follows it as it grows.
FILE: pipeline (default), events, trace, or a path such as agents/dev_1.log. Runs the Rust
tool wrote are read too. On a terminal, control characters in the log but tabs (colour
codes included) are shown escaped, as \\x1b, so that a log cannot rewrite the screen; into
a pipe or file the lines are written exactly as they are (runlog tail latest | less -R).
  -f, --follow     keep printing new lines until the run ends (exit 0), crashes (3), is
                   idle between two runlog commands (4) or is removed (5), or Ctrl-C
  -n, --lines N    how many lines to start with (default 10; all for the whole file)`,
  },
  pack: {
    run: pack,
    usage:
      "runlog pack <id|latest> [-o FILE] [--no-redact] [--level N] [--force] [--dry-run] [--explain] [--json]",
    help: `Writes a run as one .tar.gz with a MANIFEST.json, secrets masked.
A live run is packed as a snapshot of what it has written so far; the end of a file still
being written is masked (it could be the start of a secret).
  -o, --output FILE  the archive (default: run-<id>.tar.gz in the current directory)
  --dry-run          read and redact every file, write nothing
  --explain          list, per file, which kinds of secret were masked and how many times
                     (never the secrets); with --dry-run, check a run before sharing it
  --no-redact        keep secrets as they are (redaction is on by default)
  --level N          gzip level, 0 (store) to 9 (smallest); default 6
  --force            replace an existing archive
  --json             the summary as JSON`,
  },
  verify: {
    run: verify,
    usage: "runlog verify FILE [--json]",
    help: `Checks an archive made by runlog pack against its manifest: every file's size and
SHA-256, nothing missing or added. Exits with 1 naming every mismatch.
  --json       the result as JSON`,
  },
  push: PUSH_COMMAND,
  serve: SERVE_COMMAND,
  report: REPORT_COMMAND,
  prune: {
    run: prune,
    usage: "runlog prune [--keep N] [--older-than 7d] [--max-size 5GB] [--dry-run] [--json]",
    help: `Deletes old runs by a policy, never a running run or one pinned by a .keep file.
  --keep N           always keep the newest N runs (alone: delete all older ones)
  --older-than AGE   delete runs started more than AGE ago (s, m, h, d, w)
  --max-size SIZE    delete the oldest runs until all take at most SIZE (kB, MB, GB, GiB, ...)
  --dry-run          say what would be deleted, delete nothing
  --json             one JSON document, for scripts`,
  },
};

// The first sentence of a help text, however many lines it spans.
function summaryOf(help: string): string {
  const prose = help.split("\n  ")[0].replaceAll("\n", " ");
  const end = prose.search(/\.(\s|$)/);
  return end === -1 ? prose : prose.slice(0, end + 1);
}

function overview(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.split(" ")[1].length));
  const lines = Object.entries(COMMANDS).map(([name, c]) =>
    `  ${name.padEnd(width)}  ${summaryOf(c.help)}`
  );
  return `runlog ${VERSION}: per-run log directories, from a shell

Usage: runlog <command> [options]

Commands:
${lines.join("\n")}

runlog <command> --help (or runlog help <command>) tells more.
Exit codes: 0 success, 1 failure, 2 usage error.
`;
}

/**
 * Runs the `runlog` command with `args` (without the program name) and
 * returns its exit code: 0 success, 1 failure, 2 usage error.
 *
 * @param args The arguments, such as `["list", "--json"]`.
 * @param output Where to write; default the process's standard output and
 *   error, and then a closed standard output (`runlog list | head -1`) ends
 *   the process at once, quietly, with exit code 0, as `ls | head` does.
 * @returns The exit code.
 */
export async function runCli(args: string[], output: Output = processOutput()): Promise<number> {
  const [name, ...rest] = args;
  if (name === "help" && rest.length > 0) return runCli([rest[0], "--help"], output);
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    output[name === undefined ? "err" : "out"](overview());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    output.out(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    output.err(`runlog: unknown command ${terminalSafe(JSON.stringify(name))}\n\n${overview()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    const from = STORE_READERS.has(name) ? `${FROM_HELP}\n` : "";
    output.out(`Usage: ${command.usage}\n\n${command.help}\n${from}${COMMON}\n`);
    return 0;
  }
  try {
    // --from s3://…: the same command, on a run store.
    if (readsStore(name, rest)) return await runWithStore(name, command, rest, output);
    return await command.run(rest, output);
  } catch (error) {
    // Messages quote paths, entry names, lease hosts and arguments: escaped
    // here, the one place errors are printed.
    if (error instanceof UsageError) {
      output.err(`runlog ${name}: ${terminalSafe(error.message)}\nUsage: ${command.usage}\n`);
      return 2;
    }
    // S3Error by name: the S3 modules load only for push and --from.
    if (
      error instanceof RunLogError || error instanceof WorkspaceError ||
      (error as Error)?.name === "S3Error"
    ) {
      output.err(`runlog ${name}: ${terminalSafe((error as Error).message)}\n`);
      return 1;
    }
    const stack = terminalSafe(safeString((error as Error)?.stack ?? error), "\n");
    output.err(`runlog ${name}: unexpected error: ${stack}\n`);
    return 1;
  }
}

// Run as a program (deno run jsr:@ralph/runlog/cli, node, bun): not on
// import. Node before 24.2 has no import.meta.main: there the program is
// argv[1], compared by its real path (node_modules may be links).
function isMain(): boolean {
  const main = (import.meta as { main?: boolean }).main;
  if (main !== undefined) return main;
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href ===
      pathToFileURL(realpathSync(fileURLToPath(import.meta.url))).href;
  } catch {
    return false;
  }
}

// No top-level await: require() of this module (Node 20.19+) must work.
if (isMain()) {
  runCli(process.argv.slice(2)).then((code) => process.exitCode = code);
}
