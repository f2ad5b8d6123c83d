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
 * terminal, and never with `NO_COLOR`.
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
import { RunLogError } from "../run_log_error.ts";
import { WorkspaceError } from "../workspace_error.ts";
import { type Output, processOutput } from "./_output.ts";
import { UsageError } from "./_usage.ts";
import type { Command } from "./_command.ts";
import { close, event, log, newRun } from "./run_commands.ts";
import { list, path, prune, show, tail } from "./read_commands.ts";
import { REPORT_COMMAND, SERVE_COMMAND } from "../viewer/cli_commands.ts";
import { pack, verify } from "./pack_commands.ts";

export type { Output } from "./_output.ts";

const VERSION = "0.1.0";

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
Statuses: running, succeeded, failed, interrupted, crashed, or unknown (a run the Rust
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
tool wrote are read too.
  -f, --follow     keep printing new lines until the run ends or Ctrl-C
  -n, --lines N    how many lines to start with (default 10; all for the whole file)`,
  },
  pack: {
    run: pack,
    usage: "runlog pack <id|latest> [-o FILE] [--no-redact] [--level N] [--force] [--json]",
    help: `Writes a run as one .tar.gz with a MANIFEST.json, secrets masked.
A live run is packed as a snapshot of what it has written so far.
  -o, --output FILE  the archive (default: run-<id>.tar.gz in the current directory)
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

function overview(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.split(" ")[1].length));
  const lines = Object.entries(COMMANDS).map(([name, c]) =>
    `  ${name.padEnd(width)}  ${c.help.split("\n")[0]}`
  );
  return `runlog ${VERSION}: per-run log directories, from a shell

Usage: runlog <command> [options]

Commands:
${lines.join("\n")}

runlog <command> --help tells more. Exit codes: 0 success, 1 failure, 2 usage error.
`;
}

/**
 * Runs the `runlog` command with `args` (without the program name) and
 * returns its exit code: 0 success, 1 failure, 2 usage error.
 *
 * @param args The arguments, such as `["list", "--json"]`.
 * @param output Where to write; default the process's standard output and error.
 * @returns The exit code.
 */
export async function runCli(args: string[], output: Output = processOutput()): Promise<number> {
  const [name, ...rest] = args;
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
    output.err(`runlog: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    output.out(`Usage: ${command.usage}\n\n${command.help}\n${COMMON}\n`);
    return 0;
  }
  try {
    return await command.run(rest, output);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`runlog ${name}: ${error.message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    if (error instanceof RunLogError || error instanceof WorkspaceError) {
      output.err(`runlog ${name}: ${error.message}\n`);
      return 1;
    }
    output.err(`runlog ${name}: unexpected error: ${(error as Error)?.stack ?? error}\n`);
    return 1;
  }
}

// Run as a program (deno run jsr:@ralph/runlog/cli, node, bun): not on import.
if ((import.meta as { main?: boolean }).main) {
  process.exitCode = await runCli(process.argv.slice(2));
}
