/** Deterministic orders: plain code-unit comparison (no locale), for output that must not vary by machine. */

/** Compares two strings by UTF-16 code units: -1, 0 or 1. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two records by their `name` (for `.sort(byName)`). */
export function byName<T extends { name: string }>(a: T, b: T): number {
  return compareText(a.name, b.name);
}
