/**
 * EIP-1559 fee estimation with a cap, and fee bumps for replacing a stuck transaction.
 */
import type { JsonRpcApiProvider } from 'ethers';
import { FeeCapExceededError, ReplacementError } from './errors.ts';

/** EIP-1559 fee fields, in wei. */
export interface Eip1559Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** Percent both fee fields rise on replacement; nodes require at least 10% (geth, Hardhat). */
export const DEFAULT_REPLACEMENT_BUMP_PERCENT = 13n;

/**
 * Reads the base fee of the latest block and the node's suggested tip, and proposes
 * `2 × baseFee + tip`, clipped to `cap`. Throws {@link FeeCapExceededError} when even
 * `baseFee + tip` does not fit under the cap (the transaction could not be included).
 */
export async function estimateEip1559Fees(provider: JsonRpcApiProvider, cap: Eip1559Fees): Promise<Eip1559Fees> {
  const [block, tipHex] = await Promise.all([
    provider.send('eth_getBlockByNumber', ['latest', false]) as Promise<{ baseFeePerGas?: string }>,
    provider.send('eth_maxPriorityFeePerGas', []) as Promise<string>,
  ]);
  const baseFee = BigInt(block.baseFeePerGas ?? '0x0');
  const tip = BigInt(tipHex) < cap.maxPriorityFeePerGas ? BigInt(tipHex) : cap.maxPriorityFeePerGas;
  if (baseFee + tip > cap.maxFeePerGas) {
    throw new FeeCapExceededError(
      `network fees (base ${baseFee} wei + tip ${tip} wei per gas) exceed the cap of ${cap.maxFeePerGas} wei per gas; wait for fees to fall or raise feeCap.maxFeePerGas`,
      { details: { baseFee: baseFee.toString(), tip: tip.toString(), cap: cap.maxFeePerGas.toString() } },
    );
  }
  const wanted = 2n * baseFee + tip;
  return { maxFeePerGas: wanted < cap.maxFeePerGas ? wanted : cap.maxFeePerGas, maxPriorityFeePerGas: tip };
}

/** How far a replacement may go: the fee cap, and the least raise over the previous fees (percent). */
export interface ReplacementPolicy {
  cap: Eip1559Fees;
  bumpPercent?: bigint;
}

/**
 * Fees for a replacement: both fields at least `bumpPercent` above the previous ones (and
 * at least the current estimate), or {@link ReplacementError} when that passes the cap.
 */
export function bumpFees(
  previous: Eip1559Fees,
  current: Eip1559Fees,
  { cap, bumpPercent = DEFAULT_REPLACEMENT_BUMP_PERCENT }: ReplacementPolicy,
): Eip1559Fees {
  const bump = (v: bigint): bigint => (v * (100n + bumpPercent)) / 100n + 1n;
  const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
  const maxPriorityFeePerGas = max(bump(previous.maxPriorityFeePerGas), current.maxPriorityFeePerGas);
  const maxFeePerGas = max(max(bump(previous.maxFeePerGas), current.maxFeePerGas), maxPriorityFeePerGas);
  if (maxFeePerGas > cap.maxFeePerGas || maxPriorityFeePerGas > cap.maxPriorityFeePerGas) {
    throw new ReplacementError(
      `replacing needs fees of ${maxFeePerGas}/${maxPriorityFeePerGas} wei (max/tip), above the cap ${cap.maxFeePerGas}/${cap.maxPriorityFeePerGas}; raise the cap or keep waiting`,
      { details: { maxFeePerGas: maxFeePerGas.toString(), maxPriorityFeePerGas: maxPriorityFeePerGas.toString() } },
    );
  }
  return { maxFeePerGas, maxPriorityFeePerGas };
}
