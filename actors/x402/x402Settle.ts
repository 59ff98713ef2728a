/**
 * Settling a delivered sale through the facilitator, once. Only the holder of the sale's `settling`
 * status settles (`x402SaleSettler.ts` says who holds it). A takeover — by the scan at start or a
 * buyer's retry, of a sale whose holder died or whose settle failed — asks the chain first, since an
 * earlier settle may have gone through unrecorded: a spent authorization is recorded settled with
 * nothing sent; one unused past its `validBefore` can never settle and ends `expired`
 * (`MANDATE_ERR_X402_SALE_EXPIRED`, nothing charged); a chain that does not answer hands the sale
 * back as `delivered`, unchanged, for the next scan or retry (`MANDATE_ERR_X402_CHAIN_UNAVAILABLE`).
 * A refused or unanswered settle is checked on chain too; only a settle known to have happened
 * moves the sale to `settled` and answers 200 with `PAYMENT-RESPONSE`. Every outcome is audited.
 */
import { encodePaymentResponseHeader } from '@x402/core/http';
import type { FacilitatorClient } from '@x402/core/server';
import type { SettleResponse } from '@x402/core/types';
import { ErrorCode } from '../../kernel/index.ts';
import {
  X402ChainUnavailableError,
  X402FacilitatorUnavailableError,
  X402SaleExpiredError,
  X402SettleFailedError,
} from './errors.ts';
import type { X402SaleBook } from './X402SaleBook.ts';
import { saleAnswer, type PaidAuthorization, type SaleAnswer } from './x402SaleParts.ts';

/** What {@link settleSale} needs from the seller. */
export interface SettleEnv {
  readonly facilitator: FacilitatorClient;
  readonly book: X402SaleBook;
  /** The token's `authorizationState(payer, nonce)`; without it nothing is asked of the chain. */
  authorizationUsed?(payer: string, nonce: string): Promise<boolean>;
  audit(e: { action: string; why: string; data?: Record<string, unknown> }): Promise<void>;
  /** Raises an operator alert: a delivered sale that expired unpaid. */
  alert?(alert: { severity: 'warning'; code: ErrorCode; message: string }): void;
  now(): Date;
  /** How often the holder touches the sale while it settles, so nobody takes it over meanwhile. */
  readonly heartbeatMs: number;
}

/** Who settles: the seller that ran the task, or a takeover by the scan at start or a buyer's retry. */
export type SettleBy = 'sale' | 'scan' | 'retry';

/** One settle: the sale's capability and payment, the task's result it answers with, and who settles. */
export interface SettleRequest {
  readonly capability: string;
  readonly paid: PaidAuthorization;
  readonly body: unknown;
  readonly by: SettleBy;
}

/** What the chain says of the authorization: spent, unused, or nothing (it did not answer). */
async function chainSays(env: SettleEnv, paid: PaidAuthorization): Promise<boolean | 'unavailable'> {
  if (env.authorizationUsed === undefined) return false;
  try {
    return await env.authorizationUsed(paid.payer, paid.nonce);
  } catch {
    return 'unavailable';
  }
}

/** Settles the sale of `s.paid`, held in `settling` by the caller, and answers with `s.body`; see the file comment. */
export async function settleSale(env: SettleEnv, s: SettleRequest): Promise<SaleAnswer> {
  const beat = setInterval(() => void env.book.touch(s.paid.id, env.now()).catch(() => undefined), env.heartbeatMs);
  beat.unref();
  try {
    return await settleHeld(env, s);
  } finally {
    clearInterval(beat);
  }
}

