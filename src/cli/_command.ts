import type { Output } from "./_output.ts";

/** A command of the `runlog` command line: what it runs, and its usage and help. */
export interface Command {
  /** Runs it; resolves the exit code. */
  run(args: string[], output: Output): Promise<number>;
  /** One line of usage. */
  usage: string;
  /** The help: a first line, then the options. */
  help: string;
}
