// Child processes of the current runtime, for race and crash tests, and the
// runlog command run as one.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runtime, scriptCommand } from "./_runtime.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));

/** A running script: its output lines so far and its exit. */
export interface ScriptProcess {
  child: ChildProcess;
  lines: string[];
  stderr(): string;
  /** Resolves with the first line (already seen or coming) that matches. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  exited: Promise<number | null>;
}

/** The absolute path of a fixture script. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/**
 * Starts a TypeScript file under this runtime, or by `options.command` (which
 * names the file itself), with `options.env` over this process's environment.
 */
export function startScript(
  file: string,
  args: string[],
  options: { command?: { command: string; args: string[] }; env?: Record<string, string> } = {},
): ScriptProcess {
  const { command, args: prefix } = options.command ?? scriptCommand(file);
  const env = options.env === undefined ? undefined : { ...process.env, ...options.env };
  const child = spawn(command, [...prefix, ...args], { stdio: ["pipe", "pipe", "pipe"], env });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let stderr = "";
  let buffer = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        exited.then((code) =>
          reject(new Error(`process exited (${code}) before the expected line: ${stderr}`))
        );
      });
    },
  };
}

/**
 * Starts one racer per argument list, waits until all are loaded and
 * ready, releases them at one common instant, and returns each one's
 * result line (parsed JSON). Fails if any racer fails.
 */
export function race(argsList: string[][]): Promise<unknown[]> {
  return releaseTogether(argsList.map((args) => startScript(fixture("racer.ts"), args)));
}

/**
 * Waits until every one of `racers` has said "ready", sends them all one
 * start instant on stdin, and returns each one's result line (parsed JSON).
 * Fails if any racer fails; kills any left at the end.
 */
export async function releaseTogether(racers: ScriptProcess[]): Promise<unknown[]> {
  try {
    await Promise.all(racers.map((r) => r.waitForLine((l) => l === "ready")));
    const startAt = Date.now() + 300;
    for (const r of racers) r.child.stdin!.end(`${startAt}\n`);
    const codes = await Promise.all(racers.map((r) => r.exited));
    codes.forEach((code, i) => {
      if (code !== 0) throw new Error(`racer ${i} exited with ${code}: ${racers[i].stderr()}`);
    });
    return racers.map((r) => JSON.parse(r.lines.find((l) => l.startsWith("{"))!));
  } finally {
    for (const r of racers) r.child.kill();
  }
}

/** The command line that runs `runlog` under this runtime, from this checkout. */
export function runlogCommand(): string[] {
  return runtime === "deno"
    ? [process.execPath, "run", "-A", join(repo, "src/cli/mod.ts")]
    : [process.execPath, join(repo, "bin/runlog.mjs")];
}

/** What a finished `runlog` command did. */
export interface RunlogResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `runlog` with `args` (and `env` over this process's environment) to its exit. */
export function runlog(args: string[], env: Record<string, string> = {}): Promise<RunlogResult> {
  const [command, ...prefix] = runlogCommand();
  return new Promise((resolve) => {
    execFile(
      command,
      [...prefix, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
