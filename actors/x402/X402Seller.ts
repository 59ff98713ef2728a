/**
 * Selling capabilities behind x402: a request without a payment gets 402 with the offer's
 * `PAYMENT-REQUIRED`; a paid one is claimed by its authorization (`rail_x402_sales`), verified by the
 * facilitator, carried out (the caller's governed task), then settled by the facilitator and answered
 * with `PAYMENT-RESPONSE`. Exactly once per authorization: parallel requests share one sale, a retry
 * gets the stored answer, a retry after a failed or unanswered settle settles again without running
 * the task again, and nothing is settled for a task that was denied or failed.
 */
import { encodePaymentRequiredHeader, encodePaymentResponseHeader } from '@x402/core/http';
import type { FacilitatorClient } from '@x402/core/server';
import type { PaymentRequired, PaymentRequirements, SettleResponse } from '@x402/core/types';
import { parseUnits } from 'ethers';
import type { RailSql } from '../rails/RailSql.ts';
import {
  X402FacilitatorUnavailableError,
  X402PaymentRequiredError,
  X402SaleInProgressError,
  X402SettleFailedError,
} from './errors.ts';
import type { RailX402SaleRow } from './entities.ts';
import {
  paymentOf,
  saleAnswer,
  type PaidAuthorization,
  type SaleAnswer,
  type SaleAudit,
  type SaleWork,
  type X402Offer,
} from './x402SaleParts.ts';

export type { SaleAnswer, SaleAudit, SaleWork, X402Offer } from './x402SaleParts.ts';

/** Options of {@link X402Seller}. */
export interface X402SellerOptions {
  readonly sql: RailSql;
  /** Verifies and settles payments: `HTTPFacilitatorClient` of `@x402/core/server`, or any `FacilitatorClient`. */
  readonly facilitator: FacilitatorClient;
  readonly offers: readonly X402Offer[];
  /** Every step of a sale (`x402.sale.verified|held|refused|settled|unsettled`), before it is answered. */
  audit(entry: SaleAudit): Promise<void>;
  /** The token's `authorizationState(payer, nonce)`: resolves an unanswered or refused settle on chain. */
  authorizationUsed?(payer: string, nonce: string): Promise<boolean>;
  readonly now?: () => Date;
}

/** A paid request: the capability's offer, the resource URL, the `PAYMENT-SIGNATURE` header and the work to sell. */
export interface SaleRequest {
  readonly offer: X402Offer;
  readonly url: string;
  readonly header: string | undefined;
  /** Runs the task for `payer`; throws only when nothing ran (the claim is then released for a retry). */
  work(payer: string): Promise<SaleWork>;
}

/** Capabilities sold behind x402; see the file comment. */
export class X402Seller {
  readonly #o: X402SellerOptions;
  readonly #inFlight = new Map<string, Promise<SaleAnswer>>();

  constructor(options: X402SellerOptions) {
    this.#o = options;
  }

  /** The offer of `capability`, if it is on sale. */
  offerFor(capability: string): X402Offer | undefined {
    return this.#o.offers.find((o) => o.capability === capability);
  }

  /** The one `exact` requirement of an offer. */
  requirementsOf(offer: X402Offer): PaymentRequirements {
    return {
      scheme: 'exact',
      network: `eip155:${offer.asset.chainId}`,
      asset: offer.asset.address,
      amount: parseUnits(offer.price, offer.asset.decimals).toString(),
      payTo: offer.payTo,
      maxTimeoutSeconds: offer.maxTimeoutSeconds ?? 300,
      extra: { name: offer.asset.name, version: offer.asset.version },
    };
  }

  /** The 402 answer: `PAYMENT-REQUIRED` with the offer, and a coded body saying why. */
  paymentRequired(offer: X402Offer, url: string, why?: string): SaleAnswer {
    const required: PaymentRequired = {
      x402Version: 2,
      ...(why === undefined ? {} : { error: why }),
      resource: {
        url,
        description: offer.description ?? `Mandate capability ${offer.capability}`,
        mimeType: 'application/json',
      },
      accepts: [this.requirementsOf(offer)],
    };
    const error = new X402PaymentRequiredError(
      why ??
        `${offer.capability} costs ${offer.price} ${offer.asset.symbol}; pay with the PAYMENT-REQUIRED header's requirements`,
      { details: { capability: offer.capability, price: offer.price, asset: offer.asset.symbol } },
    );
    return {
      status: 402,
      headers: { 'payment-required': encodePaymentRequiredHeader(required) },
      body: { error: error.toJSON() },
    };
  }

