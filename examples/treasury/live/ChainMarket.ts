import { Contract, parseUnits } from 'ethers';
import { mandateArtifacts, packagedArtifact } from 'mandate/contracts';
import type { ChainConnection, MandateRuntime } from 'mandate';
import { codeOf, ErrorCode } from 'mandate/kernel';
import type { TreasurySimulation } from '../TreasurySimulation.ts';
import { ERC20, tokenUnits } from './erc20.ts';

/**
 * The live example's market, on chain: every tick the random-walk EURUSD is published to the
 * EURUSD feed (the operator is its reporter); when the pool's mid price drifts more than 0.3%
 * from it, an arbitrage trade from the operator moves the pool back (which also earns the pool
 * its fees); and the vault is paid yield (5% a year on what it holds) once a minute.
 */
export class ChainMarket {
  readonly #chain: ChainConnection;
  readonly #sim: TreasurySimulation;
  readonly #runtime: Pick<MandateRuntime, 'alert'>;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #inFlight: Promise<void> = Promise.resolve();
  #lastYield = Date.now();

  constructor(chain: ChainConnection, sim: TreasurySimulation, runtime: Pick<MandateRuntime, 'alert'>) {
    this.#chain = chain;
    this.#sim = sim;
    this.#runtime = runtime;
  }

  /** Publishes now, then every `everyMs`. */
  async start(everyMs = 2_000): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => {
      if (this.#busy) return;
      this.#inFlight = this.tick().catch((e: Error) =>
        this.#runtime.alert({
          severity: 'warning',
          code: codeOf(e, ErrorCode.MANDATE_ERR_ORACLE_UNAVAILABLE),
          message: `market tick failed: ${e.message}`,
        }),
      );
    }, everyMs);
    this.#timer.unref();
  }

  /** No more ticks; resolves when the one in flight (if any) has finished, so the chain can close under it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /** One market step on chain. */
  async tick(): Promise<void> {
    this.#busy = true;
    try {
      this.#sim.tick();
      const c = this.#chain.contracts;
      const op = this.#chain.operator();
      const feed = c.feeds.EURUSD!;
      const f = new Contract(feed.address, mandateArtifacts.PriceFeed.abi as never, op);
      await (await f.getFunction('updateAnswer').send(parseUnits(this.#sim.eurusd.toFixed(8), feed.decimals))).wait();
      await this.#arbitrage();
      if (Date.now() - this.#lastYield >= 60_000) await this.#payYield();
    } finally {
      this.#busy = false;
    }
  }

  async #arbitrage(): Promise<void> {
    const c = this.#chain.contracts;
    const { USDC, EURC } = c.tokens as { USDC: string; EURC: string };
    const provider = this.#chain.provider();
    const pair = c.pools['USDC/EURC']!;
    const u = await tokenUnits(provider, USDC, pair);
    const e = await tokenUnits(provider, EURC, pair);
    if (u === 0n || e === 0n) return;
    const mid = Number(u) / Number(e);
    const target = this.#sim.eurusd;
    if (Math.abs(mid - target) / target < 0.003) return;
    // Constant product: the reserves at the target price are sqrt(k·p) USDC and sqrt(k/p) EURC.
    const k = Number(u) * Number(e);
    const uTarget = Math.sqrt(k * target);
    const [sell, buy, amount] =
      uTarget > Number(u) ? [USDC, EURC, uTarget - Number(u)] : [EURC, USDC, Math.sqrt(k / target) - Number(e)];
    const amountIn = BigInt(Math.floor(amount * 1.003));
    if (amountIn <= 0n) return;
    const op = this.#chain.operator();
    const router = c.uniswap.router;
    await (await new Contract(sell, ERC20, op).getFunction('approve').send(router, amountIn)).wait();
    const r = new Contract(router, packagedArtifact('UniswapV2Router02').abi as never, op);
    const deadline = Math.floor(Date.now() / 1000) + 600;
    await (
      await r.getFunction('swapExactTokensForTokens').send(amountIn, 0n, [sell, buy], await op.getAddress(), deadline)
    ).wait();
  }

  async #payYield(): Promise<void> {
    const elapsed = (Date.now() - this.#lastYield) / 1000;
    this.#lastYield = Date.now();
    const vault = this.#chain.contracts.vaults.USDC!;
    const USDC = this.#chain.contracts.tokens.USDC!;
    const held = await tokenUnits(this.#chain.provider(), USDC, vault);
    const yieldUnits = (held * BigInt(Math.floor(elapsed))) / BigInt(20 * 365 * 24 * 3600);
    if (yieldUnits > 0n)
      await (
        await new Contract(USDC, ERC20, this.#chain.operator()).getFunction('transfer').send(vault, yieldUnits)
      ).wait();
  }
}
