/** The Solana rail's configuration and the intent shape it accepts. */
import { isAddress, type Rpc, type SolanaRpcApi, type TransactionSigner } from '@solana/kit';
import { z } from 'zod';
import type { SpendingLimits } from '../../limits/SpendingLimits.ts';
import type { KillSwitch } from '../../wallets/TransactionSigner.ts';
import type { ReferenceValuer } from '../EvmRailOptions.ts';
import { CryptoIntentSchema } from '../PaymentIntent.ts';
import type { RailSql } from '../RailSql.ts';

/** An SPL token the rail can move (a USDC-like mint): its mint address and decimals. */
export interface SplAsset {
  readonly kind: 'spl';
  readonly mint: string;
  readonly decimals: number;
}

/** The commitment a payment must reach before it is final. */
export type SolanaFinality = 'confirmed' | 'finalized';

/** Options of {@link SolanaRail.create}. */
export interface SolanaRailOptions {
  readonly sql: RailSql;
  /** A `@solana/kit` RPC client (`createSolanaRpc(url)`): every chain access goes through the JSON-RPC API. */
  readonly rpc: Rpc<SolanaRpcApi>;
  /**
   * The cluster as the CAIP-2 reference: the first 32 characters of its genesis hash
   * (`5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp` for mainnet-beta). Intents name it as `solana:<cluster>`.
   */
  readonly cluster: string;
  /** Signs for the paying wallet (its address is the fee payer and the token owner). */
  readonly signer: TransactionSigner;
  /** Asked before every signature, including a re-signature after a blockhash expired. */
  readonly killSwitch: KillSwitch;
  readonly agentId: string;
  readonly assets: Readonly<Record<string, SplAsset>>;
  readonly limits?: SpendingLimits;
  /** Required when `limits` has reference-currency rules. */
  readonly toReference?: ReferenceValuer;
  /** Default `confirmed`. */
  readonly finality?: SolanaFinality;
  /** `sendCrypto` stops waiting after this and returns a `submitted` receipt. Default 120 s. */
  readonly maxWaitMs?: number;
  readonly pollIntervalMs?: number;
  /**
   * Several runtime nodes on one database: every call must carry the agent's current placement lease
   * token (`fence`), checked against `mandate_fence` in the write-ahead transaction, before each
   * (re-)signature and before each broadcast; a stale one is refused with `MANDATE_ERR_FENCE_STALE` and
   * nothing is written, signed or sent. The database must be the runtime's (where `mandate_fence`
   * lives). Give the limits `fenced` too.
   */
  readonly fenced?: boolean;
  /** Every step except storing and sending; receipts say `would-have-sent` with the would-be signature. */
  readonly dryRun?: boolean;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A base58 Solana address (32 bytes). */
const SolanaAddress = z
  .string()
  .regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'a base58 Solana address')
  .refine((s) => isAddress(s), 'a base58 Solana address of 32 bytes');

/** A crypto intent paid on Solana: the same shape as every `sendCrypto` intent, with a Solana payee and chain. */
export const SolanaCryptoIntentSchema = CryptoIntentSchema.extend({
  to: SolanaAddress,
  chain: z.string().regex(/^solana:[1-9A-HJ-NP-Za-km-z]{32}$/, 'a CAIP-2 Solana chain id such as "solana:<genesis>"'),
});
