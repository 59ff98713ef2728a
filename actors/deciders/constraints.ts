import { parseAmount } from '../amount.ts';
import type { CandidateOption } from './OptionGenerator.ts';

/** Filters a candidate before evaluation: the reason it is rejected, or undefined when it may be weighed. */
export type Constraint = (option: CandidateOption) => string | undefined;

/** Only actions exercising one of these capabilities survive (the sandbox would refuse the rest). */
export function allowedCapabilities(capabilities: readonly string[]): Constraint {
  const allowed = new Set(capabilities);
  return (o) =>
    o.action === null || allowed.has(o.action.capability)
      ? undefined
      : `capability ${o.action.capability} is not among this agent's (${[...allowed].join(', ')})`;
}

/** Amounts above the per-transaction limit of their asset, or in an asset without one, are rejected. */
export function perTransactionLimit(limits: Readonly<Record<string, string>>): Constraint {
  return (o) => {
    const amount = o.action?.amount;
    if (amount === undefined) return undefined;
    const limit = limits[amount.asset];
    if (limit === undefined) return `no per-transaction limit for ${amount.asset}`;
    return parseAmount(amount.value) > parseAmount(limit)
      ? `${amount.value} ${amount.asset} exceeds the per-transaction limit ${limit} ${amount.asset}`
      : undefined;
  };
}
