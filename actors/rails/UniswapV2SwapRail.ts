/**
 * Swaps through a Uniswap V2 router on chain. The quote comes from the pair's reserves
 * (`getAmountsOut`); the swap runs only if its price impact against the mid price is within
 * the agent's `maxSlippageBps`, and `amountOutMin` is set from that bound so the chain itself
 * reverts a worse fill. Approvals and the swap are each exactly-once EVM rail executions.
 */
import { Interface, type JsonRpcApiProvider } from 'ethers';
import type { EvmRail } from './EvmRail.ts';
import { SlippageExceededError, SwapQuoteError } from './errors.ts';
import { SwapIntentSchema, parseIntent, type SwapIntent } from './PaymentIntent.ts';
import type { PaymentReceipt } from './PaymentReceipt.ts';
import type { RailCall, SwapRail } from './Rail.ts';
import { executeSwap, resolveSwap, type ResolvedSwap, type SwapToken } from './swapSupport.ts';

/** Options of {@link UniswapV2SwapRail}. */
export interface UniswapV2SwapRailOptions {
  /** The EVM rail of the trading address: it signs, records and confirms every transaction. */
  readonly rail: EvmRail;
  readonly provider: JsonRpcApiProvider;
  readonly chainId: number;
  /** UniswapV2Router02 address. */
  readonly router: string;
  readonly tokens: Readonly<Record<string, SwapToken>>;
  /** Seconds until the swap's on-chain deadline. Default 600. */
  readonly deadlineSeconds?: number;
  readonly now?: () => Date;
}

/** A quote for a swap. All amounts are base units. */
export interface SwapQuote {
  readonly amountIn: bigint;
  readonly expectedOut: bigint;
  /** Output at the mid price (no fee, no impact). */
  readonly midOut: bigint;
  /** Price impact including the pool fee, in basis points. */
  readonly slippageBps: number;
  readonly amountOutMin: bigint;
}

const ROUTER = new Interface([
  'function factory() view returns (address)',
  'function getAmountsOut(uint256 amountIn, address[] path) view returns (uint256[] amounts)',
  'function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
]);
const FACTORY = new Interface(['function getPair(address, address) view returns (address)']);
const PAIR = new Interface([
  'function getReserves() view returns (uint112, uint112, uint32)',
  'function token0() view returns (address)',
]);

/** One `eth_call` of a contract function: the contract, its ABI, the function and its arguments. */
interface ContractRead {
  to: string;
  iface: Interface;
  fn: string;
  args: unknown[];
}

/** A {@link SwapRail} over a Uniswap V2 deployment. */
export class UniswapV2SwapRail implements SwapRail {
  readonly #o: UniswapV2SwapRailOptions;

  constructor(options: UniswapV2SwapRailOptions) {
    this.#o = options;
  }

  /** Swaps `amountIn` of `assetIn` for `assetOut` exactly once, within the slippage bound. */
  async swapAssets(input: unknown, { fence }: RailCall = {}): Promise<PaymentReceipt> {
    const intent = parseIntent(SwapIntentSchema, input);
    const name = `uniswap-v2:${this.#o.chainId}`;
    const swap = resolveSwap(intent, this.#o.tokens, name);
    const { tokenIn, tokenOut, amountIn } = swap;
    const owner = this.#o.rail.address;
    return executeSwap({
      rail: this.#o.rail,
      provider: this.#o.provider,
      intent,
      swap,
      name,
      counterparty: this.#o.router,
      fence,
      quote: () => this.quote(intent, swap),
      spender: () => this.#o.router,
      mid: (q) => q.midOut,
      call: (q) => {
        const deadline = BigInt(
          Math.floor((this.#o.now?.() ?? new Date()).getTime() / 1000) + (this.#o.deadlineSeconds ?? 600),
        );
        const data = ROUTER.encodeFunctionData('swapExactTokensForTokens', [
          amountIn,
          q.amountOutMin,
          [tokenIn.address, tokenOut.address],
          owner,
          deadline,
        ]);
        return { to: this.#o.router, value: 0n, data };
      },
    });
  }

  /** Quotes a swap from the pool and throws {@link SlippageExceededError} when it is outside the bound. */
  async quote(intent: SwapIntent, { tokenIn, tokenOut, amountIn }: ResolvedSwap): Promise<SwapQuote> {
    const call = async ({ to, iface, fn, args }: ContractRead) =>
      iface.decodeFunctionResult(
        fn,
        (await this.#o.provider.send('eth_call', [
          { to, data: iface.encodeFunctionData(fn, args) },
          'latest',
        ])) as string,
      );
    const [factory] = await call({ to: this.#o.router, iface: ROUTER, fn: 'factory', args: [] });
    const [pair] = await call({
      to: String(factory),
      iface: FACTORY,
      fn: 'getPair',
      args: [tokenIn.address, tokenOut.address],
    });
    if (/^0x0{40}$/i.test(String(pair)))
      throw new SwapQuoteError(
        `no Uniswap V2 pool for ${intent.assetIn}/${intent.assetOut}; pick a pair with liquidity`,
      );
    const [r0, r1] = await call({ to: String(pair), iface: PAIR, fn: 'getReserves', args: [] });
    const [token0] = await call({ to: String(pair), iface: PAIR, fn: 'token0', args: [] });
    const inIs0 = String(token0).toLowerCase() === tokenIn.address.toLowerCase();
    const [reserveIn, reserveOut] = (inIs0 ? [r0, r1] : [r1, r0]) as [bigint, bigint];
    if (reserveIn === 0n || reserveOut === 0n)
      throw new SwapQuoteError(
        `the ${intent.assetIn}/${intent.assetOut} pool is empty; nothing was signed, pick a pair with liquidity`,
      );
    const [amounts] = await call({
      to: this.#o.router,
      iface: ROUTER,
      fn: 'getAmountsOut',
      args: [amountIn, [tokenIn.address, tokenOut.address]],
    });
    const expectedOut = (amounts as bigint[])[1]!;
    const midOut = (amountIn * reserveOut) / reserveIn;
    const slippageBps = midOut === 0n ? 10_000 : Number(((midOut - expectedOut) * 10_000n) / midOut);
    if (slippageBps > intent.maxSlippageBps) {
      throw new SlippageExceededError(
        `swap ${intent.idempotencyKey}: ${intent.amountIn} ${intent.assetIn} → ${intent.assetOut} would move the price ${slippageBps} bps (quoted ${expectedOut} vs mid ${midOut}), above the bound of ${intent.maxSlippageBps} bps; split the trade or raise the bound`,
        {
          details: {
            slippageBps,
            maxSlippageBps: intent.maxSlippageBps,
            expectedOut: expectedOut.toString(),
            midOut: midOut.toString(),
          },
        },
      );
    }
    const amountOutMin = (expectedOut * BigInt(10_000 - intent.maxSlippageBps)) / 10_000n;
    return { amountIn, expectedOut, midOut, slippageBps, amountOutMin };
  }
}
