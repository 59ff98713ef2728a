/**
 * One reconciliation step of an EVM payment against the chain: rebroadcast what the node
 * lacks, count confirmations, detect a reorg that moved or dropped the payment, replace a
 * stuck transaction, and finalize (committing or releasing the spending reservation).
 */
import type { JsonRpcApiProvider } from 'ethers';
import { ErrorCode, isMandateError } from '../../kernel/index.ts';
import type { SpendingLimits } from '../limits/SpendingLimits.ts';
import type { Attempt, AttemptStore } from './AttemptStore.ts';
import { broadcastAttempt } from './broadcastAttempt.ts';
import { IntentNotFoundError } from './errors.ts';
import type { IntentLedger, LedgerUpdate } from './IntentLedger.ts';
import type { RailSql } from './RailSql.ts';
import { FINAL_STATUSES, type PaymentReceipt, type PaymentStatus } from './PaymentReceipt.ts';

/** What {@link reconcileEvmPayment} needs from its rail. */
export interface ReconcileContext {
  readonly ledger: IntentLedger;
  readonly attempts: AttemptStore;
  readonly provider: JsonRpcApiProvider;
  readonly from: string;
  readonly confirmations: number;
  readonly stuckAfterMs: number;
  readonly now: () => Date;
  readonly limits: SpendingLimits | undefined;
  /** The rail's database: the final receipt and the limit settlement commit together when the limits live there too. */
  readonly sql: RailSql;
  /** Fenced rails: throws `MANDATE_ERR_FENCE_STALE` unless the call's lease is current (before anything is sent or written). */
  readonly assertLease?: (() => Promise<void>) | undefined;
  /** Signs and broadcasts a fee-bumped replacement of the latest attempt. */
  readonly replace: (key: string) => Promise<void>;
}

interface RpcReceipt {
  transactionHash: string;
  blockHash: string;
  blockNumber: string;
  status: string;
  gasUsed: string;
  effectiveGasPrice: string;
}

/**
 * Reconciles payment `key` once and returns its updated receipt. Attempts broadcast in this step are marked
 * sent in the settlement's transaction when the payment becomes final here, otherwise right after.
 */
export async function reconcileEvmPayment(key: string, ctx: ReconcileContext): Promise<PaymentReceipt> {
  const sent: string[] = [];
  try {
    return await reconcileStep(key, ctx, sent);
  } finally {
    for (const h of sent.splice(0)) await ctx.attempts.markBroadcast(h);
  }
}

