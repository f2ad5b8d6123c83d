// The redaction patterns compiled for scanning. Built-in rules start at a
// keyword: one pass of a KeywordFinder over the bytes finds every keyword,
// and each rule of a keyword found then runs there alone, anchored (a
// sticky regex), followed by its check. Patterns of your own have no
// keywords: each runs as its own global regex (its groups and flags are
// its own business).
import {
  BUILTIN_PATTERNS,
  type BuiltinPattern,
  type RedactionPattern,
  type RuleMatch,
} from "./redaction_patterns.ts";
import { KeywordFinder, type KeywordHits } from "./_keyword_finder.ts";
import { decodedBase64Text } from "./_secret_checks.ts";
import { invalidArgument } from "../_invalid_argument.ts";

/** A match: where it is, what to mask, and which rule found it. */
export interface Hit {
  start: number;
  end: number;
  /** The byte ranges to mask: the `secret*` groups, or the whole match. */
  ranges: [number, number][];
  /** The rule's index: lower wins a tie. */
  rule: number;
}

/** A user pattern, scanned as a global regex. */
interface UserScanner {
  regex: RegExp;
  rule: number;
}

/**
 * Bytes before a match that a rule may look at (a name's start, a
 * Kubernetes Secret's `kind:`: at most 400 back), and after its longest
 * match (look-aheads, a check's look at what follows).
 */
export const LOOK_AROUND = 512;
/** The least text decoded at once: keywords close together share one string. */
const MIN_TEXT = 8 * 1024;
const latin1 = new TextDecoder("latin1");

type Indices = { groups?: Record<string, [number, number] | undefined> };

const DEFAULT_USER_MAX = 16 * 1024;
const MAX_USER_MAX = 1024 * 1024;
const KIND = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Compiled rules; shared by every redactor made with the same patterns. */
export class Matcher {
  readonly kinds: string[];
  /** The longest match any rule can make, in bytes, from its keyword's start `back` included. */
  readonly maxLength: number;
  /** The longest `back` of any rule. */
  readonly maxBack: number;
  readonly users: UserScanner[];
  readonly #rules: readonly BuiltinPattern[];
  readonly #sticky: RegExp[];
  readonly #anchored: RegExp[]; // Each rule alone, for telling what a generic hit holds.
  readonly #finder: KeywordFinder;
  /** Per keyword: the rules that start there. */
  readonly #byKeyword: number[][];
  readonly #hits: KeywordHits = { keyword: [], at: [] };
  /** Per rule: its longest match from its keyword's start, `back` included. */
  readonly #reach: number[];
  // The latin1 text of bytes[#textStart, #textEnd) of the bytes find() has.
  #text = "";
  #textStart = 0;
  #textEnd = 0;

  constructor(user: readonly RedactionPattern[]) {
    this.#rules = BUILTIN_PATTERNS;
    this.kinds = [...BUILTIN_PATTERNS.map((p) => p.kind), ...user.map((p) => p.kind)];
    this.#sticky = BUILTIN_PATTERNS.map((p) => new RegExp(p.source, `${p.flags}yd`));
    this.#anchored = BUILTIN_PATTERNS.map((p) => new RegExp(p.source, `${p.flags}d`));
    this.users = user.map((p, i) => ({
      regex: new RegExp(p.pattern.source, `${p.pattern.flags.replace(/[gyd]/g, "")}gd`),
      rule: BUILTIN_PATTERNS.length + i,
    }));
    this.maxBack = Math.max(0, ...BUILTIN_PATTERNS.map((p) => p.back ?? 0));
    this.#reach = BUILTIN_PATTERNS.map((p) => p.maxLength + (p.back ?? 0));
    this.maxLength = Math.max(
      ...this.#reach,
      ...user.map((p) => p.maxLength ?? DEFAULT_USER_MAX),
    );
    // One keyword list: a keyword shared by several rules runs each of them.
    const index = new Map<string, number>();
    const keywords: string[] = [];
    this.#byKeyword = [];
    const keywordOf = (word: string) => {
      let k = index.get(word);
      if (k === undefined) {
        k = keywords.length;
        index.set(word, k);
        keywords.push(word);
        this.#byKeyword.push([]);
      }
      return k;
    };
    BUILTIN_PATTERNS.forEach((p, rule) => {
      // A keyword that extends another of the same rule would run it twice at one place.
      const own = p.keywords.filter((w) => !p.keywords.some((v) => v !== w && w.startsWith(v)));
      for (const word of new Set(own)) this.#byKeyword[keywordOf(word)].push(rule);
    });
    this.#finder = new KeywordFinder(keywords);
  }

