/**
 * The liquidity strategy's rail: add and remove liquidity on a Uniswap V2 pair from the agent's
 * wallet, each an exactly-once EVM rail execution, with slippage minimums on both tokens, and a
 * minimum fee APR check before providing: the pool's fee income (0.3% of the input of every `Swap`
 * in the look-back window) over its value, annualized.
 */
import { formatUnits, Interface, parseUnits, type JsonRpcApiProvider } from 'ethers';
import type { Amount, PositionValue } from '../../machines/index.ts';
import type { EvmRail } from '../rails/EvmRail.ts';
import type { PaymentReceipt } from '../rails/PaymentReceipt.ts';
import { ensureAllowance, type SwapToken } from '../rails/swapSupport.ts';
import { MinimumAprError, StrategyActionError } from './errors.ts';
import { liquidityBasisEvents } from './liquidityBasisEvents.ts';
import { PositionScan } from './PositionScan.ts';

const PAIR = new Interface([
  'function getReserves() view returns (uint112, uint112, uint32)',
  'function token0() view returns (address)',
  'function balanceOf(address) view returns (uint256)',
  'function totalSupply() view returns (uint256)',
  'event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)',
]);
const ROUTER = new Interface([
  'function addLiquidity(address tokenA, address tokenB, uint256 amountADesired, uint256 amountBDesired, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline) returns (uint256, uint256, uint256)',
  'function removeLiquidity(address tokenA, address tokenB, uint256 liquidity, uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline) returns (uint256, uint256)',
]);
const YEAR_SECONDS = 365 * 24 * 3600;

/** Options of {@link UniswapV2Liquidity}. */
export interface UniswapV2LiquidityOptions {
  readonly rail: EvmRail;
  readonly provider: JsonRpcApiProvider;
  readonly router: string;
  readonly pair: string;
  /** The token amounts are given in (e.g. USDC), and the other one (EURC). */
  readonly tokenA: SwapToken & { readonly symbol: string };
  readonly tokenB: SwapToken & { readonly symbol: string };
  /** Blocks of history the APR is measured over. Default 2,000. */
  readonly lookbackBlocks?: number;
  readonly deadlineSeconds?: number;
  readonly now?: () => number;
  /** The block the cost basis is rebuilt from (the pair's deployment). Default 0. */
  readonly fromBlock?: number;
}

/** One liquidity step. */
export interface LiquidityStep {
  readonly idempotencyKey: string;
  readonly agentId: string;
  readonly supervisorIds?: readonly string[];
  /** The placement lease token the act runs under (fenced rails refuse a stale one). */
  readonly fence?: number | undefined;
}

/** A Uniswap V2 liquidity position of one agent. */
export class UniswapV2Liquidity {
  readonly #o: UniswapV2LiquidityOptions;
  readonly #scan: PositionScan;

