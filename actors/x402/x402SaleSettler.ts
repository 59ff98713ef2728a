/**
 * Who settles a delivered sale, in one process and across processes. The seller that ran the task
 * settles it: it moved the sale from `working` (or `held`) to `settling` with the result. Anyone
 * else takes the settle over by compare-and-set (`X402SaleBook.takeOver`) from `delivered` (a settle
 * that failed) or from a `settling` whose holder stopped touching it (died mid-settle): the scan at
 * start, so a sale whose seller died between the task and the settle is settled without the buyer
 * (from the payment kept in the sale), or a buyer's retry of the same payment. One taker wins; the
 * others do not settle. In one process a second taker joins the settle under way.
 */
import { ErrorCode } from '../../kernel/index.ts';
import type { SettleEnv, SettleRequest } from './x402Settle.ts';
import { settleSale } from './x402Settle.ts';
import type { StoredSale } from './X402SaleBook.ts';
import { answerCode, type PaidAuthorization, type SaleAnswer } from './x402SaleParts.ts';

/** The sale an audit step is about. */
type SaleKey = Pick<StoredSale, 'capability' | 'payer' | 'payTo' | 'nonce'>;

/** What {@link SaleSettler} needs: {@link SettleEnv}, with the audit per sale and when a settle holder is gone. */
export interface SettlerEnv extends Omit<SettleEnv, 'audit'> {
  /** A `settling` sale not touched for this long lost its holder. */
  readonly staleAfterMs: number;
  audit(sale: SaleKey, step: { action: string; why: string; data?: Record<string, unknown> }): Promise<void>;
}

/** The payment kept in a sale (undefined on rows claimed before it was kept: only the buyer's retry settles those). */
export function paidOfSale(sale: StoredSale): PaidAuthorization | undefined {
  if (sale.payment === null || sale.requirements === null || sale.validBefore === null) return undefined;
  return {
    id: sale.id,
    payload: sale.payment,
    requirements: sale.requirements,
    payer: sale.payer,
    payTo: sale.payTo,
    nonce: sale.nonce,
    value: sale.value,
    signature: sale.signature,
    validBefore: sale.validBefore,
  };
}

/** See the file comment. */
export class SaleSettler {
  readonly #env: SettlerEnv;
  /** Settles under way in this process (undefined: a takeover another process won). */
  readonly #running = new Map<string, Promise<SaleAnswer | undefined>>();

  constructor(env: SettlerEnv) {
    this.#env = env;
  }

  /** Whether this process is settling the sale `id`. */
  settlingHere(id: string): boolean {
    return this.#running.has(id);
  }

  /** The settle by the seller that ran the task; the sale is already `settling`. */
  settle(capability: string, paid: PaidAuthorization, body: unknown): Promise<SaleAnswer> {
    const run = this.#settle({ capability, paid, body, by: 'sale' });
    this.#track(paid.id, run);
    return run;
  }

  /**
   * Takes over the settle of `sale` (`delivered`, or `settling` with its holder gone) and settles
   * it with `paid`, asking the chain first; undefined when another taker won (it must not settle).
   */
  takeOver(sale: StoredSale, paid: PaidAuthorization, by: 'scan' | 'retry'): Promise<SaleAnswer | undefined> {
    const running = this.#running.get(sale.id);
    if (running !== undefined) return running;
    const now = this.#env.now();
    const run = this.#env.book.takeOver(sale.id, now, new Date(now.getTime() - this.#env.staleAfterMs)).then((won) =>
      won
        ? this.#settle({
            capability: sale.capability,
            paid,
            body: (sale.result as { body?: unknown } | null)?.body,
            by,
          })
        : undefined,
    );
    this.#track(sale.id, run);
    return run;
  }

  /**
   * Whether the scan can settle `sale` by itself: delivered (or settling), with its payment kept in
   * the sale and the chain to ask (`authorizationUsed`), since a takeover must know whether an
   * earlier settle went through.
   */
  settleable(sale: StoredSale): boolean {
    return (
      this.#env.authorizationUsed !== undefined &&
      (sale.status === 'delivered' || sale.status === 'settling') &&
      paidOfSale(sale) !== undefined
    );
  }

  /**
   * The scan's part: settles a sale found `delivered`, or `settling` with its holder gone, if it is
   * {@link SaleSettler.settleable}. The sale as it now stands, and whether to try again soon (the
   * chain or the facilitator did not answer).
   */
  async settleFound(sale: StoredSale): Promise<{ sale: StoredSale; again: boolean }> {
    if (!this.settleable(sale) || this.#running.has(sale.id)) return { sale, again: false };
    const held = this.#env.now().getTime() - sale.updatedAt.getTime() < this.#env.staleAfterMs;
    if (sale.status === 'settling' && held) return { sale, again: false };
    const answer = await this.takeOver(sale, paidOfSale(sale)!, 'scan');
    const code = answer === undefined ? undefined : answerCode(answer);
    const again =
      code === ErrorCode.MANDATE_ERR_X402_CHAIN_UNAVAILABLE ||
      code === ErrorCode.MANDATE_ERR_X402_FACILITATOR_UNAVAILABLE;
    return { sale: (await this.#env.book.get(sale.id)) ?? sale, again };
  }

  #settle(s: SettleRequest): Promise<SaleAnswer> {
    const { paid, capability } = s;
    const sale = { capability, payer: paid.payer, payTo: paid.payTo, nonce: paid.nonce };
    return settleSale({ ...this.#env, audit: (step) => this.#env.audit(sale, step) }, s);
  }

  #track(id: string, run: Promise<SaleAnswer | undefined>): void {
    this.#running.set(id, run);
    const done = (): void => {
      if (this.#running.get(id) === run) this.#running.delete(id);
    };
    void run.then(done, done);
  }
}
