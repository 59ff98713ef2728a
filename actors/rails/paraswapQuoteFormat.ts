/**
 * The Paraswap API (`GET /prices` → `priceRoute`, then `POST /transactions/{network}` →
 * `{ from, to, data, value }`) as an {@link AggregatorQuoteFormat}. The minimum the transaction
 * accepts is chosen here: `priceRoute.destAmount` less the agent's bound, sent as the
 * transaction's `destAmount` (for a SELL, the minimum received). The price impact is Paraswap's
 * own valuation of both sides, `1 - destUSD / srcUSD`; the spender is `tokenTransferProxy`.
 */
import { parseUnits } from 'ethers';
import { z } from 'zod';
import {
  apiUrl,
  displayPrice,
  impactPercent,
  parseAnswer,
  QuoteAddress,
  QuoteUint,
  type AggregatorQuoteFormat,
} from './aggregatorQuoteFormat.ts';
import { SwapQuoteError } from './errors.ts';

const usd = z.string().regex(/^\d+(\.\d+)?$/);

/** The `/prices` answer. */
const ParaswapPrices = z.looseObject({
  priceRoute: z.looseObject({
    network: z.number().int().positive(),
    srcToken: QuoteAddress,
    srcDecimals: z.number().int().min(0).max(36),
    srcAmount: QuoteUint,
    destToken: QuoteAddress,
    destDecimals: z.number().int().min(0).max(36),
    destAmount: QuoteUint,
    side: z.literal('SELL'),
    tokenTransferProxy: QuoteAddress,
    contractAddress: QuoteAddress,
    srcUSD: usd,
    destUSD: usd,
  }),
});

/** The `/transactions/{network}` answer. */
const ParaswapTransaction = z.looseObject({
  from: QuoteAddress,
  to: QuoteAddress,
  data: z.string().regex(/^0x([0-9a-fA-F]{2})+$/),
  value: QuoteUint,
});

/** The Paraswap prices + transactions format. `apiKey` is sent as `X-API-KEY`. */
export const paraswapQuoteFormat: AggregatorQuoteFormat = {
  async quote({ baseUrl, http, apiKey }, q) {
    const headers: Record<string, string> = apiKey === undefined ? {} : { 'x-api-key': apiKey };
    const { priceRoute } = parseAnswer(
      'paraswap',
      ParaswapPrices,
      await http.json(
        apiUrl(baseUrl, 'prices', {
          srcToken: q.sellToken,
          destToken: q.buyToken,
          amount: q.sellAmount.toString(),
          srcDecimals: String(q.sellDecimals),
          destDecimals: String(q.buyDecimals),
          side: 'SELL',
          network: String(q.chainId),
          userAddress: q.taker,
        }),
        { headers },
      ),
    );
    if (priceRoute.network !== q.chainId)
      throw new SwapQuoteError(
        `paraswap priced the trade on network ${priceRoute.network}, not ${q.chainId}; nothing was signed`,
      );
    const out = BigInt(priceRoute.destAmount);
    const minimum = (out * BigInt(10_000 - q.maxSlippageBps)) / 10_000n;
    const tx = parseAnswer(
      'paraswap',
      ParaswapTransaction,
      await http.json(apiUrl(baseUrl, `transactions/${q.chainId}`), {
        method: 'POST',
        headers,
        body: {
          srcToken: priceRoute.srcToken,
          destToken: priceRoute.destToken,
          srcAmount: priceRoute.srcAmount,
          destAmount: minimum.toString(),
          srcDecimals: priceRoute.srcDecimals,
          destDecimals: priceRoute.destDecimals,
          priceRoute,
          userAddress: q.taker,
        },
      }),
    );
    if (
      tx.from.toLowerCase() !== q.taker.toLowerCase() ||
      tx.to.toLowerCase() !== priceRoute.contractAddress.toLowerCase()
    )
      throw new SwapQuoteError(
        `paraswap built a transaction from ${tx.from} to ${tx.to}, not from the taker ${q.taker} to the priced contract ${priceRoute.contractAddress}; nothing was signed`,
      );
    const sell = BigInt(priceRoute.srcAmount);
    return {
      sellTokenAddress: priceRoute.srcToken,
      buyTokenAddress: priceRoute.destToken,
      sellAmount: priceRoute.srcAmount,
      buyAmount: priceRoute.destAmount,
      price: displayPrice(out, sell, q),
      guaranteedPrice: displayPrice(minimum, sell, q),
      estimatedPriceImpact: impactPercent(parseUnits(priceRoute.destUSD, 18), parseUnits(priceRoute.srcUSD, 18)),
      to: tx.to,
      allowanceTarget: priceRoute.tokenTransferProxy,
      data: tx.data,
      value: tx.value,
    };
  },
};
