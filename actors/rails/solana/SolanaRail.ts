/**
 * The Solana rail (`@solana/kit`): SPL token transfers (a USDC-like mint) from one wallet,
 * exactly-once in effect, behind the same `sendCrypto` verb and receipts as the EVM rail.
 *
 * Order of a payment: resolve token accounts, read a recent blockhash and preflight the balances
 * over RPC → in ONE database transaction (the write-ahead record): record the intent, reserve
 * spending limits, sign (the kill switch is asked first), store the wire bytes with the signature
 * and the blockhash's `lastValidBlockHeight` → only then send → reconcile by signature status
 * until the payment reaches its commitment. The signature is the receipt's reference (the
 * transaction id). After a crash {@link SolanaRail.recover} rebroadcasts the stored bytes and
 * reconciles; a payment is signed again only once its earlier signatures are provably expired
 * and not landed (see `reconcileSolanaPayment`).
 *
 * Fenced (`fenced: true`, several runtime nodes): every write-ahead transaction, limit reservation,
 * (re-)signature and broadcast first checks the call's placement lease token (`fence`) against
 * `mandate_fence`, so a node whose lease on the agent was taken over records, signs and sends nothing.
 */
import { LimitConfigError } from '../../limits/errors.ts';
import type { ReservationRequest } from '../../limits/SpendingLimits.ts';
import { IntentNotFoundError, UnsupportedIntentError } from '../errors.ts';
import { refusalOf } from '../evmTransaction.ts';
import { IntentLedger } from '../IntentLedger.ts';
import { assertLease } from '../leaseFence.ts';
import { parseIntent, type CryptoIntent } from '../PaymentIntent.ts';
import { FINAL_STATUSES, type PaymentReceipt } from '../PaymentReceipt.ts';
import type { CryptoRail, RailCall } from '../Rail.ts';
import type { RailSql } from '../RailSql.ts';
import { holdsLease, leaseCheck, recordRefusal, type RefusalContext } from '../recordRefusal.ts';
import { dryRunSolanaPayment, type SplPayment } from './dryRunSolanaPayment.ts';
import { reconcileSolanaPayment } from './reconcileSolanaPayment.ts';
import { SolanaAttemptStore } from './SolanaAttemptStore.ts';
import { SolanaCryptoIntentSchema, type SolanaRailOptions, type SplAsset } from './SolanaRailOptions.ts';
import { splBaseUnits } from './splBaseUnits.ts';
import { planTransfer, preflightTransfer, signTransfer, type BlockhashLifetime } from './solanaTransfer.ts';

export type { SolanaRailOptions, SplAsset, SolanaFinality } from './SolanaRailOptions.ts';

