// The viewer's access token: random, 256 bits, required on every request
// (query parameter, header or cookie) and compared in constant time.

const encoder = new TextEncoder();

/** The header that carries the token for scripts and the API. */
export const TOKEN_HEADER = "X-Runlog-Token";

/** The query parameter that carries the token in the printed URL. */
export const TOKEN_PARAM = "token";

// Longer inputs are refused before comparing: a token is 43 characters.
const MAX_TOKEN_CHARS = 512;

/** A fresh token: 32 random bytes, base64url without padding (43 characters). */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** A short random id of one viewer, naming its cookie (not a secret). */
export function newInstanceId(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(4)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/**
 * Whether `given` is `expected`, in a time that depends only on the length
 * of `expected`: every byte is compared, whatever the first difference.
 */
export function tokensEqual(given: string, expected: string): boolean {
  if (typeof given !== "string" || given.length > MAX_TOKEN_CHARS) return false;
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let diff = a.length ^ b.length;
  const n = a.length === 0 ? 1 : a.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % n] ?? 0) ^ b[i];
  return diff === 0;
}

/** The value of cookie `name` in a `Cookie` header, if present. */
export function cookieValue(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The `Set-Cookie` value that keeps the token for the pages and requests that follow. */
export function tokenCookie(name: string, token: string): string {
  // HttpOnly: the page's script never sees it; Strict: no other site sends it.
  return `${name}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
