// Where a pack goes: a file (`openOutputFile`: a temp sibling renamed into
// place once complete), or a WritableStream given by the caller.
import { RunLogError } from "../run_log_error.ts";

/** The archive being written. */
export interface ArchiveSink {
  /** The absolute path of the archive, or `undefined` for a stream. */
  readonly path: string | undefined;
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the archive: renamed into place, or the stream closed. */
  commit(): Promise<void>;
  /** Drops the archive: the temp file removed, or the stream aborted. */
  abort(reason: unknown): Promise<void>;
}

function refuse(message: string): never {
  throw new RunLogError("invalid-argument", `packRun: ${message}`);
}

/** A sink writing into `stream`, closed at the end, aborted on failure. */
export function streamSink(stream: WritableStream<Uint8Array>): ArchiveSink {
  if (stream.locked) {
    refuse("the output stream is locked by another writer; pass a fresh WritableStream");
  }
  const writer = stream.getWriter();
  return {
    path: undefined,
    async write(chunk) {
      await writer.ready;
      await writer.write(chunk);
    },
    commit: () => writer.close(),
    abort: (reason) => writer.abort(reason).catch(() => {}),
  };
}
