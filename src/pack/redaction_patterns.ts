/**
 * The secrets the redactor recognises: API keys of the model providers and
 * the usual code hosts, clouds and services, private keys, tokens, and
 * credentials given in context (`password: …`, `Authorization: Bearer …`,
 * `scheme://user:password@host`).
 *
 * The patterns are runlog's own, written after reading the public rule sets
 * of gitleaks and trufflehog and the published token formats. Conventions
 * the redactor relies on:
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
 * - Context rules (`generic`) start at their keyword: a free prefix loop
 *   made them ten times slower than all the others together.
 *
 * @module
 */

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

/** One built-in rule. */
export interface BuiltinPattern {
  kind: string;
  source: string;
  /** `"i"` for case-insensitive rules. */
  flags: "" | "i";
  /** The longest possible match, in bytes. */
  maxLength: number;
  /**
   * A context rule (key = value, header, URL): a specific kind found inside
   * its secret is what gets counted.
   */
  generic?: boolean;
}

const L = "(?<![A-Za-z0-9_-])"; // token-like secrets hold "-", so no \b
const R = "(?![A-Za-z0-9_-])";
// After a key name: an optional closing quote (also JSON-escaped), then a separator.
const ASSIGN = String.raw`(?:\\{0,3}["'])?[ \t]*(?::|=|:=|=>)[ \t]*`;
const PEM_LABEL = "(?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?";

