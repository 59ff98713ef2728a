/**
 * The EVM rail (ethers v6): native and ERC-20 transfers, exactly-once in effect.
 *
 * Order of a payment: record the intent (write-ahead) → reserve spending limits → estimate
 * EIP-1559 fees under the cap → in ONE database transaction: lock the nonce, sign (the
 * kill switch is asked inside the signer), store raw bytes + hash, advance the nonce → only
 * then broadcast → watch for confirmations, reorgs and stuck transactions. After a crash
 * {@link EvmRail.recover} rebroadcasts stored bytes (same nonce, same hash) and reconciles
 * against the chain; nothing is ever re-signed with a new nonce, so nothing is paid twice.
 */
import { Interface, keccak256, parseUnits, type JsonRpcProvider, type TransactionLike } from 'ethers';
import { ErrorCode, MandateError } from '../../kernel/index.ts';
import { LimitConfigError } from '../limits/errors.ts';
import type { ReservationRequest, SpendingLimits } from '../limits/SpendingLimits.ts';
import { guardSigner } from '../wallets/guardSigner.ts';
import type { KillSwitch, TransactionSigner } from '../wallets/TransactionSigner.ts';
import { AttemptStore, type Attempt } from './AttemptStore.ts';
import { replaceEvmAttempt } from './replaceEvmAttempt.ts';
import { broadcastAttempt } from './broadcastAttempt.ts';
import { reconcileEvmPayment } from './reconcileEvmPayment.ts';
import { IntentNotFoundError, InvalidIntentError, PreflightError, UnsupportedIntentError } from './errors.ts';
import { estimateEip1559Fees, type Eip1559Fees } from './FeePolicy.ts';
import { IntentLedger, type LedgerEntry } from './IntentLedger.ts';
import { CryptoIntentSchema, parseIntent, type CryptoIntent, type PaymentIntent } from './PaymentIntent.ts';
import { FINAL_STATUSES, type PaymentReceipt } from './PaymentReceipt.ts';
import type { RailSql } from './RailSql.ts';

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
}

/** Converts base units of an asset into base units of the reference currency (for limits). */
export type ReferenceValuer = (asset: string, baseUnits: bigint) => bigint | Promise<bigint>;

/** Options of {@link EvmRail.create}. */
export interface EvmRailOptions {
  readonly sql: RailSql;
  /** A provider created with `batchMaxCount: 1` (ethers otherwise delays each call to batch). */
  readonly provider: JsonRpcProvider;
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
  /** Every step except broadcasting; receipts say `would-have-sent`. */
  readonly dryRun?: boolean;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

const ERC20 = new Interface(['function transfer(address to, uint256 value) returns (bool)']);
/** Error codes that mean "refused before anything was signed": the intent fails for good. */
const REFUSALS = new Set<ErrorCode>([
  ErrorCode.MANDATE_ERR_LIMIT_EXCEEDED,
  ErrorCode.MANDATE_ERR_WALLET_SIGNING_HALTED,
  ErrorCode.MANDATE_ERR_RAIL_FEE_CAP,
  ErrorCode.MANDATE_ERR_RAIL_PREFLIGHT,
  ErrorCode.MANDATE_ERR_SWAP_SLIPPAGE,
  ErrorCode.MANDATE_ERR_SWAP_QUOTE,
]);

/** The EVM payment rail for one chain and one sender. */
export class EvmRail {
  /** Ledger name of this rail: `evm:<chainId>:<sender>`. */
  readonly name: string;
  /** The address this rail signs for. */
  readonly address: string;
  readonly #o: EvmRailOptions;
  readonly #from: string;
  readonly #signer: TransactionSigner;
  readonly #ledger: IntentLedger;
  readonly #attempts: AttemptStore;
  readonly #now: () => Date;
  readonly #sleep: (ms: number) => Promise<void>;