  /**
   * The built-in rules' hits that start in `[from, limit)` of `bytes`, in
   * start order; `skip` (start, end, start, end, …: sorted, not
   * overlapping, offsets of `bytes[0]` at `skipBase`) are ranges where no
   * keyword is looked for: JSON strings of deltas, which the stream-aware
   * layer scans once joined. Each rule runs on the text around its keyword
   * only (LOOK_AROUND and its longest match): bytes without a keyword cost
   * no string at all.
   */
  find(
    bytes: Uint8Array,
    from: number,
    limit: number,
    skip: readonly number[] = [],
    skipBase = 0,
  ): Hit[] {
    const hits: Hit[] = [];
    const found = this.#hits;
    found.keyword.length = 0;
    found.at.length = 0;
    this.#textEnd = this.#textStart = 0;
    this.#text = "";
    const to = limit + this.maxBack;
    let at = from;
    for (let i = 0; i < skip.length; i += 2) {
      const a = skip[i] - skipBase;
      const b = skip[i + 1] - skipBase;
      if (b <= at) continue;
      if (a >= to) break;
      if (a > at) this.#finder.find(bytes, at, a, bytes.length, found);
      at = b;
    }
    if (at < to) this.#finder.find(bytes, at, to, bytes.length, found);
    for (let h = 0; h < found.keyword.length; h++) {
      const keyword = found.keyword[h];
      const where = found.at[h];
      for (const rule of this.#byKeyword[keyword]) {
        const start = where - (this.#rules[rule].back ?? 0);
        if (start < from || start >= limit) continue;
        const hit = this.#run(bytes, rule, start);
        if (hit !== undefined) hits.push(hit);
      }
    }
    this.#text = ""; // The bytes are the caller's to change.
    hits.sort((a, b) => a.start - b.start || a.rule - b.rule);
    // At one place the first rule that matches wins (as in one alternation of them all).
    let kept = 0;
    for (let h = 0; h < hits.length; h++) {
      if (kept === 0 || hits[kept - 1].start !== hits[h].start) hits[kept++] = hits[h];
    }
    hits.length = kept;
    return hits;
  }

  #run(bytes: Uint8Array, rule: number, start: number): Hit | undefined {
    // The text the rule may look at, decoded unless the last one holds it.
    const from = Math.max(0, start - LOOK_AROUND);
    const to = Math.min(bytes.length, start + this.#reach[rule] + LOOK_AROUND);
    if (from < this.#textStart || to > this.#textEnd) {
      this.#textStart = from;
      this.#textEnd = Math.min(bytes.length, Math.max(to, from + MIN_TEXT));
      this.#text = latin1.decode(bytes.subarray(from, this.#textEnd));
    }
    const shift = this.#textStart;
    const rx = this.#sticky[rule];
    rx.lastIndex = start - shift;
    const m = rx.exec(this.#text) as RuleMatch | null;
    if (m === null || m[0].length === 0) return undefined;
    const check = this.#rules[rule].check;
    const verdict = check === undefined ? true : check(this.#text, m);
    if (verdict === false) return undefined;
    const end = start + m[0].length;
    if (Array.isArray(verdict)) {
      const ranges = verdict.map(([s, e]): [number, number] => [s + shift, e + shift]);
      const last = Math.max(end, ...ranges.map((r) => r[1]));
      return { start, end: last, ranges, rule };
    }
    return { start, end, ranges: secretRanges(m, shift), rule };
  }

  /** Reads a match of a user pattern as a hit. */
  userHit(scanner: UserScanner, m: RegExpExecArray): Hit {
    const start = m.index;
    const end = start + m[0].length;
    return { start, end, ranges: secretRanges(m, 0), rule: scanner.rule };
  }

  /**
   * The kind to count: a specific kind found inside a generic hit's secret
   * (also once base64-decoded), else its own.
   */
  kindOf(bytes: Uint8Array, hit: Hit): string {
    if (hit.rule < this.#rules.length && this.#rules[hit.rule].generic === true) {
      for (const [s, e] of hit.ranges) {
        const inner = latin1.decode(bytes.subarray(s, e));
        const decoded = decodedBase64Text(inner);
        for (const value of decoded === undefined ? [inner] : [inner, decoded]) {
          for (let rule = 0; rule < this.#rules.length; rule++) {
            if (this.#rules[rule].generic !== true && this.#anchored[rule].test(value)) {
              return this.kinds[rule];
            }
          }
        }
      }
    }
    return this.kinds[hit.rule];
  }
}

/** The `secret*` groups of a match, or the whole match; offsets plus `shift`. */
function secretRanges(m: RegExpExecArray, shift: number): [number, number][] {
  const groups = (m as unknown as { indices: Indices }).indices.groups ?? {};
  const ranges: [number, number][] = [];
  for (const name in groups) {
    const range = groups[name];
    if (name.startsWith("secret") && range !== undefined) {
      ranges.push([range[0] + shift, range[1] + shift]);
    }
  }
  if (ranges.length === 0) ranges.push([m.index + shift, m.index + m[0].length + shift]);
  return ranges;
}

let defaultMatcher: Matcher | undefined;

/**
 * The matcher for the built-in rules plus `patterns`, checked; compiled once
 * for the built-in rules alone.
 */
export function matcherFor(patterns: unknown, where: string): Matcher {
  if (patterns === undefined || (Array.isArray(patterns) && patterns.length === 0)) {
    return defaultMatcher ??= new Matcher([]);
  }
  return new Matcher(checkPatterns(patterns, where));
}

function refuse(where: string, what: string, value: unknown, expected: string): never {
  throw invalidArgument(where, what, value, expected);
}

function checkPatterns(patterns: unknown, where: string): RedactionPattern[] {
  if (!Array.isArray(patterns)) {
    refuse(where, "patterns", patterns, "an array of { kind, pattern, maxLength? }");
  }
  return patterns.map((p: unknown, i) => {
    const at = `patterns[${i}]`;
    if (typeof p !== "object" || p === null) refuse(where, at, p, "an object { kind, pattern }");
    const { kind, pattern, maxLength } = p as Record<string, unknown>;
    if (typeof kind !== "string" || !KIND.test(kind)) {
      refuse(
        where,
        `${at}.kind`,
        kind,
        "1 to 64 ASCII letters, digits, '_', '.' or '-' (it is written into the masked bytes)",
      );
    }
    if (!(pattern instanceof RegExp)) refuse(where, `${at}.pattern`, pattern, "a RegExp");
    if (
      maxLength !== undefined &&
      (!Number.isSafeInteger(maxLength) || (maxLength as number) < 1 ||
        (maxLength as number) > MAX_USER_MAX)
    ) {
      refuse(where, `${at}.maxLength`, maxLength, `an integer from 1 to ${MAX_USER_MAX}`);
    }
    return {
      kind,
      pattern,
      ...(maxLength === undefined ? {} : { maxLength: maxLength as number }),
    };
  });
}
