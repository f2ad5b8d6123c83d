import { WorkspaceError } from "./workspace_error.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 strictly: a file that is not text is an error, not mojibake. */
export function decodeUtf8(bytes: Uint8Array, operation: string, path: string): string {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new WorkspaceError("io", operation, path, {
      cause,
      detail: "the file is not valid UTF-8; read it with readBytes",
    });
  }
}

/** The length of `text` in UTF-8 bytes, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      // A surrogate pair: two UTF-16 units, four bytes.
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}
