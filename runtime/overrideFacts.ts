/**
 * Applies what-if overrides (`{ 'gas.gwei': 80 }`) to perceived facts by dot path, on a copy.
 * Returns the facts themselves when there are no overrides.
 */
export function overrideFacts(
  facts: Record<string, unknown>,
  overrides: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  if (overrides === undefined) return facts;
  const out = structuredClone(facts);
  for (const [path, value] of Object.entries(overrides)) {
    const keys = path.split('.');
    let node: Record<string, unknown> = out;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      node = (node[k] = next !== null && typeof next === 'object' ? next : {}) as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}
