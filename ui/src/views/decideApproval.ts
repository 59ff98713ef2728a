/**
 * Approve or reject one approval after the dialog showed what it pays (amount, payee, invoice,
 * rationale, and a warning when the key was already approved or paid). Used by the approvals
 * queue and the payment page.
 */
import type { Api } from '../api.ts';
import type { DashboardStore } from '../dashboardStore.ts';
import { askReason } from '../modal.ts';
import type { ApprovalRecord } from '../types.ts';
import { approvalSummary } from './approvalSummary.ts';
import { runAction } from './runAction.ts';

/** What {@link decideApproval} needs. */
export interface Decision {
  store: DashboardStore;
  api: Api;
  approval: ApprovalRecord;
  verdict: 'approve' | 'reject';
  /** Runs after the gateway accepted the answer (the payment page reloads its story). */
  then?: () => Promise<void>;
}

/** Asks for the reason (required to reject) and sends the answer; failures become a notice. */
export async function decideApproval({ store, api, approval, verdict, then }: Decision): Promise<void> {
  const body = await approvalSummary(api, approval);
  const reason = await askReason({
    title: `${verdict === 'approve' ? 'Approve' : 'Reject'} ${approval.id}`,
    body,
    confirmLabel: verdict,
    required: verdict === 'reject',
    danger: verdict === 'reject',
  });
  if (reason === null) return;
  await runAction(store, `${verdict} ${approval.id}`, async () => {
    if (verdict === 'approve') await api.approve(approval.id, reason === '' ? undefined : reason);
    else await api.reject(approval.id, reason);
    store.trigger.loaded({ approvals: await api.approvals() });
    await then?.();
  });
}
