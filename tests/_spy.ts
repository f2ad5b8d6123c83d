import type { Workspace } from "../mod.ts";

/** A workspace wrapper that records each call (with its first argument) and counts bytes read. */
export function spyWorkspace(
  inner: Workspace,
): { ws: Workspace; calls: string[]; bytesRead(): number } {
  const calls: string[] = [];
  let bytesRead = 0;
  const ws = new Proxy(inner, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        calls.push(`${String(key)}(${args[0]})`);
        const result = await value.apply(target, args);
        if (result instanceof Uint8Array) bytesRead += result.length;
        if (key === "read" && typeof result === "string") {
          bytesRead += new TextEncoder().encode(result).length;
        }
        return result;
      };
    },
  });
  return { ws, calls, bytesRead: () => bytesRead };
}
