/** The value at a dot path of the facts (`invoice.amount`), or undefined when any step is missing. */
export function lookupFact(facts: Record<string, unknown>, path: string): unknown {
  let value: unknown = facts;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A literal, or the fact a `$fact:<dot.path>` string names. */
export function resolveFact(value: unknown, facts: Record<string, unknown>): unknown {
  return typeof value === 'string' && value.startsWith('$fact:') ? lookupFact(facts, value.slice(6)) : value;
}

/** A finite number from a number or a numeric string; undefined otherwise. */
export function finiteNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
