import { decodePaymentRequiredHeader } from '@x402/core/http';
import type { PaymentRequired, PaymentRequirements } from '@x402/core/types';
import { formatUnits } from 'ethers';
import type { Perceiver } from '../Actuator.ts';
import { X402RequirementsError } from './errors.ts';

/** The token an agent pays x402 resources in: its address on the chain, symbol and decimals. */
export interface X402Asset {
  readonly chainId: number;
  readonly address: string;
  readonly symbol: string;
  readonly decimals: number;
}

/** What a 402 answer asks for, as a fact: the price as a decimal amount, the payee, and the requirement itself. */
export interface X402QuoteFact {
  url: string;
  price: string;
  asset: string;
  payTo: string;
  requirements: PaymentRequirements;
}

/** The `exact` requirement on `asset`'s chain and token among a 402 answer's `accepts`; throws when there is none. */
export function pickRequirement(required: PaymentRequired, asset: X402Asset, url: string): PaymentRequirements {
  const network = `eip155:${asset.chainId}`;
  const found = required.accepts.find(
    (r) => r.scheme === 'exact' && r.network === network && r.asset.toLowerCase() === asset.address.toLowerCase(),
  );
  if (found === undefined)
    throw new X402RequirementsError(
      `${url} accepts ${required.accepts.map((r) => `${r.scheme} ${r.amount} of ${r.asset} on ${r.network}`).join('; ') || 'nothing'}, none of them exact ${asset.symbol} (${asset.address}) on ${network}.`,
      { details: { url } },
    );
  return found;
}

/** Reads the payment requirements of `url` (a request without payment must answer 402 with `PAYMENT-REQUIRED`). */
export async function quoteX402(url: string, asset: X402Asset, fetchFn: typeof fetch = fetch): Promise<X402QuoteFact> {
  const res = await fetchFn(url);
  await res.body?.cancel();
  const header = res.headers.get('payment-required');
  if (res.status !== 402 || header === null)
    throw new X402RequirementsError(
      `${url} answered ${res.status}${header === null ? ' without a PAYMENT-REQUIRED header' : ''}; an x402 resource answers 402 with its payment requirements.`,
      { details: { url, status: res.status } },
    );
  let required: PaymentRequired;
  try {
    required = decodePaymentRequiredHeader(header);
  } catch (cause) {
    throw new X402RequirementsError(
      `${url} sent a PAYMENT-REQUIRED header that does not decode: ${(cause as Error).message}`,
      {
        details: { url },
        cause,
      },
    );
  }
  const requirements = pickRequirement(required, asset, url);
  return {
    url,
    price: formatUnits(BigInt(requirements.amount), asset.decimals),
    asset: asset.symbol,
    payTo: requirements.payTo,
    requirements,
  };
}

/**
 * A perceiver that asks each URL for its price: the fact `facts[name]` is an {@link X402QuoteFact}, so
 * rules can compare the price before anything is proposed, and the decision proposes `x402.pay` with
 * the quote's amount, payee and requirements (governance checks them before anything is signed).
 */
export function x402QuotePerceiver(
  urls: Readonly<Record<string, string>>,
  asset: X402Asset,
  fetchFn: typeof fetch = fetch,
): Perceiver {
  return async () =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(urls).map(async ([name, url]) => [name, await quoteX402(url, asset, fetchFn)] as const),
      ),
    );
}
