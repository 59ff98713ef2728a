/**
 * One observation step of a Solana payment against the chain, by signature status.
 *
 * The block height is read first (at `finalized`), then the status of every signature the payment
 * was ever signed with (with the ledger history). A landed signature decides the payment (its
 * error, if any, fails it with fees paid). When none landed and every attempt's
 * `lastValidBlockHeight` is below that finalized height, none of them can ever land: only then is
 * the payment re-signed with a fresh blockhash (or failed, when a node's preflight had refused the
 * transfer itself). Otherwise the stored bytes are rebroadcast unchanged: same signature, so the
 * chain processes them at most once. Nothing is ever paid twice.
 */
import type { Rpc, Signature, SolanaRpcApi } from '@solana/kit';
import { ErrorCode } from '../../../kernel/index.ts';
import type { SpendingLimits } from '../../limits/SpendingLimits.ts';
import { IntentNotFoundError } from '../errors.ts';
import type { IntentLedger } from '../IntentLedger.ts';
import { FINAL_STATUSES, type PaymentReceipt, type PaymentStatus } from '../PaymentReceipt.ts';
import type { RailSql } from '../RailSql.ts';
import type { SolanaAttempt, SolanaAttemptStore } from './SolanaAttemptStore.ts';
import type { SolanaFinality } from './SolanaRailOptions.ts';
import { broadcastTransfer } from './solanaTransfer.ts';

/** What a reconciliation step needs. */
export interface SolanaReconcileContext {
  readonly ledger: IntentLedger;
  readonly attempts: SolanaAttemptStore;
  readonly rpc: Rpc<SolanaRpcApi>;
  readonly finality: SolanaFinality;
  readonly sql: RailSql;
  readonly limits: SpendingLimits | undefined;
  readonly now: () => Date;
  /** Fenced rails: throws `MANDATE_ERR_FENCE_STALE` unless the call's lease is current (before anything is sent or written). */
  readonly assertLease?: (() => Promise<void>) | undefined;
  /**
   * Signs the payment again with a fresh blockhash, unless another process already did: `dead` is
   * the latest attempt found provably dead (all earlier ones are too).
   */
  readonly resign: (key: string, dead: string) => Promise<void>;
}

const REACHED: Record<SolanaFinality, ReadonlySet<string>> = {
  confirmed: new Set(['confirmed', 'finalized']),
  finalized: new Set(['finalized']),
};

/** Reconciles the payment under `key` once and returns its receipt. */
export async function reconcileSolanaPayment(key: string, ctx: SolanaReconcileContext): Promise<PaymentReceipt> {
  const entry = await ctx.ledger.get(key);
  if (entry === undefined)
    throw new IntentNotFoundError(`no payment recorded under idempotency key "${key}"; check the key`);
  if (FINAL_STATUSES.has(entry.receipt.status) || entry.status === 'pending') return entry.receipt;
  // A node whose lease was taken over sends nothing: its successor reconciles the same stored bytes.
  await ctx.assertLease?.();
  const attempts = await ctx.attempts.forKey(key);
  if (attempts.length === 0) return entry.receipt;
  // Order matters: the height first, then the statuses (a signature that lands in between is seen).
  const height = await ctx.rpc.getBlockHeight({ commitment: 'finalized' }).send();
  const statuses = await ctx.rpc
    .getSignatureStatuses(
      attempts.map((a) => a.signature as Signature),
      { searchTransactionHistory: true },
    )
    .send();
  const landedAt = statuses.value.findIndex((s) => s !== null);
  const now = ctx.now();
  if (landedAt >= 0) {
    const landed = attempts[landedAt]!;
    const status = statuses.value[landedAt]!;
    const fee = String(entry.receipt.details['feeLamports'] ?? '0');
    const base: PaymentReceipt = {
      ...entry.receipt,
      reference: landed.signature,
      confirmations: Number(status.confirmations ?? 0),
      fees: [{ asset: 'SOL', amount: fee }],
      submittedAt: entry.receipt.submittedAt ?? now.toISOString(),
      details: { ...entry.receipt.details, slot: Number(status.slot), commitment: status.confirmationStatus },
    };
    if (status.err !== null) {
      const message = `transaction ${landed.signature} landed in slot ${status.slot} but failed (${JSON.stringify(status.err, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}); the fee was paid, nothing was transferred`;
      return settle(ctx, key, {
        status: 'failed',
        receipt: {
          ...base,
          status: 'failed',
          finalizedAt: now.toISOString(),
          failure: { code: ErrorCode.MANDATE_ERR_RAIL_REVERTED, message },
        },
      });
    }
    if (status.confirmationStatus !== null && REACHED[ctx.finality].has(status.confirmationStatus))
      return settle(ctx, key, {
        status: 'confirmed',
        receipt: { ...base, status: 'confirmed', finalizedAt: now.toISOString() },
      });
    await ctx.ledger.update(key, { status: 'submitted', receipt: { ...base, status: 'submitted' }, now: now });
    return base;
  }
  const latest = attempts.at(-1)!;
  if (attempts.every((a) => height > a.lastValidBlockHeight)) return expired(ctx, key, latest);
  return rebroadcast(ctx, key, latest);
}