/** The built-in rules, longest first: private keys hold base64 that other rules would see. */
export const BUILTIN_PATTERNS: readonly BuiltinPattern[] = [
  {
    kind: "gcp-service-account-key",
    // The JSON-escaped key of a service-account file, or of one logged as a JSON string.
    source: String
      .raw`"private_key"[ \t]*:[ \t]*"(?<secret>-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----(?:\\\\?[nr]|[A-Za-z0-9+/= ]){64,16384}?-----END [A-Z ]{0,20}PRIVATE KEY-----(?:\\\\?n)?)"`,
    flags: "",
    maxLength: 16384 + 120,
  },
  {
    kind: "private-key-pem",
    // PEM (PKCS#1/#8, EC, OpenSSH, encrypted) and PGP private key blocks, raw or \n-escaped.
    // The END must name the BEGIN's label: an unterminated block stays apart from the next one.
    source: String
      .raw`-----BEGIN (?<pem_label>${PEM_LABEL})-----[\s\S]{16,16384}?-----END \k<pem_label>-----`,
    flags: "",
    maxLength: 16384 + 110,
  },
  {
    kind: "private-key-pem-unterminated",
    // A BEGIN line whose END is missing, cut off, or beyond the window: mask what follows.
    source: String
      .raw`-----BEGIN ${PEM_LABEL}-----(?:\\\\?[nr]|[\r\n]|[A-Za-z0-9+/=:, -]){32,16384}`,
    flags: "",
    maxLength: 16384 + 60,
  },
  {
    kind: "anthropic-api-key",
    source: String.raw`${L}sk-ant-[a-z]{3,6}[0-9]{2}-[A-Za-z0-9_-]{32,200}${R}`,
    flags: "",
    maxLength: 7 + 8 + 1 + 200,
  },
  {
    kind: "openai-api-key",
    // Project, service-account and admin keys, and the legacy sk-<48> (with or without T3BlbkFJ).
    source: String.raw`${L}sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,250}${R}` +
      String.raw`|${L}sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}${R}|${L}sk-[A-Za-z0-9]{48}${R}`,
    flags: "",
    maxLength: 3 + 8 + 250,
  },
  {
    kind: "google-api-key",
    source: String.raw`${L}AIza[0-9A-Za-z_-]{35}${R}`,
    flags: "",
    maxLength: 39,
  },
  {
    kind: "groq-api-key",
    source: String.raw`${L}gsk_[A-Za-z0-9]{52}${R}`,
    flags: "",
    maxLength: 56,
  },
  {
    kind: "xai-api-key",
    source: String.raw`${L}xai-[A-Za-z0-9_]{80}${R}`,
    flags: "",
    maxLength: 84,
  },
  {
    kind: "perplexity-api-key",
    source: String.raw`${L}pplx-[A-Za-z0-9]{48}${R}`,
    flags: "",
    maxLength: 53,
  },
  {
    kind: "huggingface-token",
    source: String.raw`${L}(?:hf_|api_org_)[A-Za-z0-9]{34}${R}`,
    flags: "",
    maxLength: 42,
  },
  {
    kind: "replicate-api-token",
    source: String.raw`${L}r8_[A-Za-z0-9_-]{37}${R}`,
    flags: "",
    maxLength: 40,
  },
  {
    kind: "mistral-api-key",
    // No prefix of their own: only right after a name that says whose key it is.
    source: String
      .raw`mistral[A-Za-z0-9_.-]{0,20}${ASSIGN}(?:\\{0,3}["'])?(?<secret>[A-Za-z0-9]{32,40})${R}`,
    flags: "i",
    maxLength: 7 + 20 + 4 + 10 + 4 + 40,
  },
  {
    kind: "cohere-api-key",
    source: String
      .raw`(?:cohere|co_api_key)[A-Za-z0-9_.-]{0,20}${ASSIGN}(?:\\{0,3}["'])?(?<secret>[A-Za-z0-9]{32,40})${R}`,
    flags: "i",
    maxLength: 10 + 20 + 4 + 10 + 4 + 40,
  },
  {
    kind: "github-token",
    source: String
      .raw`${L}gh[pousr]_[A-Za-z0-9]{36,251}${R}|${L}github_pat_[A-Za-z0-9_]{82,251}${R}`,
    flags: "",
    maxLength: 11 + 251,
  },
  {
    kind: "gitlab-token",
    source: String
      .raw`${L}gl(?:pat|dt|rt|ft|imt|oas|soat|ffct|agent|cbt|ptt)-[A-Za-z0-9_.-]{20,300}${R}|${L}GR1348941[A-Za-z0-9_-]{20}${R}`,
    flags: "",
    maxLength: 9 + 300,
  },
  {
    kind: "npm-token",
    source: String.raw`${L}npm_[A-Za-z0-9]{36}${R}`,
    flags: "",
    maxLength: 40,
  },
  {
    kind: "pypi-token",
    source: String.raw`${L}pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}${R}`,
    flags: "",
    maxLength: 20 + 300,
  },
  {
    kind: "slack-token",
    source: String
      .raw`${L}xox[abprse]-[A-Za-z0-9-]{10,250}${R}|${L}xapp-[0-9]-[A-Z0-9]{8,20}-[0-9]{6,20}-[a-z0-9]{32,80}${R}`,
    flags: "",
    maxLength: 5 + 250,
  },
  {
    kind: "slack-webhook",
    source: String
      .raw`hooks\.slack\.com/(?:services|workflows|triggers)/(?<secret>[A-Za-z0-9_/+-]{20,150})`,
    flags: "",
    maxLength: 40 + 150,
  },
  {
    kind: "stripe-key",
    source: String
      .raw`${L}(?:sk|rk|pk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}${R}|${L}whsec_[A-Za-z0-9]{32,64}${R}`,
    flags: "",
    maxLength: 8 + 247,
  },
  {
    kind: "aws-access-key-id",
    source: String.raw`(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])`,
    flags: "",
    maxLength: 20,
  },
  {
    kind: "aws-secret-access-key",
    // 40 characters of base64 are a secret only next to the name they are always given.
    source: String
      .raw`(?:aws_?secret_?(?:access_?)?key|secretaccesskey|secret_access_key)${ASSIGN}(?:\\{0,3}["'])?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`,
    flags: "i",
    maxLength: 25 + 4 + 10 + 4 + 40,
  },
  {
    kind: "jwt",
    source: String
      .raw`${L}eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,1024}${R}`,
    flags: "",
    maxLength: 3 + 4096 + 4 + 8192 + 1 + 1024,
  },
  {
    kind: "authorization-header",
    generic: true,
    // Bearer/Basic/Token credentials after "Authorization", or "Bearer <token>" alone when
    // the token holds a digit within 64 characters (prose: "the bearer of-this-long-word").
    source: String
      .raw`(?:\bbearer[ \t]+(?=[A-Za-z._~+/=-]{0,64}[0-9])|authorization${ASSIGN}(?:\\{0,3}["'])?(?:basic|digest|bearer|token)?[ \t]*)(?<secret>[A-Za-z0-9._~+/=-]{16,8192})`,
    flags: "i",
    maxLength: 40 + 8192,
  },
  {
    kind: "url-credentials",
    generic: true,
    // scheme://user:password@host: only the password (starting at "://" keeps it fast).
    source: String
      .raw`(?<=[A-Za-z0-9])://[^ \t\r\n:/?#@"'<>]{1,256}:(?<secret>[^ \t\r\n/?#@"'<>]{1,256})@(?=[A-Za-z0-9\[.-])`,
    flags: "i",
    maxLength: 3 + 256 + 1 + 256 + 1,
  },
  {
    kind: "password-assignment",
    generic: true,
    // JSON, YAML, env and ini forms, also inside a JSON string (\"password\": \"…\"). A
    // quoted value stops at a backslash or quote; null, booleans and ${VARS} are not secrets.
    // A bare `pass`/`pwd` key (DB_PASS, MYSQL_PWD) followed by a number of at most five
    // digits is a counter (`reviewer_pass: 2` in the Rust tool's trace), not a password.
    source: String
      .raw`(?:passw(?:or)?d|passphrase|(?<![A-Za-z0-9])(?:pass|pwd)(?!${ASSIGN}\\{0,3}["']?[0-9]{1,5}(?![^ \t\r\n,;}"'\\])))` +
      String.raw`${ASSIGN}` +
      String.raw`(?:\\{0,3}["'](?<secret>(?!\$\{)[^"'\\\r\n]{1,512})` +
      String
        .raw`|(?<secret2>(?!(?:null|true|false|none|nil|\$\{)(?![^ \t\r\n,;}]))[^ \t\r\n"'\\,;}{\[\]]{1,512}))`,
    flags: "i",
    maxLength: 10 + 14 + 4 + 512,
  },
  {
    kind: "secret-assignment",
    generic: true,
    // token/secret/api_key/… = a value of 8+ characters that is not a number nor a ${VAR}.
    source: String
      .raw`(?:secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?)${ASSIGN}` +
      String.raw`(?:\\{0,3}["'](?<secret>(?!\$\{)(?![0-9]+\\{0,3}["'])[^"'\\\r\n]{8,512})` +
      String
        .raw`|(?<secret2>(?![0-9]+(?![^ \t\r\n,;}]))(?!\$\{)[^ \t\r\n"'\\,;}{\[\]]{8,512}))`,
    flags: "i",
    maxLength: 14 + 14 + 4 + 512,
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
