import { canonicalJson } from '../../kernel/index.ts';
import type { AgentData } from './agentSchema.ts';

/** The data parts agents of one kind usually have in common. */
const PARTS = ['capabilities', 'triggers', 'dependsOn', 'permissions', 'limits', 'passivation', 'placement'] as const;
/** Past this many distinct parts new ones are kept as they are (the table must not grow without bound). */
const MAX_SHARED = 10_000;
const shared = new Map<string, unknown>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Gives equal parts of agent definitions one frozen copy (as strings are interned), so a million
 * registered agents of one kind hold a million ids, not a million copies of the same triggers, limits
 * and capability lists. Frozen: a definition's data is read, never changed in place.
 */
export function shareDefinitionParts<T extends AgentData>(data: T): T {
  const out = { ...data };
  for (const key of PARTS) {
    const value = data[key];
    if (value === undefined) continue;
    const k = `${key}\u0000${canonicalJson(value)}`;
    let one = shared.get(k);
    if (one === undefined && shared.size < MAX_SHARED) shared.set(k, (one = deepFreeze(value)));
    if (one !== undefined) (out as Record<string, unknown>)[key] = one;
  }
  return out;
}
