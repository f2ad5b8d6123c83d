/**
 * What runlog needs to know about processes, for run leases: this
 * process's identity, whether another process is still alive, and a timer
 * that never keeps the process alive. Runtime adapters supply one; the core
 * never asks the runtime itself.
 *
 * @module
 */

/**
 * The processes of the machine runlog runs on, as a lease sees them.
 *
 * @example A host that never tells liveness: leases then go stale only
 * when their heartbeat stops
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryHost } from "@ralph/runlog";
 *
 * const host = new MemoryHost({ pid: 7, hostname: "ci-runner-3" });
 * assert.equal(host.isAlive(7), true);
 * assert.equal(host.isAlive(8), false);
 * ```
 */
export interface ProcessHost {
  /** This process's id. */
  readonly pid: number;
  /** This machine's name; leases compare it to tell "same host". */
  readonly hostname: string;
  /** The runtime and its version, such as `"node 24.11.0"`. */
  readonly runtime: string;
  /** The command line of this process, program first. */
  readonly argv: readonly string[];
  /**
   * When process `pid` started, as an opaque token that differs for a
   * later process reusing the pid (Linux: field 22 of `/proc/<pid>/stat`);
   * `undefined` when unknown or not running.
   */
  processStart(pid: number): string | undefined;
  /** Whether process `pid` runs on this host; `undefined` when this host cannot tell. */
  isAlive(pid: number): boolean | undefined;
  /**
   * Calls `tick` every `ms` milliseconds on a timer that never keeps the
   * process alive (`unref`); returns the function that stops it.
   */
  every(ms: number, tick: () => void): () => void;
}

/**
 * Options of the {@linkcode MemoryHost} constructor.
 *
 * @example What a run records about its process
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryHost, MemoryWorkspace, RunLogContext } from "@ralph/runlog";
 *
 * const host = new MemoryHost({ pid: 7, hostname: "ci-runner-3", argv: ["ralph", "--dev"] });
 * const ctx = await RunLogContext.create(new MemoryWorkspace("memory:", { host }));
 * const metadata = await ctx.readRunMetadata();
 * assert.equal(metadata.command, "ralph --dev");
 * assert.equal(metadata.pid, 7);
 * assert.equal(metadata.sessions?.[0].host, "ci-runner-3");
 * ```
 */
export interface MemoryHostOptions {
  /** This process's id; default 4242. */
  pid?: number;
  /** This machine's name; default `"memory-host"`. */
  hostname?: string;
  /** The command line; default `["runlog-test"]`. */
  argv?: string[];
  /**
   * The processes alive on this host. A `Set` is used as it is, so that
   * hosts simulating processes of one machine can share it; `pid` is added.
   */
  alive?: Set<number> | Iterable<number>;
}

/**
 * A {@linkcode ProcessHost} in memory, for tests: the set of live processes
 * is a plain `Set`, and timers fire only when {@linkcode MemoryHost.tick}
 * is called. Two `MemoryWorkspace`s over one driver with two hosts act as
 * two processes sharing a disk.
 *
 * @example Simulating a holder that crashed
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryHost } from "@ralph/runlog";
 *
 * const first = new MemoryHost({ pid: 1 });
 * const second = new MemoryHost({ pid: 2, alive: first.alive }); // one machine
 * assert.equal(first.isAlive(2), true);
 * second.alive.delete(2); // process 2 was killed
 * assert.equal(first.isAlive(2), false);
 * ```
 */
export class MemoryHost implements ProcessHost {
  /** This process's id. */
  readonly pid: number;
  /** This machine's name. */
  readonly hostname: string;
  /** Always `"memory"`. */
  readonly runtime = "memory";
  /** The command line. */
  readonly argv: readonly string[];
  /** The live processes of this host, this one included. */
  readonly alive: Set<number>;
  #timers = new Set<() => void>();

  /**
   * Makes a host.
   *
   * @param options Its pid, name, command line and live processes.
   */
  constructor(options: MemoryHostOptions = {}) {
    this.pid = options.pid ?? 4242;
    this.hostname = options.hostname ?? "memory-host";
    this.argv = options.argv ?? ["runlog-test"];
    this.alive = options.alive instanceof Set ? options.alive : new Set(options.alive);
    this.alive.add(this.pid);
  }

  /** A start token, `start-of-<pid>`, while the process is alive; else `undefined`. */
  processStart(pid: number): string | undefined {
    return this.alive.has(pid) ? `start-of-${pid}` : undefined;
  }

  /** Whether `pid` is in {@linkcode MemoryHost.alive}. */
  isAlive(pid: number): boolean {
    return this.alive.has(pid);
  }

  /** Registers a timer; it fires on {@linkcode MemoryHost.tick}. */
  every(_ms: number, tick: () => void): () => void {
    this.#timers.add(tick);
    return () => this.#timers.delete(tick);
  }

  /** Fires every running timer once. */
  tick(): void {
    for (const timer of [...this.#timers]) timer();
  }
}
