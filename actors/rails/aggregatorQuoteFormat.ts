/**
 * How an aggregator's quote API is asked and answered, mapped onto the one normalized quote the
 * {@link AggregatorSwapRail} checks (0x v1 field names). Three formats: {@link zeroExQuoteFormat}
 * (here), `oneInchQuoteFormat` (1inch swap API v6) and `paraswapQuoteFormat` (prices +
 * transactions). Each validates its API's own answer with zod and throws {@link SwapQuoteError}
 * naming the bad field; the rail then parses the mapped quote with {@link AggregatorQuoteSchema}
 * and applies the same checks whatever the aggregator.
 */
import { formatUnits } from 'ethers';
import { z } from 'zod';
import { SwapQuoteError } from './errors.ts';

const decimal = z.string().regex(/^\d+(\.\d+)?$/);
/** A 0x-prefixed 20-byte address. */
export const QuoteAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
/** An integer amount in base units, as a string. */
export const QuoteUint = z.string().regex(/^\d+$/);

/** The normalized quote the rail relies on (0x v1 names). */
export const AggregatorQuoteSchema = z.object({
  sellTokenAddress: QuoteAddress,
  buyTokenAddress: QuoteAddress,
  sellAmount: QuoteUint,
  buyAmount: QuoteUint,
  /** Buy tokens per sell token, display units. */
  price: decimal,
  /** Worst price the calldata accepts (the on-chain minimum), display units. */
  guaranteedPrice: decimal,
  /** Percent, e.g. "0.35". */
  estimatedPriceImpact: decimal,
  to: QuoteAddress,
  allowanceTarget: QuoteAddress,
  data: z.string().regex(/^0x([0-9a-fA-F]{2})+$/),
  value: QuoteUint,
});
/** A normalized aggregator quote. */
export type AggregatorQuote = z.infer<typeof AggregatorQuoteSchema>;

/** What the rail asks for. Amounts in base units. */
export interface QuoteQuery {
  readonly sellToken: string;
  readonly buyToken: string;
  readonly sellAmount: bigint;
  readonly sellDecimals: number;
  readonly buyDecimals: number;
  readonly taker: string;
  readonly maxSlippageBps: number;
  readonly chainId: number;
}

/** The HTTP client a format uses: JSON in and out, non-2xx and timeouts thrown. */
export interface QuoteHttp {
  json(
    url: URL,
    init?: { method?: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> },
  ): Promise<unknown>;
}

/** Where an aggregator API is and how it is called. */
export interface QuoteApi {
  baseUrl: string;
  http: QuoteHttp;
  apiKey: string | undefined;
}

/** One aggregator API's request and answer format. */
export interface AggregatorQuoteFormat {
  /** Asks the API (one or more requests) and maps its answer onto {@link AggregatorQuote} (unvalidated). */
  quote(api: QuoteApi, query: QuoteQuery): Promise<unknown>;
}

/** `path` under `baseUrl` (which may or may not end with a slash). */
export function apiUrl(baseUrl: string, path: string, params: Record<string, string> = {}): URL {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.search = new URLSearchParams(params).toString();
  return url;
}

/** Parses `body` with the API's own schema, or throws {@link SwapQuoteError} naming the fields. */
export function parseAnswer<T>(aggregator: string, schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new SwapQuoteError(
    `${aggregator} answered with a malformed quote (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); nothing was signed`,
  );
}

/** `buy / sell` in display units (buy tokens per sell token), 18 decimals. */
export function displayPrice(buy: bigint, sell: bigint, q: Pick<QuoteQuery, 'sellDecimals' | 'buyDecimals'>): string {
  return formatUnits((buy * 10n ** BigInt(18 + q.sellDecimals)) / (sell * 10n ** BigInt(q.buyDecimals)), 18);
}

/** Percent by which `price` is below `reference` (0 when not below), 18 decimals. */
export function impactPercent(price: bigint, reference: bigint): string {
  if (reference === 0n || price >= reference) return '0';
  return formatUnits(((reference - price) * 10n ** 20n) / reference, 18);
}

/** The 0x `/swap/v1/quote` format (the normalized shape itself). */
export const zeroExQuoteFormat: AggregatorQuoteFormat = {
  quote({ baseUrl, http, apiKey }, q) {
    const url = apiUrl(baseUrl, 'swap/v1/quote', {
      sellToken: q.sellToken,
      buyToken: q.buyToken,
      sellAmount: q.sellAmount.toString(),
      takerAddress: q.taker,
      slippagePercentage: (q.maxSlippageBps / 10_000).toString(),
    });
    return http.json(url, { headers: apiKey === undefined ? {} : { '0x-api-key': apiKey } });
  },
};
