// The redaction patterns compiled for scanning: the built-in rules as one
// alternation per flag set (one pass each instead of one per rule), each
// user pattern as its own regex (its groups and flags are its own business).
import { RunLogError } from "../run_log_error.ts";
import { describeValue } from "../_describe_value.ts";
import { BUILTIN_PATTERNS, type RedactionPattern } from "./redaction_patterns.ts";

/** A match: where it is, what to mask, and which rule found it. */
export interface Hit {
  start: number;
  end: number;
  /** The byte ranges to mask: the `secret*` groups, or the whole match. */
  ranges: [number, number][];
  /** The rule's index: lower wins a tie. */
  rule: number;
}

interface Member {
  rule: number;
  key: string; // The group wrapping this alternative.
  secrets: string[]; // Its renamed secret groups.
}

interface Scanner {
  regex: RegExp;
  /** The alternatives of a combined regex; absent for a user pattern (rule `only`). */
  members?: Member[];
  only?: number;
}

type Indices = { groups?: Record<string, [number, number] | undefined> };

const DEFAULT_USER_MAX = 16 * 1024;
const MAX_USER_MAX = 1024 * 1024;
const KIND = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SECRET_GROUP = /\(\?<(secret\w*)>/g;

/** Compiled rules; shared by every redactor made with the same patterns. */
export class Matcher {
  readonly kinds: string[];
  readonly scanners: Scanner[];
  /** The longest match any rule can make, in bytes. */
  readonly maxLength: number;
  readonly #generic: boolean[];
  readonly #anchored: RegExp[]; // Each rule alone, for telling what a generic hit holds.

  constructor(user: readonly RedactionPattern[]) {
    const rules = [
      ...BUILTIN_PATTERNS.map((p) => ({
        kind: p.kind,
        source: p.source,
        flags: p.flags as string,
        maxLength: p.maxLength,
        generic: p.generic === true,
      })),
      ...user.map((p) => ({
        kind: p.kind,
        source: p.pattern.source,
        flags: p.pattern.flags.replace(/[gyd]/g, ""),
        maxLength: p.maxLength ?? DEFAULT_USER_MAX,
        generic: false,
      })),
    ];
    this.kinds = rules.map((r) => r.kind);
    this.#generic = rules.map((r) => r.generic);
    this.#anchored = rules.map((r) => new RegExp(r.source, r.flags));
    this.maxLength = Math.max(...rules.map((r) => r.maxLength));
    this.scanners = [];
    for (const flags of ["", "i"]) {
      const members: Member[] = [];
      const parts: string[] = [];
      BUILTIN_PATTERNS.forEach((p, rule) => {
        if (p.flags !== flags) return;
        const secrets: string[] = [];
        const source = p.source.replace(SECRET_GROUP, (_, name: string) => {
          secrets.push(`s${rule}_${name}`);
          return `(?<s${rule}_${name}>`;
        });
        members.push({ rule, key: `k${rule}`, secrets });
        parts.push(`(?<k${rule}>${source})`);
      });
      this.scanners.push({ regex: new RegExp(parts.join("|"), `${flags}gd`), members });
    }
    for (let rule = BUILTIN_PATTERNS.length; rule < rules.length; rule++) {
      const { source, flags } = rules[rule];
      this.scanners.push({ regex: new RegExp(source, `${flags}gd`), only: rule });
    }
  }

  /** Reads a match of `scanner` as a hit. */
  hit(scanner: Scanner, m: RegExpExecArray): Hit {
    const groups = (m as unknown as { indices: Indices }).indices.groups ?? {};
    const start = m.index;
    const end = start + m[0].length;
    let rule = scanner.only ?? -1;
    const ranges: [number, number][] = [];
    if (scanner.members === undefined) {
      for (const name in groups) {
        const range = groups[name];
        if (name.startsWith("secret") && range !== undefined) ranges.push(range);
      }
    } else {
      for (const member of scanner.members) {
        if (groups[member.key] === undefined) continue;
        rule = member.rule;
        for (const name of member.secrets) {
          const range = groups[name];
          if (range !== undefined) ranges.push(range);
        }
        break;
      }
    }
    if (ranges.length === 0) ranges.push([start, end]);
    return { start, end, ranges, rule };
  }

  /** The kind to count: a specific kind found inside a generic hit's secret, else its own. */
  kindOf(text: string, hit: Hit): string {
    if (this.#generic[hit.rule]) {
      for (const [s, e] of hit.ranges) {
        const inner = text.slice(s, e);
        for (let rule = 0; rule < this.kinds.length; rule++) {
          if (!this.#generic[rule] && this.#anchored[rule].test(inner)) return this.kinds[rule];
        }
      }
    }
    return this.kinds[hit.rule];
  }
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
  throw new RunLogError(
    "invalid-argument",
    `${where}: ${what} must be ${expected}, got ${describeValue(value)}`,
  );
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
