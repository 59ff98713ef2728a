/**
 * What a retry of a payment is answered from its sale as stored, when nothing is left to do: the
 * settled result with its `PAYMENT-RESPONSE`, the refusal, a sale ended unsettled (402 with
 * `PAYMENT-REQUIRED`, so the buyer signs a new payment), an interrupted sale, or one under way.
 */
import { encodePaymentResponseHeader } from '@x402/core/http';
import type { SettleResponse } from '@x402/core/types';
import { ErrorCode } from '../../kernel/index.ts';
import { X402SaleExpiredError, X402SaleInProgressError } from './errors.ts';
import { interruptedError } from './x402SaleRecovery.ts';
import type { StoredSale } from './X402SaleBook.ts';
import {
  paymentRequiredAnswer,
  saleAnswer,
  type PaidAuthorization,
  type SaleAnswer,
  type SaleRequest,
} from './x402SaleParts.ts';

/** The 409 answer to a retry of a sale another holder is carrying out (`what`: "run", "settled"). */
export function inProgressAnswer(paid: PaidAuthorization, doing: string): SaleAnswer {
  return saleAnswer(
    new X402SaleInProgressError(
      `The sale of authorization ${paid.nonce} is being ${doing} elsewhere; it is not ${doing} twice. Retry later.`,
      { details: { nonce: paid.nonce, payer: paid.payer } },
    ),
  );
}

/** The answer to a retry of `row` in a status with nothing left to do here; see the file comment. */
export function storedAnswer(row: StoredSale, request: SaleRequest, paid: PaidAuthorization): SaleAnswer {
  const result = row.result as { status?: number; body?: unknown; recovery?: string; code?: string } | null;
  switch (row.status) {
    case 'settled':
      return {
        status: 200,
        headers: { 'payment-response': encodePaymentResponseHeader(row.settlement as unknown as SettleResponse) },
        body: result?.body,
      };
    case 'refused':
      return { status: result?.status ?? 403, headers: {}, body: result?.body };
    case 'expired':
    case 'void':
    case 'released': {
      if (result?.code === ErrorCode.MANDATE_ERR_X402_SALE_EXPIRED) {
        // The task ran, but the authorization expired before it was settled.
        const expired = new X402SaleExpiredError(
          `The sale of ${row.capability} cannot be settled: ${result.recovery ?? 'its authorization expired unsettled'}.`,
          { details: { nonce: paid.nonce, payer: paid.payer } },
        );
        const required = paymentRequiredAnswer(request.offer, request.url, expired.message);
        return { ...required, body: { error: expired.toJSON() } };
      }
      const why = `the sale of authorization ${paid.nonce} was interrupted and ended unsettled (${row.status}: ${result?.recovery ?? 'no reason kept'}); sign a new payment`;
      return paymentRequiredAnswer(request.offer, request.url, why);
    }
    case 'interrupted':
      return saleAnswer(interruptedError(row));
    default:
      return inProgressAnswer(paid, row.status === 'settling' ? 'settled' : 'run');
  }
}
