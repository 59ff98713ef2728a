/**
 * The scan for sales a crash interrupted, run when a seller starts: without it, a sale whose process
 * died mid-task is found (and its operator alert raised) only when the buyer retries, which may be
 * never, and a sale whose process died between the task and the settle is never settled unless the
 * buyer retries; the scan settles it once, from the payment kept in the sale (`x402SaleSettler.ts`).
 * A claim or settle whose holder died moments ago is still fresh at start (`staleAfterMs` has not
 * passed since its last heartbeat), so the scan looks again when the freshest such sale would go
 * stale, and again after `staleAfterMs` while a settle it made was not answered (by the chain or
 * the facilitator), until it settles or expires; a settle the facilitator refused waits for the
 * buyer's retry or the next start.
 */
import { recoverSale, type SaleRecoveryEnv } from './x402SaleRecovery.ts';
import type { SaleSettler } from './x402SaleSettler.ts';
import type { StoredSale } from './X402SaleBook.ts';

/** Statuses the scan looks at: claims and settles that may have lost their holder, sales whose alert may be owed, settles owed. */
const SCANNED = ['working', 'interrupted', 'delivered', 'settling'];
const PAGE = 100;

/** What the scan needs besides the recovery: who holds what here, the heartbeat, and the settler. */
export interface SaleScanOptions {
  heldHere(id: string): boolean;
  readonly heartbeatMs: number;
  readonly settler: Pick<SaleSettler, 'settleFound' | 'settleable'>;
}

/** See the file comment. */
export class SaleScan {
  readonly #env: SaleRecoveryEnv;
  readonly #o: SaleScanOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;

  constructor(env: SaleRecoveryEnv, options: SaleScanOptions) {
    this.#env = env;
    this.#o = options;
  }

  /** Scans now, and again later while fresh claims of other holders remain; the sales found, as they now stand. */
  async start(): Promise<StoredSale[]> {
    this.#running = true;
    try {
      return await this.#once();
    } catch (error) {
      this.#later(this.#env.staleAfterMs); // the database may be back by then
      throw error;
    }
  }

  /** Ends the scans to come. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #once(): Promise<StoredSale[]> {
    const found: StoredSale[] = [];
    let again = false;
    for (let page = await this.#env.book.list(SCANNED, PAGE); page.length > 0;) {
      for (const looked of await Promise.all(page.map((sale) => this.#look(sale)))) {
        found.push(looked.sale);
        again ||= looked.again;
      }
      page = page.length < PAGE ? [] : await this.#env.book.list(SCANNED, PAGE, page.at(-1));
    }
    const { settler } = this.#o;
    const held = (s: StoredSale) => s.status === 'working' || (s.status === 'settling' && settler.settleable(s));
    const fresh = found.filter((s) => held(s) && !this.#o.heldHere(s.id));
    if (fresh.length > 0) {
      const oldest = Math.min(...fresh.map((s) => s.updatedAt.getTime()));
      // Never sooner than a heartbeat: a claim its live holder keeps touching is looked at that often at most.
      this.#later(Math.max(oldest + this.#env.staleAfterMs - this.#env.now().getTime(), this.#o.heartbeatMs) + 1);
    } else if (again) this.#later(this.#env.staleAfterMs); // a settle the chain or the facilitator did not answer
    return found;
  }

  async #look(sale: StoredSale): Promise<{ sale: StoredSale; again: boolean }> {
    if (sale.status === 'delivered' || sale.status === 'settling') return this.#o.settler.settleFound(sale);
    return { sale: await recoverSale(this.#env, sale), again: false };
  }

  #later(ms: number): void {
    if (!this.#running) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#once().catch(() => this.#later(this.#env.staleAfterMs));
    }, ms);
    this.#timer.unref();
  }
}
