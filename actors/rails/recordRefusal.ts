/**
 * The EVM rail's writes around a refusal and a recovery, under the call's placement lease: the
 * failed receipt of a payment refused before the chain, and whether this node may recover at all.
 */
import { ErrorCode, isMandateError, type MandateError } from '../../kernel/index.ts';
import type { SpendingLimits } from '../limits/SpendingLimits.ts';
import type { SigningContext } from './evmTransaction.ts';
import type { IntentLedger } from './IntentLedger.ts';
import type { PaymentIntent } from './PaymentIntent.ts';
import type { PaymentReceipt } from './PaymentReceipt.ts';
import type { RailSql } from './RailSql.ts';

/** What a refusal is recorded with: the rail's ledger partition, its limits and the call's lease. */
export interface RefusalContext {
  readonly sql: RailSql;
  readonly ledger: IntentLedger;
  readonly limits: SpendingLimits | undefined;
  /** The ledger partition (`EvmRail.name`). */
  readonly rail: string;
  readonly now: () => Date;
  readonly lease: SigningContext['lease'];
}

/** An intent a refusal records as failed first (its signing transaction rolled back), and the name its receipt shows. */
export interface RefusedIntent {
  readonly intent: PaymentIntent;
  readonly receiptRail: string;
}

/**
 * Records payment `key`, refused before the chain, as failed — with `record`, first records its intent
 * and then only while it is still pending (undefined otherwise: another process paid it meanwhile) —
 * in one transaction under the call's lease, then releases its reservation.
 */
export async function recordRefusal(
  ctx: RefusalContext,
  key: string,
  { error, record }: { error: MandateError; record?: RefusedIntent | undefined },
): Promise<PaymentReceipt | undefined> {
  const now = ctx.now();
  const receipt = await ctx.sql.transaction(async (tx) => {
    await ctx.lease?.(tx, `the failure record of payment "${key}"`);
    if (record !== undefined) {
      const entry = await ctx.ledger.begin(record.intent, {
        rail: ctx.rail,
        now,
        receiptRail: record.receiptRail,
        lockIn: tx,
      });
      if (entry.status !== 'pending') return undefined;
    }
    return ctx.ledger.fail(key, { error, now }, tx);
  });
  if (receipt !== undefined) await ctx.limits?.release(key);
  return receipt;
}

/** Whether the call's lease is the agent's current one (always true for an unfenced rail). */
export async function holdsLease(sql: RailSql, lease: SigningContext['lease']): Promise<boolean> {
  if (lease === undefined) return true;
  try {
    await sql.transaction((tx) => lease(tx, 'recovery'));
    return true;
  } catch (error) {
    if (isMandateError(error) && error.code === ErrorCode.MANDATE_ERR_FENCE_STALE) return false;
    throw error;
  }
}

/** The call's lease as a check in a short transaction of its own (undefined for an unfenced rail). */
export function leaseCheck(c: Pick<SigningContext, 'sql' | 'lease'>, what: string): (() => Promise<void>) | undefined {
  const lease = c.lease;
  return lease === undefined ? undefined : () => c.sql.transaction((tx) => lease(tx, what));
}
