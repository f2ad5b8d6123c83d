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
 * The {@linkcode ProcessHost} of Node and Bun (and of Deno's Node layer):
 * `node:os`, `process.kill(pid, 0)` and `/proc` where there is one; what
 * it cannot read (a refused permission) is unknown, never a guess.
 */
export function nodeHost(): ProcessHost {
  const versions = process.versions as Record<string, string | undefined>;
  const runtime = versions.bun !== undefined
    ? `bun ${versions.bun}`
    : versions.deno !== undefined
    ? `deno ${versions.deno} (node:fs)`
    : `node ${versions.node}`;
  let name: string;
  try {
    name = hostname();
  } catch {
    // Deno's Node layer without --allow-sys: leases then go by heartbeat.
    name = "unknown";
  }
  return {
    pid: process.pid,
    hostname: name || "unknown",
    runtime,
    argv: [...process.argv],
    processStart: (pid) => linuxProcessStart(readStat(pid)),
    isAlive(pid) {
      try {
        process.kill(pid, 0);
      } catch (error) {
        // ESRCH: no such process; EPERM: it exists, under another user; no
        // code: Deno's Node layer refused the probe (no --allow-run).
        const code = (error as { code?: string }).code;
        return code === "ESRCH" ? false : code === "EPERM" ? true : undefined;
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
