/**
 * The embedded chain: an in-process EVM (Hardhat's EDR) whose state lives under the data
 * directory, the way PGlite is the embedded database. Nothing is downloaded at run time and no
 * server is started; rails talk to it through an ethers provider ({@link EmbeddedChain.provider})
 * or EIP-1193 `request`.
 *
 * Durability: EDR keeps state in memory, so every block it mines is appended to a {@link BlockLog}
 * and fsynced before the transaction that made it is acknowledged. Opening the chain again replays
 * the log into a fresh EDR from the same genesis — same state, same block hashes, same receipts
 * (the EVM rail reconciles payments by transaction hash across restarts) — and checks every block
 * hash on the way. Block timestamps follow the injected clock.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Provider } from '@nomicfoundation/edr';
import { keccak256 } from 'ethers';
import { BlockLog, type LoggedBlock } from './BlockLog.ts';
import { createEdrProvider, type EdrGenesis } from './edrProvider.ts';
import { ChainMethodError, ChainReplayError, ChainRpcError } from './errors.ts';
import { InProcessProvider, type Eip1193Request } from './InProcessProvider.ts';

/** Options of {@link EmbeddedChain.open}. */
export interface EmbeddedChainOptions {
  /** Directory of the chain (`genesis.json`, `blocks.jsonl`); created when missing. */
  readonly dir: string;
  /** Chain id of a new chain (default 31337); an existing chain keeps its own. */
  readonly chainId?: number;
  /** Pre-funded accounts of a new chain: address → wei. */
  readonly balances?: Readonly<Record<string, bigint>>;
  /** Clock for block timestamps (epoch ms); default `Date.now`. */
  readonly now?: () => number;
}

const WRITES = new Set(['eth_sendRawTransaction', 'evm_mine']);
/** Methods that would change state or time outside the replayable log. */
const REFUSED = /^(hardhat_(?!metadata|getAutomine)|evm_(?!mine$)|eth_sendTransaction$|eth_sign|personal_|debug_set)/;

/** An in-process EVM chain persisted under a directory. */
export class EmbeddedChain {
  readonly chainId: number;
  /** Where it lives. */
  readonly dir: string;
  /** Blocks replayed when it was opened. */
  readonly replayed: number;
  readonly #edr: Provider;
  readonly #log: BlockLog;
  readonly #now: () => number;
  /** Serializes writes so the log's order is the chain's order. */
  #writing: Promise<unknown> = Promise.resolve();
  #head: { n: number; ts: number };
  #id = 0;
  /** Signed transactions sent but not yet seen in a block (future nonces wait in the mempool). */
  readonly #unmined = new Map<string, string>();
  readonly #providers: InProcessProvider[] = [];

  private constructor(
    parts: { edr: Provider; log: BlockLog; dir: string; chainId: number; head: { n: number; ts: number } },
    now: () => number,
    replayed: number,
  ) {
    this.#edr = parts.edr;
    this.#log = parts.log;
    this.dir = parts.dir;
    this.chainId = parts.chainId;
    this.#head = parts.head;
    this.#now = now;
    this.replayed = replayed;
  }

  /** Opens the chain in `dir`: creates its genesis on first use, otherwise replays its block log. */
  static async open(options: EmbeddedChainOptions): Promise<EmbeddedChain> {
    const now = options.now ?? Date.now;
    mkdirSync(options.dir, { recursive: true });
    const genesisPath = join(options.dir, 'genesis.json');
    if (!existsSync(genesisPath)) {
      const genesis: EdrGenesis = {
        chainId: options.chainId ?? 31337,
        genesisTime: Math.floor(now() / 1000),
        balances: Object.fromEntries(
          Object.entries(options.balances ?? {}).map(([a, wei]) => [a.toLowerCase(), wei.toString()]),
        ),
        hardfork: 'prague',
      };
      writeFileSync(genesisPath, `${JSON.stringify(genesis, null, 2)}\n`, { flag: 'wx' });
    }
    const genesis = JSON.parse(readFileSync(genesisPath, 'utf8')) as EdrGenesis;
    const edr = await createEdrProvider(genesis);
    const logPath = join(options.dir, 'blocks.jsonl');
    const blocks = BlockLog.read(logPath);
    const head = await replay(edr, blocks, genesis.genesisTime);
    const chain = new EmbeddedChain(
      { edr, log: await BlockLog.open(logPath), dir: options.dir, chainId: genesis.chainId, head },
      now,
      blocks.length,
    );
    return chain;
  }

