// A bound on the bytes between the tar packer and gzip. modern-tar's own
// queue holds up to 8 MiB: chunks waiting that long survive the young-
// generation collections and are freed only by full ones, which on a 1 GB
// run lets dead buffers pile up by the hundred. Kept short, they die young.
//
// Each handover also lets the event loop turn once. Node's and Bun's zlib
// compress on their thread pool and hand each chunk back through the event
// loop; a producer that only awaits settled promises never lets it turn, so
// compressing waited for masking and the two added up (BENCHMARKS.md has
// the pack's throughput against `tar czf`).
import { setImmediate } from "node:timers";

/** Bytes handed to a consumer and not taken yet, at most about `limit`. */
export class FlowLimit {
  readonly #limit: number;
  #bytes = 0;
  #waiting: (() => void)[] = [];
  #closed = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Counts `n` bytes handed over; resolves once the consumer has caught up. */
  async produced(n: number): Promise<void> {
    this.#bytes += n;
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#bytes > this.#limit && !this.#closed) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** Passes `source` through, counting what the consumer takes. */
  async *consume(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of source) {
        this.#bytes = Math.max(0, this.#bytes - chunk.length);
        if (this.#bytes <= this.#limit) this.#wake();
        yield chunk;
      }
    } finally {
      this.close();
    }
  }

  /** Stops waiting: the consumer is gone. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }
}
