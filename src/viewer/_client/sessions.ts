// The sessions of a run as the page shows them: each one's status (one
// that never ended and was followed by another crashed; the last one open
// is as the run is), and where the timeline marks a crash, an end and a
// resume.
import type { RunSession } from "../../run_metadata.ts";
import type { RunJson } from "../_run_data.ts";

/** A session of a run, with the status the page shows. */
export interface SessionView {
  /** 0 for the first. */
  index: number;
  session: RunSession;
  /**
   * As recorded; else `crashed` when another session followed it, or, for
   * the last one, the run's own status (`running`, `idle`, `crashed`…).
   */
  status: string;
  /** When it started and ended, ms since the epoch (NaN when not recorded). */
  startMs: number;
  endMs: number;
}

/** What the timeline marks at a session boundary. */
export type MarkKind = "crash" | "end" | "resume";

/** A mark on the timeline at a wall-clock time. */
export interface SessionMark {
  kind: MarkKind;
  /** The session it belongs to (0 for the first). */
  session: number;
  /** When, ms since the epoch. */
  at: number;
  /**
   * `before`: after the last effect that ended by then (a crash, an end);
   * `after`: before the first effect that began after it (a resume).
   */
  side: "before" | "after";
  label: string;
}

/** The sessions of a run (none for a run.json without them, as the Rust tool writes). */
export function sessionViews(run: RunJson): SessionView[] {
  const sessions = run.metadata?.sessions ?? [];
  return sessions.map((session, index) => {
    const last = index === sessions.length - 1;
    const status = session.status ??
      (session.endedAtUtc !== undefined ? "ended" : last ? run.status : "crashed");
    return {
      index,
      session,
      status,
      startMs: Date.parse(session.startedAtUtc),
      endMs: session.endedAtUtc === undefined ? NaN : Date.parse(session.endedAtUtc),
    };
  });
}

/**
 * The marks of a run's sessions: where each session that another one
 * followed crashed or ended, where each resume began, and where the last
 * one crashed.
 */
export function sessionMarks(views: readonly SessionView[]): SessionMark[] {
  const marks: SessionMark[] = [];
  views.forEach((view, i) => {
    const next = views[i + 1];
    const n = i + 1;
    if (view.status === "crashed") {
      // It never said when it stopped: at the latest, when the next one began.
      const at = next !== undefined ? next.startMs : Infinity;
      marks.push({ kind: "crash", session: i, at, side: "before", label: `session ${n} crashed` });
    } else if (next !== undefined && Number.isFinite(view.endMs)) {
      marks.push({
        kind: "end",
        session: i,
        at: view.endMs,
        side: "before",
        label: `session ${n} ${view.status}`,
      });
    }
    if (i > 0 && Number.isFinite(view.startMs)) {
      marks.push({
        kind: "resume",
        session: i,
        at: view.startMs,
        side: "after",
        label: `session ${n} resumed`,
      });
    }
  });
  return marks;
}