  /** The block number and timestamp of the latest block. */
  get head(): { n: number; ts: number } {
    return { ...this.#head };
  }

  /** EIP-1193 request (what protocol-kit and other libraries take). */
  readonly request: Eip1193Request = async ({ method, params }) => {
    const list = (params ?? []) as unknown[];
    if (REFUSED.test(method)) throw new ChainMethodError(method);
    if (!WRITES.has(method)) return this.#call(method, list);
    const run = this.#writing.then(() => this.#write(method, list));
    this.#writing = run.catch(() => undefined);
    return run;
  };

  /** A new ethers provider on this chain (no batching, no polling delay worth the name). */
  provider(): InProcessProvider {
    const p = new InProcessProvider(this.request, this.chainId);
    this.#providers.push(p);
    return p;
  }

  /** Waits for pending writes, closes the log and the providers handed out. */
  async close(): Promise<void> {
    await this.#writing;
    for (const p of this.#providers) p.destroy();
    await this.#log.close();
  }

  async #write(method: string, params: unknown[]): Promise<unknown> {
    // The next block's time is the runtime's clock (never behind the head).
    const ts = Math.max(this.#head.ts, Math.floor(this.#now() / 1000));
    await this.#call('evm_setNextBlockTimestamp', [`0x${ts.toString(16)}`]);
    let result: unknown;
    if (method === 'eth_sendRawTransaction') {
      const raw = String(params[0]);
      result = await this.#call(method, params);
      this.#unmined.set(keccak256(raw), raw);
    } else result = await this.#call(method, params);
    await this.#logNewBlocks();
    return result;
  }

  async #logNewBlocks(): Promise<void> {
    const latest = Number(await this.#call('eth_blockNumber', []));
    for (let n = this.#head.n + 1; n <= latest; n++) {
      const block = (await this.#call('eth_getBlockByNumber', [`0x${n.toString(16)}`, false])) as {
        hash: string;
        timestamp: string;
        transactions: string[];
      };
      const txs = block.transactions.map((h) => {
        const raw = this.#unmined.get(h);
        if (raw === undefined)
          throw new ChainReplayError(`block ${n} holds transaction ${h} that was not sent through this chain's log`);
        this.#unmined.delete(h);
        return raw;
      });
      const entry: LoggedBlock = { n, ts: Number(block.timestamp), hash: block.hash, txs };
      await this.#log.append(entry);
      this.#head = { n, ts: entry.ts };
    }
  }

  async #call(method: string, params: unknown[]): Promise<unknown> {
    return rpc(this.#edr, { method, params, id: ++this.#id });
  }
}

/** One JSON-RPC request to the in-process EDR provider; an error reply throws `ChainRpcError`. */
async function rpc(
  edr: Provider,
  { method, params, id }: { method: string; params: unknown[]; id: number },
): Promise<unknown> {
  const response = await edr.handleRequest(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  const body = (typeof response.data === 'string' ? JSON.parse(response.data) : response.data) as {
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
  };
  if (body.error !== undefined) throw new ChainRpcError(method, body.error);
  return body.result;
}

/** Replays logged blocks into a fresh EDR, checking each block hash; returns the head. */
async function replay(
  edr: Provider,
  blocks: readonly LoggedBlock[],
  genesisTime: number,
): Promise<{ n: number; ts: number }> {
  let id = 0;
  const call = (method: string, params: unknown[]) => rpc(edr, { method, params, id: ++id });
  if (blocks.length === 0) return { n: 0, ts: genesisTime };
  await call('evm_setAutomine', [false]);
  for (const block of blocks) {
    for (const raw of block.txs) await call('eth_sendRawTransaction', [raw]);
    await call('evm_setNextBlockTimestamp', [`0x${block.ts.toString(16)}`]);
    await call('evm_mine', []);
    const mined = (await call('eth_getBlockByNumber', [`0x${block.n.toString(16)}`, false])) as { hash: string } | null;
    if (mined?.hash !== block.hash)
      throw new ChainReplayError(
        `the embedded chain's block log does not replay: block ${block.n} hashes to ${mined?.hash ?? 'nothing'}, the log recorded ${block.hash}; the EVM version changed or blocks.jsonl was edited — restore it, or move the chain directory away to start a new chain`,
      );
  }
  await call('evm_setAutomine', [true]);
  const last = blocks[blocks.length - 1]!;
  return { n: last.n, ts: last.ts };
}
