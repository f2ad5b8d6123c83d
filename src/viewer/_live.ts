// Live updates of a run page as Server-Sent Events: the server polls the
// run's files through the Workspace (as `runlog tail -f` does) and sends
// what was appended since the client's cursors, masked: new effects, new
// log entries, and the run's status and files when they change. Logs only
// grow, across a resume too (the new session appends to the same files);
// a file that shrinks is announced with `reset`.
import type { Workspace } from "../workspace.ts";
import { fileSizeIfExists } from "../_workspace_checks.ts";
import type { Masker } from "./_redacted_read.ts";
import { readTimeline } from "./_timeline.ts";
import { readLogPage } from "./_log_lines.ts";

/** Where the client is in each file: the byte after the last line it has. */
export interface LiveCursors {
  events: number;
  pipeline: number;
  /** A third file the page shows (an agent log), relative to the run directory. */
  file?: { path: string; at: number };
}

/** What a live stream watches and how. */
export interface LiveSource {
  ws: Workspace;
  runDir: string;
  masker: Masker;
  pollMs: number;
  /** The run as the page shows it (status, holder, sessions); compared as JSON. */
  status(): Promise<unknown>;
  /** The run's files; compared as JSON. */
  files(): Promise<unknown>;
  /** Aborted when the client goes away or the viewer closes. */
  signals: AbortSignal[];
}

const STATUS_MS = 1000;
const FILES_MS = 2000;
const HEARTBEAT_MS = 5000;
// Chunks the client has not taken yet: beyond this, reading waits.
const BACKLOG = 16;
const ABANDONED = 256;

/** Reads `Last-Event-ID` (`events.pipeline.file`) over the query's cursors. */
export function cursorsFrom(lastEventId: string | null, cursors: LiveCursors): LiveCursors {
  if (lastEventId === null) return cursors;
  const parts = lastEventId.split(".").map(Number);
  if (parts.length !== 3 || !parts.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    return cursors;
  }
  return {
    events: parts[0],
    pipeline: parts[1],
    ...(cursors.file === undefined ? {} : { file: { path: cursors.file.path, at: parts[2] } }),
  };
}

/** Where the client is in a log file (relative to the run directory). */
interface LogCursor {
  readonly path: string;
  at: number;
}

/** The event stream of one run page. */
export function liveStream(source: LiveSource, start: LiveCursors): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let events = start.events;
  const pipeline: LogCursor = { path: "pipeline.log", at: start.pipeline };
  const file: LogCursor | undefined = start.file === undefined ? undefined : { ...start.file };
  const { ws, runDir, masker } = source;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  const id = () => `${events}.${pipeline.at}.${file?.at ?? 0}`;

  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const signal of source.signals) {
        if (signal.aborted) stopped = true;
        signal.addEventListener("abort", stop, { once: true });
      }
      const send = (text: string) => {
        if (stopped) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stopped = true; // The client went away.
        }
      };
      const event = (name: string, data: unknown) =>
        send(`id: ${id()}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`);

      const effects = async () => {
        const path = `${runDir}/event_loop.log`;
        const size = (await fileSizeIfExists(ws, path)) ?? 0;
        if (size < events) {
          events = 0;
          event("reset", { path: "event_loop.log" });
          return;
        }
        if (size === events) return;
        const chunk = await readTimeline(ws, path, events, masker, {
          maxBytes: 8 * 1024 * 1024,
          maxEffects: 50_000,
        }, size);
        events = chunk.next;
        if (chunk.seq.length > 0 || chunk.invalid > 0) event("effects", chunk);
      };
      // Moves `cursor` over what was appended, and sends it.
      const log = async (cursor: LogCursor): Promise<void> => {
        const path = `${runDir}/${cursor.path}`;
        const size = (await fileSizeIfExists(ws, path)) ?? 0;
        if (size < cursor.at) {
          event("reset", { path: cursor.path });
          cursor.at = 0;
          return;
        }
        if (size === cursor.at) return;
        // Live: the end of a provider stream still open is masked until it goes on.
        const request = { direction: "forward", at: cursor.at, limit: 5000, live: true } as const;
        const page = await readLogPage(ws, path, cursor.path, request, masker, size);
        const from = cursor.at;
        // The cursor moves first, so that the event's id is where the client will be.
        cursor.at = page.next;
        if (page.entries.length > 0) {
          event("lines", { path: cursor.path, from, next: page.next, entries: page.entries });
        }
      };

      const loop = async () => {
        send(": runlog live\nretry: 1000\n\n");
        let statusAt = 0;
        let filesAt = 0;
        let beatAt = Date.now();
        let lastStatus = "";
        let lastFiles = "";
        let lastProblem = "";
        while (!stopped) {
          const backlog = controller.desiredSize === null ? Infinity : -controller.desiredSize;
          // A client that has read nothing for many minutes is gone, whatever its connection says.
          if (backlog > ABANDONED) break;
          if (backlog < BACKLOG) {
            try {
              await effects();
              await log(pipeline);
              if (file !== undefined) await log(file);
              const now = Date.now();
              if (now - statusAt >= STATUS_MS) {
                statusAt = now;
                const status = JSON.stringify(await source.status());
                if (status !== lastStatus) {
                  lastStatus = status;
                  send(`id: ${id()}\nevent: run\ndata: ${status}\n\n`);
                }
              }
              if (now - filesAt >= FILES_MS) {
                filesAt = now;
                const files = JSON.stringify(await source.files());
                if (files !== lastFiles) {
                  lastFiles = files;
                  send(`id: ${id()}\nevent: files\ndata: ${files}\n\n`);
                }
              }
              lastProblem = "";
            } catch (error) {
              // A file replaced by a link, a permission change: say so once, and keep watching.
              const message = (error as Error)?.message ?? String(error);
              if (message !== lastProblem) event("problem", { message });
              lastProblem = message;
            }
          }
          if (Date.now() - beatAt >= HEARTBEAT_MS) {
            beatAt = Date.now();
            send(": beat\n\n");
          }
          if (stopped) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, source.pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      };
      loop().finally(() => {
        for (const signal of source.signals) signal.removeEventListener("abort", stop);
        try {
          controller.close();
        } catch { /* Already cancelled. */ }
      });
    },
    cancel() {
      stop();
    },
  });
}
