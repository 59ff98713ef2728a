/**
 * The 1inch swap API v6 (`/swap/v6.0/{chainId}/swap` and `/quote`) as an
 * {@link AggregatorQuoteFormat}. Its answer (`dstAmount`, `tx: { from, to, data, value, gas,
 * gasPrice }`) carries neither a minimum return nor a price impact, so both are established here:
 * the minimum return and the amount sold are decoded from the calldata of the v6 router's
 * `swap` and `unoswap*` methods (other calldata is refused: its minimum cannot be checked), and
 * the impact is measured against a quote for a thousandth of the amount (the marginal price).
 * The spender is the router itself (`tx.to`).
 */
import { getAddress, Interface, toBeHex, parseUnits } from 'ethers';
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

const Token = z.looseObject({ address: QuoteAddress, decimals: z.number().int().min(0).max(36) });

/** The v6 `/swap` answer (with `includeTokensInfo=true`). */
const OneInchSwapAnswer = z.looseObject({
  srcToken: Token.optional(),
  dstToken: Token.optional(),
  dstAmount: QuoteUint,
  tx: z.looseObject({
    from: QuoteAddress,
    to: QuoteAddress,
    data: z.string().regex(/^0x([0-9a-fA-F]{2})+$/),
    value: QuoteUint,
    gas: z.union([z.number().int().nonnegative(), QuoteUint]),
    gasPrice: QuoteUint,
  }),
});

/** The v6 `/quote` answer. */
const OneInchQuoteAnswer = z.looseObject({ dstAmount: QuoteUint });

/** The AggregationRouterV6 methods whose minimum return can be read (its `Address` type is a uint256). */
const ROUTER_V6 = new Interface([
  'function swap(address executor, (address srcToken, address dstToken, address srcReceiver, address dstReceiver, uint256 amount, uint256 minReturnAmount, uint256 flags) desc, bytes data)',
  'function unoswap(uint256 token, uint256 amount, uint256 minReturn, uint256 dex)',
  'function unoswapTo(uint256 to, uint256 token, uint256 amount, uint256 minReturn, uint256 dex)',
  'function unoswap2(uint256 token, uint256 amount, uint256 minReturn, uint256 dex, uint256 dex2)',
  'function unoswap3(uint256 token, uint256 amount, uint256 minReturn, uint256 dex, uint256 dex2, uint256 dex3)',
]);

const ADDRESS_MASK = (1n << 160n) - 1n;
const asAddress = (word: bigint): string => getAddress(toBeHex(word & ADDRESS_MASK, 20));

/** What the router calldata commits to. */
interface RouterCall {
  readonly srcToken: string;
  readonly amount: bigint;
  readonly minReturn: bigint;
  /** Who receives the bought tokens (`undefined`: the caller). */
  readonly receiver: string | undefined;
}

/** Decodes the amount sold, the minimum return and the receiver from v6 router calldata. */
export function decodeOneInchCall(data: string): RouterCall {
  const call = (() => {
    try {
      return ROUTER_V6.parseTransaction({ data });
    } catch {
      return null;
    }
  })();
  if (call === null)
    throw new SwapQuoteError(
      `1inch calldata starts with selector ${data.slice(0, 10)}, not a v6 router method whose minimum return can be checked (swap, unoswap, unoswapTo, unoswap2, unoswap3); nothing was signed`,
    );
  const a = call.args;
  switch (call.name) {
    case 'swap': {
      const desc = a[1] as { srcToken: string; dstReceiver: string; amount: bigint; minReturnAmount: bigint };
      return {
        srcToken: desc.srcToken,
        amount: desc.amount,
        minReturn: desc.minReturnAmount,
        receiver: desc.dstReceiver,
      };
    }
    case 'unoswapTo':
      return {
        srcToken: asAddress(a[1] as bigint),
        amount: a[2] as bigint,
        minReturn: a[3] as bigint,
        receiver: asAddress(a[0] as bigint),
      };
    default:
      return {
        srcToken: asAddress(a[0] as bigint),
        amount: a[1] as bigint,
        minReturn: a[2] as bigint,
        receiver: undefined,
      };
  }
}

/** The 1inch swap API v6 format. `apiKey` is sent as a bearer token. */
export const oneInchQuoteFormat: AggregatorQuoteFormat = {
  async quote({ baseUrl, http, apiKey }, q) {
    const headers: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
    const common = { src: q.sellToken, dst: q.buyToken };
    const marginal = q.sellAmount / 1000n > 0n ? q.sellAmount / 1000n : 1n;
    const [swapBody, marginalBody] = await Promise.all([
      http.json(
        apiUrl(baseUrl, `swap/v6.0/${q.chainId}/swap`, {
          ...common,
          amount: q.sellAmount.toString(),
          from: q.taker,
          origin: q.taker,
          slippage: (q.maxSlippageBps / 100).toString(),
          includeTokensInfo: 'true',
          disableEstimate: 'true',
        }),
        { headers },
      ),
      http.json(apiUrl(baseUrl, `swap/v6.0/${q.chainId}/quote`, { ...common, amount: marginal.toString() }), {
        headers,
      }),
    ]);
    const swap = parseAnswer('1inch', OneInchSwapAnswer, swapBody);
    const small = parseAnswer('1inch', OneInchQuoteAnswer, marginalBody);
    const call = decodeOneInchCall(swap.tx.data);
    const receiverOk = call.receiver === undefined || call.receiver.toLowerCase() === q.taker.toLowerCase();
    if (swap.tx.from.toLowerCase() !== q.taker.toLowerCase() || !receiverOk)
      throw new SwapQuoteError(
        `1inch built the transaction for ${swap.tx.from} paying out to ${call.receiver ?? 'the caller'}, not for the taker ${q.taker}; nothing was signed`,
      );
    const out = BigInt(swap.dstAmount);
    const price = displayPrice(out, call.amount, q);
    const reference = displayPrice(BigInt(small.dstAmount), marginal, q);
    return {
      sellTokenAddress: call.srcToken,
      buyTokenAddress: swap.dstToken?.address ?? q.buyToken,
      sellAmount: call.amount.toString(),
      buyAmount: swap.dstAmount,
      price,
      guaranteedPrice: displayPrice(call.minReturn, call.amount, q),
      estimatedPriceImpact: impactPercent(parseUnits(price, 18), parseUnits(reference, 18)),
      to: swap.tx.to,
      allowanceTarget: swap.tx.to,
      data: swap.tx.data,
      value: swap.tx.value,
    };
  },
};
