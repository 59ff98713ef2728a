/**
 * The EVM rail (ethers v6): native and ERC-20 transfers, exactly-once in effect.
 *
 * Order of a payment: estimate gas and EIP-1559 fees under the cap → in ONE durable database
 * transaction (the write-ahead record): record the intent, reserve spending limits, lock the
 * nonce, sign (the kill switch is asked inside the signer), store raw bytes + hash, advance the
 * nonce → only then broadcast → watch for confirmations, reorgs and stuck transactions; the
 * final receipt, the limit settlement and the "sent" mark are one asynchronous commit (all of it
 * is read back from the chain: losing it only means reconciling again). After a crash {@link EvmRail.recover}
 * rebroadcasts stored bytes (same nonce, same hash): nothing is re-signed with a new nonce, nor paid twice.
 */
import { Interface } from 'ethers';
import type { MandateError } from '../../kernel/index.ts';
import { LimitConfigError } from '../limits/errors.ts';
import type { ReservationRequest } from '../limits/SpendingLimits.ts';
import { guardSigner } from '../wallets/guardSigner.ts';
import type { TransactionSigner } from '../wallets/TransactionSigner.ts';
import { AttemptStore } from './AttemptStore.ts';
import { broadcastAttempt } from './broadcastAttempt.ts';
import { IntentNotFoundError, UnsupportedIntentError } from './errors.ts';
import type { EvmCall, EvmExecuteOptions, EvmFenced, EvmRailOptions } from './EvmRailOptions.ts';
import {
  refusalOf,
  signAndStore,
  signDryRun,
  evmAssetOf,
  toBaseUnits,
  unsignedTransaction,
  type SigningContext,
} from './evmTransaction.ts';
import { IntentLedger } from './IntentLedger.ts';
import { assertLease } from './leaseFence.ts';
import { CryptoIntentSchema, parseIntent, type PaymentIntent } from './PaymentIntent.ts';
import { FINAL_STATUSES, type PaymentReceipt } from './PaymentReceipt.ts';
import { readThroughReceipt, rememberReceipt } from './ReceiptCache.ts';
import { reconcileEvmPayment } from './reconcileEvmPayment.ts';
import { holdsLease, leaseCheck, recordRefusal, type RefusedIntent } from './recordRefusal.ts';
import { replaceEvmAttempt } from './replaceEvmAttempt.ts';

const ERC20 = new Interface(['function transfer(address to, uint256 value) returns (bool)']);

