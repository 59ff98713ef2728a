/**
 * Signs a replacement for a payment's latest transaction at the same nonce, with both EIP-1559
 * fee fields bumped: either the same call (speed-up of a stuck transaction) or a 0-value
 * self-transfer (cancel). Stored before it is broadcast, like every signed transaction.
 */
import { Transaction, keccak256, type JsonRpcApiProvider } from 'ethers';
import type { TransactionSigner } from '../wallets/TransactionSigner.ts';
import type { Attempt, AttemptStore } from './AttemptStore.ts';
import { broadcastAttempt } from './broadcastAttempt.ts';
import { IntentNotFoundError, ReplacementError } from './errors.ts';
import { bumpFees, estimateEip1559Fees, type Eip1559Fees } from './FeePolicy.ts';
import { signerIn, type SigningContext } from './evmTransaction.ts';
import type { IntentLedger } from './IntentLedger.ts';
import { FINAL_STATUSES } from './PaymentReceipt.ts';
import type { RailSql } from './RailSql.ts';

/** What a replacement needs from its rail. */
export interface ReplaceContext {
  readonly sql: RailSql;
  readonly ledger: IntentLedger;
  readonly attempts: AttemptStore;
  readonly provider: JsonRpcApiProvider;
  readonly signer: TransactionSigner;
  readonly chainId: number;
  readonly from: string;
  readonly feeCap: Eip1559Fees;
  readonly now: () => Date;
  readonly lease?: SigningContext['lease'];
}

/** Replaces the latest attempt of `key` (`replacement`) or cancels it (`cancel`), then broadcasts. */
export async function replaceEvmAttempt(
  key: string,
  purpose: 'replacement' | 'cancel',
  ctx: ReplaceContext,
): Promise<void> {
  let current: Eip1559Fees = { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n };
  try {
    current = await estimateEip1559Fees(ctx.provider, ctx.feeCap);
  } catch {
    // Fees above the cap: bump from the previous attempt only; bumpFees enforces the cap.
  }
  const attempt = await ctx.sql.transaction(async (tx) => {
    const entry = await ctx.ledger.get(key, tx, true);
    if (entry === undefined)
      throw new IntentNotFoundError(`no payment recorded under idempotency key "${key}"; check the key`);
    const list = await ctx.attempts.forKey(key, tx);
    const last = list.at(-1);
    if (FINAL_STATUSES.has(entry.receipt.status) || last === undefined) {
      throw new ReplacementError(
        `payment "${key}" is ${entry.receipt.status} with ${list.length} signed transaction(s): nothing to ${purpose === 'cancel' ? 'cancel' : 'replace'}`,
      );
    }
    const fees = bumpFees(last, current, { cap: ctx.feeCap });
    const prev = Transaction.from(last.rawTx);
    const call =
      purpose === 'cancel'
        ? { to: ctx.from, value: 0n, data: '0x', gasLimit: 21_000n }
        : { to: prev.to, value: prev.value, data: prev.data, gasLimit: prev.gasLimit };
    const raw = await signerIn(ctx, { tx, what: `the ${purpose} of payment "${key}"` }).signTransaction({
      type: 2,
      chainId: BigInt(ctx.chainId),
      nonce: Number(last.nonce),
      ...call,
      ...fees,
    });
    const now = ctx.now();
    const next = {
      txHash: keccak256(raw),
      idempotencyKey: key,
      nonce: last.nonce,
      purpose,
      rawTx: raw,
      ...fees,
    } as const;
    await ctx.attempts.record(tx, { ...next, createdAt: now }, false);
    await ctx.ledger.update(
      key,
      { status: entry.status, receipt: { ...entry.receipt, attempts: [...entry.receipt.attempts, next.txHash] }, now },
      tx,
    );
    return { ...next, status: 'signed', createdAt: now } satisfies Attempt;
  });
  await broadcastAttempt(ctx, attempt);
}
