/**
 * Swaps through a DEX aggregator's quote API: the 0x `/swap/v1/quote` format by default, any
 * other through an {@link AggregatorQuoteFormat} (`format`) that maps its request and answer onto
 * the same normalized quote (1inch and Paraswap mappings are not written yet). The answer is parsed with zod and checked before any
 * signature: same tokens and amount as asked, the target and allowance spender on an allowlist,
 * quoted price impact within the agent's bound, and a guaranteed price no worse than the bound.
 * The returned calldata then runs exactly once through the EVM rail.
 */
import { parseUnits, type JsonRpcApiProvider } from 'ethers';
import {
  AggregatorQuoteSchema,
  zeroExQuoteFormat,
  type AggregatorQuote,
  type AggregatorQuoteFormat,
} from './aggregatorQuoteFormat.ts';
import type { EvmRail } from './EvmRail.ts';
import { SlippageExceededError, SwapQuoteError } from './errors.ts';
import { SwapIntentSchema, parseIntent, type SwapIntent } from './PaymentIntent.ts';
import type { PaymentReceipt } from './PaymentReceipt.ts';
import type { SwapRail } from './Rail.ts';
import { ensureAllowance, resolveSwap, withAmountOut, type ResolvedSwap, type SwapToken } from './swapSupport.ts';

/** Options of {@link AggregatorSwapRail}. */
export interface AggregatorSwapRailOptions {
  readonly rail: EvmRail;
  readonly provider: JsonRpcApiProvider;
  /** Name for receipts, e.g. `0x`, `1inch`. */
  readonly aggregator: string;
  /** Base URL of the quote API. */
  readonly baseUrl: string;
  readonly apiKey?: string;
  /** Contracts the calldata may call and that may pull tokens (exchange proxy, router). */
  readonly allowedTargets: readonly string[];
  readonly tokens: Readonly<Record<string, SwapToken>>;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** The API's request and answer format; default {@link zeroExQuoteFormat}. */
  readonly format?: AggregatorQuoteFormat;
}

/** A {@link SwapRail} over an aggregator quote API. */
export class AggregatorSwapRail implements SwapRail {
  readonly #o: AggregatorSwapRailOptions;

  constructor(options: AggregatorSwapRailOptions) {
    this.#o = options;
  }

  /** Swaps exactly once through the aggregator's calldata, if the quote passes every check. */
  async swapAssets(input: unknown): Promise<PaymentReceipt> {
    const intent = parseIntent(SwapIntentSchema, input);
    const name = `aggregator:${this.#o.aggregator}`;
    const swap = resolveSwap(intent, this.#o.tokens, name);
    const { tokenIn, tokenOut, amountIn } = swap;
    const owner = this.#o.rail.address;
    const previous = await this.#o.rail.receipt(intent.idempotencyKey).catch(() => undefined);
    if (previous === undefined || previous.status === 'pending') {
      const first = await this.quote(intent, swap).catch((error: unknown) => error as Error);
      if (!(first instanceof Error)) {
        const approval = await ensureAllowance({
          rail: this.#o.rail,
          provider: this.#o.provider,
          owner,
          token: tokenIn,
          spender: first.allowanceTarget,
          amount: amountIn,
          intent,
        }).catch((error: unknown) => error as Error);
        // A refused approval refuses the swap with the same code (recorded under the swap's key).
        if (approval instanceof Error)
          return this.#o.rail.execute(intent, { receiptRail: name, build: () => Promise.reject(approval) });
      }
    }
    const receipt = await this.#o.rail.execute(intent, {
      receiptRail: name,
      reservation: {
        asset: intent.assetIn,
        counterparty: name,
        amountNative: amountIn,
        amountReference: await this.#o.rail.referenceValue(intent.assetIn, amountIn),
      },
      build: async () => {
        const q = await this.quote(intent, swap);
        return { to: q.to, value: BigInt(q.value), data: q.data };
      },
    });
    return withAmountOut(receipt, this.#o.provider, { token: tokenOut, recipient: owner });
  }

  /** Fetches and checks a quote; throws {@link SwapQuoteError} or {@link SlippageExceededError}. */
  async quote(intent: SwapIntent, { tokenIn, tokenOut, amountIn }: ResolvedSwap): Promise<AggregatorQuote> {
    const format = this.#o.format ?? zeroExQuoteFormat;
    const query = {
      sellToken: tokenIn.address,
      buyToken: tokenOut.address,
      sellAmount: amountIn,
      taker: this.#o.rail.address,
      maxSlippageBps: intent.maxSlippageBps,
    };
    const { url, headers } = format.request(this.#o.baseUrl, query, this.#o.apiKey);
    let body: unknown;
    try {
      const res = await (this.#o.fetch ?? fetch)(url, {
        headers,
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = format.normalize(await res.json(), query);
    } catch (cause) {
      throw new SwapQuoteError(
        `${this.#o.aggregator} quote request to ${url.origin} failed (${(cause as Error).message}); check the API URL and key`,
        { cause },
      );
    }
    const parsed = AggregatorQuoteSchema.safeParse(body);
    if (!parsed.success) {
      throw new SwapQuoteError(
        `${this.#o.aggregator} answered with a malformed quote (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); nothing was signed`,
      );
    }
    const q = parsed.data;
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    const allowed = (a: string) => this.#o.allowedTargets.some((t) => same(t, a));
    if (
      !same(q.sellTokenAddress, tokenIn.address) ||
      !same(q.buyTokenAddress, tokenOut.address) ||
      BigInt(q.sellAmount) !== amountIn
    ) {
      throw new SwapQuoteError(
        `${this.#o.aggregator} quoted a different trade (${q.sellAmount} of ${q.sellTokenAddress} → ${q.buyTokenAddress}) than asked; nothing was signed`,
      );
    }
    if (!allowed(q.to) || !allowed(q.allowanceTarget)) {
      throw new SwapQuoteError(
        `${this.#o.aggregator} quote targets ${q.to} / spender ${q.allowanceTarget}, not on the allowlist; add the aggregator's contracts to allowedTargets if they are genuine`,
      );
    }
    const impactBps = parseUnits(q.estimatedPriceImpact, 18) / 10n ** 16n; // percent × 100 = bps
    const bound = BigInt(intent.maxSlippageBps);
    const price = parseUnits(q.price, 18);
    const guaranteed = parseUnits(q.guaranteedPrice, 18);
    if (impactBps > bound || guaranteed * 10_000n < price * (10_000n - bound)) {
      throw new SlippageExceededError(
        `swap ${intent.idempotencyKey}: ${this.#o.aggregator} quotes ${q.estimatedPriceImpact}% impact and a guaranteed price ${q.guaranteedPrice} vs ${q.price}, outside the bound of ${intent.maxSlippageBps} bps; split the trade or raise the bound`,
        { details: { impactBps: impactBps.toString(), maxSlippageBps: intent.maxSlippageBps } },
      );
    }
    return q;
  }
}
