import { parseUnits } from 'ethers';
import { InvalidIntentError } from '../errors.ts';
import type { CryptoIntent } from '../PaymentIntent.ts';
import type { SplAsset } from './SolanaRailOptions.ts';

/** An intent's amount in base units of the mint; zero or too many decimals is a coded error. */
export function splBaseUnits(intent: CryptoIntent, asset: SplAsset): bigint {
  let value: bigint;
  try {
    value = parseUnits(intent.amount, asset.decimals);
  } catch (cause) {
    throw new InvalidIntentError(
      `amount "${intent.amount}" ${intent.asset} has more than ${asset.decimals} decimals; send at most ${asset.decimals} decimals`,
      { cause },
    );
  }
  if (value === 0n)
    throw new InvalidIntentError(`amount "${intent.amount}" ${intent.asset} is zero; send a positive amount`);
  return value;
}