  private constructor(options: EvmRailOptions, from: string) {
    this.#o = options;
    this.#from = from;
    this.address = from;
    this.name = `evm:${options.chainId}:${from.toLowerCase()}`;
    this.#signer = guardSigner(options.signer, {
      killSwitch: options.killSwitch,
      agentId: options.agentId,
      capabilities: ['payments.crypto.send'],
    });
    this.#ledger = new IntentLedger(options.sql);
    this.#attempts = new AttemptStore(options.sql, options.chainId, from);
    this.#now = options.now ?? (() => new Date());
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Creates a rail for the signer's address. */
  static async create(options: EvmRailOptions): Promise<EvmRail> {
    if (options.limits?.usesReferenceCurrency === true && options.toReference === undefined) {
      throw new LimitConfigError(
        'the spending limits have reference-currency rules but the EVM rail has no toReference valuer; pass toReference (e.g. backed by a SanePriceFeed) so those limits can be enforced',
      );
    }
    return new EvmRail(options, await options.signer.getAddress());
  }

  /** Value of `baseUnits` of `asset` in reference-currency base units (0 when no valuer is configured). */
  async referenceValue(asset: string, baseUnits: bigint): Promise<bigint> {
    return (await this.#o.toReference?.(asset, baseUnits)) ?? 0n;
  }

  /**
   * Pays `input` (a {@link CryptoIntent}) exactly once. With `wait: false` it returns once the
   * transaction is broadcast; otherwise once it is final or `maxWaitMs` passed (`submitted`).
   */
  async sendCrypto(input: unknown, options: { wait?: boolean } = {}): Promise<PaymentReceipt> {
    const intent = parseIntent(CryptoIntentSchema, input);
    const asset = this.#asset(intent.asset);
    const baseUnits = toBaseUnits(intent, asset);
    const call: EvmCall =
      asset.kind === 'native'
        ? { to: intent.to, value: baseUnits, data: '0x' }
        : { to: asset.address, value: 0n, data: ERC20.encodeFunctionData('transfer', [intent.to, baseUnits]) };
    return this.execute(intent, {
      build: async () => call,
      reservation: {
        asset: intent.asset,
        counterparty: intent.to,
        amountNative: baseUnits,
        amountReference: await this.referenceValue(intent.asset, baseUnits),
      },
      wait: options.wait,
    });
  }

  /**
   * Executes `intent` as one EVM transaction exactly once: write-ahead record, limit
   * reservation, fee cap, nonce + signature + raw bytes in one database transaction, broadcast,
   * confirmation. Other rails (swaps) build on this. `intent` must already be validated.
   */
  async execute(intent: PaymentIntent, options: EvmExecuteOptions): Promise<PaymentReceipt> {
    const key = intent.idempotencyKey;
    const entry = await this.#ledger.begin(
      intent,
      this.name,
      this.#now(),
      options.receiptRail ?? `evm:${this.#o.chainId}`,
    );
    if (FINAL_STATUSES.has(entry.receipt.status)) return entry.receipt;
    if (entry.status === 'pending') {
      const refused = await this.#refusalOf(async () => {
        if (options.reservation !== undefined && this.#o.limits !== undefined) {
          const request = {
            ...options.reservation,
            idempotencyKey: key,
            agentId: intent.agentId,
            supervisorIds: intent.supervisorIds,
          };
          await (this.#o.dryRun ? this.#o.limits.check(request) : this.#o.limits.reserve(request));
        }
        const { unsigned, chainNext } = await this.#unsigned(await options.build());
        await (this.#o.dryRun ? this.#dryRun(entry, unsigned, chainNext) : this.#sign(key, unsigned, chainNext));
      });
      if (refused !== undefined) return this.#fail(key, refused);
      if (this.#o.dryRun) return (await this.#ledger.get(key))!.receipt;
    }
    return options.wait === false ? this.reconcile(key) : this.waitForFinal(key);
  }

  /** The current receipt of a payment. */
  async receipt(key: string): Promise<PaymentReceipt> {
    const entry = await this.#ledger.get(key);
    if (entry === undefined)
      throw new IntentNotFoundError(`no payment recorded under idempotency key "${key}"; check the key`);
    return entry.receipt;
  }

  /** One observation step against the chain: broadcast what is unsent, count confirmations, detect reorgs, replace stuck. */
  async reconcile(key: string): Promise<PaymentReceipt> {
    return reconcileEvmPayment(key, {
      ledger: this.#ledger,
      attempts: this.#attempts,
      provider: this.#o.provider,
      from: this.#from,
      confirmations: this.#o.confirmations ?? 1,
      stuckAfterMs: this.#o.stuckAfterMs ?? 60_000,
      now: this.#now,
      limits: this.#o.limits,
      replace: (k) => replaceEvmAttempt(k, 'replacement', this.#replaceContext()),
    });
  }

  /** Reconciles until final or `maxWaitMs` passed. */
  async waitForFinal(key: string): Promise<PaymentReceipt> {
    const deadline = this.#now().getTime() + (this.#o.maxWaitMs ?? 120_000);
    for (;;) {
      const receipt = await this.reconcile(key);
      if (FINAL_STATUSES.has(receipt.status) || this.#now().getTime() >= deadline) return receipt;
      await this.#sleep(this.#o.pollIntervalMs ?? 100);
    }
  }

  /**
   * Crash recovery: broadcasts every stored-but-unsent transaction in nonce order, continues
   * crypto intents recorded but never signed, and reconciles the rest. Call once at start-up.
   */
  async recover(): Promise<PaymentReceipt[]> {
    for (const attempt of await this.#attempts.unsent()) await this.#broadcastQuietly(attempt);
    const receipts: PaymentReceipt[] = [];
    for (const key of await this.#ledger.openKeys(this.name)) {
      const entry = (await this.#ledger.get(key))!;
      if (entry.status !== 'pending') receipts.push(await this.reconcile(key));
      // Pending swaps and calls are resumed by the rail that built them (their quote is stale).
      else if (entry.intent.kind === 'crypto') receipts.push(await this.sendCrypto(entry.intent, { wait: false }));
    }
    return receipts;
  }

  /** Replaces a pending payment with a 0-value self-transfer at the same nonce (bumped fees). */
  async cancel(key: string): Promise<PaymentReceipt> {
    await replaceEvmAttempt(key, 'cancel', this.#replaceContext());
    return this.reconcile(key);
  }

  /** Replaces the latest attempt now, with both fee fields bumped (stuck transaction). */
  async speedUp(key: string): Promise<PaymentReceipt> {
    await replaceEvmAttempt(key, 'replacement', this.#replaceContext());
    return this.reconcile(key);
  }

  #asset(symbol: string): EvmAsset {
    const asset = this.#o.assets[symbol];
    if (asset === undefined)
      throw new UnsupportedIntentError(
        `asset "${symbol}" is not configured on rail ${this.name}; configure it or use one of: ${Object.keys(this.#o.assets).join(', ')}`,
      );
    return asset;
  }

  async #refusalOf(step: () => Promise<void>): Promise<MandateError | undefined> {
    try {
      await step();
      return undefined;
    } catch (error) {
      if (error instanceof MandateError && REFUSALS.has(error.code)) return error;
      throw error;
    }
  }

  async #fail(key: string, error: MandateError): Promise<PaymentReceipt> {
    const entry = (await this.#ledger.get(key))!;
    const now = this.#now();
    const receipt: PaymentReceipt = {
      ...entry.receipt,
      status: 'failed',
      finalizedAt: now.toISOString(),
      failure: { code: error.code, message: error.message },
    };
    await this.#ledger.update(key, 'failed', receipt, now);
    await this.#o.limits?.release(key);
    return receipt;
  }

  /** Gas preflight, fee estimate and the chain's nonce count, fetched in parallel (one round trip of latency). */
  async #unsigned(call: EvmCall): Promise<{ unsigned: TransactionLike<string>; chainNext: bigint }> {
    const gas = async (): Promise<bigint> => {
      if (call.data === '0x') return 21_000n;
      try {
        const estimate = BigInt(
          await this.#o.provider.send('eth_estimateGas', [
            { from: this.#from, to: call.to, data: call.data, value: `0x${call.value.toString(16)}` },
          ]),
        );
        return (estimate * 12n) / 10n;
      } catch (cause) {
        throw new PreflightError(
          `call to ${call.to} would revert (${(cause as Error).message.slice(0, 200)}); check the balance and allowances of ${this.#from}`,
          { cause },
        );
      }
    };
    const [gasLimit, fees, chainNext] = await Promise.all([
      gas(),
      estimateEip1559Fees(this.#o.provider, this.#o.feeCap),
      this.#chainNonce('pending'),
    ]);
    return {
      unsigned: {
        type: 2,
        chainId: BigInt(this.#o.chainId),
        to: call.to,
        value: call.value,
        data: call.data,
        gasLimit,
        ...fees,
      },
      chainNext,
    };
  }

  async #sign(key: string, unsigned: TransactionLike<string>, chainNext: bigint): Promise<void> {
    await this.#o.sql.transaction(async (tx) => {
      const locked = await this.#ledger.get(key, tx, true);
      if (locked?.status !== 'pending') return; // another process signed it meanwhile
      const nonce = await this.#attempts.lockNextNonce(tx, chainNext);
      const raw = await this.#signer.signTransaction({ ...unsigned, nonce: Number(nonce) });
      const txHash = keccak256(raw);
      const now = this.#now();
      await this.#attempts.record(
        tx,
        {
          txHash,
          idempotencyKey: key,
          nonce,
          purpose: 'payment',
          rawTx: raw,
          maxFeePerGas: unsigned.maxFeePerGas as bigint,
          maxPriorityFeePerGas: unsigned.maxPriorityFeePerGas as bigint,
        },
        now,
        true,
      );
      const receipt: PaymentReceipt = {
        ...locked.receipt,
        reference: txHash,
        attempts: [txHash],
        details: { ...locked.receipt.details, from: this.#from, nonce: Number(nonce) },
      };
      await this.#ledger.update(key, 'signed', receipt, now, tx);
    });
  }

  async #dryRun(entry: LedgerEntry, unsigned: TransactionLike<string>, chainNext: bigint): Promise<void> {
    const stored = await this.#attempts.peekNextNonce();
    const nonce = stored !== undefined && stored > chainNext ? stored : chainNext;
    const raw = await this.#signer.signTransaction({ ...unsigned, nonce: Number(nonce) });
    const now = this.#now();
    const hash = keccak256(raw);
    const receipt: PaymentReceipt = {
      ...entry.receipt,
      status: 'would-have-sent',
      reference: hash,
      attempts: [hash],
      finalizedAt: now.toISOString(),
      details: { from: this.#from, nonce: Number(nonce), dryRun: true },
    };
    await this.#ledger.update(entry.intent.idempotencyKey, 'would-have-sent', receipt, now);
  }

  #replaceContext() {
    return {
      sql: this.#o.sql,
      ledger: this.#ledger,
      attempts: this.#attempts,
      provider: this.#o.provider,
      signer: this.#signer,
      chainId: this.#o.chainId,
      from: this.#from,
      feeCap: this.#o.feeCap,
      now: this.#now,
    };
  }

  async #broadcastQuietly(attempt: Attempt): Promise<void> {
    await broadcastAttempt(this.#o.provider, this.#attempts, attempt);
  }

  async #chainNonce(tag: 'pending' | 'latest'): Promise<bigint> {
    return BigInt(await this.#o.provider.send('eth_getTransactionCount', [this.#from, tag]));
  }
}

function toBaseUnits(intent: CryptoIntent, asset: EvmAsset): bigint {
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
