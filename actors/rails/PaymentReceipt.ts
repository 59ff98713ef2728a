/**
 * The normalized result of a payment, whatever the rail.
 */
import type { ErrorCode } from '../../kernel/index.ts';

/** Where a payment stands. `would-have-sent` is the dry-run result; `settled`/`returned` are fiat outcomes. */
export type PaymentStatus =
  'pending' | 'submitted' | 'confirmed' | 'settled' | 'failed' | 'returned' | 'cancelled' | 'would-have-sent';

/** Statuses after which a payment never changes again. */
export const FINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'confirmed',
  'settled',
  'failed',
  'returned',
  'cancelled',
  'would-have-sent',
]);

/** A fee paid for a payment, in base units of `asset`. */
export interface PaymentFee {
  readonly asset: string;
  /** Integer string in the asset's base units (wei for ETH, cents for EUR). */
  readonly amount: string;
}

/** A normalized payment receipt. All amounts are strings; all times are ISO-8601 UTC. */
export interface PaymentReceipt {
  readonly idempotencyKey: string;
  readonly kind: 'crypto' | 'fiat' | 'swap' | 'call';
  /** The rail that executed it, e.g. `evm:31337`, `sandbox-bank`, `uniswap-v2:31337`. */
  readonly rail: string;
  /** Transaction hash, bank end-to-end reference or UETR; the would-be hash in dry-run. */
  readonly reference: string | null;
  readonly status: PaymentStatus;
  readonly confirmations: number;
  readonly fees: readonly PaymentFee[];
  /** Every reference tried for this payment (replacements, rebroadcasts), oldest first. */
  readonly attempts: readonly string[];
  /** Number of chain reorganizations that dropped this payment before it confirmed. */
  readonly reorgs: number;
  readonly createdAt: string;
  readonly submittedAt: string | null;
  readonly finalizedAt: string | null;
  /** Why it failed, with the error code when one applies. */
  readonly failure: { readonly code: ErrorCode; readonly message: string } | null;
  /** Rail-specific facts (block number, amount out of a swap, settlement date). */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}