/** The EVM payment rail for one chain and one sender. */
export class EvmRail {
  /** Ledger name of this rail: `evm:<chainId>:<sender>`. */
  readonly name: string;
  /** The address this rail signs for. */
  readonly address: string;
  /** The EIP-155 chain id it pays on. */
  readonly chainId: number;
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
    this.chainId = options.chainId;
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
  async sendCrypto(input: unknown, options: { wait?: boolean } & EvmFenced = {}): Promise<PaymentReceipt> {
    const intent = parseIntent(CryptoIntentSchema, input);
    if (intent.chain !== undefined && intent.chain !== `eip155:${this.#o.chainId}`)
      throw new UnsupportedIntentError(
        `intent ${intent.idempotencyKey} is for chain "${intent.chain}", but ${this.name} pays on eip155:${this.#o.chainId}; route it to that chain's rail`,
      );
    const asset = evmAssetOf(this.#o.assets, intent.asset, this.name);
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
      fence: options.fence,
    });
  }

  /**
   * Executes `intent` as one EVM transaction exactly once: write-ahead record, limit
   * reservation, fee cap, nonce + signature + raw bytes in one database transaction, broadcast,
   * confirmation. Other rails (swaps) build on this. `intent` must already be validated.
   */
  async execute(intent: PaymentIntent, options: EvmExecuteOptions): Promise<PaymentReceipt> {
    const key = intent.idempotencyKey;
    const { fence } = options;
    const receiptRail = options.receiptRail ?? `evm:${this.#o.chainId}`;
    const limits = this.#o.limits;
    const request =
      options.reservation === undefined || limits === undefined
        ? undefined
        : {
            ...options.reservation,
            idempotencyKey: key,
            agentId: intent.agentId,
            supervisorIds: intent.supervisorIds,
            fence,
          };
    if (this.#o.dryRun === true || (request !== undefined && !limits!.shares(this.#o.sql)))
      return this.#executeStepwise(intent, options, request);
    // One durable commit before the broadcast: intent + limit reservation + nonce + signed bytes (signAndStore).
    // Reading first (no write) lets repeats and in-flight payments skip the fee estimate.
    const known = await this.#ledger.find(intent);
    if (known === undefined || known.status === 'pending') {
      const refused = await refusalOf(async () => {
        const c = this.#signing(fence);
        const prepared = await unsignedTransaction(c, await options.build());
        await signAndStore(c, {
          key,
          ...prepared,
          admit: async (tx) => {
            // Fenced first: a stale owner records nothing, reserves nothing and never reaches the signer.
            await c.lease?.(tx, `the payment "${key}"`);
            const entry = await this.#ledger.begin(intent, {
              rail: this.name,
              now: this.#now(),
              receiptRail,
              lockIn: tx,
            });
            if (entry.status === 'pending' && request !== undefined) await limits!.reserveIn(tx, request);
            return entry;
          },
        });
      });
      // Nothing of the refused attempt was committed; record the intent as failed (unless another process paid it meanwhile).
      if (refused !== undefined) {
        const failed = await this.#fail(key, { error: refused, fence, record: { intent, receiptRail } });
        if (failed !== undefined) return failed;
      }
    } else if (FINAL_STATUSES.has(known.receipt.status)) return known.receipt;
    return options.wait === false ? this.reconcile(key, { fence }) : this.waitForFinal(key, { fence });
  }

  /** Dry runs, and limits kept in another database: record, reserve, sign as separate commits. */
  async #executeStepwise(
    intent: PaymentIntent,
    options: EvmExecuteOptions,
    request: ReservationRequest | undefined,
  ): Promise<PaymentReceipt> {
    const key = intent.idempotencyKey;
    const { fence } = options;
    const receiptRail = options.receiptRail ?? `evm:${this.#o.chainId}`;
    const c = this.#signing(fence);
    const entry = await this.#o.sql.transaction(async (tx) => {
      await c.lease?.(tx, `the payment "${key}"`);
      return this.#ledger.begin(intent, { rail: this.name, now: this.#now(), receiptRail, lockIn: tx });
    });
    if (FINAL_STATUSES.has(entry.receipt.status)) return entry.receipt;
    if (entry.status === 'pending') {
      const refused = await refusalOf(async () => {
        if (request !== undefined)
          await (this.#o.dryRun ? this.#o.limits!.check(request) : this.#o.limits!.reserve(request));
        const prepared = await unsignedTransaction(c, await options.build());
        await (this.#o.dryRun ? signDryRun(c, entry, prepared) : signAndStore(c, { key, ...prepared }));
      });
      if (refused !== undefined) return (await this.#fail(key, { error: refused, fence }))!;
      if (this.#o.dryRun) return (await this.#ledger.get(key))!.receipt;
    }
    return options.wait === false ? this.reconcile(key, { fence }) : this.waitForFinal(key, { fence });
  }

  /** The current receipt of a payment. */
  async receipt(key: string): Promise<PaymentReceipt> {
    return readThroughReceipt(this.#o.receiptCache, key, async () => {
      const entry = await this.#ledger.get(key);
      if (entry === undefined)
        throw new IntentNotFoundError(`no payment recorded under idempotency key "${key}"; check the key`);
      return entry.receipt;
    });
  }

  /** One observation step against the chain: broadcast what is unsent, count confirmations, detect reorgs, replace stuck. */
  async reconcile(key: string, { fence }: EvmFenced = {}): Promise<PaymentReceipt> {
    const c = this.#signing(fence);
    return reconcileEvmPayment(key, {
      ledger: this.#ledger,
      attempts: this.#attempts,
      provider: this.#o.provider,
      from: this.#from,
      confirmations: this.#o.confirmations ?? 1,
      stuckAfterMs: this.#o.stuckAfterMs ?? 60_000,
      now: this.#now,
      limits: this.#o.limits,
      sql: this.#o.sql,
      assertLease: leaseCheck(c, `the broadcast of payment "${key}"`),
      replace: (k) => replaceEvmAttempt(k, 'replacement', c),
    });
  }

  /** Reconciles until final or `maxWaitMs` passed. */
  async waitForFinal(key: string, fenced: EvmFenced = {}): Promise<PaymentReceipt> {
    const deadline = this.#now().getTime() + (this.#o.maxWaitMs ?? 120_000);
    for (;;) {
      const receipt = await this.reconcile(key, fenced);
      if (FINAL_STATUSES.has(receipt.status)) return rememberReceipt(this.#o.receiptCache, receipt);
      if (this.#now().getTime() >= deadline) return receipt;
      await this.#sleep(this.#o.pollIntervalMs ?? 100);
    }
  }

  /**
   * Crash recovery: broadcasts every stored-but-unsent transaction in nonce order, continues
   * crypto intents recorded but never signed, and reconciles the rest. Call once at start-up. A fenced
   * rail recovers only under the agent's current lease (`fence`); on a node that does not hold it, it does
   * nothing and returns no receipt: the owner continues those payments when its agent acts again.
   */
  async recover({ fence }: EvmFenced = {}): Promise<PaymentReceipt[]> {
    const c = this.#signing(fence);
    if (!(await holdsLease(this.#o.sql, c.lease))) return [];
    const node = { provider: this.#o.provider, attempts: this.#attempts };
    for (const attempt of await this.#attempts.unsent()) await broadcastAttempt(node, attempt);
    const receipts: PaymentReceipt[] = [];
    for (const key of await this.#ledger.openKeys(this.name)) {
      const entry = (await this.#ledger.get(key))!;
      if (entry.status !== 'pending') receipts.push(await this.reconcile(key, { fence }));
      // Pending swaps and calls are resumed by the rail that built them (their quote is stale).
      else if (entry.intent.kind === 'crypto')
        receipts.push(await this.sendCrypto(entry.intent, { wait: false, fence }));
    }
    return receipts;
  }

  /** Replaces a pending payment with a 0-value self-transfer at the same nonce (bumped fees). */
  async cancel(key: string, fenced: EvmFenced = {}): Promise<PaymentReceipt> {
    await replaceEvmAttempt(key, 'cancel', this.#signing(fenced.fence));
    return this.reconcile(key, fenced);
  }

  /** Replaces the latest attempt now, with both fee fields bumped (stuck transaction). */
  async speedUp(key: string, fenced: EvmFenced = {}): Promise<PaymentReceipt> {
    await replaceEvmAttempt(key, 'replacement', this.#signing(fenced.fence));
    return this.reconcile(key, fenced);
  }

  async #fail(key: string, o: { error: MandateError; fence: number | undefined; record?: RefusedIntent }) {
    const c = this.#signing(o.fence);
    const ctx = { sql: c.sql, ledger: this.#ledger, limits: this.#o.limits, rail: this.name, now: this.#now };
    return recordRefusal({ ...ctx, lease: c.lease }, key, o);
  }

  #signing(fence?: number): SigningContext {
    const agentId = this.#o.agentId;
    return {
      lease: this.#o.fenced === true ? (tx, what) => assertLease(tx, { agentId, token: fence }, what) : undefined,
      sql: this.#o.sql,
      provider: this.#o.provider,
      chainId: this.#o.chainId,
      from: this.#from,
      feeCap: this.#o.feeCap,
      signer: this.#signer,
      ledger: this.#ledger,
      attempts: this.#attempts,
      now: this.#now,
    };
  }
}
