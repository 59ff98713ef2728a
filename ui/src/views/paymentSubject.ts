/**
 * Which audit entries belong to a payment's story, and under which id the payment page finds it.
 */
import type { AuditEntry } from '../types.ts';

/** Actions whose subject is a decision id, an idempotency key or an approval id. */
const PAYMENT_ACTIONS = /^(agent\.|approval\.|learn\.flagged$)/;

/** The id to open the payment page with, or undefined when the entry is about something else (an agent, a gate). */
export function paymentSubject(
  e: Pick<AuditEntry, 'action' | 'subject' | 'currency' | 'counterparty'>,
): string | undefined {
  if (e.subject === '' || e.subject.startsWith('did:')) return undefined;
  if (e.currency !== null || e.counterparty !== null || PAYMENT_ACTIONS.test(e.action)) return e.subject;
  return undefined;
}
