import type { AuditInput } from '../audit/AuditInput.ts';

/**
 * The payment's amount, currency and counterparty for an approval's audit entry, so that its
 * filter columns are filled like the payment's own rows: filtering one payee or currency keeps the
 * approver in the trail and in the export.
 */
export function paymentFields(action: Record<string, unknown>): AuditInput['data'] {
  const amount = action.amount as { value?: unknown; asset?: unknown } | undefined;
  return {
    ...(typeof amount?.value === 'string' ? { amount: amount.value } : {}),
    ...(typeof amount?.asset === 'string' ? { currency: amount.asset } : {}),
    ...(typeof action.counterparty === 'string' ? { counterparty: action.counterparty } : {}),
  };
}
