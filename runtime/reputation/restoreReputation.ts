import { z } from 'zod';
import type { ReputationPolicy } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { ReputationStore } from '../persistence/ReputationEvent.ts';

const dimension = z.number().finite().min(0).max(100);
/** The state a change stores in `data.state` (reputationEventOf). */
const storedState = z.object({
  score: z.object({
    overall: dimension,
    penalty: z.number().finite().min(0),
    reliability: dimension,
    efficiency: dimension,
    cooperation: dimension,
    compliance: dimension,
    financialResponsibility: dimension,
  }),
  at: z.number().int().nonnegative(),
});

/**
 * Takes every agent's reputation back from the newest change in the store's history. A row without
 * a valid state (written before the dimensions were stored, or damaged) is not guessed at: the agent
 * starts neutral and an alert says so.
 */
export async function restoreReputation(deps: {
  store: ReputationStore;
  reputation: Pick<ReputationPolicy, 'restore'>;
  alert(alert: AlertInput): void;
}): Promise<number> {
  let restored = 0;
  for (const event of await deps.store.latest()) {
    const parsed = storedState.safeParse(event.data?.state);
    if (parsed.success) {
      deps.reputation.restore(event.agentId, parsed.data);
      restored++;
    } else {
      deps.alert({
        severity: 'warning',
        code: ErrorCode.MANDATE_ERR_STORE,
        message: `reputation of ${event.agentId} not restored: its newest stored change has no valid state (${parsed.error.issues[0]?.message ?? 'invalid'}); it starts neutral`,
        actorId: event.agentId,
      });
    }
  }
  return restored;
}
