import { WorkspaceError } from "./workspace_error.ts";
import { RunLogError } from "./run_log_error.ts";

const ignore = () => {};

// A promise that knows whether anyone listened to it: `await`, `then`,
// `catch` and `Promise.all` all call `then` on a promise of a subclass (the
// spec only skips it for plain promises). Derived promises are plain ones.
class ObservedAnswer<T> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  #onObserved: (() => void) | undefined;

  constructor(
    executor: (resolve: (value: T) => void, reject: (error: unknown) => void) => void,
    onObserved: () => void,
  ) {
    super(executor);
    this.#onObserved = onObserved;
    // Handled from the start: an unawaited failure must never end the process.
    Promise.prototype.then.call(this, undefined, ignore);
  }

  // deno-lint-ignore no-explicit-any
  override then<R1 = T, R2 = never>(onFulfilled?: any, onRejected?: any): Promise<R1 | R2> {
    this.#onObserved?.();
    this.#onObserved = undefined;
    return super.then(onFulfilled, onRejected);
  }
}

/**
 * The failures of calls whose promises may never be awaited, as in
 * fire-and-forget logging. A failed call answers with a rejection that
 * cannot become an unhandled rejection. Until somebody listens to one of
 * them, the failures are reported again by each call that succeeds, and by
 * `close()` through {@linkcode FailureReport.takeUnobserved}.
 */
export class FailureReport {
  #first: unknown;
  #count = 0;
  // Failures are reported in episodes: listening to any answer of the
  // current episode ends it, since the caller now knows writes fail.
  #episode = 0;

  /** The answer of a failed call. */
  reject<T>(error: unknown): Promise<T> {
    if (this.#count === 0) this.#first = error;
    this.#count++;
    return this.#answer(error);
  }

  /**
   * The answer of a call whose outcome comes later: `work`'s, and if it
   * fails before anybody listens, a failure reported like those of
   * {@linkcode FailureReport.reject}.
   */
  later<T>(work: Promise<T>): Promise<T> {
    let observed = false;
    let episode: number | undefined;
    return new ObservedAnswer<T>((resolve, reject) => {
      work.then(resolve, (error) => {
        if (!observed) {
          if (this.#count === 0) this.#first = error;
          this.#count++;
          episode = this.#episode;
        }
        reject(error);
      });
    }, () => {
      observed = true;
      if (episode !== undefined && this.#episode === episode) this.#end();
    });
  }

  /** The answer of a call that succeeded: `value`, unless failures went unobserved. */
  resolve<T>(value: Promise<T>): Promise<T> {
    return this.#count === 0 ? value : this.#answer(this.#describe(" (this one succeeded)"));
  }

  /** The failures nobody listened to, as one error, once; `undefined` when none. */
  takeUnobserved(): unknown {
    if (this.#count === 0) return undefined;
    const error = this.#describe("");
    this.#end();
    return error;
  }

  #answer<T>(error: unknown): Promise<T> {
    const episode = this.#episode;
    return new ObservedAnswer<T>((_, reject) => reject(error), () => {
      if (this.#episode === episode) this.#end();
    });
  }

  #end(): void {
    this.#first = undefined;
    this.#count = 0;
    this.#episode++;
  }

  #describe(note: string): unknown {
    const first = this.#first;
    const what = this.#count === 1 ? "an earlier call" : `${this.#count} earlier calls`;
    const detail = `${what} failed and nobody awaited it${note}; the first: ${
      (first as Error)?.message ?? String(first)
    }`;
    if (first instanceof WorkspaceError) {
      return new WorkspaceError(first.code, first.operation, first.path, { cause: first, detail });
    }
    if (first instanceof RunLogError) return new RunLogError(first.code, detail, { cause: first });
    return first;
  }
}
