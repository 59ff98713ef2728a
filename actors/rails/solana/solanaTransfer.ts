/**
 * One SPL token transfer as a Solana transaction: the payee's associated token account is created
 * when missing (the idempotent ATA instruction, so a race with another payer cannot fail it), then
 * `TransferChecked` (mint and decimals checked by the token program). Preflight reads balances
 * over RPC and refuses before signing what the chain would refuse; signing asks the kill switch.
 */
import {
  address,
  appendTransactionMessageInstructions,
  compileTransaction,
  createTransactionMessage,
  getBase64Decoder,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  isSolanaError,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  type Address,
  type Blockhash,
  type Rpc,
  type SolanaRpcApi,
  type TransactionMessageBytesBase64,
  type TransactionSigner,
} from '@solana/kit';
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from '@solana-program/token';
import { SigningHaltedError } from '../../wallets/errors.ts';
import type { KillSwitch } from '../../wallets/TransactionSigner.ts';
import { BroadcastError, PreflightError } from '../errors.ts';
import type { SplAsset } from './SolanaRailOptions.ts';

/** Size of an SPL token account (its rent-exempt minimum is paid when the rail creates one). */
const TOKEN_ACCOUNT_SIZE = 165n;

/** What one transfer moves, resolved to token accounts. */
export interface TransferPlan {
  readonly owner: Address;
  readonly to: Address;
  readonly mint: Address;
  readonly source: Address;
  readonly destination: Address;
  readonly amount: bigint;
  readonly decimals: number;
}

/** A blockhash and the last block height at which a transaction using it can land. */
export interface BlockhashLifetime {
  readonly blockhash: Blockhash;
  readonly lastValidBlockHeight: bigint;
}

/** A signed transfer: its signature (the transaction id) and base64 wire bytes. */
export interface SignedTransfer {
  readonly signature: string;
  readonly wireTx: string;
}

/** Resolves the payer's and payee's associated token accounts for `asset`. */
export async function planTransfer({
  owner,
  to,
  asset,
  amount,
}: {
  owner: Address;
  to: string;
  asset: SplAsset;
  amount: bigint;
}): Promise<TransferPlan> {
  const mint = address(asset.mint);
  const payee = address(to);
  const [[source], [destination]] = await Promise.all([
    findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS }),
    findAssociatedTokenPda({ owner: payee, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS }),
  ]);
  return { owner, to: payee, mint, source, destination, amount, decimals: asset.decimals };
}

function transferMessage(signer: TransactionSigner, plan: TransferPlan, lifetime: BlockhashLifetime) {
  return pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(signer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) =>
      appendTransactionMessageInstructions(
        [
          getCreateAssociatedTokenIdempotentInstruction({
            payer: signer,
            owner: plan.to,
            mint: plan.mint,
            ata: plan.destination,
          }),
          getTransferCheckedInstruction({
            source: plan.source,
            mint: plan.mint,
            destination: plan.destination,
            authority: signer,
            amount: plan.amount,
            decimals: plan.decimals,
          }),
        ],
        m,
      ),
  );
}

/**
 * Reads the token balance, the payee's token account, the lamports for fees and rent and the fee
 * of the message; throws {@link PreflightError} when the transfer cannot succeed. Returns the fee
 * (lamports) and whether the payee's token account will be created.
 */
