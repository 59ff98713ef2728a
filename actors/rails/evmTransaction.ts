/**
 * The EVM rail's signing steps, each a function of what it needs: the unsigned EIP-1559
 * transaction (gas preflight, fees under the cap, the chain's nonce count — fetched in parallel),
 * signing it in one database transaction with its nonce and stored bytes, and the dry-run
 * variant that signs without storing a nonce or sending.
 */
import { keccak256, parseUnits, type JsonRpcApiProvider, type TransactionLike } from 'ethers';
import { ErrorCode, isMandateError, type MandateError } from '../../kernel/index.ts';
import { fencedSigner } from '../wallets/fencedSigner.ts';
import type { TransactionSigner } from '../wallets/TransactionSigner.ts';
import type { AttemptStore } from './AttemptStore.ts';
import { InvalidIntentError, PreflightError, UnsupportedIntentError } from './errors.ts';
import type { EvmAsset, EvmCall } from './EvmRailOptions.ts';
import { estimateEip1559Fees, type Eip1559Fees } from './FeePolicy.ts';
import type { IntentLedger, LedgerEntry } from './IntentLedger.ts';
import type { CryptoIntent } from './PaymentIntent.ts';
import type { PaymentReceipt } from './PaymentReceipt.ts';
import type { RailSql } from './RailSql.ts';

/** Error codes that mean "refused before anything was signed": the intent fails for good. */
const REFUSALS = new Set<ErrorCode>([
  ErrorCode.MANDATE_ERR_LIMIT_EXCEEDED,
  ErrorCode.MANDATE_ERR_WALLET_SIGNING_HALTED,
  ErrorCode.MANDATE_ERR_RAIL_FEE_CAP,
  ErrorCode.MANDATE_ERR_RAIL_PREFLIGHT,
  ErrorCode.MANDATE_ERR_SWAP_SLIPPAGE,
  ErrorCode.MANDATE_ERR_SWAP_QUOTE,
]);

/** Runs `step`; a refusal (see REFUSALS) is returned, anything else thrown. */
export async function refusalOf(step: () => Promise<void>): Promise<MandateError | undefined> {
  try {
    await step();
    return undefined;
  } catch (error) {
    if (isMandateError(error) && REFUSALS.has(error.code)) return error;
    throw error;
  }
}

/** What the signing steps share. */
export interface SigningContext {
  readonly sql: RailSql;
  readonly provider: JsonRpcApiProvider;
  readonly chainId: number;
  readonly from: string;
  readonly feeCap: Eip1559Fees;
  readonly signer: TransactionSigner;
  readonly ledger: IntentLedger;
  readonly attempts: AttemptStore;
  readonly now: () => Date;
  /** The placement fence of the call (fenced rails): throws `MANDATE_ERR_FENCE_STALE` in `tx` unless its lease is current. */
  readonly lease?: ((tx: RailSql, what: string) => Promise<void>) | undefined;
}

/** `c`'s signer, fenced inside `tx` by the call's lease when the rail is fenced. */
export function signerIn(
  c: Pick<SigningContext, 'signer' | 'lease'>,
  { tx, what }: { tx: RailSql; what: string },
): TransactionSigner {
  const lease = c.lease;
  return lease === undefined ? c.signer : fencedSigner(c.signer, () => lease(tx, what));
}

/** A transaction ready to sign but for its nonce, and the chain's nonce count for the sender. */
export interface UnsignedTransaction {
  unsigned: TransactionLike<string>;
  chainNext: bigint;
}

/** A payment to sign and store under its idempotency `key`; `admit` records (or locks) the intent in the same commit. */
export interface PaymentToSign extends UnsignedTransaction {
  key: string;
  admit?: (tx: RailSql) => Promise<LedgerEntry>;
}

