// ASCII words compared on bytes: the redactor reads markers, keys and ids
// without decoding text.

/** The bytes of an ASCII `text`. */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Whether `word` is in `bytes` at `at`. */
export function startsAt(bytes: Uint8Array, word: Uint8Array, at: number): boolean {
  if (at < 0 || at + word.length > bytes.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}