  constructor(options: UniswapV2LiquidityOptions) {
    this.#o = options;
    this.#scan = new PositionScan({
      provider: options.provider,
      fromBlock: options.fromBlock ?? 0,
      events: async (from, to) => {
        const { aIs0 } = await this.#reserves();
        const target = { provider: options.provider, pair: options.pair, owner: options.rail.address, aIs0 };
        return liquidityBasisEvents(target, from, to);
      },
    });
  }

  /** The receipt rail name of this pool's steps, and the position's name in valuations. */
  get name(): string {
    return `uniswap-v2-lp:${this.#o.pair.toLowerCase()}`;
  }

  /**
   * The liquidity share valued now in token A (the share of both reserves, B at the reserves' mid)
   * against its cost: what was put in, valued at the mid when it was, less the average cost of
   * what was taken out. The difference is the fees earned less the impermanent loss and price moves.
   * Rebuilt from the pair's events for this wallet, so it survives restarts.
   */
  async valuation(): Promise<PositionValue> {
    await this.#scan.catchUp();
    const { reserveA, reserveB, lp } = await this.position();
    const supply = (await this.#read('totalSupply', [])) as bigint;
    const value = supply === 0n ? 0n : (2n * reserveA * lp) / supply;
    const [a, b] = [this.#o.tokenA, this.#o.tokenB];
    const share = (reserve: bigint) => (supply === 0n ? 0n : (reserve * lp) / supply);
    // One B in A at the reserves' mid, 18 decimals: what the value above prices B at.
    const mid =
      reserveB === 0n ? 0n : (reserveA * 10n ** BigInt(18 + b.decimals)) / (reserveB * 10n ** BigInt(a.decimals));
    const holdings = [
      { asset: a.symbol, amount: formatUnits(share(reserveA), a.decimals), price: '1' },
      { asset: b.symbol, amount: formatUnits(share(reserveB), b.decimals), price: formatUnits(mid, 18) },
    ];
    return this.#scan.basis.valuation(this.name, a, { value, holdings });
  }

  /** What the removal in transaction `tx` realized against its cost, or undefined when it removed nothing. */
  async realizedIn(tx: string): Promise<Amount | undefined> {
    await this.#scan.catchUp();
    return this.#scan.basis.realizedIn(tx, this.#o.tokenA);
  }

  /** Reserves of A and B (base units) and the agent's share of the pool, in LP tokens and in basis points. */
  async position(): Promise<{ reserveA: bigint; reserveB: bigint; lp: bigint; shareBps: number }> {
    const { reserveA, reserveB } = await this.#reserves();
    const lp = (await this.#read('balanceOf', [this.#o.rail.address])) as bigint;
    const supply = (await this.#read('totalSupply', [])) as bigint;
    return { reserveA, reserveB, lp, shareBps: supply === 0n ? 0 : Number((lp * 10_000n) / supply) };
  }

  /** The pool's fee APR over the look-back window, in basis points (0 without trades). */
  async feeAprBps(): Promise<number> {
    const p = this.#o.provider;
    const head = Number(await p.send('eth_blockNumber', []));
    const from = Math.max(0, head - (this.#o.lookbackBlocks ?? 2_000));
    const [logs, first, last] = await Promise.all([
      p.send('eth_getLogs', [
        {
          address: this.#o.pair,
          fromBlock: `0x${from.toString(16)}`,
          toBlock: 'latest',
          topics: [PAIR.getEvent('Swap')!.topicHash],
        },
      ]) as Promise<{ topics: string[]; data: string }[]>,
      p.send('eth_getBlockByNumber', [`0x${from.toString(16)}`, false]) as Promise<{ timestamp: string }>,
      p.send('eth_getBlockByNumber', ['latest', false]) as Promise<{ timestamp: string }>,
    ]);
    const elapsed = Number(last.timestamp) - Number(first.timestamp);
    const { reserveA, reserveB, aIs0 } = await this.#reserves();
    if (elapsed <= 0 || reserveA === 0n || reserveB === 0n) return 0;
    let feesInA = 0n;
    for (const log of logs) {
      const e = PAIR.parseLog(log)!;
      const [in0, in1] = [e.args[1] as bigint, e.args[2] as bigint];
      const [inA, inB] = aIs0 ? [in0, in1] : [in1, in0];
      feesInA += (inA * 3n) / 1000n + (inB * 3n * reserveA) / (1000n * reserveB);
    }
    const tvlInA = reserveA * 2n;
    return Number((feesInA * 10_000n * BigInt(YEAR_SECONDS)) / (tvlInA * BigInt(elapsed)));
  }

  /** Provides `amountA` of A and the matching B at the pool price, if the fee APR is at least `minAprBps`. */
  async add(
    step: LiquidityStep & { amountA: string; minAprBps: number; maxSlippageBps: number },
  ): Promise<PaymentReceipt> {
    const apr = await this.feeAprBps();
    if (apr < step.minAprBps)
      throw new MinimumAprError(
        `the ${this.#o.tokenA.symbol}/${this.#o.tokenB.symbol} pool earns ${(apr / 100).toFixed(2)}% APR in fees, below the minimum ${(step.minAprBps / 100).toFixed(2)}%; liquidity is not provided`,
        { details: { aprBps: apr, minAprBps: step.minAprBps } },
      );
    const amountA = this.#units(step.amountA, this.#o.tokenA.decimals);
    const { reserveA, reserveB } = await this.#reserves();
    const amountB = (amountA * reserveB) / reserveA;
    const owner = this.#o.rail.address;
    const intent = { ...step, supervisorIds: [...(step.supervisorIds ?? [])] };
    const approve = (token: SwapToken, amount: bigint, suffix: string) =>
      ensureAllowance({
        rail: this.#o.rail,
        provider: this.#o.provider,
        owner,
        token,
        spender: this.#o.router,
        amount,
        intent,
        suffix,
        fence: step.fence,
      });
    await approve(this.#o.tokenA, amountA, 'approve-a');
    await approve(this.#o.tokenB, amountB, 'approve-b');
    const min = (v: bigint) => (v * BigInt(10_000 - step.maxSlippageBps)) / 10_000n;
    const data = ROUTER.encodeFunctionData('addLiquidity', [
      this.#o.tokenA.address,
      this.#o.tokenB.address,
      amountA,
      amountB,
      min(amountA),
      min(amountB),
      owner,
      this.#deadline(),
    ]);
    return this.#call(step, data, `add ${step.amountA} ${this.#o.tokenA.symbol} liquidity (APR ${apr} bps)`);
  }

  /** Withdraws `shareBps` of the agent's LP tokens, with slippage minimums on both tokens. */
  async remove(step: LiquidityStep & { shareBps: number; maxSlippageBps: number }): Promise<PaymentReceipt> {
    if (!Number.isInteger(step.shareBps) || step.shareBps < 1 || step.shareBps > 10_000)
      throw new StrategyActionError(`shareBps ${step.shareBps} must be a whole number from 1 to 10000`);
    const { lp } = await this.position();
    const liquidity = (lp * BigInt(step.shareBps)) / 10_000n;
    if (liquidity === 0n) throw new StrategyActionError('the agent holds no liquidity in this pool; nothing to remove');
    const supply = (await this.#read('totalSupply', [])) as bigint;
    const { reserveA, reserveB } = await this.#reserves();
    const min = (reserve: bigint) =>
      (((reserve * liquidity) / supply) * BigInt(10_000 - step.maxSlippageBps)) / 10_000n;
    const owner = this.#o.rail.address;
    await ensureAllowance({
      rail: this.#o.rail,
      provider: this.#o.provider,
      owner,
      token: { address: this.#o.pair, decimals: 18 },
      spender: this.#o.router,
      amount: liquidity,
      intent: { ...step, supervisorIds: [...(step.supervisorIds ?? [])] },
      suffix: 'approve-lp',
      fence: step.fence,
    });
    const data = ROUTER.encodeFunctionData('removeLiquidity', [
      this.#o.tokenA.address,
      this.#o.tokenB.address,
      liquidity,
      min(reserveA),
      min(reserveB),
      owner,
      this.#deadline(),
    ]);
    return this.#call(step, data, `remove ${step.shareBps} bps of the liquidity`);
  }

  #call(step: LiquidityStep, data: string, purpose: string): Promise<PaymentReceipt> {
    return this.#o.rail.execute(
      {
        kind: 'call',
        idempotencyKey: step.idempotencyKey,
        agentId: step.agentId,
        supervisorIds: [...(step.supervisorIds ?? [])],
        to: this.#o.router,
        value: '0',
        data,
        purpose,
      },
      {
        receiptRail: this.name,
        fence: step.fence,
        build: async () => ({ to: this.#o.router, value: 0n, data }),
      },
    );
  }

  #deadline(): bigint {
    return BigInt(Math.floor((this.#o.now?.() ?? Date.now()) / 1000) + (this.#o.deadlineSeconds ?? 600));
  }

  #units(amount: string, decimals: number): bigint {
    let v: bigint;
    try {
      v = parseUnits(amount, decimals);
    } catch (cause) {
      throw new StrategyActionError(`amount "${amount}" is not a decimal with at most ${decimals} digits`, { cause });
    }
    if (v <= 0n) throw new StrategyActionError(`amount "${amount}" must be positive`);
    return v;
  }

  async #reserves(): Promise<{ reserveA: bigint; reserveB: bigint; aIs0: boolean }> {
    const [r0, r1] = (await this.#readAll('getReserves', [])) as [bigint, bigint];
    const token0 = String(await this.#read('token0', []));
    const aIs0 = token0.toLowerCase() === this.#o.tokenA.address.toLowerCase();
    return aIs0 ? { reserveA: r0, reserveB: r1, aIs0 } : { reserveA: r1, reserveB: r0, aIs0 };
  }

  async #read(fn: string, args: unknown[]): Promise<unknown> {
    return (await this.#readAll(fn, args))[0];
  }

  async #readAll(fn: string, args: unknown[]): Promise<readonly unknown[]> {
    const out = (await this.#o.provider.send('eth_call', [
      { to: this.#o.pair, data: PAIR.encodeFunctionData(fn, args) },
      'latest',
    ])) as string;
    return PAIR.decodeFunctionResult(fn, out);
  }
}
