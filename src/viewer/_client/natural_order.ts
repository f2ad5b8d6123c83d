// Names in the order people count: `dev_1`, `dev_2`, `dev_10` (numbers by
// their value, the rest by character, case aside), as file lists show them.

const PIECES = /\d+|\D+/g;

/** Compares two numbers written in digits, however long (`007` is `7`). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, "");
  const y = b.replace(/^0+(?=\d)/, "");
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sort order of two names: runs of digits compared as numbers, the rest as text. */
export function naturalCompare(a: string, b: string): number {
  const x = a.toLowerCase().match(PIECES) ?? [];
  const y = b.toLowerCase().match(PIECES) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    const order = /^\d/.test(p) && /^\d/.test(q) ? compareDigits(p, q) : p < q ? -1 : 1;
    if (order !== 0) return order;
  }
  if (x.length !== y.length) return x.length - y.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
