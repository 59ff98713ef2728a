/**
 * Settling a delivered sale through the facilitator, once: a refused or unanswered settle is
 * checked on chain (an earlier settle may have gone through), and only a settle known to have
 * happened moves the sale to `settled` and answers 200 with `PAYMENT-RESPONSE`.
 */
import { encodePaymentResponseHeader } from '@x402/core/http';
import type { FacilitatorClient } from '@x402/core/server';
import type { SettleResponse } from '@x402/core/types';
import { X402FacilitatorUnavailableError, X402SettleFailedError } from './errors.ts';
import type { X402SaleBook } from './X402SaleBook.ts';
import { saleAnswer, type PaidAuthorization, type SaleAnswer, type X402Offer } from './x402SaleParts.ts';

/** What {@link settleSale} needs from the seller. */
export interface SettleEnv {
  readonly facilitator: FacilitatorClient;
  readonly book: X402SaleBook;
  authorizationUsed?(payer: string, nonce: string): Promise<boolean>;
  audit(e: { action: string; why: string; data?: Record<string, unknown> }): Promise<void>;
  now(): Date;
}

/** Settles the delivered sale of `paid` and answers with `body` (the task's result); see the file comment. */
export async function settleSale(
  env: SettleEnv,
  sale: { offer: X402Offer; paid: PaidAuthorization; body: unknown },
): Promise<SaleAnswer> {
  const { offer, paid, body } = sale;
  let settled: SettleResponse | undefined;
  let failure: string;
  try {
    settled = await env.facilitator.settle(paid.payload, paid.requirements);
    failure = settled.success
      ? ''
      : `${settled.errorReason ?? 'refused'}${settled.errorMessage ? ` (${settled.errorMessage})` : ''}`;
  } catch (cause) {
    failure = `no answer: ${(cause as Error).message}`;
  }
  if (failure !== '') {
    // An earlier settle (timed out, or its answer lost) may have gone through: the chain knows.
    if ((await env.authorizationUsed?.(paid.payer, paid.nonce)) === true)
      settled = { success: true, transaction: '', network: paid.requirements.network, payer: paid.payer };
    else {
      await env.audit({ action: 'x402.sale.unsettled', why: failure });
      const unanswered = failure.startsWith('no answer');
      const Err = unanswered ? X402FacilitatorUnavailableError : X402SettleFailedError;
      return saleAnswer(
        new Err(
          `${offer.capability} ran, but the payment is not settled (${failure}); retry with the same payment: the task is not run again.`,
        ),
      );
    }
  }
  const settlement = settled as SettleResponse;
  await env.book.move(paid.id, { status: 'settled', settlement }, env.now());
  await env.audit({
    action: 'x402.sale.settled',
    why: 'settled by the facilitator',
    data: { transaction: settlement.transaction || null },
  });
  return { status: 200, headers: { 'payment-response': encodePaymentResponseHeader(settlement) }, body };
}
