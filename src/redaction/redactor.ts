/**
 * Redacting secrets out of log text, as a stream of chunks or a whole
 * string: what `packRun` does to every text file, for anything else that
 * shows logs (a viewer, a bug report).
 *
 * @module
 */
import { matcherFor } from "./_matcher.ts";
import { RedactionEngine } from "./redaction_engine.ts";
import type { RedactionPattern } from "./redaction_patterns.ts";
import { invalidArgument } from "../_invalid_argument.ts";

/**
 * Secrets found, by kind, such as `{ "openai-api-key": 2, "jwt": 1 }`.
 *
 * @example Adding up what was found
 * ```ts
 * import assert from "node:assert/strict";
 * import { type RedactionCounts, redactText } from "@ralph/runlog/pack";
 *
 * const counts: RedactionCounts = redactText("password=one-secret\npassword=two-secret").counts;
 * const total = Object.values(counts).reduce((a, b) => a + b, 0);
 * assert.equal(total, 2);
 * ```
 */
export type RedactionCounts = Record<string, number>;

/**
 * Options of {@linkcode createRedactor} and {@linkcode redactText}.
 *
 * @example An internal token format, on top of the built-in kinds
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactText, type RedactorOptions } from "@ralph/runlog/pack";
 *
 * const options: RedactorOptions = {
 *   patterns: [{ kind: "acme-token", pattern: /acme_[a-z0-9]{24}/, maxLength: 29 }],
 * };
 * const { text, counts } = redactText("using acme_0123456789abcdefghijklmn", options);
 * assert.equal(text, "using [redacted:acme-token]********");
 * assert.deepEqual(counts, { "acme-token": 1 });
 * ```
 */
export interface RedactorOptions {
  /** Patterns of your own, used after the built-in ones. */
  patterns?: readonly RedactionPattern[];
}

/**
 * Redacts one stream of bytes, chunk by chunk, keeping its size: each
 * secret's bytes are overwritten in place with `[redacted:<kind>]`
 * followed by `*` (only `*` when the secret is too short for the label),
 * line breaks kept, so that the output has exactly as many bytes and lines
 * as the input. Key names, `Bearer ` and `scheme://user:` stay readable.
 *
 * A secret split across chunks is still found: the redactor holds back
 * the last bytes it was given (up to the longest possible match, about
 * 16 KiB, and it works in batches of 64 KiB), so `push` returns less than
 * it was given until {@linkcode Redactor.flush} ends the stream. Whatever
 * the chunking, the output is byte for byte that of one call with
 * everything. Masked text stays valid UTF-8.
 *
 * @example Redacting a log as it is served, then ending the stream
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRedactor, type Redactor } from "@ralph/runlog/pack";
 *
 * const redactor: Redactor = createRedactor();
 * const line = new TextEncoder().encode("[INFO] retrying with token=abcdef123456\n");
 * const early = redactor.push(line); // held back: the next chunk could continue a secret
 * assert.equal(early.length, 0);
 * assert.equal(redactor.pending, line.length);
 * const rest = redactor.flush(); // the end of what there is to show
 * assert.equal(new TextDecoder().decode(rest), "[INFO] retrying with token=************\n");
 * assert.equal(redactor.pending, 0);
 * ```
 */
export interface Redactor {
  /**
   * Feeds the next bytes of the stream.
   *
   * @param chunk The bytes; not modified, not kept.
   * @returns The bytes now final, masked (possibly none).
   */
  push(chunk: Uint8Array): Uint8Array;
  /**
   * Ends the stream: returns the bytes still held back, masked. The
   * redactor can then take a new stream; its counts keep adding up.
   *
   * @returns The rest of the stream.
   */
  flush(): Uint8Array;
  /** Secrets found so far, by kind. */
  readonly counts: Readonly<RedactionCounts>;
  /** How many bytes were pushed and not returned yet. */
  readonly pending: number;
}

/**
 * What {@linkcode redactText} returns.
 *
 * @example Masking a line before showing it
 * ```ts
 * import assert from "node:assert/strict";
 * import { type RedactedText, redactText } from "@ralph/runlog/pack";
 *
 * const result: RedactedText = redactText("export AWS_SECRET_ACCESS_KEY=" + "a1B2".repeat(10));
 * assert.equal(result.text.length, 69);
 * assert.deepEqual(result.counts, { "aws-secret-access-key": 1 });
 * ```
 */
export interface RedactedText {
  /** The text with every secret masked, as long as the original in UTF-8. */
  text: string;
  /** The secrets found, by kind. */
  counts: RedactionCounts;
}

class StreamRedactor implements Redactor {
  readonly #engine: RedactionEngine;

  constructor(engine: RedactionEngine) {
    this.#engine = engine;
  }

