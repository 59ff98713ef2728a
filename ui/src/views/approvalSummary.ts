/**
 * What the Approve dialog shows before anyone approves: amount, payee, invoice, the agent's
 * rationale and confidence, and a warning when the same idempotency key was already paid or
 * approved under another decision (from GET /api/payments/:id).
 */
import type { Api } from '../api.ts';
import { h } from '../dom.ts';
import type { ApprovalRecord, PaymentStory } from '../types.ts';

function field(label: string, value: string): HTMLElement {
  return h('div', { class: 'summary-row' }, h('span', { class: 'muted' }, `${label} `), h('strong', {}, value));
}

/** The dialog's summary of `approval`; the story comes from the gateway (a failure to load it is shown, not hidden). */
export async function approvalSummary(api: Api, approval: ApprovalRecord): Promise<HTMLElement> {
  const action = approval.action as {
    amount?: { value?: string; asset?: string };
    counterparty?: string;
    params?: { invoice?: unknown; idempotencyKey?: unknown };
  };
  const invoice = String(action.params?.invoice ?? action.params?.idempotencyKey ?? '—');
  const rows = [
    field('amount', `${action.amount?.value ?? '—'} ${action.amount?.asset ?? ''}`.trim()),
    field('payee', action.counterparty ?? '—'),
    field('invoice', invoice),
  ];
  let story: PaymentStory | undefined;
  try {
    story = await api.payment(approval.decisionId);
  } catch (error) {
    rows.push(h('p', { class: 'error' }, `The payment's record could not be loaded: ${(error as Error).message}`));
  }
  if (story !== undefined) {
    rows.push(field('rationale', story.decision.rationale), field('confidence', story.decision.confidence.toFixed(2)));
    const warnings: string[] = [];
    if (story.duplicate.settled !== null)
      warnings.push(`Key ${story.key} was already ${story.duplicate.settled}: approving will not pay it again.`);
    for (const before of story.duplicate.approvedBefore)
      warnings.push(
        `Key ${story.key} was already approved (${before.id}) by ${before.decidedBy?.id ?? 'someone'}${before.decisionReason ? `: ${before.decisionReason}` : ''}.`,
      );
    if (warnings.length > 0)
      rows.push(
        h(
          'div',
          { class: 'duplicate-warning', 'data-testid': 'duplicate-warning', role: 'alert' },
          ...warnings.map((w) => h('p', {}, w)),
        ),
      );
  }
  return h('div', { class: 'approval-summary', 'data-testid': 'approval-summary' }, ...rows);
}
