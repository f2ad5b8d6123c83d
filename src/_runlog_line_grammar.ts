// runlog's grammar of `event_loop.log` lines: exactly what runlog writes,
// bare tokens or JSON strings (see parse_event_loop_line.ts).
import type { Failure, ParsedEventLoopLine } from "./parse_event_loop_line.ts";
import { quote } from "./_event_loop_quoting.ts";
import { RUST_TS } from "./_rust_line_grammar.ts";

/**
 * runlog's grammar. Its reading is exact unless the line has a Rust
 * timestamp and quoted values: Rust would have written the quotes as text.
 */
export function readRunlogLine(text: string): ParsedEventLoopLine | Failure {
  // Each step returns undefined on failure, recorded here, rather than
  // throwing: a throw costs more than a whole Rust line this grammar refuses.
  let i = 0;
  let quoted = false;
  let failure: Failure = { at: 0, why: "" };
  const fail = (why: string, inQuote = false): undefined => {
    failure = { at: i, why, inQuote };
    return undefined;
  };
  const expect = (literal: string): true | undefined => {
    if (!text.startsWith(literal, i)) return fail(`expected "${literal}"`);
    i += literal.length;
    return true;
  };
  const integer = (what: string): number | undefined => {
    const match = /^\d+/.exec(text.slice(i, i + 20));
    if (match === null) return fail(`expected ${what}`);
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) return fail(`${what} is too large`);
    i += match[0].length;
    return value;
  };
  // A quoted JSON string, or a bare token ending at one of `stops` that
  // runlog would write bare: anything else is left to the Rust grammar.
  const value = (stops: string): string | undefined => {
    if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) return fail("unterminated quoted value", true);
      let parsed: string;
      try {
        parsed = JSON.parse(text.slice(i, j + 1));
      } catch {
        return fail("invalid escape in quoted value", true);
      }
      i = j + 1;
      quoted = true;
      return parsed;
    }
    const start = i;
    while (i < text.length && !stops.includes(text[i])) i++;
    if (i === start) return fail("expected a value");
    const token = text.slice(start, i);
    if (quote(token) === token) return token;
    for (i = start; quote(text[i]) === text[i];) i++;
    return fail(`unexpected ${JSON.stringify(text[i])} in an unquoted value`);
  };

  const seq = integer("a sequence number");
  if (seq === undefined || !expect(" ts=")) return failure;
  const ts = value(" ");
  if (ts === undefined || !expect(" phase=")) return failure;
  const phase = value(" ");
  if (phase === undefined || !expect(" effect=")) return failure;
  const effect = value(" ");
  if (effect === undefined || !expect(" event=")) return failure;
  const event = value(" ");
  if (event === undefined) return failure;
  const extra: string[] = [];
  if (text.startsWith(" extra=[", i)) {
    i += " extra=[".length;
    for (;;) {
      const item = value(",]");
      if (item === undefined) return failure;
      extra.push(item);
      if (text[i] === "]") break;
      if (!expect(",")) return failure;
    }
    i++;
  }
  const context: [string, string][] = [];
  if (text.startsWith(" ctx=", i)) {
    i += " ctx=".length;
    for (;;) {
      const key = value("=, ");
      if (key === undefined || !expect("=")) return failure;
      const item = value(", ");
      if (item === undefined) return failure;
      context.push([key, item]);
      if (text[i] !== ",") break;
      i++;
    }
  }
  if (!expect(" ms=")) return failure;
  const durationMs = integer("the duration in ms");
  if (durationMs === undefined) return failure;
  if (i !== text.length) {
    fail("unexpected text after ms");
    return failure;
  }
  const rust = RUST_TS.test(ts);
  return {
    seq,
    ts,
    phase,
    effect,
    event,
    extra,
    context,
    durationMs,
    dialect: rust ? "rust" : "runlog",
    exact: !(rust && quoted),
  };
}