  push(chunk: Uint8Array): Uint8Array {
    if (!(chunk instanceof Uint8Array)) {
      throw invalidArgument(
        "Redactor.push",
        "the chunk",
        chunk,
        "a Uint8Array",
        "encode text with TextEncoder, or use redactText for a whole string",
      );
    }
    return this.#engine.push(chunk);
  }

  flush(): Uint8Array {
    return this.#engine.flush();
  }

  get counts(): Readonly<RedactionCounts> {
    return this.#engine.counts;
  }

  get pending(): number {
    return this.#engine.pending;
  }
}

function checkOptions(options: unknown, where: string): RedactorOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw invalidArgument(where, "the options", options, "an object");
  }
  return options as RedactorOptions;
}

/**
 * Makes a {@linkcode Redactor} for one stream of bytes: the built-in
 * patterns (see `REDACTION_KINDS`) plus yours.
 *
 * @example Redacting chunks as they come, and through a TransformStream
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRedactor } from "@ralph/runlog/pack";
 *
 * const key = ["sk", "ant", "api03", "x".repeat(90)].join("-");
 * const redactor = createRedactor();
 * const text = `calling the API with ${key}\n`;
 * const bytes = new TextEncoder().encode(text);
 * // A secret split across two chunks is still found.
 * const out = [redactor.push(bytes.subarray(0, 30)), redactor.push(bytes.subarray(30)), redactor.flush()];
 * const masked = new TextDecoder().decode(new Uint8Array(out.flatMap((c) => [...c])));
 * assert.equal(masked.length, text.length);
 * assert.match(masked, /^calling the API with \[redacted:anthropic-api-key\]\*+\n$/);
 * assert.deepEqual(redactor.counts, { "anthropic-api-key": 1 });
 *
 * // The same in a web stream pipeline.
 * const stream = createRedactor();
 * const transform = new TransformStream<Uint8Array, Uint8Array>({
 *   transform: (chunk, controller) => controller.enqueue(stream.push(chunk)),
 *   flush: (controller) => controller.enqueue(stream.flush()),
 * });
 * const piped = await new Response(new Blob([bytes]).stream().pipeThrough(transform)).text();
 * assert.equal(piped, masked);
 * ```
 *
 * @example A pattern of your own
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRedactor } from "@ralph/runlog/pack";
 *
 * const redactor = createRedactor({
 *   patterns: [{ kind: "ticket-secret", pattern: /ticket=(?<secret>T[0-9]{8})/ }],
 * });
 * const out = redactor.push(new TextEncoder().encode("ticket=T12345678 ok"));
 * const rest = redactor.flush();
 * assert.equal(out.length + rest.length, 19);
 * assert.equal(new TextDecoder().decode(rest), "ticket=********* ok");
 * assert.deepEqual(redactor.counts, { "ticket-secret": 1 });
 * ```
 *
 * @param options Patterns of your own.
 * @returns A redactor for one stream (and, after `flush`, the next).
 * @throws {RunLogError} `"invalid-argument"` for a malformed pattern, naming it.
 */
export function createRedactor(options?: RedactorOptions): Redactor {
  const { patterns } = checkOptions(options, "createRedactor");
  return new StreamRedactor(new RedactionEngine(matcherFor(patterns, "createRedactor")));
}

/**
 * Redacts a whole string: the same masks as a {@linkcode Redactor} over its
 * UTF-8 bytes, so the result has the same UTF-8 length (a lone surrogate
 * is read as U+FFFD, as `TextEncoder` does).
 *
 * @example Masking a password and a token in a log line
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactText } from "@ralph/runlog/pack";
 *
 * const { text, counts } = redactText(
 *   'connect postgres://app:hunter2-hunter2@db/app with {"api_key": "0123456789abcdef0123456789abcdef"}',
 * );
 * assert.equal(
 *   text,
 *   'connect postgres://app:***************@db/app with {"api_key": "[redacted:secret-assignment]****"}',
 * );
 * assert.deepEqual(counts, { "url-credentials": 1, "secret-assignment": 1 });
 * ```
 *
 * @param text The text.
 * @param options Patterns of your own.
 * @returns The masked text and what was found.
 * @throws {RunLogError} `"invalid-argument"` for a malformed pattern, naming it.
 */
export function redactText(text: string, options?: RedactorOptions): RedactedText {
  if (typeof text !== "string") {
    throw invalidArgument(
      "redactText",
      "the text",
      text,
      "a string",
      "use createRedactor for bytes",
    );
  }
  const { patterns } = checkOptions(options, "redactText");
  const engine = new RedactionEngine(matcherFor(patterns, "redactText"));
  const head = engine.push(new TextEncoder().encode(text));
  const tail = engine.flush();
  const decoder = new TextDecoder();
  return {
    text: decoder.decode(head, { stream: true }) + decoder.decode(tail),
    counts: { ...engine.counts },
  };
}
