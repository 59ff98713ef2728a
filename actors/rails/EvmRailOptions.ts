/** The EVM rail's configuration and the shapes its callers pass. */
import type { JsonRpcApiProvider } from 'ethers';
import type { ReservationRequest, SpendingLimits } from '../limits/SpendingLimits.ts';
import type { KillSwitch, TransactionSigner } from '../wallets/TransactionSigner.ts';
import type { Eip1559Fees } from './FeePolicy.ts';
import type { RailSql } from './RailSql.ts';
import type { ReceiptCache } from './ReceiptCache.ts';

/** An asset the rail can move. */
export type EvmAsset =
  | { readonly kind: 'native'; readonly decimals: number }
  | { readonly kind: 'erc20'; readonly address: string; readonly decimals: number };

/** A contract call (or plain transfer) to make. */
export interface EvmCall {
  readonly to: string;
  readonly value: bigint;
  readonly data: string;
}

/** Options of {@link EvmRail.execute}. */
export interface EvmExecuteOptions {
  /** Builds the call; runs only while the intent is not yet signed (quotes are taken here). */
  readonly build: () => Promise<EvmCall>;
  /** The budget this call draws on, reserved before signing. */
  readonly reservation?: Omit<ReservationRequest, 'idempotencyKey' | 'agentId' | 'supervisorIds'>;
  /** Name shown in the receipt's `rail`. Default `evm:<chainId>`. */
  readonly receiptRail?: string;
  readonly wait?: boolean;
  /** The fencing token of the placement lease the caller holds the agent under (see {@link EvmRailOptions.fenced}). */
  readonly fence?: number | undefined;
}

/** The placement lease a call on a payment is made under (see {@link EvmRailOptions.fenced}). */
export interface EvmFenced {
  readonly fence?: number | undefined;
}

/** Converts base units of an asset into base units of the reference currency (for limits). */
export type ReferenceValuer = (asset: string, baseUnits: bigint) => bigint | Promise<bigint>;

/** Options of {@link EvmRail.create}. */
export interface EvmRailOptions {
  readonly sql: RailSql;
  /** A provider created with `batchMaxCount: 1` (ethers otherwise delays each call to batch). */
  readonly provider: JsonRpcApiProvider;
  readonly chainId: number;
  readonly signer: TransactionSigner;
  /** Asked before every signature, inside the signing path. */
  readonly killSwitch: KillSwitch;
  /** The agent this rail signs for (kill switch and audit). */
  readonly agentId: string;
  readonly assets: Readonly<Record<string, EvmAsset>>;
  readonly feeCap: Eip1559Fees;
  readonly limits?: SpendingLimits;
  /** Required when `limits` has reference-currency rules. Default: 0 (no reference value). */
  readonly toReference?: ReferenceValuer;
  /** Confirmations before a payment is final. Default 1. */
  readonly confirmations?: number;
  /** A pending transaction older than this is replaced with bumped fees. Default 60 s. */
  readonly stuckAfterMs?: number;
  /** `sendCrypto` stops waiting after this and returns a `submitted` receipt. Default 120 s. */
  readonly maxWaitMs?: number;
  readonly pollIntervalMs?: number;
  /**
   * Placement across nodes: every intent record, failure record, signature and broadcast for the
   * agent must carry its current lease token (`fence` on the call), checked against `mandate_fence`
   * in `sql`'s database inside the same transaction; anything else is refused with
   * `MANDATE_ERR_FENCE_STALE` and nothing is written, signed or sent. Give the limits `fenced` too.
   */
  readonly fenced?: boolean;
  /** Every step except broadcasting; receipts say `would-have-sent`. */
  readonly dryRun?: boolean;
  /** Final receipts are kept here (`REDIS_URL`: Redis; else in process) and `receipt(key)` reads them from it first. */
  readonly receiptCache?: ReceiptCache;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}
