/**
 * The secrets the redactor recognises: the token formats of gitleaks'
 * default rules and of secretlint's recommended preset (API keys of model
 * providers, code hosts, clouds and SaaS services, private keys, JWTs,
 * webhooks), and credentials given in context: `password: …`,
 * `SECRET_KEY=…`, `--token …`, `Authorization: Basic …`,
 * `scheme://user:password@host`, `.netrc`, Azure connection strings,
 * Kubernetes secrets.
 *
 * The rules are runlog's own, written after reading those public rule sets
 * and the published token formats. Conventions the redactor relies on:
 * - Every rule starts at one of its `keywords` (exact case; `back` bytes
 *   before it when the format has a fixed-length head), so that a scan
 *   only runs a rule where its keyword is: the keywords are found in one
 *   pass over the bytes, and each rule then runs there, anchored.
 * - Every pattern is ASCII and runs over a latin1 view of the bytes (one
 *   character per byte), so match offsets are byte offsets and a mask is
 *   written over the bytes in place: sizes never change.
 * - Whitespace is spelled `[ \t]` or `[\r\n]`, never `\s`, which also
 *   matches the bytes 0x85 and 0xA0 inside UTF-8 sequences.
 * - Named groups `secret`, `secret2` select what is masked, so that
 *   `password: `, `Bearer ` and `postgres://app:` stay readable; without
 *   them the whole match is masked.
 * - Every repetition is bounded and `maxLength` is the longest possible
 *   match: the streaming redactor keeps that much text between chunks, and
 *   no pattern can backtrack catastrophically.
 * - Context rules (`generic`) decide in `check` whether what they matched
 *   is a secret: the name it is assigned to, placeholders, numbers, paths,
 *   and the Shannon entropy of token-like values (3.5 bits per character,
 *   as gitleaks' generic rule).
 *
 * @module
 */
import {
  classifyName,
  decodedBase64Text,
  entropy,
  GENERIC_ENTROPY,
  isPlainValue,
  isSecretValue,
  nameStart,
  nameWords,
} from "./_secret_checks.ts";

/**
 * A pattern of your own, added to the built-in ones by `packRun` and
 * `createRedactor`.
 *
 * @example Masking only the value after a name, keeping the name readable
 * ```ts
 * import assert from "node:assert/strict";
 * import { type RedactionPattern, redactText } from "@ralph/runlog/pack";
 *
 * const session: RedactionPattern = {
 *   kind: "session-id",
 *   pattern: /SESSION=(?<secret>[0-9a-f]{32})/i,
 *   maxLength: 40,
 * };
 * const { text } = redactText(`cookie SESSION=${"0f".repeat(16)};`, { patterns: [session] });
 * assert.equal(text, "cookie SESSION=[redacted:session-id]***********;");
 * ```
 *
 * The pattern runs over the bytes viewed as latin1 text (one character per
 * byte), with its own flags plus `g` and `d`; a `y` flag is dropped. When
 * it has named groups whose names start with `secret` (`secret`,
 * `secret2`, …), only those are masked; otherwise the whole match is.
 */
export interface RedactionPattern {
  /**
   * The name counted in the manifest and written in the mask, such as
   * `"internal-token"`: 1 to 64 ASCII letters, digits, `_`, `.` or `-`,
   * starting with a letter or digit.
   */
  kind: string;
  /** What to find. Keep repetitions bounded, as in `[A-Za-z0-9]{20,64}`. */
  pattern: RegExp;
  /**
   * The longest text the pattern can match, in bytes (default 16 384, at
   * most 1 MiB). A longer match is only found when it does not straddle
   * two chunks of a stream.
   */
  maxLength?: number;
}

/** What a rule's `check` is given: the text scanned and the match (with indices). */
export type RuleMatch = RegExpExecArray & {
  indices: Array<[number, number]> & { groups?: Record<string, [number, number] | undefined> };
};

/** One built-in rule. */
export interface BuiltinPattern {
  kind: string;
  source: string;
  /** `"i"` for case-insensitive rules. */
  flags: "" | "i";
  /** The longest possible match, in bytes. */
  maxLength: number;
  /**
   * Where a match can start: each keyword, exact case, at least 2 bytes;
   * the match starts there (or `back` bytes before).
   */
  keywords: readonly string[];
  /** The match starts this many bytes before its keyword (a fixed-length head). */
  back?: number;
  /**
   * A context rule (key = value, header, URL): a specific kind found inside
   * its secret is what gets counted.
   */
  generic?: boolean;
  /**
   * Decides whether a match is a secret (`false`: a look-alike, left as it
   * is); may instead give the byte ranges to mask, relative to `text`.
   */
  check?: (text: string, m: RuleMatch) => boolean | [number, number][];
}

