/**
 * How an aggregator's quote API is asked and answered, mapped onto the one normalized quote the
 * {@link AggregatorSwapRail} checks (0x v1 field names). Only the 0x format is implemented; a
 * 1inch or Paraswap mapping is another {@link AggregatorQuoteFormat} passed as the rail's `format`.
 */
import { z } from 'zod';

const decimal = z.string().regex(/^\d+(\.\d+)?$/);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

/** The normalized quote the rail relies on (0x v1 names). */
export const AggregatorQuoteSchema = z.object({
  sellTokenAddress: address,
  buyTokenAddress: address,
  sellAmount: z.string().regex(/^\d+$/),
  buyAmount: z.string().regex(/^\d+$/),
  /** Buy tokens per sell token, display units. */
  price: decimal,
  /** Worst price the calldata accepts (the on-chain minimum), display units. */
  guaranteedPrice: decimal,
  /** Percent, e.g. "0.35". */
  estimatedPriceImpact: decimal,
  to: address,
  allowanceTarget: address,
  data: z.string().regex(/^0x([0-9a-fA-F]{2})+$/),
  value: z.string().regex(/^\d+$/),
});
/** A normalized aggregator quote. */
export type AggregatorQuote = z.infer<typeof AggregatorQuoteSchema>;

/** What the rail asks for. Amounts in base units. */
export interface QuoteQuery {
  readonly sellToken: string;
  readonly buyToken: string;
  readonly sellAmount: bigint;
  readonly taker: string;
  readonly maxSlippageBps: number;
  readonly chainId?: number;
}

/** One aggregator API's request and answer format. */
export interface AggregatorQuoteFormat {
  /** The HTTP request for a quote. */
  request(
    baseUrl: string,
    query: QuoteQuery,
    apiKey: string | undefined,
  ): { url: URL; headers: Record<string, string> };
  /** The answer mapped onto {@link AggregatorQuote} (unvalidated: the rail parses it with the schema). */
  normalize(body: unknown, query: QuoteQuery): unknown;
}

/** The 0x `/swap/v1/quote` format (the normalized shape itself). */
export const zeroExQuoteFormat: AggregatorQuoteFormat = {
  request(baseUrl, q, apiKey) {
    const url = new URL('swap/v1/quote', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    url.search = new URLSearchParams({
      sellToken: q.sellToken,
      buyToken: q.buyToken,
      sellAmount: q.sellAmount.toString(),
      takerAddress: q.taker,
      slippagePercentage: (q.maxSlippageBps / 10_000).toString(),
    }).toString();
    const headers: Record<string, string> = {};
    if (apiKey !== undefined) headers['0x-api-key'] = apiKey;
    return { url, headers };
  },
  normalize: (body) => body,
};
