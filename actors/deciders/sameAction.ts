import { canonicalJson } from '../../kernel/index.ts';
import type { ProposedAction } from '../../machines/index.ts';

const encode = (a: ProposedAction | null): string => {
  try {
    return canonicalJson(a);
  } catch {
    // A fact resolved to something JSON cannot carry (NaN, undefined in a list): compare what JSON keeps.
    return JSON.stringify(a);
  }
};

/**
 * Whether two decided actions are the same action: type, capability, account, amount, counterparty and
 * parameters, compared as canonical JSON (key order does not matter); two "no action"s are the same.
 *
 * @example
 * sameAction(null, null); // true
 */
export function sameAction(a: ProposedAction | null, b: ProposedAction | null): boolean {
  if (a === null || b === null) return a === b;
  return encode(a) === encode(b);
}

/** How a replayed or candidate decision compares with the one taken: `same`, `changed`, `new` or `dropped`. */
export function compareActions(
  was: ProposedAction | null,
  now: ProposedAction | null,
): 'same' | 'changed' | 'new' | 'dropped' {
  if (was === null) return now === null ? 'same' : 'new';
  if (now === null) return 'dropped';
  return sameAction(was, now) ? 'same' : 'changed';
}

/** `<type> <amount> <asset>` (or just the type), or null for no action: how shadow mode shows an action. */
export function describeAction(a: ProposedAction | null): string | null {
  return a === null ? null : `${a.type}${a.amount === undefined ? '' : ` ${a.amount.value} ${a.amount.asset}`}`;
}
