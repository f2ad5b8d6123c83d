/// <reference lib="dom" />
// A live run page: one EventSource on the run's live stream, from where the
// page is in each file; its events go to the timeline, the logs shown, the
// head and the files. Reconnected when the page shows another log.
import type { LogEntry } from "../_log_lines.ts";
import type { RunFilesJson, RunJson } from "../_run_data.ts";
import type { TimelineChunk } from "../_timeline.ts";
import type { PageContext } from "./context.ts";
import type { LogView } from "./log_view.ts";
import type { Timeline } from "./timeline.ts";
import { liveUrl } from "./api.ts";

/** The `lines` event: entries appended to a log. */
export interface LiveLines {
  /** The file, relative to the run directory. */
  path: string;
  /** Where the entries start, and where the next ones will. */
  from: number;
  next: number;
  entries: LogEntry[];
}

/** The file a page shows besides the pipeline log, as the live stream follows it. */
export interface LiveFile {
  /** The file, relative to the run directory. */
  readonly path: string;
  /** Where the stream goes on in it. */
  readonly tail: number;
  /** Lines appended to it. */
  live(d: LiveLines): void;
}

/** What the page does with the other events. */
export interface LiveHandlers {
  /** The run's status, holder or sessions changed. */
  run(run: RunJson): void;
  /** Its files changed. */
  files(files: RunFilesJson): void;
  /** The server could not read something (it keeps watching). */
  problem(message: string): void;
}

/** The live stream of a page. */
export interface LiveStream {
  /** Connects again, from where the page is now (another log shown). */
  reconnect(): void;
}

/** Starts the live stream of run `id`; `fileView` gives the log shown besides the pipeline's. */
export function startLive(
  ctx: PageContext,
  id: string,
  timeline: Timeline,
  pipeline: LogView,
  fileView: () => LiveFile | null,
  on: LiveHandlers,
): LiveStream {
  let source: EventSource | null = null;
  const data = <T>(ev: Event): T => JSON.parse((ev as MessageEvent<string>).data) as T;
  function connect(): void {
    if (source) source.close();
    const view = fileView();
    source = new EventSource(liveUrl(id, {
      events: timeline.model.next,
      pipeline: pipeline.tail,
      ...(view ? { file: { path: view.path, at: view.tail } } : {}),
    }));
    source.addEventListener("open", () => {
      ctx.hook.live++;
    });
    source.addEventListener("effects", (ev) => timeline.live(data<TimelineChunk>(ev), id));
    source.addEventListener("lines", (ev) => {
      const d = data<LiveLines>(ev);
      const v = fileView();
      if (d.path === "pipeline.log") pipeline.live(d);
      if (v && v.path === d.path) v.live(d);
    });
    source.addEventListener("run", (ev) => on.run(data<RunJson>(ev)));
    source.addEventListener("files", (ev) => on.files(data<RunFilesJson>(ev)));
    source.addEventListener("problem", (ev) => on.problem(data<{ message: string }>(ev).message));
    source.addEventListener("reset", () => location.reload());
  }
  connect();
  return { reconnect: connect };
}