async function settleHeld(env: SettleEnv, s: SettleRequest): Promise<SaleAnswer> {
  const { paid } = s;
  if (s.by !== 'sale' && env.authorizationUsed !== undefined) {
    const spent = await chainSays(env, paid);
    if (spent === 'unavailable') return handBack(env, s, 'before settling');
    if (spent)
      return settled(
        env,
        s,
        onChain(paid, 'before settling (an earlier settle went through unrecorded); nothing sent'),
      );
    if (Math.floor(env.now().getTime() / 1000) >= paid.validBefore) return expire(env, s);
  }
  let response: SettleResponse | undefined;
  let failure: string;
  try {
    response = await env.facilitator.settle(paid.payload, paid.requirements);
    failure = response.success
      ? ''
      : `${response.errorReason ?? 'refused'}${response.errorMessage ? ` (${response.errorMessage})` : ''}`;
  } catch (cause) {
    failure = `no answer: ${(cause as Error).message}`;
  }
  if (failure === '') return settled(env, s, { settlement: response!, why: 'settled by the facilitator' });
  // An earlier settle (timed out, or its answer lost) may have gone through: the chain knows.
  const spent = await chainSays(env, paid);
  if (spent === 'unavailable') return handBack(env, s, `after a failed settle (${failure})`);
  if (spent) return settled(env, s, onChain(paid, `after the settle failed (${failure})`));
  await env.book.move(paid.id, { status: 'delivered', from: 'settling' }, env.now());
  await env.audit({ action: 'x402.sale.unsettled', why: failure, data: { by: s.by } });
  const Err = failure.startsWith('no answer') ? X402FacilitatorUnavailableError : X402SettleFailedError;
  return saleAnswer(
    new Err(
      `${s.capability} ran, but the payment is not settled (${failure}); retry with the same payment: the task is not run again.`,
    ),
  );
}

/** The settle recorded for an authorization found spent on chain (no transaction known here), and why. */
function onChain(paid: PaidAuthorization, when: string): { settlement: SettleResponse; why: string } {
  return {
    settlement: { success: true, transaction: '', network: paid.requirements.network, payer: paid.payer },
    why: `found settled on chain ${when}`,
  };
}

async function settled(
  env: SettleEnv,
  s: SettleRequest,
  found: { settlement: SettleResponse; why: string },
): Promise<SaleAnswer> {
  const { settlement, why } = found;
  // Only the holder's move records it: a holder whose sale was taken over meanwhile leaves it to the taker.
  if (await env.book.move(s.paid.id, { status: 'settled', settlement, from: 'settling' }, env.now()))
    await env.audit({
      action: 'x402.sale.settled',
      why,
      data: { transaction: settlement.transaction || null, by: s.by },
    });
  return { status: 200, headers: { 'payment-response': encodePaymentResponseHeader(settlement) }, body: s.body };
}

/** The chain did not answer: the sale goes back to `delivered` as it was, for the next scan or retry. */
async function handBack(env: SettleEnv, s: SettleRequest, when: string): Promise<SaleAnswer> {
  const error = new X402ChainUnavailableError(
    `The chain did not answer authorizationState for ${s.paid.nonce} ${when}; nothing was settled, the sale of ${s.capability} stays delivered and is settled by the next scan or a retry with the same payment.`,
    { details: { nonce: s.paid.nonce, payer: s.paid.payer } },
  );
  await env.book.move(s.paid.id, { status: 'delivered', from: 'settling' }, env.now());
  await env.audit({
    action: 'x402.sale.unsettled',
    why: error.message,
    data: { code: ErrorCode.MANDATE_ERR_X402_CHAIN_UNAVAILABLE, by: s.by },
  });
  return saleAnswer(error);
}

/** Past `validBefore` and unused: it can never settle; the task ran unpaid, and its result is withheld. */
async function expire(env: SettleEnv, s: SettleRequest): Promise<SaleAnswer> {
  const { paid } = s;
  const why = `authorization ${paid.nonce} expired at ${new Date(paid.validBefore * 1000).toISOString()} unused on chain before the sale of ${s.capability} was settled; nothing was charged, the result is withheld: sign a new payment`;
  const error = new X402SaleExpiredError(`The sale of ${s.capability} cannot be settled: ${why}.`, {
    details: { nonce: paid.nonce, payer: paid.payer },
  });
  const result = { status: error.status, code: error.code, recovery: why, body: s.body };
  if (await env.book.move(paid.id, { status: 'expired', result, from: 'settling' }, env.now())) {
    await env.audit({ action: 'x402.sale.expired', why, data: { code: error.code, by: s.by } });
    env.alert?.({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_X402_SALE_EXPIRED,
      message: `x402 sale ${paid.id} of ${s.capability} (payer ${paid.payer}) delivered but never settled: ${why}`,
    });
  }
  return saleAnswer(error);
}
