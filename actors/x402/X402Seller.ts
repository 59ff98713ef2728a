/**
 * Selling capabilities behind x402: a request without a payment gets 402 with the offer's
 * `PAYMENT-REQUIRED`; a paid one is claimed by its authorization (`rail_x402_sales`), verified by the
 * facilitator, carried out (the caller's governed task), then settled by the facilitator and answered
 * with `PAYMENT-RESPONSE`. Exactly once per authorization: parallel requests share one sale, a retry
 * gets the stored answer, a retry after a failed or unanswered settle settles again without running
 * the task again, a sale whose seller died between the task and the settle is settled by the scan at
 * start (`x402SaleSettler.ts`), and nothing is settled for a task that was denied or failed.
 */
import type { FacilitatorClient } from '@x402/core/server';
import type { PaymentRequirements } from '@x402/core/types';
import { ErrorCode, type Principal } from '../../kernel/index.ts';
import { X402FacilitatorUnavailableError } from './errors.ts';
import { inProgressAnswer, storedAnswer } from './x402SaleAnswers.ts';
import { SaleScan } from './x402SaleScan.ts';
import { SaleSettler } from './x402SaleSettler.ts';
import { X402SaleBook, type StoredSale } from './X402SaleBook.ts';
import {
  recoverSale,
  resolveSale,
  type SaleRecoveryEnv,
  type SaleResolution,
  type SaleResolutionRequest,
} from './x402SaleRecovery.ts';
import {
  answerCode,
  paymentOf,
  paymentRequiredAnswer,
  requirementsOf,
  saleAnswer,
  saleAuditEntry,
  type PaidAuthorization,
  type SaleAnswer,
  type SaleRequest,
  type SaleWork,
  type X402Offer,
  type X402SellerOptions,
} from './x402SaleParts.ts';

/** One audited step of a sale. */
type SaleStep = { action: string; why: string; data?: Record<string, unknown> };

/** Capabilities sold behind x402; see the file comment. */
export class X402Seller {
  readonly #o: X402SellerOptions;
  readonly #inFlight = new Map<string, Promise<SaleAnswer>>();
  /** Held sales whose approval this process is waiting out (the others' holder is gone). */
  readonly #holding = new Set<string>();
  readonly #book: X402SaleBook;
  readonly #recovery: SaleRecoveryEnv;
  readonly #settler: SaleSettler;
  readonly #scan: SaleScan;

