import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import process from "node:process";
import type { ProcessHost } from "../process_host.ts";
import { linuxProcessStart } from "./_proc_stat.ts";

function readStat(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The {@linkcode ProcessHost} of Node and Bun: `node:os`, `process.kill(pid, 0)`
 * and `/proc` where there is one.
 */
export function nodeHost(): ProcessHost {
  const versions = process.versions as Record<string, string | undefined>;
  const runtime = versions.bun !== undefined ? `bun ${versions.bun}` : `node ${versions.node}`;
  return {
    pid: process.pid,
    hostname: hostname(),
    runtime,
    argv: [...process.argv],
    processStart: (pid) => linuxProcessStart(readStat(pid)),
    isAlive(pid) {
      try {
        process.kill(pid, 0);
      } catch (error) {
        // EPERM: it exists, under another user.
        return (error as { code?: string }).code === "EPERM";
      }
      // A zombie still answers kill(0); on Linux, /proc tells it has exited.
      const stat = readStat(pid);
      return stat === undefined || linuxProcessStart(stat) !== undefined;
    },
    every(ms, tick) {
      const timer = setInterval(tick, ms);
      timer.unref?.();
      return () => clearInterval(timer);
    },
  };
}