/** The Solana payment rail for one cluster and one paying wallet. */
export class SolanaRail implements CryptoRail {
  /** Ledger name: `solana:<first 8 characters of the cluster>:<payer>`. */
  readonly name: string;
  /** The wallet this rail pays from (fee payer and token owner). */
  readonly address: string;
  /** The CAIP-2 chain id intents must name: `solana:<cluster>`. */
  readonly chain: string;
  readonly #o: SolanaRailOptions;
  readonly #ledger: IntentLedger;
  readonly #attempts: SolanaAttemptStore;
  readonly #now: () => Date;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: SolanaRailOptions) {
    if (options.limits?.usesReferenceCurrency === true && options.toReference === undefined)
      throw new LimitConfigError(
        'the spending limits have reference-currency rules but the Solana rail has no toReference valuer; pass toReference so those limits can be enforced',
      );
    this.#o = options;
    this.address = options.signer.address;
    this.chain = `solana:${options.cluster}`;
    this.name = `solana:${options.cluster.slice(0, 8)}:${this.address}`;
    this.#ledger = new IntentLedger(options.sql);
    this.#attempts = new SolanaAttemptStore(options.sql, options.cluster, this.address);
    this.#now = options.now ?? (() => new Date());
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * Pays `input` (a crypto intent with a Solana `to` and `chain: "solana:<cluster>"`) exactly once.
   * With `wait: false` it returns once the transfer is sent; otherwise once it reached the rail's
   * commitment or `maxWaitMs` passed (`submitted`). A fenced rail refuses a `fence` that is not the
   * agent's current lease token with `MANDATE_ERR_FENCE_STALE`, before anything is written or signed.
   */
  async sendCrypto(input: unknown, options: { wait?: boolean } & RailCall = {}): Promise<PaymentReceipt> {
    const { fence } = options;
    const lease = this.#lease(fence);
    const intent = parseIntent(SolanaCryptoIntentSchema, input) as CryptoIntent;
    if (intent.chain !== this.chain)
      throw new UnsupportedIntentError(
        `intent ${intent.idempotencyKey} is for chain "${intent.chain}", but ${this.name} pays on ${this.chain}; route it to that chain's rail`,
      );
    const asset = this.#asset(intent.asset);
    const amount = splBaseUnits(intent, asset);
    if (this.#o.dryRun === true)
      return dryRunSolanaPayment(
        { options: this.#o, refusals: this.#refusals(lease), chain: this.chain, lifetime: () => this.#lifetime() },
        intent,
        { asset, amount, request: await this.#request(intent, amount, fence) },
      );
    // Reading first (no write) lets repeats skip the RPC round trips; the write-ahead transaction is fenced.
    const known = await this.#ledger.find(intent);
    if (known !== undefined && FINAL_STATUSES.has(known.receipt.status)) return known.receipt;
    if (known === undefined || known.status === 'pending') {
      const request = await this.#request(intent, amount, fence);
      const refused = await refusalOf(() => this.#signAndStore(intent, { asset, amount, request }, lease));
      if (refused !== undefined) {
        // Nothing of the refused attempt was committed; record the intent as failed (unless another process paid it meanwhile).
        const record = { intent, receiptRail: this.chain };
        const failed = await recordRefusal(this.#refusals(lease), intent.idempotencyKey, { error: refused, record });
        if (failed !== undefined) return failed;
      }
    }
    if (options.wait === false) return this.reconcile(intent.idempotencyKey, { fence });
    return this.waitForFinal(intent.idempotencyKey, { fence });
  }

  /** The current receipt of a payment. */
  async receipt(key: string): Promise<PaymentReceipt> {
    const entry = await this.#ledger.get(key);
    if (entry === undefined)
      throw new IntentNotFoundError(`no payment recorded under idempotency key "${key}"; check the key`);
    return entry.receipt;
  }

  /** One observation step: signature statuses, rebroadcast of stored bytes, re-signing after provable expiry. */
  async reconcile(key: string, { fence }: RailCall = {}): Promise<PaymentReceipt> {
    const lease = this.#lease(fence);
    return reconcileSolanaPayment(key, {
      ledger: this.#ledger,
      attempts: this.#attempts,
      rpc: this.#o.rpc,
      finality: this.#o.finality ?? 'confirmed',
      sql: this.#o.sql,
      limits: this.#o.limits,
      now: this.#now,
      assertLease: leaseCheck({ sql: this.#o.sql, lease }, `the broadcast of payment "${key}"`),
      resign: (k, dead) => this.#resign(k, dead, lease),
    });
  }

  /** Reconciles until final or `maxWaitMs` passed. */
  async waitForFinal(key: string, call: RailCall = {}): Promise<PaymentReceipt> {
    const deadline = this.#now().getTime() + (this.#o.maxWaitMs ?? 120_000);
    for (;;) {
      const receipt = await this.reconcile(key, call);
      if (FINAL_STATUSES.has(receipt.status) || this.#now().getTime() >= deadline) return receipt;
      await this.#sleep(this.#o.pollIntervalMs ?? 400);
    }
  }

  /**
   * Crash recovery: continues intents recorded but never signed, rebroadcasts and reconciles the rest.
   * Call once at start-up. A fenced rail recovers only under the agent's current lease (`fence`); on a
   * node that does not hold it, it does nothing and returns no receipt (the owner continues them).
   */
  async recover({ fence }: RailCall = {}): Promise<PaymentReceipt[]> {
    if (!(await holdsLease(this.#o.sql, this.#lease(fence)))) return [];
    const receipts: PaymentReceipt[] = [];
    for (const key of await this.#ledger.openKeys(this.name)) {
      const entry = (await this.#ledger.get(key))!;
      receipts.push(
        entry.status === 'pending'
          ? await this.sendCrypto(entry.intent, { wait: false, fence })
          : await this.reconcile(key, { fence }),
      );
    }
    return receipts;
  }

  async #request(
    intent: CryptoIntent,
    amount: bigint,
    fence: number | undefined,
  ): Promise<ReservationRequest | undefined> {
    if (this.#o.limits === undefined) return undefined;
    const { idempotencyKey, agentId, supervisorIds, asset, to } = intent;
    const amountReference = (await this.#o.toReference?.(asset, amount)) ?? 0n;
    return {
      idempotencyKey,
      agentId,
      supervisorIds,
      asset,
      counterparty: to,
      amountNative: amount,
      amountReference,
      fence,
    };
  }

  async #signAndStore(
    intent: CryptoIntent,
    { asset, amount, request }: SplPayment,
    lease: RefusalContext['lease'],
  ): Promise<void> {
    const limits = this.#o.limits;
    const plan = await planTransfer({ owner: this.#o.signer.address, to: intent.to, asset, amount });
    const lifetime = await this.#lifetime();
    const pre = await preflightTransfer({ rpc: this.#o.rpc, signer: this.#o.signer }, plan, lifetime);
    const shared = limits !== undefined && limits.shares(this.#o.sql);
    // Limits in another database reserve in their own commit first (released again if the intent fails).
    if (request !== undefined && !shared) await limits!.reserve(request);
    await this.#o.sql.transaction(async (tx) => {
      // Fenced first: a stale owner records nothing, reserves nothing and never reaches the signer.
      await lease?.(tx, `the payment "${intent.idempotencyKey}"`);
      const entry = await this.#ledger.begin(intent, {
        rail: this.name,
        now: this.#now(),
        receiptRail: this.chain,
        lockIn: tx,
      });
      if (entry.status !== 'pending') return; // another process signed it meanwhile
      if (request !== undefined && shared) await limits.reserveIn(tx, request);
      const details = {
        from: this.address,
        mint: plan.mint,
        destination: plan.destination,
        feeLamports: pre.feeLamports.toString(),
        accountCreated: pre.createsAccount,
        rentLamports: pre.rentLamports.toString(),
      };
      await this.#store(tx, { key: intent.idempotencyKey, lifetime, plan, details, receipt: entry.receipt });
    });
  }

  /** Signs under `c.lifetime` and stores the attempt with the signed receipt, inside `tx`. */
  async #store(
    tx: RailSql,
    c: {
      key: string;
      lifetime: BlockhashLifetime;
      plan: Awaited<ReturnType<typeof planTransfer>>;
      details: PaymentReceipt['details'];
      receipt: PaymentReceipt;
    },
  ): Promise<void> {
    const signed = await signTransfer(this.#o.signer, c.plan, {
      lifetime: c.lifetime,
      killSwitch: this.#o.killSwitch,
      agentId: this.#o.agentId,
    });
    const now = this.#now();
    await this.#attempts.record(
      tx,
      { signature: signed.signature, idempotencyKey: c.key, wireTx: signed.wireTx, ...c.lifetime },
      now,
    );
    const receipt: PaymentReceipt = {
      ...c.receipt,
      reference: signed.signature,
      attempts: [...c.receipt.attempts, signed.signature],
      details: {
        ...c.receipt.details,
        ...c.details,
        blockhash: c.lifetime.blockhash,
        lastValidBlockHeight: Number(c.lifetime.lastValidBlockHeight),
      },
    };
    await this.#ledger.update(
      c.key,
      { status: c.receipt.status === 'pending' ? 'signed' : c.receipt.status, receipt: receipt, now: now },
      tx,
    );
  }

  /** Signs the payment again with a fresh blockhash, if `dead` is still its latest attempt. */
  async #resign(key: string, dead: string, lease: RefusalContext['lease']): Promise<void> {
    const entry = (await this.#ledger.get(key))!;
    const intent = entry.intent as CryptoIntent;
    const asset = this.#asset(intent.asset);
    const plan = await planTransfer({
      owner: this.#o.signer.address,
      to: intent.to,
      asset,
      amount: splBaseUnits(intent, asset),
    });
    const lifetime = await this.#lifetime();
    await this.#o.sql.transaction(async (tx) => {
      await lease?.(tx, `a new signature of payment "${key}"`);
      const locked = (await this.#ledger.get(key, tx, true))!;
      const latest = (await this.#attempts.forKey(key, tx)).at(-1);
      if (FINAL_STATUSES.has(locked.receipt.status) || latest?.signature !== dead) return;
      await this.#attempts.expireAll(tx, key);
      await this.#store(tx, { key, lifetime, plan, details: {}, receipt: locked.receipt });
    });
  }

  async #lifetime(): Promise<BlockhashLifetime> {
    const { value } = await this.#o.rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
    return value;
  }

  #asset(symbol: string): SplAsset {
    const asset = this.#o.assets[symbol];
    if (asset === undefined)
      throw new UnsupportedIntentError(
        `asset "${symbol}" is not configured on rail ${this.name}; configure it or use one of: ${Object.keys(this.#o.assets).join(', ')}`,
      );
    return asset;
  }

  /** The call's lease check of a fenced rail (undefined unless `fenced`). */
  #lease(fence: number | undefined): RefusalContext['lease'] {
    const agentId = this.#o.agentId;
    return this.#o.fenced === true ? (tx, what) => assertLease(tx, { agentId, token: fence }, what) : undefined;
  }

  #refusals(lease: RefusalContext['lease']): RefusalContext {
    return { sql: this.#o.sql, ledger: this.#ledger, limits: this.#o.limits, rail: this.name, now: this.#now, lease };
  }
}
