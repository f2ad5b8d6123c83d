/** How a value is named in an error: its type, and the value when short. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value)})`;
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "symbol" || typeof value === "function") return `a ${typeof value}`;
  return `${typeof value} ${String(value)}`;
}
