import type { SimRandom } from './SimRandom.ts';

/** A signed transfer: its hash names those bytes, so sending the same transaction again changes nothing. */
export interface ChainTx {
  readonly hash: string;
  readonly key: string;
  readonly agentId: string;
  readonly decisionId: string;
  readonly amount: string;
  readonly asset: string;
  /** The miner ignores it until then (a stuck transaction: fee too low, a congested mempool). */
  readonly stuckUntil: number;
}

/**
 * A chain with a mempool, blocks and reorgs. Each `send` of a new transaction is a new transfer:
 * the chain has no idea two transactions pay the same invoice. A reorg returns the newest blocks'
 * transactions to the mempool, from where they are mined again.
 */
export class SimChain {
  readonly blocks: ChainTx[][] = [];
  readonly #mempool = new Map<string, ChainTx>();
  readonly #known = new Map<string, ChainTx>();
  #signed = 0;

  /** A fresh transaction hash (a new nonce signed): the sender's counter lives outside any one process. */
  nextHash(key: string): string {
    this.#signed += 1;
    return `0x${this.#signed.toString(16).padStart(8, '0')}-${key}`;
  }

  send(tx: ChainTx): void {
    if (this.#known.has(tx.hash)) return;
    this.#known.set(tx.hash, tx);
    this.#mempool.set(tx.hash, tx);
  }

  /** Mines one block of what is not stuck. */
  mine(now: number): void {
    const block = [...this.#mempool.values()].filter((tx) => tx.stuckUntil <= now);
    for (const tx of block) this.#mempool.delete(tx.hash);
    this.blocks.push(block);
  }

  /** Drops the newest `depth` blocks back into the mempool. */
  reorg(depth: number): void {
    for (let i = 0; i < depth && this.blocks.length > 0; i++)
      for (const tx of this.blocks.pop()!) this.#mempool.set(tx.hash, tx);
  }

  /** Blocks on top of (and including) the one holding `hash`: 0 while pending, undefined when never sent. */
  confirmations(hash: string): number | undefined {
    if (!this.#known.has(hash)) return undefined;
    for (let i = this.blocks.length - 1; i >= 0; i--)
      if (this.blocks[i]!.some((tx) => tx.hash === hash)) return this.blocks.length - i;
    return 0;
  }

  /** Transactions sent for an idempotency key (mined or pending). */
  sentFor(key: string): ChainTx[] {
    return [...this.#known.values()].filter((tx) => tx.key === key);
  }

  /** Every transaction on the canonical chain. */
  canonical(): ChainTx[] {
    return this.blocks.flat();
  }

  /** Schedules the miner's next decision: usually a block, now and then a reorg of one or two blocks. */
  tick(now: number, random: SimRandom, reorgChance: number): void {
    if (this.blocks.length > 2 && random.chance(reorgChance)) this.reorg(1 + random.int(2));
    else this.mine(now);
  }
}