  constructor(options: X402SellerOptions) {
    this.#o = options;
    this.#book = new X402SaleBook(options.sql);
    const used = options.authorizationUsed?.bind(options);
    this.#recovery = {
      book: this.#book,
      ...(used === undefined ? {} : { authorizationUsed: (payer, nonce) => used(payer, nonce) }),
      resumable: (capability) => this.offerFor(capability)?.resumable === true,
      now: () => this.#now(),
      staleAfterMs: options.staleAfterMs ?? 30_000,
      ...(options.alert === undefined ? {} : { alert: (a) => options.alert!(a) }),
      audit: (sale, step) =>
        this.#auditSale(sale, { ...step, who: step.who ?? { kind: 'agent', id: `x402:${sale.payer}` } }),
    };
    this.#settler = new SaleSettler({
      ...this.#recovery,
      facilitator: options.facilitator,
      heartbeatMs: options.heartbeatMs ?? 5_000,
      audit: (sale, step) => this.#auditSale(sale, { ...step, who: { kind: 'agent', id: `x402:${sale.payer}` } }),
    });
    this.#scan = new SaleScan(this.#recovery, {
      heldHere: (id) => this.#inFlight.has(id) || this.#settler.settlingHere(id),
      heartbeatMs: options.heartbeatMs ?? 5_000,
      settler: this.#settler,
    });
  }

  /** Sales in `statuses` (default: the ones an operator may need to look at), each recovered first if its holder is gone. */
  async sales(statuses: readonly string[] = ['working', 'interrupted', 'held']): Promise<StoredSale[]> {
    const found = await this.#book.list(statuses);
    return Promise.all(found.map((sale) => recoverSale(this.#recovery, sale)));
  }

  /**
   * The scan at start (the gateway runs it when ready): recovers `working` claims whose holder is gone
   * and `interrupted` sales whose alert is owed, so each raises its alert once, before any retry, and
   * settles delivered sales whose settle was never recorded, once, without the buyer; fresh claims
   * are scanned again when they would go stale (`x402SaleScan.ts`). The sales found.
   */
  start(): Promise<StoredSale[]> {
    return this.#scan.start();
  }

  /** Ends the follow-up scans of {@link X402Seller.start}. */
  stop(): void {
    this.#scan.stop();
  }

  /**
   * An operator's answer to an interrupted sale (recovered first): `resume` lets the buyer's retry
   * of the same payment run the task again (settled once), `release` ends it unsettled (the buyer
   * signs a new payment). Audited with `by` and `reason` before it applies.
   */
  resolve(r: SaleResolutionRequest): Promise<SaleResolution> {
    return resolveSale(this.#recovery, r);
  }

  /** The offer of `capability`, if it is on sale. */
  offerFor(capability: string): X402Offer | undefined {
    return this.#o.offers.find((o) => o.capability === capability);
  }

  /** The one `exact` requirement of an offer. */
  requirementsOf(offer: X402Offer): PaymentRequirements {
    return requirementsOf(offer);
  }

  /** The 402 answer: `PAYMENT-REQUIRED` with the offer, and a coded body saying why. */
  paymentRequired(offer: X402Offer, url: string, why?: string): SaleAnswer {
    return paymentRequiredAnswer(offer, url, why);
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

  async #sellOnce(request: SaleRequest, paid: PaidAuthorization, reclaimed = false): Promise<SaleAnswer> {
    const { offer } = request;
    if (!reclaimed && !(await this.#book.claim(paid, offer.capability, this.#now())))
      return this.#resume(request, paid);
    // The heartbeat tells other processes this claim has a live holder (x402SaleRecovery.ts).
    const heartbeat = setInterval(
      () => void this.#book.touch(paid.id, this.#now()).catch(() => undefined),
      this.#o.heartbeatMs ?? 5_000,
    );
    heartbeat.unref();
    try {
      return await this.#verifyAndWork(request, paid);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async #verifyAndWork(request: SaleRequest, paid: PaidAuthorization): Promise<SaleAnswer> {
    const { offer } = request;
    let verified: Awaited<ReturnType<FacilitatorClient['verify']>>;
    try {
      verified = await this.#o.facilitator.verify(paid.payload, paid.requirements);
    } catch (cause) {
      await this.#book.unclaim(paid.id);
      const error = new X402FacilitatorUnavailableError(
        `The facilitator did not verify the payment: ${(cause as Error).message}; nothing ran, retry with the same payment.`,
        { cause },
      );
      return saleAnswer(error);
    }
    if (!verified.isValid) {
      await this.#book.unclaim(paid.id);
      const why = `the facilitator refused the payment: ${verified.invalidReason ?? 'invalid'}${verified.invalidMessage ? ` (${verified.invalidMessage})` : ''}`;
      return this.paymentRequired(offer, request.url, why);
    }
    await this.#audit(paid, offer, { action: 'x402.sale.verified', why: 'payment verified by the facilitator' });
    let work: SaleWork;
    try {
      work = await request.work(paid.payer);
    } catch (error) {
      await this.#book.unclaim(paid.id); // `work` throws only when nothing ran (no holder free, no such capability)
      throw error;
    }
    return this.#done(request, paid, work);
  }

  /** Stores what the task came to and answers: settles a delivery, keeps a refusal, waits out a hold. */
  async #done(request: SaleRequest, paid: PaidAuthorization, work: SaleWork): Promise<SaleAnswer> {
    const { offer } = request;
    if (work.kind === 'refused') {
      const answer = saleAnswer(work.error, work.body);
      await this.#book.move(
        paid.id,
        { status: 'refused', result: { status: answer.status, body: answer.body } },
        this.#now(),
      );
      await this.#audit(paid, offer, { action: 'x402.sale.refused', why: work.error.message });
      return answer;
    }
    if (work.kind === 'held') {
      await this.#book.move(paid.id, { status: 'held', result: { status: 202, body: work.body } }, this.#now());
      await this.#audit(paid, offer, { action: 'x402.sale.held', why: 'the task waits for approval; not settled' });
      // The approval decides later; a retry of the same payment then gets what it came to.
      this.#holding.add(paid.id);
      void work.later
        .then((later) => this.#decided(request, paid, later))
        .catch(() => undefined)
        .finally(() => this.#holding.delete(paid.id));
      return { status: 202, headers: {}, body: work.body };
    }
    const result = { status: 200, body: work.body };
    if (!(await this.#book.move(paid.id, { status: 'settling', result, from: 'working' }, this.#now())))
      return this.#resume(request, paid); // recovered meanwhile as if its holder were gone: answer what it came to
    return this.#settler.settle(offer.capability, paid, work.body);
  }

  /** A retry's takeover of a settle (the sale's settle failed, or its holder died); see `x402SaleSettler.ts`. */
  async #takeOver(request: SaleRequest, paid: PaidAuthorization, row: StoredSale): Promise<SaleAnswer> {
    const answer = await this.#settler.takeOver(row, paid, 'retry');
    if (answer !== undefined && answerCode(answer) !== ErrorCode.MANDATE_ERR_X402_SALE_EXPIRED) return answer;
    const now = answer === undefined ? await this.#book.get(paid.id) : undefined;
    if (now?.status === 'settling') return inProgressAnswer(paid, 'settled');
    return this.#resume(request, paid); // what it came to (an expired sale answers with PAYMENT-REQUIRED)
  }

  /** A payment whose authorization was claimed before: the stored answer, the settle retried, or the sale recovered. */
  async #resume(request: SaleRequest, paid: PaidAuthorization): Promise<SaleAnswer> {
    const stored = await this.#book.get(paid.id);
    if (stored === undefined) return this.sell(request); // unclaimed meanwhile (a refused verify): start over
    if (
      stored.signature.toLowerCase() !== paid.signature.toLowerCase() ||
      stored.capability !== request.offer.capability
    )
      return this.paymentRequired(request.offer, request.url, `authorization ${paid.nonce} was already used`);
    const row = await recoverSale(this.#recovery, stored);
    switch (row.status) {
      case 'delivered':
      case 'settling':
        return this.#takeOver(request, paid, row);
      case 'held':
        return this.#held(request, paid, (row.result as { body?: unknown } | null)?.body);
      case 'resumable':
        if (!(await this.#book.move(paid.id, { status: 'working', from: 'resumable' }, this.#now())))
          return this.#resume(request, paid); // another request resumed it first
        await this.#audit(paid, request.offer, {
          action: 'x402.sale.resumed',
          why: 'a retry of the payment resumes it',
        });
        return this.#sellOnce(request, paid, true);
      default:
        return storedAnswer(row, request, paid);
    }
  }

  /**
   * A retry of a held sale: 202 while its approval is open. When no process here waits for it (the
   * one that held it crashed), the request's `heldOutcome` says what the task came to meanwhile.
   */
  async #held(request: SaleRequest, paid: PaidAuthorization, body: unknown): Promise<SaleAnswer> {
    const waiting: SaleAnswer = { status: 202, headers: {}, body };
    if (this.#holding.has(paid.id) || request.heldOutcome === undefined) return waiting;
    const later = await request.heldOutcome(body);
    if (later === undefined || later.kind === 'held') return waiting;
    return this.#decided(request, paid, later);
  }

  /** Applies what a held task came to, once: only the move out of `held` that wins settles or refuses. */
  async #decided(request: SaleRequest, paid: PaidAuthorization, work: SaleWork): Promise<SaleAnswer> {
    if (work.kind === 'held') return { status: 202, headers: {}, body: work.body };
    const status = work.kind === 'delivered' ? 'settling' : 'refused';
    const answer = work.kind === 'delivered' ? { status: 200, body: work.body } : saleAnswer(work.error, work.body);
    const result = { status: answer.status, body: answer.body };
    if (!(await this.#book.move(paid.id, { status, result, from: 'held' }, this.#now())))
      return this.#resume(request, paid); // decided elsewhere first: answer what it came to
    if (work.kind === 'delivered') return this.#settler.settle(request.offer.capability, paid, work.body);
    await this.#audit(paid, request.offer, { action: 'x402.sale.refused', why: work.error.message });
    return { status: answer.status, headers: {}, body: answer.body };
  }

  async #audit(paid: PaidAuthorization, offer: X402Offer, e: SaleStep): Promise<void> {
    const sale = { capability: offer.capability, payer: paid.payer, payTo: paid.payTo, nonce: paid.nonce };
    await this.#auditSale(sale, { ...e, who: { kind: 'agent', id: `x402:${paid.payer}` } });
  }

  async #auditSale(
    sale: Pick<StoredSale, 'capability' | 'payer' | 'payTo' | 'nonce'>,
    e: { action: string; why: string; who: Principal; data?: Record<string, unknown> },
  ): Promise<void> {
    await this.#o.audit(saleAuditEntry(sale, this.offerFor(sale.capability), { ...e, at: this.#now().getTime() }));
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }
}