/** Gas preflight, fee estimate and the chain's nonce count, fetched in parallel (one round trip of latency). */
export async function unsignedTransaction(c: SigningContext, call: EvmCall): Promise<UnsignedTransaction> {
  const gas = async (): Promise<bigint> => {
    if (call.data === '0x') return 21_000n;
    try {
      const estimate = BigInt(
        (await c.provider.send('eth_estimateGas', [
          { from: c.from, to: call.to, data: call.data, value: `0x${call.value.toString(16)}` },
        ])) as string,
      );
      // 1.5×: a block mined a second after the estimate can take costlier paths (Uniswap V2 writes its
      // price accumulators from zero the first time time has passed, ~44k gas more than estimated).
      return (estimate * 15n) / 10n;
    } catch (cause) {
      throw new PreflightError(
        `call to ${call.to} would revert (${(cause as Error).message.slice(0, 200)}); check the balance and allowances of ${c.from}`,
        { cause },
      );
    }
  };
  const [gasLimit, fees, chainNext] = await Promise.all([
    gas(),
    estimateEip1559Fees(c.provider, c.feeCap),
    c.provider.send('eth_getTransactionCount', [c.from, 'pending']).then((n: string) => BigInt(n)),
  ]);
  return {
    unsigned: {
      type: 2,
      chainId: BigInt(c.chainId),
      to: call.to,
      value: call.value,
      data: call.data,
      gasLimit,
      ...fees,
    },
    chainNext,
  };
}

/**
 * In ONE database transaction: lock the intent and the nonce, sign, store the raw bytes, advance the nonce.
 * With `admit`, that transaction first records (or locks) the intent and reserves its limits itself, so the
 * write-ahead record, the reservation and the signed bytes are one durable commit before any broadcast.
 */
export async function signAndStore(
  c: SigningContext,
  { key, unsigned, chainNext, admit }: PaymentToSign,
): Promise<void> {
  await c.sql.transaction(async (tx) => {
    const locked = admit === undefined ? await c.ledger.get(key, tx, true) : await admit(tx);
    if (locked?.status !== 'pending') return; // another process signed it meanwhile
    const nonce = await c.attempts.lockNextNonce(tx, chainNext);
    const signer = signerIn(c, { tx, what: `the signature of payment "${key}"` });
    const raw = await signer.signTransaction({ ...unsigned, nonce: Number(nonce) });
    const txHash = keccak256(raw);
    const now = c.now();
    const receipt: PaymentReceipt = {
      ...locked.receipt,
      reference: txHash,
      attempts: [txHash],
      details: { ...locked.receipt.details, from: c.from, nonce: Number(nonce) },
    };
    const fees = {
      maxFeePerGas: unsigned.maxFeePerGas as bigint,
      maxPriorityFeePerGas: unsigned.maxPriorityFeePerGas as bigint,
    };
    await c.attempts.recordPayment(
      tx,
      { txHash, idempotencyKey: key, nonce, rawTx: raw, ...fees, createdAt: now },
      receipt,
    );
  });
}

/** Dry-run: signs at the next nonce (nothing stored, nothing sent) and records `would-have-sent`. */
export async function signDryRun(
  c: SigningContext,
  entry: LedgerEntry,
  { unsigned, chainNext }: UnsignedTransaction,
): Promise<void> {
  const stored = await c.attempts.peekNextNonce();
  const nonce = stored !== undefined && stored > chainNext ? stored : chainNext;
  const raw = await c.signer.signTransaction({ ...unsigned, nonce: Number(nonce) });
  const now = c.now();
  const hash = keccak256(raw);
  const receipt: PaymentReceipt = {
    ...entry.receipt,
    status: 'would-have-sent',
    reference: hash,
    attempts: [hash],
    finalizedAt: now.toISOString(),
    details: { from: c.from, nonce: Number(nonce), dryRun: true },
  };
  await c.ledger.update(entry.intent.idempotencyKey, { status: 'would-have-sent', receipt, now });
}

/** An intent's amount in base units of its asset; zero or too many decimals is a coded error. */
export function toBaseUnits(intent: CryptoIntent, asset: EvmAsset): bigint {
  try {
    const value = parseUnits(intent.amount, asset.decimals);
    if (value === 0n) throw new Error('zero');
    return value;
  } catch (cause) {
    throw new InvalidIntentError(
      `amount "${intent.amount}" ${intent.asset} is zero or has more than ${asset.decimals} decimals; send a positive amount with at most ${asset.decimals} decimals`,
      { cause },
    );
  }
}

/** The configured asset `symbol` of the rail named `rail`; `MANDATE_ERR_RAIL_UNSUPPORTED` naming the configured ones otherwise. */
export function evmAssetOf(assets: Readonly<Record<string, EvmAsset>>, symbol: string, rail: string): EvmAsset {
  const asset = assets[symbol];
  if (asset === undefined)
    throw new UnsupportedIntentError(
      `asset "${symbol}" is not configured on rail ${rail}; configure it or use one of: ${Object.keys(assets).join(', ')}`,
    );
  return asset;
}
