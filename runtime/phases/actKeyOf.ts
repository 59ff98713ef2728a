import type { Decision } from '../../machines/index.ts';

/**
 * The idempotency key of a decision's act: `<agent>:<params.idempotencyKey>` when the action
 * carries a business key (e.g. the invoice id), which makes the effect once-only across decisions
 * and restarts; otherwise the decision id.
 */
export function actKeyOf(agentId: string, decision: Pick<Decision, 'id' | 'action'>): string {
  const businessKey = decision.action?.params.idempotencyKey;
  return typeof businessKey === 'string' && businessKey.length > 0 ? `${agentId}:${businessKey}` : decision.id;
}
