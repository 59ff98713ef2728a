import type { Outcome } from '../../machines/index.ts';
import { parseAmount } from '../amount.ts';
import type { Evidence } from './reputationModel.ts';
import type { Proposal } from './SupervisorPolicy.ts';

/**
 * The verified evidence a settled proposal gives (docs/reputation.md): its outcome's status, whether
 * money was at stake, whether it was a multi-agent task (a contract-net award, which runs as a
 * `user` trigger named `agent:<did>`), and the cost ratio when the action stated the fee it expected
 * (`params.expectedFee`, a decimal in the fee's asset) and the rail reported the fee it paid.
 */
export function evidenceOf(p: Proposal, outcome: Outcome): Evidence {
  const e: Evidence = { status: outcome.status };
  if (p.action.amount !== undefined) e.financial = true;
  if (p.trigger?.kind === 'user' && p.trigger.name.startsWith('agent:')) e.multiAgent = true;
  const ratio = costRatio(p.action.params.expectedFee, outcome);
  if (ratio !== undefined) e.costRatio = ratio;
  return e;
}

function costRatio(expected: unknown, outcome: Outcome): number | undefined {
  if (typeof expected !== 'string' || outcome.fees === undefined) return undefined;
  try {
    const want = parseAmount(expected);
    if (want <= 0n) return undefined;
    // Both scaled to the same fixed-point unit by parseAmount; the ratio of two bigints, to 4 decimals.
    return Number((parseAmount(outcome.fees.value) * 10_000n) / want) / 10_000;
  } catch {
    return undefined; // a malformed number is no evidence either way
  }
}
