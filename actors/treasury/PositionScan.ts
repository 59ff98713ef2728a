import { zeroPadValue, type JsonRpcApiProvider } from 'ethers';
import { CostBasis } from './CostBasis.ts';

/** One log as `eth_getLogs` and receipts return it. */
export interface RpcLog {
  readonly address: string;
  readonly topics: string[];
  readonly data: string;
  readonly blockNumber: string;
  readonly logIndex: string;
  readonly transactionHash: string;
}

/** The 32-byte topic of an address (an indexed `address` argument). */
export function addressTopic(address: string): string {
  return zeroPadValue(address, 32).toLowerCase();
}

/** Logs of `address` matching `topics` in blocks `from`..`to`, oldest first. */
export async function logsOf(
  provider: JsonRpcApiProvider,
  filter: { address: string; topics: (string | null)[]; from: number; to: number },
): Promise<RpcLog[]> {
  return (await provider.send('eth_getLogs', [
    {
      address: filter.address,
      topics: filter.topics,
      fromBlock: `0x${filter.from.toString(16)}`,
      toBlock: `0x${filter.to.toString(16)}`,
    },
  ])) as RpcLog[];
}

/** One change of a position: units in at a cost, or out for proceeds (base units of its currency). */
export interface BasisEvent {
  readonly kind: 'add' | 'remove';
  readonly units: bigint;
  readonly amount: bigint;
  readonly tx: string;
}

/** Chain order: by block, then by position in the block. */
export function byChainOrder(a: RpcLog, b: RpcLog): number {
  return Number(a.blockNumber) - Number(b.blockNumber) || Number(a.logIndex) - Number(b.logIndex);
}

/**
 * The cost basis of one position rebuilt from the chain's logs, caught up incrementally: each
 * call reads only the blocks since the last (from `fromBlock`, the deployment block, at first), so
 * a restart rebuilds the same basis and nothing needs storing. Calls are serialized.
 */
export class PositionScan {
  readonly basis = new CostBasis();
  readonly #provider: JsonRpcApiProvider;
  readonly #events: (from: number, to: number) => Promise<BasisEvent[]>;
  #next: number;
  #tail: Promise<void> = Promise.resolve();

  constructor(options: {
    provider: JsonRpcApiProvider;
    fromBlock: number;
    /** The position's changes in blocks `from`..`to`, in chain order. */
    events: (from: number, to: number) => Promise<BasisEvent[]>;
  }) {
    this.#provider = options.provider;
    this.#events = options.events;
    this.#next = options.fromBlock;
  }

  /** Reads the blocks up to the head into the basis. */
  catchUp(): Promise<void> {
    const run = this.#tail.then(async () => {
      const head = Number(await this.#provider.send('eth_blockNumber', []));
      if (head < this.#next) return;
      // All of the range's events are read before any is applied: a failed read leaves the basis as it was.
      const events = await this.#events(this.#next, head);
      for (const e of events)
        if (e.kind === 'add') this.basis.add(e.units, e.amount);
        else this.basis.remove(e.units, e.amount, e.tx);
      this.#next = head + 1;
    });
    this.#tail = run.catch(() => undefined); // a failed read is retried from the same block next time
    return run;
  }
}
