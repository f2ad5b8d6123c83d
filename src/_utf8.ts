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
