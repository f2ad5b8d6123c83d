/// <reference lib="dom" />
// Filling a timeline: a run's effects chunk by chunk from the API, up to
// what a page holds (a report's at once), then what is missing is said.
import type { PageContext } from "./context.ts";
import type { Timeline } from "./timeline.ts";
import { fetchTimeline } from "./api.ts";
import { formatCount, sizeText } from "./format.ts";
import { MAX_EFFECTS } from "./timeline_model.ts";

/** Loads run `id`'s whole timeline into `timeline`, up to MAX_EFFECTS; a report's at once. */
export function loadTimeline(ctx: PageContext, timeline: Timeline, id: string): Promise<void> {
  const report = ctx.report;
  if (report) {
    timeline.append(report.timeline);
    timeline.done(report.timeline.done ? "" : report.timelineNote);
    return Promise.resolve();
  }
  function next(from: number): Promise<void> {
    return fetchTimeline(id, from).then((chunk) => {
      timeline.append(chunk);
      if (chunk.done) {
        timeline.done("");
        return;
      }
      if (timeline.model.n >= MAX_EFFECTS) {
        timeline.done(
          `The timeline shows the first ${
            formatCount(timeline.model.n)
          } effects: the page holds no more. ` +
            `${
              sizeText(chunk.size - chunk.next)
            } of event_loop.log were not read; the Files tab shows the whole log.`,
        );
        timeline.capped = true;
        return;
      }
      return next(chunk.next);
    });
  }
  return next(0);
}