export async function preflightTransfer(
  { rpc, signer }: { rpc: Rpc<SolanaRpcApi>; signer: TransactionSigner },
  plan: TransferPlan,
  lifetime: BlockhashLifetime,
): Promise<{ feeLamports: bigint; createsAccount: boolean; rentLamports: bigint }> {
  const message = getBase64Decoder().decode(
    compileTransaction(transferMessage(signer, plan, lifetime)).messageBytes,
  ) as TransactionMessageBytesBase64;
  const [held, payeeAccount, lamports, rent, fee] = await Promise.all([
    rpc
      .getTokenAccountBalance(plan.source, { commitment: 'confirmed' })
      .send()
      .then((r) => BigInt(r.value.amount))
      .catch((error: unknown) => {
        // A payer without a token account holds nothing of the mint.
        if (isSolanaError(error)) return 0n;
        throw error;
      }),
    rpc.getAccountInfo(plan.destination, { encoding: 'base64', commitment: 'confirmed' }).send(),
    rpc.getBalance(plan.owner, { commitment: 'confirmed' }).send(),
    rpc.getMinimumBalanceForRentExemption(TOKEN_ACCOUNT_SIZE).send(),
    rpc.getFeeForMessage(message, { commitment: 'confirmed' }).send(),
  ]);
  if (held < plan.amount)
    throw new PreflightError(
      `insufficient funds: ${plan.owner} holds ${held} base units of mint ${plan.mint}, the payment needs ${plan.amount}; fund the wallet's token account ${plan.source} or pay less`,
      { details: { reason: 'insufficient-token-balance', held: held.toString(), needed: plan.amount.toString() } },
    );
  const createsAccount = payeeAccount.value === null;
  const rentLamports = createsAccount ? rent : 0n;
  if (fee.value === null)
    throw new BroadcastError(
      `the node does not know blockhash ${lifetime.blockhash} it just handed out (a load-balanced RPC behind?); nothing was signed, send the intent again`,
    );
  const feeLamports = fee.value;
  if (lamports.value < feeLamports + rentLamports)
    throw new PreflightError(
      `insufficient funds: ${plan.owner} has ${lamports.value} lamports, the transaction needs ${feeLamports} for the fee${createsAccount ? ` and ${rentLamports} rent for the payee's new token account` : ''}; fund the wallet with SOL`,
      { details: { reason: 'insufficient-sol', held: lamports.value.toString() } },
    );
  return { feeLamports, createsAccount, rentLamports };
}

/** Signs the transfer under `lifetime` after asking the kill switch. Nothing is sent. */
export async function signTransfer(
  signer: TransactionSigner,
  plan: TransferPlan,
  context: { lifetime: BlockhashLifetime; killSwitch: KillSwitch; agentId: string },
): Promise<SignedTransfer> {
  const capabilities = ['payments.crypto.send'];
  if (await context.killSwitch.isEngaged(context.agentId, capabilities))
    throw new SigningHaltedError(
      `kill switch engaged for agent "${context.agentId}" (capabilities ${capabilities.join(', ')}): refusing to sign; an operator must release the kill switch first`,
      { details: { agentId: context.agentId, capabilities } },
    );
  const signed = await signTransactionMessageWithSigners(transferMessage(signer, plan, context.lifetime));
  return { signature: getSignatureFromTransaction(signed), wireTx: getBase64EncodedWireTransaction(signed) };
}

/** What a node said to a broadcast. */
export type BroadcastOutcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'already-processed' }
  | { readonly kind: 'rejected'; readonly reason: string };

/**
 * Sends stored wire bytes (with the node's preflight simulation). A transport failure is thrown as
 * {@link BroadcastError}: the bytes may or may not have reached the node, so only the signature status can tell.
 */
export async function broadcastTransfer(
  rpc: Rpc<SolanaRpcApi>,
  signature: string,
  wireTx: string,
): Promise<BroadcastOutcome> {
  try {
    await rpc
      .sendTransaction(wireTx as Parameters<Rpc<SolanaRpcApi>['sendTransaction']>[0], {
        encoding: 'base64',
        preflightCommitment: 'confirmed',
      })
      .send();
    return { kind: 'accepted' };
  } catch (error) {
    if (!isSolanaError(error, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE))
      throw new BroadcastError(
        `sending transaction ${signature} failed (${(error as Error).message.slice(0, 200)}); the signed bytes stay stored and are sent again by the next reconcile or recover (same signature, paid at most once)`,
        { cause: error },
      );
    const cause = error.cause;
    if (isSolanaError(cause, SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED)) return { kind: 'already-processed' };
    // An unknown blockhash is not a verdict on the transfer: it may be too new for this node, or expired (decided by block height).
    if (isSolanaError(cause, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND)) return { kind: 'accepted' };
    const logs = (error.context as { logs?: readonly string[] | null }).logs ?? [];
    const text = [cause instanceof Error ? cause.message : error.message, ...logs.slice(-2)].join(' | ');
    return { kind: 'rejected', reason: text.slice(0, 300) };
  }
}