  /** Sells one request; see the class comment. */
  async sell(request: SaleRequest): Promise<SaleAnswer> {
    if (request.header === undefined) return this.paymentRequired(request.offer, request.url);
    const paid = paymentOf(request.header, this.requirementsOf(request.offer));
    if (typeof paid === 'string') return this.paymentRequired(request.offer, request.url, paid);
    const running = this.#inFlight.get(paid.id);
    if (running !== undefined) return running;
    const sale = this.#sellOnce(request, paid).finally(() => this.#inFlight.delete(paid.id));
    this.#inFlight.set(paid.id, sale);
    return sale;
  }

  async #sellOnce(request: SaleRequest, paid: PaidAuthorization): Promise<SaleAnswer> {
    const { offer } = request;
    const at = this.#now();
    const claimed = await this.#o.sql.query(
      `INSERT INTO rail_x402_sales (id, capability, payer, pay_to, nonce, value, signature, status, result, settlement, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'working', NULL, NULL, $8, $8) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [paid.id, offer.capability, paid.payer, paid.payTo, paid.nonce, paid.value, paid.signature, at],
    );
    if (claimed.length === 0) return this.#resume(request, paid);
    let verified: Awaited<ReturnType<FacilitatorClient['verify']>>;
    try {
      verified = await this.#o.facilitator.verify(paid.payload, paid.requirements);
    } catch (cause) {
      await this.#unclaim(paid.id);
      const error = new X402FacilitatorUnavailableError(
        `The facilitator did not verify the payment: ${(cause as Error).message}; nothing ran, retry with the same payment.`,
        { cause },
      );
      return saleAnswer(error);
    }
    if (!verified.isValid) {
      await this.#unclaim(paid.id);
      const why = `the facilitator refused the payment: ${verified.invalidReason ?? 'invalid'}${verified.invalidMessage ? ` (${verified.invalidMessage})` : ''}`;
      return this.paymentRequired(offer, request.url, why);
    }
    await this.#audit(paid, offer, { action: 'x402.sale.verified', why: 'payment verified by the facilitator' });
    let work: SaleWork;
    try {
      work = await request.work(paid.payer);
    } catch (error) {
      await this.#unclaim(paid.id); // `work` throws only when nothing ran (no holder free, no such capability)
      throw error;
    }
    return this.#done(request, paid, work);
  }

  /** Stores what the task came to and answers: settles a delivery, keeps a refusal, waits out a hold. */
  async #done(request: SaleRequest, paid: PaidAuthorization, work: SaleWork): Promise<SaleAnswer> {
    const { offer } = request;
    if (work.kind === 'refused') {
      const answer = saleAnswer(work.error, work.body);
      await this.#update(paid.id, { status: 'refused', result: { status: answer.status, body: answer.body } });
      await this.#audit(paid, offer, { action: 'x402.sale.refused', why: work.error.message });
      return answer;
    }
    if (work.kind === 'held') {
      await this.#update(paid.id, { status: 'held', result: { status: 202, body: work.body } });
      await this.#audit(paid, offer, { action: 'x402.sale.held', why: 'the task waits for approval; not settled' });
      // The approval decides later; a retry of the same payment then gets what it came to.
      void work.later.then((later) => this.#done(request, paid, later)).catch(() => undefined);
      return { status: 202, headers: {}, body: work.body };
    }
    await this.#update(paid.id, { status: 'delivered', result: { status: 200, body: work.body } });
    return this.#settle(offer, paid, work.body);
  }

  async #settle(offer: X402Offer, paid: PaidAuthorization, body: unknown): Promise<SaleAnswer> {
    let settled: SettleResponse | undefined;
    let failure: string;
    try {
      settled = await this.#o.facilitator.settle(paid.payload, paid.requirements);
      failure = settled.success
        ? ''
        : `${settled.errorReason ?? 'refused'}${settled.errorMessage ? ` (${settled.errorMessage})` : ''}`;
    } catch (cause) {
      failure = `no answer: ${(cause as Error).message}`;
    }
    if (failure !== '') {
      // An earlier settle (timed out, or its answer lost) may have gone through: the chain knows.
      if ((await this.#o.authorizationUsed?.(paid.payer, paid.nonce)) === true)
        settled = { success: true, transaction: '', network: paid.requirements.network, payer: paid.payer };
      else {
        await this.#audit(paid, offer, { action: 'x402.sale.unsettled', why: failure });
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
    await this.#update(paid.id, { status: 'settled', settlement: settlement });
    await this.#audit(paid, offer, {
      action: 'x402.sale.settled',
      why: 'settled by the facilitator',
      data: { transaction: settlement.transaction || null },
    });
    return { status: 200, headers: { 'payment-response': encodePaymentResponseHeader(settlement) }, body };
  }

  /** A payment whose authorization was claimed before: the stored answer, or the settle retried. */
  async #resume(request: SaleRequest, paid: PaidAuthorization): Promise<SaleAnswer> {
    const rows = await this.#o.sql.query<Record<string, unknown>>(
      `SELECT status, capability, signature, result, settlement FROM rail_x402_sales WHERE id = $1`,
      [paid.id],
    );
    const row = rows[0] as
      Pick<RailX402SaleRow, 'status' | 'capability' | 'signature' | 'result' | 'settlement'> | undefined;
    if (row === undefined) return this.sell(request); // unclaimed meanwhile (a refused verify): start over
    if (row.signature.toLowerCase() !== paid.signature.toLowerCase() || row.capability !== request.offer.capability)
      return this.paymentRequired(request.offer, request.url, `authorization ${paid.nonce} was already used`);
    const result = row.result as { status: number; body: unknown } | null;
    switch (row.status) {
      case 'settled':
        return {
          status: 200,
          headers: { 'payment-response': encodePaymentResponseHeader(row.settlement as unknown as SettleResponse) },
          body: result?.body,
        };
      case 'delivered':
        return this.#settle(request.offer, paid, result?.body);
      case 'refused':
      case 'held':
        return { status: result?.status ?? 403, headers: {}, body: result?.body };
      default:
        return saleAnswer(
          new X402SaleInProgressError(
            `The sale of authorization ${paid.nonce} is under way or was interrupted while its task ran; it is not run twice. Retry later.`,
            { details: { nonce: paid.nonce, payer: paid.payer } },
          ),
        );
    }
  }

  async #unclaim(id: string): Promise<void> {
    await this.#o.sql.query(`DELETE FROM rail_x402_sales WHERE id = $1 AND status = 'working'`, [id]);
  }

  async #update(id: string, set: { status: string; result?: unknown; settlement?: unknown }): Promise<void> {
    await this.#o.sql.query(
      `UPDATE rail_x402_sales SET status = $2, result = COALESCE($3::jsonb, result), settlement = COALESCE($4::jsonb, settlement), updated_at = $5 WHERE id = $1`,
      [
        id,
        set.status,
        set.result === undefined ? null : JSON.stringify(set.result),
        set.settlement === undefined ? null : JSON.stringify(set.settlement),
        this.#now(),
      ],
    );
  }

  async #audit(
    paid: PaidAuthorization,
    offer: X402Offer,
    e: { action: string; why: string; data?: Record<string, unknown> },
  ): Promise<void> {
    await this.#o.audit({
      who: { kind: 'agent', id: `x402:${paid.payer}` },
      action: e.action,
      subject: offer.capability,
      where: paid.requirements.network,
      why: e.why,
      data: {
        amount: offer.price,
        currency: offer.asset.symbol,
        payer: paid.payer,
        payTo: paid.payTo,
        nonce: paid.nonce,
        ...e.data,
      },
      at: this.#now().getTime(),
    });
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }
}
