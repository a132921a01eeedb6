/** JSON helpers with no domain knowledge. */

/** JSON with object keys sorted at every level (arrays keep their order), for comparing plain specs and inputs. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
