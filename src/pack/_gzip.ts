// gzip with node:zlib, fed by hand: write + "drain" in, for-await out.
// Not Duplex.toWeb(createGzip()): on Deno that bridge ignores backpressure,
// and a 1 GB pack then holds the whole archive in memory.
import { createGzip, type Gzip } from "node:zlib";

// Resolves when zlib wants more input, or when it is gone (destroyed by an error).
function writable(gz: Gzip): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      gz.off("drain", done);
      gz.off("close", done);
      resolve();
    };
    gz.on("drain", done);
    gz.on("close", done);
  });
}

/** The gzip stream of `source`, at zlib `level` (0..9). */
export async function* gzip(
  source: AsyncIterable<Uint8Array>,
  level: number,
): AsyncGenerator<Uint8Array> {
  const gz = createGzip({ level });
  const feed = (async () => {
    for await (const chunk of source) {
      if (gz.destroyed) return;
      if (!gz.write(chunk)) await writable(gz);
    }
    gz.end();
  })();
  // A failed source ends the output with its error.
  feed.catch((error) => gz.destroy(error));
  for await (const chunk of gz) yield chunk as Uint8Array;
  await feed;
}
