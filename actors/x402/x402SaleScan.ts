/**
 * The scan for sales a crash interrupted, run when a seller starts: without it, a sale whose process
 * died mid-task is found (and its operator alert raised) only when the buyer retries, which may be
 * never. A claim whose holder died moments ago is still fresh at start (`staleAfterMs` has not passed
 * since its last heartbeat), so the scan looks again when the freshest such claim would go stale.
 */
import { recoverSale, type SaleRecoveryEnv } from './x402SaleRecovery.ts';
import type { StoredSale } from './X402SaleBook.ts';

/** Statuses the scan looks at: claims that may have lost their holder, and sales whose alert may be owed. */
const SCANNED = ['working', 'interrupted'];
const PAGE = 100;

/** See the file comment. */
export class SaleScan {
  readonly #env: SaleRecoveryEnv;
  readonly #o: { heldHere(id: string): boolean; heartbeatMs: number };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;

  constructor(env: SaleRecoveryEnv, options: { heldHere(id: string): boolean; heartbeatMs: number }) {
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
    for (let page = await this.#env.book.list(SCANNED, PAGE); page.length > 0;) {
      found.push(...(await Promise.all(page.map((sale) => recoverSale(this.#env, sale)))));
      page = page.length < PAGE ? [] : await this.#env.book.list(SCANNED, PAGE, page.at(-1));
    }
    const fresh = found.filter((s) => s.status === 'working' && !this.#o.heldHere(s.id));
    if (fresh.length > 0) {
      const oldest = Math.min(...fresh.map((s) => s.updatedAt.getTime()));
      // Never sooner than a heartbeat: a claim its live holder keeps touching is looked at that often at most.
      this.#later(Math.max(oldest + this.#env.staleAfterMs - this.#env.now().getTime(), this.#o.heartbeatMs) + 1);
    }
    return found;
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
