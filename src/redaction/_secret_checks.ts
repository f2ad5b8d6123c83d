// What tells a secret from a look-alike once a rule has matched: the name
// a value is assigned to (`PASSWORD_MIN_LENGTH` is a setting, `DB_PASSWORD_PROD`
// a password), the value itself (numbers, placeholders, paths, code), its
// Shannon entropy (gitleaks' threshold for generic keys: 3.5 bits per
// character), and what it decodes to when it is base64 or URL-encoded.
//
// Everything here reads latin1 text (one character per byte) and is pure.

/** The entropy a generic token-like value needs, in bits per character (gitleaks' value). */
export const GENERIC_ENTROPY = 3.5;
/** The entropy a hexadecimal value needs (gitleaks' value for its hex formats). */
export const HEX_ENTROPY = 3;
const HEX = /^[0-9a-f]+$|^[0-9A-F]+$/;

/** Shannon entropy of `text` in bits per character. */
export function entropy(text: string): number {
  const n = text.length;
  if (n === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const k of counts.values()) {
    const p = k / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

// ---------------------------------------------------------------- names

const NAME_CHAR = /[A-Za-z0-9_.-]/;
/** How far left of a keyword a name may start. */
export const NAME_REACH = 48;

/** The start of the name around `at` (a keyword's position): walks left over name characters. */
export function nameStart(text: string, at: number): number {
  let s = at;
  while (s > 0 && at - s < NAME_REACH && NAME_CHAR.test(text[s - 1])) s--;
  // Leading dashes are the option's, not the name's (`--password`).
  while (s < at && text[s] === "-") s++;
  return s;
}

/** The words of a name, lower case: split at `_`, `.`, `-`, digits runs kept, and camelCase humps. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

// A word that says "password" (passwd, pwd, passphrase, dbpass …).
const PASSWORD_WORD =
  /^(?:[a-z]{0,12}?(?:password|passwd|passphrase|passcode|passwort|pwd)|(?:db|smtp|mysql|pg|redis|ldap|admin|root|user|ftp|mail|sql|proxy|bind|app)?(?:pass|pw))s?$/;
// A word that says "secret" (token, key, credential, and compounds of them).
const SECRET_WORD =
  /^(?:[a-z]{0,12}?(?:secret|token|credential|creds?|apikey|authkey|accesskey|secretkey|privatekey|masterkey|signingkey|encryptionkey|sessionkey|passkey|licensekey|webhookkey|hmackey)|(?:api|auth|access|secret|private|master|signing|encryption|session|client|app|admin|root|service|deploy|bot|oauth|refresh|account|storage|shared|x)?key|auth)s?$/;
// Words before a secret word that make it something else: a public key, a
// database's primary key, a cache key, "monkey" split by camelCase.
const NOT_SECRET_BEFORE = new Set([
  "public",
  "pub",
  "primary",
  "foreign",
  "sort",
  "partition",
  "cache",
  "idempotency",
  "hash",
  "row",
  "lookup",
  "map",
  "dict",
  "object",
  "routing",
  "group",
  "message",
  "i18n",
  "translation",
  "sorting",
  "unique",
  "composite",
  "natural",
  "surrogate",
  "index",
  "react",
  "list",
  "js",
  "css",
  "csrf",
  "xsrf",
  "max",
  "min",
  "num",
  "total",
  "input",
  "output",
  "prompt",
  "completion",
  "cached",
  "reasoning",
  "next",
  "page",
  "continuation",
  "cursor",
  "pagination",
  "sync",
  "tokenizer",
]);
// Words after the last secret word that make the name a setting about the
// secret (`PASSWORD_MIN_LENGTH`, `TOKEN_URL`, `SECRET_NAME`), not the secret.
const SETTING_AFTER = new Set([
  "min",
  "max",
  "minimum",
  "maximum",
  "length",
  "len",
  "size",
  "count",
  "counts",
  "num",
  "number",
  "ttl",
  "expiry",
  "expires",
  "expiration",
  "expire",
  "expired",
  "timeout",
  "seconds",
  "secs",
  "sec",
  "ms",
  "millis",
  "days",
  "hours",
  "minutes",
  "lifetime",
  "age",
  "type",
  "types",
  "kind",
  "name",
  "names",
  "id",
  "ids",
  "file",
  "files",
  "filename",
  "path",
  "paths",
  "dir",
  "url",
  "uri",
  "urls",
  "endpoint",
  "host",
  "header",
  "field",
  "param",
  "enabled",
  "disabled",
  "enable",
  "disable",
  "required",
  "policy",
  "rotation",
  "hash",
  "hashed",
  "sha",
  "sha1",
  "sha256",
  "sha512",
  "md5",
  "digest",
  "checksum",
  "fingerprint",
  "version",
  "prefix",
  "suffix",
  "format",
  "algorithm",
  "alg",
  "limit",
  "limits",
  "mode",
  "strength",
  "hint",
  "prompt",
  "label",
  "usage",
  "used",
  "budget",
  "rate",
  "index",
  "position",
  "encoding",
  "source",
  "provider",
  "manager",
  "env",
  "var",
  "variable",
  "location",
  "ref",
  "reference",
  "placeholder",
  "regex",
  "pattern",
  "validator",
  "validation",
  "valid",
  "reset",
  "change",
  "changed",
  "update",
  "updated",
  "created",
  "at",
  "date",
  "time",
  "counter",
  "remaining",
  "estimate",
  "offset",
  "start",
  "end",
  "board",
  "code",
  "codes",
  "press",
  "pressed",
  "stroke",
  "word",
  "words",
  "frame",
  "pair",
  "ring",
  "store",
  "chain",
  "binding",
  "bindings",
  "map",
  "alias",
  "selector",
  "up",
  "down",
  "left",
  "right",
  "mgr",
  "service",
  "server",
  "store",
  "storage",
  "vault",
  "cmd",
  "command",
  "helper",
  "list",
  "set",
  "sets",
  "field",
  "fields",
  "input",
  "output",
  "usage",
  "spent",
  "limit",
  "window",
  "threshold",
  "per",
  "bucket",
  "scope",
  "scopes",
  "audience",
  "issuer",
  "method",
  "methods",
  "style",
  "status",
  "state",
  "error",
  "errors",
  "message",
  "present",
  "exists",
  "missing",
  "set",
  "configured",
  "is",
  "has",
  "use",
  "auth",
  "login",
  "kb",
  "mb",
  "bytes",
]);

/** What a name says about the value assigned to it. */
export type NameClass = "password" | "secret" | undefined;

/**
 * Whether a name (`DB_PASSWORD_PROD`, `apiKey`, `PASSWORD_MIN_LENGTH`)
 * names a password, another secret, or neither: the last word that says
 * secret decides, unless a word before it makes it something else (a
 * public key) or a word after it makes the name a setting about it.
 */
export function classifyName(name: string): NameClass {
  const words = nameWords(name);
  let last = -1;
  let kind: NameClass;
  for (let i = 0; i < words.length; i++) {
    if (PASSWORD_WORD.test(words[i])) {
      last = i;
      kind = "password";
    } else if (SECRET_WORD.test(words[i])) {
      last = i;
      kind = "secret";
    }
  }
  if (last < 0) return undefined;
  if (last > 0 && NOT_SECRET_BEFORE.has(words[last - 1])) return undefined;
  if (NOT_SECRET_BEFORE.has(words[last].replace(/(?:key|token)s?$/, ""))) return undefined;
  for (let i = last + 1; i < words.length; i++) {
    // Any other word after it (`DB_PASSWORD_PROD`, `PASSWORD_ALICE`) keeps it the secret's name.
    if (SETTING_AFTER.has(words[i])) return undefined;
  }
  return kind;
}

// ---------------------------------------------------------------- values

// Not secrets whatever the name: literals, empty-ish values, placeholders,
// template and environment references, masks, code.
const LITERAL =
  /^(?:null|nil|none|nul|true|false|undefined|empty|yes|no|on|off|n\/?a|tbd|todo|redacted|hidden|masked|secret|password|string|str|bool|boolean|int|number|required|optional|env|environment|example|sample|dummy|test|changeme-please|\*)$/i;
const PLACEHOLDER = new RegExp(
  [
    String.raw`^[*xX.•#_-]+$`, // ****, xxxx, ...
    String.raw`^<[^<>]*>?$`, // <your-token>
    String.raw`^\$\{[^}]*\}?$`, // ${VAR}
    String.raw`^\$\(.*\)?$`, // $(command)
    String.raw`^\$[A-Za-z_][A-Za-z0-9_]*$`, // $VAR
    String.raw`^\$\d+$`, // $1
    String.raw`^\{\{.*\}\}$`, // {{ template }}
    String.raw`^%[A-Za-z_][A-Za-z0-9_]*%$`, // %VAR%
    String.raw`^@[A-Za-z_]+@$`,
    String.raw`^\[redacted(?::[A-Za-z0-9._-]+)?\]\**$`, // already masked
    String.raw`^(?:your|my|the|some|insert|enter|put)[_-]`, // your_api_key_here
    String
      .raw`^(?:process\.env|os\.environ|os\.getenv|getenv|env\.|secrets\.|vars\.|import\.meta\.env)`,
    String.raw`^[A-Za-z_][A-Za-z0-9_.]*\(`, // getpass(
  ].join("|"),
);
const NUMBER = /^[+-]?(?:\d+(?:[.,_]\d+)*|\.\d+)(?:e[+-]?\d+)?$/i;
const QUANTITY = /^\d+(?:\.\d+)?(?:ns|us|ms|s|m|h|d|w|y|k|kb|kib|mb|mib|gb|gib|b|px|%)$/i;
const PATH = /^(?:~|\.{1,2})?\/(?:[\w .@+-]+\/)+[\w .@+-]*$|^[A-Za-z]:\\/;
const URL_VALUE = /^[a-z][a-z0-9+.-]{1,15}:\/\/[^:@/]*(?:[/?#]|$)/i;
const IDENTIFIER = /^[A-Za-z_.-]+$/;

// A name in code: snake_case, UPPER_CASE, camelCase or PascalCase, not random.
const WORD_LIKE =
  /^(?:[a-z_][a-z0-9_]{0,31}|[A-Z_][A-Z0-9_]{0,31}|[a-z]{1,16}(?:[A-Z][a-z]{1,16}){0,4}[0-9]{0,2}|(?:[A-Z][a-z]{1,16}){1,4})$/;

/** `config.password`, `os.environ`, `settings.SECRET_KEY`, `self.api_key()`: code, not a value. */
function isCodeReference(value: string): boolean {
  const parts = value.replace(/\(\)?$/, "").split(".");
  return parts.length >= 2 && parts.length <= 6 && parts.every((part) => WORD_LIKE.test(part));
}

/** Whether a value is plainly not a secret, whatever its name says. */
export function isPlainValue(value: string): boolean {
  return value === "" || LITERAL.test(value) || PLACEHOLDER.test(value) ||
    PATH.test(value) || URL_VALUE.test(value) || isCodeReference(value);
}

/** Whether `value` is a number, a duration or a size. */
export function isQuantity(value: string): boolean {
  return NUMBER.test(value) || QUANTITY.test(value);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]{8,}={0,2}$/;
const PERCENT = /%[0-9A-Fa-f]{2}/;

/**
 * What a base64 (or base64url) value decodes to, as latin1 text, when it
 * is printable text (a password, a `user:password` pair, a token);
 * `undefined` when it does not decode or decodes to binary.
 */
export function decodedBase64Text(value: string): string | undefined {
  if (value.length < 8) return undefined;
  let b64 = value;
  if (!BASE64.test(value)) {
    if (!BASE64URL.test(value)) return undefined;
    b64 = value.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
    while (b64.length % 4 !== 0) b64 += "=";
    if (!BASE64.test(b64)) return undefined;
  }
  let bytes: string;
  try {
    bytes = atob(b64);
  } catch {
    return undefined;
  }
  if (bytes.length < 4) return undefined;
  let printable = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++;
  }
  return printable === bytes.length ? bytes : undefined;
}

/** `value` with its `%XX` escapes decoded (latin1), or `undefined` when it has none. */
export function decodedPercent(value: string): string | undefined {
  if (!PERCENT.test(value)) return undefined;
  return value.replace(
    /%([0-9A-Fa-f]{2})/g,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
}

/**
 * Whether a value assigned to a name of class `kind` is a secret: never a
 * plain value (literal, placeholder, path, URL, code); a password is any
 * other value (but a bare `pass`/`pwd` of at most five digits is a counter);
 * another secret is a value that is base64 of printable text, or that is
 * neither a quantity nor an identifier and has at least
 * {@linkcode GENERIC_ENTROPY} bits per character ({@linkcode HEX_ENTROPY}
 * for hexadecimal, 16 digits or more), URL-encoded values decoded first.
 */
export function isSecretValue(
  value: string,
  kind: "password" | "secret",
  counter = false,
): boolean {
  if (isPlainValue(value)) return false;
  const decoded = decodedPercent(value);
  if (decoded !== undefined && isPlainValue(decoded)) return false;
  const plain = decoded ?? value;
  if (kind === "password") return !(counter && /^\d{1,5}$/.test(plain));
  if (isQuantity(plain)) return false;
  if (decodedBase64Text(plain) !== undefined) return true;
  if (IDENTIFIER.test(plain)) return false;
  // Hex has 4 bits per character at most: random hex keys (32, 40, 64 long) average
  // about 3.7, so they are held to gitleaks' threshold for hex formats instead.
  const bits = entropy(plain);
  if (plain.length >= 16 && HEX.test(plain)) return bits >= HEX_ENTROPY;
  return bits >= GENERIC_ENTROPY;
}