const L = "(?<![A-Za-z0-9_-])"; // token-like secrets hold "-", so no \b
const R = "(?![A-Za-z0-9_-])";
// After a key name: an optional closing quote (also JSON-escaped), then a separator.
const ASSIGN = String.raw`(?:\\{0,3}["'])?[ \t]*(?::=|=>|\?=|:|=)[ \t]*`;
const PEM_LABEL = "(?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?";

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** `word`, `Word` and `WORD`, plus any extra spellings. */
function cased(...words: string[]): string[] {
  const out = new Set<string>();
  for (const w of words) {
    out.add(w);
    out.add(w.toLowerCase());
    out.add(w[0].toUpperCase() + w.slice(1).toLowerCase());
    out.add(w.toUpperCase());
  }
  return [...out];
}

/**
 * A token with a fixed prefix: `prefixes` (which are its keywords), then
 * `body` (a pattern of at most `bodyMax` bytes), standing alone.
 */
function token(
  kind: string,
  prefixes: string[],
  body: string,
  bodyMax: number,
  check?: BuiltinPattern["check"],
): BuiltinPattern {
  const head = prefixes.length === 1
    ? escape(prefixes[0])
    : `(?:${prefixes.map(escape).join("|")})`;
  return {
    kind,
    source: `${L}${head}${body}${R}`,
    flags: "",
    maxLength: Math.max(...prefixes.map((p) => p.length)) + bodyMax,
    keywords: prefixes,
    ...(check === undefined ? {} : { check }),
  };
}

/** Several token formats of one vendor, each `[prefix, body, bodyMax]`. */
function tokens(kind: string, forms: [string, string, number][]): BuiltinPattern {
  return {
    kind,
    source: forms.map(([p, body]) => `${L}${escape(p)}${body}${R}`).join("|"),
    flags: "",
    maxLength: Math.max(...forms.map(([p, , max]) => p.length + max)),
    keywords: [...new Set(forms.map(([p]) => p))],
  };
}

// ---------------------------------------------------------------- checks

type Groups = Record<string, [number, number] | undefined>;

function groupsOf(m: RuleMatch): Groups {
  return m.indices.groups ?? {};
}

/** The secret group's text and start. */
function secretOf(text: string, m: RuleMatch): { value: string; at: number } | undefined {
  const g = groupsOf(m);
  const range = g.secret ?? g.secret2;
  return range === undefined ? undefined : { value: text.slice(range[0], range[1]), at: range[0] };
}

