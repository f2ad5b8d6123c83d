/**
 * The text of any value, for log lines: never throws, whatever the value
 * (BigInt, symbol, a circular object, one without a prototype, one whose
 * `toString` throws).
 */
export function safeString(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return `[function ${value.name || "anonymous"}]`;
  }
  if (value === null) return "null";
  // Dates, errors, URLs and the like say best what they are themselves.
  const toString = (value as { toString?: unknown }).toString;
  if (typeof toString === "function" && toString !== Object.prototype.toString) {
    try {
      const text = toString.call(value);
      if (typeof text === "string") return text;
    } catch { /* fall through to JSON */ }
  }
  try {
    const seen = new WeakSet<object>();
    const text = JSON.stringify(value, (_key, inner) => {
      if (typeof inner === "bigint") return inner.toString();
      if (typeof inner === "object" && inner !== null) {
        if (seen.has(inner)) return "[Circular]";
        seen.add(inner);
      }
      return inner;
    });
    if (typeof text === "string") return text;
  } catch { /* a throwing getter or toJSON */ }
  return Object.prototype.toString.call(value);
}
