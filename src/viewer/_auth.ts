// The viewer's access token: random, 256 bits, required on every request
// (query parameter or header), or a session cookie derived from it; both
// compared in constant time.

const encoder = new TextEncoder();

/** The header that carries the token for scripts and the API. */
export const TOKEN_HEADER = "X-Runlog-Token";

/** The query parameter that carries the token in the printed URL. */
export const TOKEN_PARAM = "token";

// Longer inputs are refused before comparing: a token is 43 characters.
const MAX_TOKEN_CHARS = 512;

/** Bytes as base64url without padding. */
function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** A fresh token: 32 random bytes, base64url without padding (43 characters). */
export function newToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
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

/** The cookie that keeps a browser signed in to one viewer on one port. */
export interface Session {
  /** `runlog_<port>_<instance>`. */
  name: string;
  /** HMAC-SHA-256 of the port and instance, keyed by the token; base64url. */
  value: string;
}

// What the session value is a MAC of, so that it can mean nothing else.
const SESSION_LABEL = "runlog-viewer-session:";
// Ports whose session is kept computed; the port comes from the request.
const MAX_KEPT_SESSIONS = 16;

/**
 * The sessions of one viewer, by port. A browser sends the cookies of
 * 127.0.0.1 to every port of it, so the cookie never holds the token: its
 * value is derived from the token, the port and the viewer's instance id,
 * and is worth nothing on another port, to another viewer, or as a token.
 */
export function sessionsOf(token: string, instanceId: string): (port: string) => Promise<Session> {
  let key: Promise<CryptoKey> | undefined;
  const kept = new Map<string, Promise<Session>>();
  return (port) => {
    let session = kept.get(port);
    if (session === undefined) {
      if (kept.size >= MAX_KEPT_SESSIONS) kept.clear();
      key ??= crypto.subtle.importKey(
        "raw",
        encoder.encode(token),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      session = key.then(async (k) => {
        const label = encoder.encode(`${SESSION_LABEL}${port}:${instanceId}`);
        const mac = await crypto.subtle.sign("HMAC", k, label);
        return { name: `runlog_${port}_${instanceId}`, value: base64url(new Uint8Array(mac)) };
      });
      kept.set(port, session);
    }
    return session;
  };
}

/** The `Set-Cookie` value that keeps a session for the pages and requests that follow. */
export function sessionCookie(session: Session): string {
  // HttpOnly: the page's script never sees it; Strict: no other site sends it.
  return `${session.name}=${session.value}; Path=/; HttpOnly; SameSite=Strict`;
}