/** The whole unquoted token a value starts (`${VAR}`, `$(cmd)` are cut short by value classes). */
function wholeToken(text: string, at: number): string {
  const m = /^[^ \t\r\n"'`,;]{1,128}/.exec(text.slice(at, at + 128));
  return m === null ? "" : m[0];
}

/** A value that is no secret by itself: a placeholder, literal, path, … */
function plainAt(text: string, value: string, at: number): boolean {
  return isPlainValue(value) || isPlainValue(wholeToken(text, at));
}

/**
 * The generic key = value rules: the name around the keyword must name a
 * secret of `kind` (see `classifyName`), a bare separator (spaces) is taken
 * only after a command-line option (`--password VALUE`), and the value must
 * be a secret (see `isSecretValue`).
 */
function assignmentCheck(kind: "password" | "secret"): NonNullable<BuiltinPattern["check"]> {
  return (text, m) => {
    const g = groupsOf(m);
    const sep = g.sep;
    const secret = secretOf(text, m);
    if (sep === undefined || secret === undefined) return false;
    const start = nameStart(text, m.index);
    const separator = text.slice(sep[0], sep[1]);
    if (!/[:=]/.test(separator) && text[start - 1] !== "-") return false;
    if (plainAt(text, secret.value, secret.at)) return false;
    const name = text.slice(start, sep[0]);
    if (classifyName(name) !== kind) return false;
    const words = nameWords(name);
    const last = words[words.length - 1] ?? "";
    const counter = kind === "password" && /^(?:[a-z]*_)?(?:pass|pwd|pw)$/.test(last) &&
      !/password|passwd/.test(last);
    return isSecretValue(secret.value, kind, counter);
  };
}

/** A value after a scheme word: not the scheme word itself, nor a placeholder. */
function credentialCheck(text: string, m: RuleMatch): boolean {
  const secret = secretOf(text, m);
  if (secret === undefined) return false;
  if (
    /^(?:basic|bearer|digest|token|negotiate|ntlm|apikey|null|undefined|none)$/i.test(secret.value)
  ) {
    return false;
  }
  return !plainAt(text, secret.value, secret.at);
}

/** `Basic <base64>` standing alone: only when it decodes to `user:password`. */
function basicCheck(text: string, m: RuleMatch): boolean {
  const secret = secretOf(text, m);
  if (secret === undefined) return false;
  const decoded = decodedBase64Text(secret.value);
  return decoded !== undefined && /^[^:\r\n]{0,256}:[^\r\n]{1,256}$/.test(decoded);
}

/** Vault's legacy `s.<24>` tokens look like file names: only random-looking ones. */
function vaultCheck(_text: string, m: RuleMatch): boolean {
  const token = m[0];
  if (!token.startsWith("s.")) return true;
  const body = token.slice(2);
  return /[0-9]/.test(body) && /[A-Z]/.test(body) && /[a-z]/.test(body) &&
    entropy(body) >= GENERIC_ENTROPY;
}

/** A JWT encoded once more in base64 (gitleaks' jwt-base64): it must decode to one. */
function jwtBase64Check(_text: string, m: RuleMatch): boolean {
  const decoded = decodedBase64Text(m[0].replace(/=+$/, "").slice(0, m[0].length & ~3));
  return decoded !== undefined && /^eyJ[A-Za-z0-9_-]+\.eyJ/.test(decoded);
}

/** How much of a Kubernetes Secret's data block is read, at most. */
const K8S_BLOCK = 16_000;

/** A Kubernetes Secret's `data:` block: each value masked, names kept, when the kind is Secret. */
function kubernetesCheck(text: string, m: RuleMatch): [number, number][] | false {
  const end = m.index + m[0].length;
  const around = text.slice(Math.max(0, m.index - 400), end + 400);
  if (!/kind:[ \t]*["']?Secret\b/.test(around)) return false;
  const block = /^(?:\r?\n[ \t]+[A-Za-z0-9_.-]+:[^\r\n]*)+/.exec(text.slice(end, end + K8S_BLOCK));
  if (block === null) return false;
  const ranges: [number, number][] = [];
  const entry = /\n[ \t]+[A-Za-z0-9_.-]+:[ \t]*(?:[|>][-+]?[ \t]*)?["']?([^ \t\r\n"']+)/g;
  for (let e = entry.exec(block[0]); e !== null; e = entry.exec(block[0])) {
    const value = e[1];
    if (isPlainValue(value)) continue;
    const at = end + e.index + e[0].length - value.length;
    ranges.push([at, at + value.length]);
  }
  return ranges.length > 0 ? ranges : false;
}

// ---------------------------------------------------------------- rules

// .netrc: words and the spaces or line breaks between them (also JSON-escaped).
const NETRC_WORD = String.raw`[^ \t\r\n"'\\]{1,256}`;
const NETRC_SPACE = String.raw`(?:[ \t\r\n]|\\{1,3}[nrt])+`;

// The generic key = value rules: from the keyword, the rest of the name,
// a separator (or spaces after an option), then a quoted or bare value.
const NAME_REST = "[A-Za-z0-9_.-]{0,40}?";
// Spaces separate a value only from an option's name (`--password VALUE`).
const SEP = String
  .raw`(?<sep>${ASSIGN}|(?=[ 	])(?<=(?:^|[^A-Za-z0-9_.-])-[A-Za-z0-9_.-]{1,88})[ 	]+)`;
// A quoted value stops at any quote: inside a JSON string, the string's own quote ends it.
const VALUE = String.raw`(?:\\{0,3}["'\x60](?<secret>[^"'\x60\\\r\n]{1,512})` +
  String.raw`|(?<secret2>[^ \t\r\n"'\x60\\,;}{\[\]<>]{1,512}))`;
const ASSIGNMENT_MAX = 40 + 3 + 14 + 4 + 512;
const PASSWORD_KEYWORDS = cased("pass", "pwd", "pw");
const SECRET_KEYWORDS = cased("secret", "token", "key", "cred", "auth");

/** The built-in rules: specific formats first, context rules last. */
export const BUILTIN_PATTERNS: readonly BuiltinPattern[] = [
  // ---- private keys
  {
    kind: "gcp-service-account-key",
    // The JSON-escaped key of a service-account file, or of one logged as a JSON string.
    source: String
      .raw`"private_key"[ \t]*:[ \t]*"(?<secret>-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----(?:\\\\?[nr]|[A-Za-z0-9+/= ]){64,16384}?-----END [A-Z ]{0,20}PRIVATE KEY-----(?:\\\\?n)?)"`,
    flags: "",
    maxLength: 16384 + 120,
    keywords: ['"private_key"'],
  },
  {
    kind: "private-key-pem",
    // PEM (PKCS#1/#8, EC, OpenSSH, encrypted) and PGP private key blocks, raw or \n-escaped.
    // The END must name the BEGIN's label: an unterminated block stays apart from the next one.
    // No quote inside: a key in a JSON string never reaches past its string.
    source: String
      .raw`-----BEGIN (?<pem_label>${PEM_LABEL})-----[^"]{16,16384}?-----END \k<pem_label>-----`,
    flags: "",
    maxLength: 16384 + 110,
    keywords: ["-----BEGIN "],
  },
  {
    kind: "private-key-pem-unterminated",
    // A BEGIN line whose END is missing, cut off, or beyond the window: mask what follows.
    source: String
      .raw`-----BEGIN ${PEM_LABEL}-----(?:\\\\?[nr]|[\r\n]|[A-Za-z0-9+/=:, -]){32,16384}`,
    flags: "",
    maxLength: 16384 + 60,
    keywords: ["-----BEGIN "],
  },
  token("age-secret-key", ["AGE-SECRET-KEY-1"], "[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", 58),
  {
    kind: "1password-secret",
    // Service-account tokens (ops_ + base64 JSON) and account Secret Keys (A3-…).
    source: String.raw`${L}ops_eyJ[A-Za-z0-9+/]{100,4000}={0,3}(?![A-Za-z0-9+/=])` +
      String
        .raw`|${L}A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}${R}`,
    flags: "",
    maxLength: 4 + 3 + 4000 + 3,
    keywords: ["ops_eyJ", "A3-"],
  },
  // ---- model providers
  token("anthropic-api-key", ["sk-ant-"], "[a-z]{3,6}[0-9]{2}-[A-Za-z0-9_-]{32,200}", 209),
  token("openrouter-api-key", ["sk-or-v1-"], "[0-9a-f]{64}", 64),
  {
    kind: "openai-api-key",
    // Project, service-account and admin keys, and the legacy sk-<48> (with or without T3BlbkFJ).
    source: String.raw`${L}sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,250}${R}` +
      String.raw`|${L}sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}${R}|${L}sk-[A-Za-z0-9]{48}${R}`,
    flags: "",
    maxLength: 3 + 8 + 250,
    keywords: ["sk-"],
  },
  token("deepseek-api-key", ["sk-"], "[0-9a-f]{32}", 32),
  token("google-api-key", ["AIza"], "[0-9A-Za-z_-]{35}", 35),
  token("groq-api-key", ["gsk_"], "[A-Za-z0-9]{52}", 52),
  token("xai-api-key", ["xai-"], "[A-Za-z0-9_]{80}", 80),
  token("perplexity-api-key", ["pplx-"], "[A-Za-z0-9]{48}", 48),
  token("huggingface-token", ["hf_", "api_org_"], "[A-Za-z0-9]{34}", 34),
  token("replicate-api-token", ["r8_"], "[A-Za-z0-9_-]{37}", 37),
  token("langsmith-api-key", ["lsv2_pt_", "lsv2_sk_"], "[0-9a-f]{32}_[0-9a-f]{10}", 43),
  {
    kind: "mistral-api-key",
    // No prefix of their own: only right after a name that says whose key it is.
    source: String
      .raw`mistral[A-Za-z0-9_.-]{0,20}${ASSIGN}(?:\\{0,3}["'])?(?<secret>[A-Za-z0-9]{32,40})${R}`,
    flags: "i",
    maxLength: 7 + 20 + 4 + 14 + 4 + 40,
    keywords: cased("mistral"),
  },
  {
    kind: "cohere-api-key",
    source: String
      .raw`(?:cohere|co_api_key)[A-Za-z0-9_.-]{0,20}${ASSIGN}(?:\\{0,3}["'])?(?<secret>[A-Za-z0-9]{32,40})${R}`,
    flags: "i",
    maxLength: 10 + 20 + 4 + 14 + 4 + 40,
    keywords: cased("cohere", "co_api_key"),
  },
  {
    kind: "aws-bedrock-api-key",
    // Long-lived keys (ABSK + base64) and short-lived ones (a presigned URL in base64).
    source: String.raw`${L}ABSK[A-Za-z0-9+/]{109,269}={0,2}(?![A-Za-z0-9+/=])` +
      String.raw`|${L}bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%_.-]{0,4000}`,
    flags: "",
    maxLength: 16 + 28 + 4000,
    keywords: ["ABSK", "bedrock-api-key-"],
  },
  // ---- code hosts, registries, CI
  {
    kind: "github-token",
    source: String
      .raw`${L}gh[pousr]_[A-Za-z0-9]{36,251}${R}|${L}github_pat_[A-Za-z0-9_]{82,251}${R}` +
      String
        .raw`|${L}ghs_[0-9]{1,20}_[A-Za-z0-9_-]{1,1000}\.[A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{1,1000}${R}`,
    flags: "",
    maxLength: 4 + 21 + 4003,
    keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
  },
  {
    kind: "gitlab-token",
    source: String
      .raw`${L}gl(?:pat|dt|rt|ft|imt|oas|soat|ffct|agent|cbt|ptt)-[A-Za-z0-9_.-]{20,300}${R}` +
      String.raw`|${L}GR1348941[A-Za-z0-9_-]{20}${R}|_gitlab_session=(?<secret>[0-9a-z]{32})${R}`,
    flags: "",
    maxLength: 9 + 300,
    keywords: [
      "glpat-",
      "gldt-",
      "glrt-",
      "glft-",
      "glimt-",
      "gloas-",
      "glsoat-",
      "glffct-",
      "glagent-",
      "glcbt-",
      "glptt-",
      "GR1348941",
      "_gitlab_session=",
    ],
  },
  token("npm-token", ["npm_"], "[A-Za-z0-9]{36}", 36),
  token("pypi-token", ["pypi-AgEIcHlwaS5vcmc"], "[A-Za-z0-9_-]{50,300}", 300),
  token("rubygems-api-token", ["rubygems_"], "[a-f0-9]{48}", 48),
  token("clojars-api-token", ["CLOJARS_"], "[A-Za-z0-9]{60}", 60),
  token("docker-token", ["dckr_pat_", "dckr_oat_"], "[A-Za-z0-9_-]{27,40}", 40),
  token("atlassian-api-token", ["ATATT3"], "[A-Za-z0-9_=-]{150,300}", 300),
  tokens("artifactory-token", [["AKCp", "[A-Za-z0-9]{69}", 69], ["cmVmd", "[A-Za-z0-9]{59}", 59]]),
  token("sourcegraph-token", ["sgp_"], "(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}", 57),
  token("vercel-token", ["vcp_", "vci_", "vca_", "vcr_", "vck_"], "[A-Za-z0-9]{20,60}", 60),
  token("figma-token", ["figd_"], "[A-Za-z0-9_-]{40,200}", 200),
  token("heroku-api-key", ["HRKU-AA"], "[0-9a-zA-Z_-]{58}", 58),
  token("digitalocean-token", ["doo_v1_", "dop_v1_", "dor_v1_"], "[a-f0-9]{64}", 64),
  token(
    "doppler-token",
    ["dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."],
    "[A-Za-z0-9]{40,44}",
    44,
  ),
  tokens("flyio-token", [
    ["fo1_", "[A-Za-z0-9_-]{43}", 43],
    ["fm1a_", "[A-Za-z0-9+/]{100,4000}={0,3}", 4003],
    ["fm1r_", "[A-Za-z0-9+/]{100,4000}={0,3}", 4003],
    ["fm2_", "[A-Za-z0-9+/]{100,4000}={0,3}", 4003],
  ]),
  token(
    "planetscale-token",
    ["pscale_tkn_", "pscale_oauth_", "pscale_pw_"],
    "[A-Za-z0-9_.=-]{32,64}",
    64,
  ),
  token("pulumi-token", ["pul-"], "[a-f0-9]{40}", 40),
  token("prefect-token", ["pnu_"], "[A-Za-z0-9]{36}", 36),
  token("readme-api-key", ["rdme_"], "[a-z0-9]{70}", 70),
  token("postman-api-key", ["PMAK-"], "[a-fA-F0-9]{24}-[a-fA-F0-9]{34}", 59),
  token("scalingo-token", ["tk-us-"], "[A-Za-z0-9_-]{48}", 48),
  token("infracost-token", ["ico-"], "[A-Za-z0-9]{32}", 32),
  token("typeform-token", ["tfp_"], "[A-Za-z0-9_.=-]{59}", 59),
  token("frameio-token", ["fio-u-"], "[A-Za-z0-9_=-]{64}", 64),
  token("settlemint-token", ["sm_aat_", "sm_pat_", "sm_sat_"], "[A-Za-z0-9]{16}", 16),
  {
    kind: "hashicorp-tf-token",
    source: String.raw`${L}[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}${R}`,
    flags: "",
    maxLength: 14 + 9 + 70,
    keywords: [".atlasv1."],
    back: 14,
  },
  {
    kind: "vault-token",
    source: String.raw`${L}(?:hvs\.[A-Za-z0-9_-]{90,120}|hvb\.[A-Za-z0-9_-]{138,300}` +
      String.raw`|hvr\.[A-Za-z0-9_-]{90,120}|s\.[A-Za-z0-9]{24})${R}`,
    flags: "",
    maxLength: 4 + 300,
    keywords: ["hvs.", "hvb.", "hvr.", "s."],
    check: vaultCheck,
  },
  token("databricks-api-token", ["dapi"], "[a-fA-F0-9]{32}(?:-[0-9])?", 34),
  tokens("grafana-token", [
    ["glc_", "[A-Za-z0-9+/]{32,400}={0,2}", 402],
    ["glsa_", "[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}", 41],
    ["eyJrIjoi", "[A-Za-z0-9]{70,400}={0,3}", 403],
  ]),
  token("tailscale-key", ["tskey-"], "[a-z]{2,20}-[0-9A-Za-z_]{8,40}-[0-9A-Za-z_]{16,60}", 122),
  tokens("cloudflare-api-token", [
    ["cfk_", "[A-Za-z0-9]{40}[0-9a-f]{8}", 48],
    ["cfut_", "[A-Za-z0-9]{40}[0-9a-f]{8}", 48],
    ["cfat_", "[A-Za-z0-9]{40}[0-9a-f]{8}", 48],
    ["v1.0-", "[a-f0-9]{24}-[a-f0-9]{146}", 171],
  ]),
  token("linear-api-key", ["lin_api_", "lin_oauth_"], "[A-Za-z0-9_]{32,128}", 128),
  tokens("notion-token", [["ntn_", "[0-9]{11}[A-Za-z0-9]{35}", 46], [
    "secret_",
    "[A-Za-z0-9]{43}",
    43,
  ]]),
  tokens("sentry-token", [
    ["sntryu_", "[a-f0-9]{64}", 64],
    ["sntrys_", "eyJ[A-Za-z0-9+/=_]{50,800}", 803],
  ]),
  tokens("new-relic-key", [
    ["NRAK-", "[A-Z0-9]{27}", 27],
    ["NRII-", "[A-Za-z0-9-]{32}", 32],
    ["NRJS-", "[a-f0-9]{19}", 19],
  ]),
  token("dynatrace-token", ["dt0c01."], "[A-Za-z0-9]{24}\\.[A-Za-z0-9]{64}", 89),
  token("openshift-token", ["sha256~"], "[A-Za-z0-9_-]{43}", 43),
  {
    kind: "airtable-token",
    source: String.raw`${L}pat[A-Za-z0-9]{14}\.[a-f0-9]{64}${R}`,
    flags: "",
    maxLength: 3 + 14 + 65,
    keywords: ["pat"],
  },
  token(
    "harness-token",
    ["pat.", "sat."],
    "[A-Za-z0-9_-]{22}\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{20}",
    68,
  ),
  token(
    "authress-key",
    ["sc_", "ext_", "scauth_", "authress_"],
    String
      .raw`[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][A-Za-z0-9-]{10,32}\.[A-Za-z0-9+/_=-]{30,120}`,
    200,
  ),
  // ---- clouds
  {
    kind: "aws-access-key-id",
    source: String.raw`(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])`,
    flags: "",
    maxLength: 20,
    keywords: ["A3T", "AKIA", "ASIA", "ABIA", "ACCA"],
  },
  {
    kind: "aws-secret-access-key",
    // 40 characters of base64 are a secret only next to the name they are always given.
    source: String
      .raw`(?:aws_?secret_?(?:access_?)?key|secretaccesskey|secret_access_key)${ASSIGN}(?:\\{0,3}["'])?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`,
    flags: "i",
    maxLength: 25 + 4 + 14 + 4 + 40,
    keywords: [...cased("aws", "secret"), "SecretAccessKey", "secretAccessKey"],
  },
  {
    kind: "azure-storage-key",
    // Storage, Service Bus and Event Hubs connection strings.
    source: String
      .raw`(?:account|sharedaccess)key[ \t]*=[ \t]*(?<secret>[A-Za-z0-9+/]{20,100}={0,2})(?![A-Za-z0-9+/=])`,
    flags: "i",
    maxLength: 16 + 3 + 102,
    keywords: [...cased("accountkey", "sharedaccesskey"), "AccountKey", "SharedAccessKey"],
  },
  {
    kind: "azure-sas-token",
    // The signature of a shared access signature URL (…&sig=…).
    source: String.raw`(?<=[?&;])sig=(?<secret>[A-Za-z0-9%+/]{20,200}={0,2})`,
    flags: "i",
    maxLength: 4 + 202,
    keywords: cased("sig="),
  },
  {
    kind: "azure-ad-client-secret",
    source: String
      .raw`(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])`,
    flags: "",
    maxLength: 4 + 2 + 34,
    keywords: ["Q~"],
    back: 4,
  },
  token("alibaba-access-key-id", ["LTAI"], "[A-Za-z0-9]{20}", 20),
  // ---- messaging, webhooks
  {
    kind: "slack-token",
    source: String.raw`${L}xox[abprse]-[A-Za-z0-9-]{10,250}${R}` +
      String.raw`|${L}xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{160,170}${R}` +
      String.raw`|${L}xoxo-[0-9]{1,20}-[0-9]{1,20}-[0-9]{1,20}-[a-fA-F0-9]{8,64}${R}` +
      String.raw`|${L}xapp-[0-9]-[A-Z0-9]{8,20}-[0-9]{6,20}-[a-z0-9]{32,80}${R}`,
    flags: "",
    maxLength: 5 + 250,
    keywords: ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "xoxe-", "xoxe.", "xoxo-", "xapp-"],
  },
  {
    kind: "slack-webhook",
    source: String
      .raw`hooks\.slack\.com/(?:services|workflows|triggers)/(?<secret>[A-Za-z0-9_/+-]{20,150})`,
    flags: "",
    maxLength: 40 + 150,
    keywords: ["hooks.slack.com/"],
  },
  {
    kind: "discord-webhook",
    source: String
      .raw`discord(?:app)?\.com/api/webhooks/[0-9]{5,30}/(?<secret>[A-Za-z0-9_-]{40,100})`,
    flags: "",
    maxLength: 50 + 130,
    keywords: ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"],
  },
  {
    kind: "microsoft-teams-webhook",
    source: String
      .raw`webhook\.office\.com/webhookb2/(?<secret>[A-Za-z0-9@-]{20,200}/IncomingWebhook/[A-Za-z0-9]{32}/[A-Za-z0-9-]{36})`,
    flags: "i",
    maxLength: 30 + 290,
    keywords: ["webhook.office.com/webhookb2/"],
  },
  {
    kind: "telegram-bot-token",
    // <bot id>:AA<33>; the bot id stays readable.
    source: String.raw`(?<=(?<![0-9])[0-9]{8,10}):(?<secret>AA[A-Za-z0-9_-]{33})${R}`,
    flags: "",
    maxLength: 36,
    keywords: [":AA"],
  },
  token("twilio-api-key", ["SK"], "[0-9a-fA-F]{32}", 32),
  token("sendgrid-api-key", ["SG."], "[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64}", 97),
  token("sendinblue-api-key", ["xkeysib-"], "[a-f0-9]{64}-[A-Za-z0-9]{16}", 81),
  token("mailgun-api-key", ["key-"], "[a-f0-9]{32}", 32),
  {
    kind: "mailchimp-api-key",
    source: String.raw`${L}[0-9a-f]{32}-us[0-9]{1,2}${R}`,
    flags: "",
    maxLength: 37,
    keywords: ["-us"],
    back: 32,
  },
  // ---- payments, commerce, other services
  {
    kind: "stripe-key",
    source: String
      .raw`${L}(?:sk|rk|pk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}${R}|${L}whsec_[A-Za-z0-9]{32,64}${R}`,
    flags: "",
    maxLength: 8 + 247,
    keywords: [
      "sk_live_",
      "sk_test_",
      "sk_prod_",
      "rk_live_",
      "rk_test_",
      "rk_prod_",
      "pk_live_",
      "pk_test_",
      "pk_prod_",
      "whsec_",
    ],
  },
  tokens("square-token", [
    ["sq0atp-", "[A-Za-z0-9_-]{22,60}", 60],
    ["sq0csp-", "[A-Za-z0-9_-]{40,60}", 60],
    ["EAAA", "[A-Za-z0-9_-]{22,60}", 60],
  ]),
  token("shopify-token", ["shpat_", "shpca_", "shppa_", "shpss_"], "[A-Za-z0-9]{32,64}", 64),
  token("shippo-api-token", ["shippo_live_", "shippo_test_"], "[a-fA-F0-9]{40}", 40),
  token("easypost-api-token", ["EZAK", "EZTK"], "[A-Za-z0-9]{54}", 54),
  token("duffel-api-token", ["duffel_test_", "duffel_live_"], "[A-Za-z0-9_=-]{43}", 43),
  token("flutterwave-secret-key", ["FLWSECK_TEST-", "FLWSECK-"], "[a-hA-H0-9]{12,32}(?:-X)?", 34),
  token("facebook-access-token", ["EAAM", "EAAC"], "[A-Za-z0-9]{100,400}", 400),
  token("adobe-client-secret", ["p8e-"], "[A-Za-z0-9]{32}", 32),
  token("clickhouse-api-key", ["4b1d"], "[A-Za-z0-9]{38}", 38),
  token("intra42-client-secret", ["s-s4t2ud-", "s-s4t2af-"], "[a-f0-9]{64}", 64),
  {
    kind: "maxmind-license-key",
    source: String.raw`${L}[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk${R}`,
    flags: "",
    maxLength: 40,
    keywords: ["_mmk"],
    back: 36,
  },
  tokens("yandex-key", [["AQVN", "[A-Za-z0-9_-]{35,38}", 38], [
    "t1.",
    "[A-Za-z0-9_-]{1,200}={0,2}\\.[A-Za-z0-9_-]{86}={0,2}",
    291,
  ]]),
  // ---- tokens without a vendor
  {
    kind: "jwt",
    source: String
      .raw`${L}eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,1024}${R}`,
    flags: "",
    maxLength: 3 + 4096 + 4 + 8192 + 1 + 1024,
    keywords: ["eyJ"],
  },
  {
    kind: "jwt-base64",
    source: String.raw`${L}ZXlK[A-Za-z0-9+/]{60,8192}={0,2}(?![A-Za-z0-9+/=])`,
    flags: "",
    maxLength: 4 + 8194,
    keywords: ["ZXlK"],
    check: jwtBase64Check,
  },
  {
    kind: "kubernetes-secret",
    // The values of a Secret's data: (base64) or stringData: block, names kept.
    source: String.raw`(?:(?<![A-Za-z0-9_])|(?<=string))[dD]ata:[ \t]*(?=\r?\n[ \t])`,
    flags: "",
    maxLength: K8S_BLOCK,
    keywords: ["data:", "Data:"],
    check: kubernetesCheck,
  },
  // ---- credentials in context
  {
    kind: "authorization-header",
    generic: true,
    // After "Authorization" any credential (Basic ones are short); "Bearer <token>" alone
    // when the token holds a digit within 64 characters (prose: "the bearer of-this-long-word").
    source: String
      .raw`authorization${ASSIGN}(?:\\{0,3}["'])?(?:(?:basic|digest|bearer|token|negotiate|ntlm|apikey|api-key|sso-key)[ \t]+)?(?<secret>[A-Za-z0-9._~+/=:-]{1,8192})` +
      String
        .raw`|bearer[ \t]+(?=[A-Za-z._~+/=-]{0,64}[0-9])(?<secret2>[A-Za-z0-9._~+/=-]{16,8192})`,
    flags: "i",
    maxLength: 40 + 8192,
    keywords: cased("authorization", "bearer"),
    check: credentialCheck,
  },
  {
    kind: "basic-auth",
    generic: true,
    // "Basic <base64 of user:password>" without its header name (curl -H, logs, config).
    source: String
      .raw`(?<![A-Za-z0-9_-])basic[ \t]+(?<secret>[A-Za-z0-9+/]{4,684}={0,2})(?![A-Za-z0-9+/=])`,
    flags: "i",
    maxLength: 6 + 8 + 686,
    keywords: cased("basic"),
    check: basicCheck,
  },
  {
    kind: "url-credentials",
    generic: true,
    // scheme://user:password@host, also with an empty user (redis://:password@host).
    source: String
      .raw`(?<=[A-Za-z0-9])://[^ \t\r\n:/?#@"'<>]{0,256}:(?<secret>[^ \t\r\n/?#@"'<>]{1,256})@(?=[A-Za-z0-9\[.-])`,
    flags: "",
    maxLength: 3 + 256 + 1 + 256 + 1,
    keywords: ["://"],
    check: credentialCheck,
  },
  {
    kind: "cli-credentials",
    generic: true,
    // curl -u user:password, --user user:password.
    source: String
      .raw`(?<=[ \t])(?:-u|--user)(?:[ \t]+|=)["']?[^ \t\r\n:"'$]{1,128}:(?<secret>[^ \t\r\n"']{1,256})`,
    flags: "",
    maxLength: 7 + 2 + 128 + 1 + 256,
    keywords: ["-u", "--user"],
    check: credentialCheck,
  },
  {
    kind: "netrc-password",
    generic: true,
    source: String
      .raw`machine[ \t]+${NETRC_WORD}(?:${NETRC_SPACE}(?:login|account|port)[ \t]+${NETRC_WORD}){0,3}${NETRC_SPACE}password[ \t]+(?<secret>${NETRC_WORD})`,
    flags: "i",
    maxLength: 8 + 257 + 3 * 300 + 20 + 256,
    keywords: cased("machine"),
    check: credentialCheck,
  },
  {
    kind: "password-assignment",
    generic: true,
    // JSON, YAML, env, ini and command-line forms, also inside a JSON string
    // (\"password\": \"…\"), with any name whose last secret word says password
    // (DB_PASSWORD_PROD, mysqlPwd). See assignmentCheck.
    source: `(?:pass|pwd|pw)${NAME_REST}${SEP}${VALUE}`,
    flags: "i",
    maxLength: ASSIGNMENT_MAX,
    keywords: PASSWORD_KEYWORDS,
    check: assignmentCheck("password"),
  },
  {
    kind: "secret-assignment",
    generic: true,
    // Names that say secret, token, key, auth or credential (SECRET_KEY, JWT_SECRET_KEY,
    // apiKey, --token) with a value that is a secret: high entropy or encoded.
    source: `(?:secret|token|key|cred|auth)${NAME_REST}${SEP}${VALUE}`,
    flags: "i",
    maxLength: ASSIGNMENT_MAX,
    keywords: SECRET_KEYWORDS,
    check: assignmentCheck("secret"),
  },
];

/**
 * The kinds of secret the redactor finds by itself, as counted in a pack's
 * manifest, such as `"openai-api-key"`, `"private-key-pem"` or
 * `"password-assignment"`.
 *
 * @example Listing the built-in kinds
 * ```ts
 * import assert from "node:assert/strict";
 * import { REDACTION_KINDS } from "@ralph/runlog/pack";
 *
 * assert.ok(REDACTION_KINDS.includes("anthropic-api-key"));
 * assert.ok(REDACTION_KINDS.includes("aws-secret-access-key"));
 * ```
 */
export const REDACTION_KINDS: readonly string[] = Object.freeze(
  BUILTIN_PATTERNS.map((p) => p.kind),
);