/** Every attempt is provably dead: fail when a node refused the transfer itself, otherwise sign again. */
async function expired(ctx: SolanaReconcileContext, key: string, latest: SolanaAttempt): Promise<PaymentReceipt> {
  const entry = (await ctx.ledger.get(key))!;
  if (latest.status === 'rejected') {
    const now = ctx.now();
    await ctx.sql.transaction((tx) => ctx.attempts.expireAll(tx, key));
    return settle(ctx, key, {
      status: 'failed',
      receipt: {
        ...entry.receipt,
        status: 'failed',
        finalizedAt: now.toISOString(),
        failure: {
          code: ErrorCode.MANDATE_ERR_RAIL_PREFLIGHT,
          message: `the node refused transaction ${latest.signature} (${latest.reason ?? 'preflight failed'}) and its blockhash expired without it landing; nothing was paid`,
        },
      },
    });
  }
  await ctx.resign(key, latest.signature);
  return rebroadcast(ctx, key, (await ctx.attempts.forKey(key)).at(-1)!);
}

async function rebroadcast(ctx: SolanaReconcileContext, key: string, latest: SolanaAttempt): Promise<PaymentReceipt> {
  const outcome = await broadcastTransfer(ctx.rpc, latest.signature, latest.wireTx);
  const entry = (await ctx.ledger.get(key))!;
  if (outcome.kind === 'rejected') {
    await ctx.attempts.mark(latest.signature, 'rejected', outcome.reason);
    return entry.receipt;
  }
  await ctx.attempts.mark(latest.signature, 'broadcast');
  if (entry.status !== 'signed') return entry.receipt;
  const now = ctx.now();
  const receipt: PaymentReceipt = { ...entry.receipt, status: 'submitted', submittedAt: now.toISOString() };
  await ctx.ledger.update(key, { status: 'submitted', receipt: receipt, now: now });
  return receipt;
}

/** Writes the final receipt and commits (confirmed) or releases the limit reservation, in one transaction when the limits share the database. */
async function settle(
  ctx: SolanaReconcileContext,
  key: string,
  { status, receipt }: { status: PaymentStatus; receipt: PaymentReceipt },
): Promise<PaymentReceipt> {
  const now = ctx.now();
  const shared = ctx.limits !== undefined && ctx.limits.shares(ctx.sql) ? ctx.limits : undefined;
  const written = await ctx.sql.transaction(async (tx) => {
    const ok = await ctx.ledger.update(key, { status: status, receipt: receipt, now: now }, tx);
    if (ok && shared !== undefined) await (status === 'confirmed' ? shared.commit(key, tx) : shared.release(key, tx));
    return ok;
  });
  if (written && ctx.limits !== undefined && shared === undefined)
    await (status === 'confirmed' ? ctx.limits.commit(key) : ctx.limits.release(key));
  // Another process finalized it meanwhile: its receipt stands.
  return written ? receipt : (await ctx.ledger.get(key))!.receipt;
}