async function reconcileStep(key: string, ctx: ReconcileContext, sent: string[]): Promise<PaymentReceipt> {
  const entry = await ctx.ledger.get(key);
  if (entry === undefined)
    throw new IntentNotFoundError(`no payment recorded under idempotency key "${key}"; check the key`);
  if (FINAL_STATUSES.has(entry.receipt.status) || entry.status === 'pending') return entry.receipt;
  // A node whose lease was taken over sends nothing: its successor reconciles the same stored bytes.
  await ctx.assertLease?.();
  const list = await ctx.attempts.forKey(key);
  for (const a of list) {
    if (a.status !== 'signed') continue;
    if ((await broadcastAttempt(ctx, a, sent)) === 'not-yet') {
      // A lower nonce of this sender is signed but was never sent (its process died): send it first.
      for (const earlier of await ctx.attempts.unsent())
        if (earlier.nonce < a.nonce) await broadcastAttempt(ctx, earlier, sent);
      await broadcastAttempt(ctx, a, sent);
    }
  }
  const [mined, headHex] = await Promise.all([
    findMined(ctx.provider, list),
    ctx.provider.send('eth_blockNumber', []) as Promise<string>,
  ]);
  const now = ctx.now();
  let receipt: PaymentReceipt = {
    ...entry.receipt,
    status: 'submitted',
    submittedAt: entry.receipt.submittedAt ?? now.toISOString(),
  };
  const seenHash = typeof receipt.details['blockHash'] === 'string' ? receipt.details['blockHash'] : null;

  if (mined !== undefined) {
    const { attempt, rpc } = mined;
    // The head may be read a moment before the receipt: never count fewer than the one block it is in.
    const head = BigInt(headHex) > BigInt(rpc.blockNumber) ? BigInt(headHex) : BigInt(rpc.blockNumber);
    const confirmations = Number(head - BigInt(rpc.blockNumber) + 1n);
    const moved = seenHash !== null && seenHash !== rpc.blockHash;
    receipt = {
      ...receipt,
      reference: attempt.txHash,
      confirmations,
      reorgs: receipt.reorgs + (moved ? 1 : 0),
      details: {
        ...receipt.details,
        blockHash: rpc.blockHash,
        blockNumber: Number(BigInt(rpc.blockNumber)),
        minedPurpose: attempt.purpose,
      },
    };
    if (confirmations >= ctx.confirmations) {
      const ok = BigInt(rpc.status) === 1n;
      const status: PaymentStatus = !ok ? 'failed' : attempt.purpose === 'cancel' ? 'cancelled' : 'confirmed';
      receipt = {
        ...receipt,
        status,
        finalizedAt: now.toISOString(),
        fees: [{ asset: 'native', amount: (BigInt(rpc.gasUsed) * BigInt(rpc.effectiveGasPrice)).toString() }],
        failure: ok
          ? null
          : {
              code: ErrorCode.MANDATE_ERR_RAIL_REVERTED,
              message: `transaction ${attempt.txHash} reverted on chain in block ${BigInt(rpc.blockNumber)}`,
            },
      };
      await settle(ctx, key, { status, receipt, now, sent });
      return receipt;
    }
    await ctx.ledger.update(key, { status: 'submitted', receipt, now });
    return receipt;
  }

  const latest = list.at(-1)!;
  if (seenHash !== null) {
    // It was mined in a block that is no longer canonical: a reorg dropped it. Rebroadcast the stored bytes.
    const { blockHash: _dropped, blockNumber: _n, ...details } = receipt.details;
    receipt = {
      ...receipt,
      confirmations: 0,
      reorgs: receipt.reorgs + 1,
      details: { ...details, lastReorgAt: now.toISOString() },
    };
    await ctx.ledger.update(key, { status: 'submitted', receipt, now });
    await broadcastAttempt(ctx, latest);
    return receipt;
  }
  const chainNonce = BigInt((await ctx.provider.send('eth_getTransactionCount', [ctx.from, 'latest'])) as string);
  if (chainNonce > latest.nonce) {
    // Our nonce is used: re-read (the block may have landed between our two reads).
    const again = await findMined(ctx.provider, list);
    if (again !== undefined) return reconcileEvmPayment(key, ctx);
    receipt = {
      ...receipt,
      status: 'failed',
      finalizedAt: now.toISOString(),
      failure: {
        code: ErrorCode.MANDATE_ERR_RAIL_RECONCILE,
        message: `nonce ${latest.nonce} of ${ctx.from} was used by a transaction this rail did not sign; the payment was not made`,
      },
    };
    await settle(ctx, key, { status: 'failed', receipt, now, sent });
    return receipt;
  }
  const pooled = (await ctx.provider.send('eth_getTransactionByHash', [latest.txHash])) as unknown;
  if (pooled === null) {
    await broadcastAttempt(ctx, latest);
  } else if (now.getTime() - latest.createdAt.getTime() >= ctx.stuckAfterMs) {
    try {
      await ctx.replace(key);
      return (await ctx.ledger.get(key))!.receipt;
    } catch (error) {
      // Kill switch engaged or the bump would pass the fee cap: keep the pending transaction and say why.
      if (
        !isMandateError(error) ||
        (error.code !== ErrorCode.MANDATE_ERR_WALLET_SIGNING_HALTED &&
          error.code !== ErrorCode.MANDATE_ERR_RAIL_REPLACEMENT)
      )
        throw error;
      receipt = { ...receipt, details: { ...receipt.details, replacementBlocked: error.code } };
    }
  }
  await ctx.ledger.update(key, { status: 'submitted', receipt, now });
  return receipt;
}

/**
 * Writes the final receipt, commits (confirmed) or releases the limit reservation and marks the attempts
 * broadcast in this step (`sent`, emptied) — one transaction, committed asynchronously: all of it is read
 * back from the chain. If a crash loses it, the payment reads as signed again and `recover()` (which
 * reconciles every open payment at start) finds the same mined transaction and settles it once more;
 * nothing is signed or sent anew. The write-ahead record before the broadcast stays a durable commit.
 */
async function settle(
  ctx: ReconcileContext,
  key: string,
  { status, receipt, now, sent }: LedgerUpdate & { sent: string[] },
): Promise<void> {
  const limits = ctx.limits !== undefined && ctx.limits.shares(ctx.sql) ? ctx.limits : undefined;
  await ctx.sql.transaction(async (tx) => {
    await tx.query('SET LOCAL synchronous_commit = off');
    await ctx.ledger.update(key, { status, receipt, now }, tx);
    await ctx.attempts.markBroadcastIn(tx, sent.splice(0));
    if (limits === undefined) return;
    if (status === 'confirmed') await limits.commit(key, tx);
    else await limits.release(key, tx);
  });
  // Limits kept in another database settle on their own, after the receipt.
  if (ctx.limits === undefined || limits !== undefined) return;
  if (status === 'confirmed') await ctx.limits.commit(key);
  else await ctx.limits.release(key);
}

async function findMined(
  provider: JsonRpcApiProvider,
  list: readonly Attempt[],
): Promise<{ attempt: Attempt; rpc: RpcReceipt } | undefined> {
  for (const attempt of list) {
    const rpc = (await provider.send('eth_getTransactionReceipt', [attempt.txHash])) as RpcReceipt | null;
    if (rpc !== null && rpc.blockHash) return { attempt, rpc };
  }
  return undefined;
}
