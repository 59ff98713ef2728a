/**
 * The Solana rail's dry run: every check and the signature (so the would-be signature is real), the
 * intent recorded under the call's lease; nothing stored on chain, nothing sent.
 */
import type { ReservationRequest } from '../../limits/SpendingLimits.ts';
import { refusalOf } from '../evmTransaction.ts';
import type { CryptoIntent } from '../PaymentIntent.ts';
import { FINAL_STATUSES, type PaymentReceipt } from '../PaymentReceipt.ts';
import { recordRefusal, type RefusalContext } from '../recordRefusal.ts';
import type { SolanaRailOptions, SplAsset } from './SolanaRailOptions.ts';
import { planTransfer, preflightTransfer, signTransfer, type BlockhashLifetime } from './solanaTransfer.ts';

/** What one SPL payment moves: the asset, its amount in base units, and the limit reservation it needs. */
export interface SplPayment {
  readonly asset: SplAsset;
  readonly amount: bigint;
  readonly request: ReservationRequest | undefined;
}

/** What a dry run uses of its rail: options, the refusal context (ledger, limits, lease) and its names. */
export interface SolanaDryRunContext {
  readonly options: SolanaRailOptions;
  readonly refusals: RefusalContext;
  /** The receipts' rail name (`solana:<cluster>`). */
  readonly chain: string;
  readonly lifetime: () => Promise<BlockhashLifetime>;
}

/** Dry-runs `intent` (`amount` base units of `asset`, limits checked with `request`) and returns its receipt. */
export async function dryRunSolanaPayment(
  ctx: SolanaDryRunContext,
  intent: CryptoIntent,
  { asset, amount, request }: SplPayment,
): Promise<PaymentReceipt> {
  const { options: o, refusals: r } = ctx;
  const key = intent.idempotencyKey;
  const entry = await r.sql.transaction(async (tx) => {
    await r.lease?.(tx, `the dry run of payment "${key}"`);
    return r.ledger.begin(intent, { rail: r.rail, now: r.now(), receiptRail: ctx.chain, lockIn: tx });
  });
  if (FINAL_STATUSES.has(entry.receipt.status)) return entry.receipt;
  const refused = await refusalOf(async () => {
    if (request !== undefined) await o.limits!.check(request);
    const plan = await planTransfer({ owner: o.signer.address, to: intent.to, asset, amount });
    const lifetime = await ctx.lifetime();
    const pre = await preflightTransfer({ rpc: o.rpc, signer: o.signer }, plan, lifetime);
    const { signature } = await signTransfer(o.signer, plan, {
      lifetime,
      killSwitch: o.killSwitch,
      agentId: o.agentId,
    });
    const now = r.now();
    const details = { from: o.signer.address, feeLamports: pre.feeLamports.toString(), dryRun: true };
    const receipt: PaymentReceipt = {
      ...entry.receipt,
      status: 'would-have-sent',
      reference: signature,
      attempts: [signature],
      finalizedAt: now.toISOString(),
      details,
    };
    await r.ledger.update(key, { status: 'would-have-sent', receipt: receipt, now: now });
  });
  if (refused === undefined) return (await r.ledger.get(key))!.receipt;
  return (await recordRefusal(r, key, { error: refused }))!;
}
