/**
 * Swaps through a DEX aggregator's quote API: the 0x `/swap/v1/quote` format by default, 1inch
 * (`oneInchQuoteFormat`) or Paraswap (`paraswapQuoteFormat`) through `format`, each mapping its
 * API's answer onto the same normalized quote. The answer is parsed with zod and checked before any
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
  type QuoteHttp,
  type QuoteQuery,
} from './aggregatorQuoteFormat.ts';
import type { EvmRail } from './EvmRail.ts';
import { SlippageExceededError, SwapQuoteError } from './errors.ts';
import { SwapIntentSchema, parseIntent, type SwapIntent } from './PaymentIntent.ts';
import type { PaymentReceipt } from './PaymentReceipt.ts';
import type { RailCall, SwapRail } from './Rail.ts';
import { executeSwap, resolveSwap, type ResolvedSwap, type SwapToken } from './swapSupport.ts';

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
  async swapAssets(input: unknown, { fence }: RailCall = {}): Promise<PaymentReceipt> {
    const intent = parseIntent(SwapIntentSchema, input);
    const name = `aggregator:${this.#o.aggregator}`;
    const swap = resolveSwap(intent, this.#o.tokens, name);
    return executeSwap({
      rail: this.#o.rail,
      provider: this.#o.provider,
      intent,
      swap,
      name,
      counterparty: name,
      fence,
      quote: () => this.quote(intent, swap),
      spender: (q) => q.allowanceTarget,
      call: (q) => ({ to: q.to, value: BigInt(q.value), data: q.data }),
    });
  }

  /** Fetches and checks a quote; throws {@link SwapQuoteError} or {@link SlippageExceededError}. */
  async quote(intent: SwapIntent, { tokenIn, tokenOut, amountIn }: ResolvedSwap): Promise<AggregatorQuote> {
    const format = this.#o.format ?? zeroExQuoteFormat;
    const query: QuoteQuery = {
      sellToken: tokenIn.address,
      buyToken: tokenOut.address,
      sellAmount: amountIn,
      sellDecimals: tokenIn.decimals,
      buyDecimals: tokenOut.decimals,
      taker: this.#o.rail.address,
      maxSlippageBps: intent.maxSlippageBps,
      chainId: this.#o.rail.chainId,
    };
    let body: unknown;
    try {
      body = await format.quote({ baseUrl: this.#o.baseUrl, http: this.#http(), apiKey: this.#o.apiKey }, query);
    } catch (cause) {
      if (cause instanceof SwapQuoteError) throw cause;
      throw new SwapQuoteError(
        `${this.#o.aggregator} quote request to ${new URL(this.#o.baseUrl).origin} failed (${(cause as Error).message}); check the API URL and key, and retry later when it was rate limited or slow`,
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
    // One unit of the 18th decimal is rounding (prices are ratios of base-unit amounts).
    if (impactBps > bound || (guaranteed + 1n) * 10_000n < price * (10_000n - bound)) {
      throw new SlippageExceededError(
        `swap ${intent.idempotencyKey}: ${this.#o.aggregator} quotes ${q.estimatedPriceImpact}% impact and a guaranteed price ${q.guaranteedPrice} vs ${q.price}, outside the bound of ${intent.maxSlippageBps} bps; split the trade or raise the bound`,
        { details: { impactBps: impactBps.toString(), maxSlippageBps: intent.maxSlippageBps } },
      );
    }
    return q;
  }

  /** JSON over `fetch` with the rail's timeout; a non-2xx answer is an error naming its status. */
  #http(): QuoteHttp {
    const fetcher = this.#o.fetch ?? fetch;
    const timeoutMs = this.#o.timeoutMs ?? 10_000;
    return {
      async json(url, init = {}) {
        const res = await fetcher(url, {
          method: init.method ?? 'GET',
          headers: {
            accept: 'application/json',
            ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...init.headers,
          },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: AbortSignal.timeout(timeoutMs),
        }).catch((error: unknown) => {
          throw (error as Error).name === 'TimeoutError'
            ? new Error(`no answer from ${url.pathname} within ${timeoutMs} ms`, { cause: error })
            : error;
        });
        if (!res.ok) {
          const retry = res.headers.get('retry-after');
          throw new Error(
            `HTTP ${res.status} from ${url.pathname}${res.status === 429 ? ` (rate limited${retry === null ? '' : `, retry after ${retry}`})` : ''}`,
          );
        }
        return (await res.json()) as unknown;
      },
    };
  }
}
