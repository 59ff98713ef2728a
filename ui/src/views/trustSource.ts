/**
 * Where the agent page finds the newest zero-trust verdict of an agent: no route serves it per
 * agent, so the page takes the agent's newest decision (from its transitions and its audit
 * entries) and reads that decision's `zero-trust` stage from the payment story
 * (`GET /api/payments/:id`). Pure: the loader does the fetching.
 */
import type { AuditEntry, PaymentStory, TransitionEvent } from '../types.ts';

/**
 * The id of the agent's newest decision that proposed an action, or undefined when it made none:
 * a transition whose summary carries the action and decision id, or a settled action's audit entry
 * (`agent.<action>.<status>`, whose subject is the decision id). Other entries with a subject and an
 * asset (a stake posted, a gate) name no decision.
 */
export function newestDecision(
  recent: ReadonlyArray<Pick<TransitionEvent, 'at' | 'summary'>>,
  audit: ReadonlyArray<Pick<AuditEntry, 'at' | 'action' | 'subject'>>,
): string | undefined {
  let best: { at: number; id: string } | undefined;
  for (const t of recent) {
    const { action, decisionId } = t.summary;
    if (typeof action === 'string' && typeof decisionId === 'string' && (best === undefined || t.at >= best.at))
      best = { at: t.at, id: decisionId };
  }
  for (const e of audit)
    if (/^agent\.[^.]+\./.test(e.action) && e.subject !== '' && (best === undefined || e.at > best.at))
      best = { at: e.at, id: e.subject };
  return best?.id;
}

/** The zero-trust stage's verdict of a story's decision, with the decision's id; null when it has none. */
export function zeroTrustOf(story: Pick<PaymentStory, 'decision'>): { reason: string; decisionId: string } | null {
  const stage = story.decision.verdict?.stages?.find((s) => s.stage === 'zero-trust');
  return stage === undefined ? null : { reason: stage.reason, decisionId: story.decision.id };
}
