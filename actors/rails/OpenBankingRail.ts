/**
 * The fiat rail: PSD2-style payment initiation with settlement lag. A payment is recorded
 * (write-ahead, with its end-to-end id) before the bank is called, stays `submitted` while the
 * bank settles, and a delay queue re-checks it until it is `settled`, `failed` or `returned`.
 * Fenced (`fenced: true`), every write and every call to the bank is made under the call's placement
 * lease token, so a node that lost the agent to another node initiates and records nothing.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, isMandateError, type MandateError } from '../../kernel/index.ts';
import { LimitConfigError } from '../limits/errors.ts';
import type { SpendingLimits } from '../limits/SpendingLimits.ts';
import type { KillSwitch } from '../wallets/TransactionSigner.ts';
import { SigningHaltedError } from '../wallets/errors.ts';
import { DelayQueue } from './DelayQueue.ts';
import { parseBank, toMinor } from './fiatParsing.ts';
import { IntentLedger } from './IntentLedger.ts';
import { assertLease } from './leaseFence.ts';
import type { PaymentInitiationApi, PaymentInitiationResponse } from './PaymentInitiationApi.ts';
import type { PayeeVault } from './PayeeVault.ts';
import { FiatIntentSchema, parseIntent, type FiatIntent } from './PaymentIntent.ts';
import { FINAL_STATUSES, type PaymentReceipt, type PaymentStatus } from './PaymentReceipt.ts';
import type { FiatRail, RailCall } from './Rail.ts';
import type { RailSql } from './RailSql.ts';
import { holdsLease, leaseCheck, type RefusalContext } from './recordRefusal.ts';

/** Options of {@link OpenBankingRail}. */
export interface OpenBankingRailOptions {
  readonly sql: RailSql;
  /** Keeps creditor names and IBANs out of `rail_intents` (pseudonyms there); give it `store.vault`. */
  readonly payees?: PayeeVault;
  readonly api: PaymentInitiationApi;
  readonly debtorIban: string;
  readonly killSwitch: KillSwitch;
  readonly agentId: string;
  readonly limits?: SpendingLimits;
  /** Minor units of the currency → reference-currency base units (for limits). */
  readonly toReference?: (currency: string, minorUnits: bigint) => bigint | Promise<bigint>;
  /** How long to wait between status checks during settlement. Default 60 s. */
  readonly recheckAfterMs?: number;
  readonly dryRun?: boolean;
  /**
   * Several runtime nodes on one database: every call must carry the agent's current placement lease
   * token (`fence`); it is checked against `mandate_fence` in the write-ahead transaction, with the
   * limit reservation and before every initiation or status call to the bank, and a stale one is
   * refused with `MANDATE_ERR_FENCE_STALE`. The database must be the runtime's. Give the limits `fenced` too.
   */
  readonly fenced?: boolean;
  readonly now?: () => Date;
  /** End-to-end id generator (UETR-style UUID v4 by default). */
  readonly newEndToEndId?: () => string;
}

const FINAL_BY_BANK: Partial<Record<PaymentInitiationResponse['status'], PaymentStatus>> = {
  ACSC: 'settled',
  RJCT: 'failed',
  RTND: 'returned',
};
/** The receipt code of a bank's final answer other than settled. */
const FAILURE_BY_BANK = {
  RJCT: ErrorCode.MANDATE_ERR_RAIL_BANK_REJECTED,
  RTND: ErrorCode.MANDATE_ERR_RAIL_BANK_RETURNED,
} as const;
const REFUSALS = new Set<ErrorCode>([
  ErrorCode.MANDATE_ERR_LIMIT_EXCEEDED,
  ErrorCode.MANDATE_ERR_WALLET_SIGNING_HALTED,
]);

/** A {@link FiatRail} over a payment-initiation API. */
export class OpenBankingRail implements FiatRail {
  readonly #o: OpenBankingRailOptions;
  readonly #ledger: IntentLedger;
  /** Settlement re-checks, each with the lease token of the call that scheduled it. */
  readonly #queue = new DelayQueue<number | undefined>();
  readonly #now: () => Date;
  readonly #rail: string;

  constructor(options: OpenBankingRailOptions) {
    if (options.limits?.usesReferenceCurrency === true && options.toReference === undefined) {
      throw new LimitConfigError(
        'the spending limits have reference-currency rules but the fiat rail has no toReference valuer; pass toReference (e.g. backed by a bank FX feed)',
      );
    }
    this.#o = options;
    this.#ledger = new IntentLedger(options.sql, options.payees);
    this.#now = options.now ?? (() => new Date());
    this.#rail = `fiat:${options.api.name}:${options.debtorIban}`;
  }

  /**
   * Initiates a credit transfer once; returns `submitted` (settling), a final status, or `would-have-sent`
   * in dry-run. A fenced rail refuses a `fence` that is not the agent's current lease token with
   * `MANDATE_ERR_FENCE_STALE` before it records anything or calls the bank.
   */
  async sendFiat(input: unknown, { fence }: RailCall = {}): Promise<PaymentReceipt> {
    const intent = parseIntent(FiatIntentSchema, input);
    const minor = toMinor(intent);
    const key = intent.idempotencyKey;
    const lease = this.#lease(fence);
    const entry = await this.#o.sql.transaction(async (tx) => {
      await lease?.(tx, `the payment "${key}"`);
      return this.#ledger.begin(intent, {
        rail: this.#rail,
        now: this.#now(),
        receiptRail: this.#o.api.name,
        lockIn: tx,
      });
    });
    if (FINAL_STATUSES.has(entry.receipt.status)) return entry.receipt;
    if (entry.status === 'pending') {
      try {
        await this.#prepare(intent, { minor, receipt: entry.receipt, fence });
      } catch (error) {
        if (isMandateError(error) && REFUSALS.has(error.code))
          return this.#finish(intent.idempotencyKey, 'failed', { code: error.code, message: error.message });
        throw error;
      }
      if (this.#o.dryRun) return (await this.#ledger.get(intent.idempotencyKey))!.receipt;
    }
    return this.#initiate(key, fence);
  }

  /**
   * Checks every payment whose settlement re-check is due; returns the receipts that changed to final. A
   * fenced rail drops a re-check whose lease was taken over: the agent's new owner re-queues it in `recover`.
   */
  async processDue(): Promise<PaymentReceipt[]> {
    const finished: PaymentReceipt[] = [];
    for (const { id, value: fence } of this.#queue.takeDue(this.#now().getTime())) {
      if (!(await holdsLease(this.#o.sql, this.#lease(fence)))) continue;
      const receipt = await this.#check(id, fence);
      if (FINAL_STATUSES.has(receipt.status)) finished.push(receipt);
    }
    return finished;
  }

  /** Epoch ms when {@link processDue} next has work. */
  nextDueAt(): number | undefined {
    return this.#queue.nextDueAt();
  }

  /**
   * After a restart or a takeover: re-initiates recorded payments (same end-to-end id) and re-queues
   * settling ones. A fenced rail recovers only under the agent's current lease (`fence`); elsewhere it
   * does nothing and returns no receipt.
   */
  async recover({ fence }: RailCall = {}): Promise<PaymentReceipt[]> {
    if (!(await holdsLease(this.#o.sql, this.#lease(fence)))) return [];
    const out: PaymentReceipt[] = [];
    for (const key of await this.#ledger.openKeys(this.#rail)) {
      const entry = (await this.#ledger.get(key))!;
      out.push(
        entry.status === 'pending' ? await this.sendFiat(entry.intent, { fence }) : await this.#initiate(key, fence),
      );
    }
    return out;
  }

  async #prepare(
    intent: FiatIntent,
    { minor, receipt, fence }: { minor: bigint; receipt: PaymentReceipt; fence: number | undefined },
  ): Promise<void> {
    const request = {
      idempotencyKey: intent.idempotencyKey,
      agentId: intent.agentId,
      supervisorIds: intent.supervisorIds,
      asset: intent.currency,
      counterparty: intent.creditor.iban,
      amountNative: minor,
      amountReference: (await this.#o.toReference?.(intent.currency, minor)) ?? 0n,
      fence,
    };
    await this.#haltIfKilled();
    if (this.#o.dryRun) await this.#o.limits?.check(request);
    else await this.#o.limits?.reserve(request);
    const e2e = this.#o.newEndToEndId?.() ?? randomUUID();
    const now = this.#now();
    const status = this.#o.dryRun ? 'would-have-sent' : 'signed';
    const next: PaymentReceipt = this.#o.dryRun
      ? {
          ...receipt,
          status: 'would-have-sent',
          reference: e2e,
          finalizedAt: now.toISOString(),
          details: { dryRun: true },
        }
      : { ...receipt, reference: e2e, attempts: [e2e] };
    const lease = this.#lease(fence);
    await this.#o.sql.transaction(async (tx) => {
      await lease?.(tx, `the end-to-end id of payment "${intent.idempotencyKey}"`);
      await this.#ledger.update(intent.idempotencyKey, { status, receipt: next, now }, tx);
    });
  }

  async #haltIfKilled(): Promise<void> {
    const capabilities = ['payments.fiat.send'];
    if (await this.#o.killSwitch.isEngaged(this.#o.agentId, capabilities)) {
      throw new SigningHaltedError(
        `kill switch engaged for agent "${this.#o.agentId}": refusing to initiate a fiat payment; an operator must release it first`,
        { details: { agentId: this.#o.agentId } },
      );
    }
  }

  async #initiate(key: string, fence: number | undefined): Promise<PaymentReceipt> {
    const entry = (await this.#ledger.get(key))!;
    if (FINAL_STATUSES.has(entry.receipt.status)) return entry.receipt;
    if (entry.status === 'submitted') return this.#check(key, fence);
    const intent = entry.intent as FiatIntent;
    try {
      await this.#haltIfKilled();
    } catch (error) {
      return this.#finish(key, 'failed', { code: (error as MandateError).code, message: (error as Error).message });
    }
    // A node whose lease was taken over sends nothing to the bank: its successor initiates the same end-to-end id.
    await leaseCheck(this.#fencing(fence), `the initiation of payment "${key}"`)?.();
    const raw = await this.#o.api.initiate({
      endToEndId: entry.receipt.reference!,
      debtorIban: this.#o.debtorIban,
      creditor: intent.creditor,
      amount: intent.amount,
      currency: intent.currency,
      ...(intent.reference === undefined ? {} : { remittance: intent.reference }),
    });
    return this.#apply(key, parseBank(raw, this.#o.api.name), fence);
  }

  async #check(key: string, fence: number | undefined): Promise<PaymentReceipt> {
    const entry = (await this.#ledger.get(key))!;
    if (FINAL_STATUSES.has(entry.receipt.status)) return entry.receipt;
    const paymentId = entry.receipt.details['paymentId'];
    if (typeof paymentId !== 'string') return this.#initiate(key, fence);
    await leaseCheck(this.#fencing(fence), `the settlement check of payment "${key}"`)?.();
    return this.#apply(key, parseBank(await this.#o.api.status(paymentId), this.#o.api.name), fence);
  }

  async #apply(key: string, bank: PaymentInitiationResponse, fence: number | undefined): Promise<PaymentReceipt> {
    const entry = (await this.#ledger.get(key))!;
    const now = this.#now();
    const final = FINAL_BY_BANK[bank.status];
    const base: PaymentReceipt = {
      ...entry.receipt,
      submittedAt: entry.receipt.submittedAt ?? now.toISOString(),
      fees: [{ asset: (entry.intent as FiatIntent).currency, amount: bank.fee }],
      details: { ...entry.receipt.details, paymentId: bank.paymentId, bankStatus: bank.status },
    };
    if (final !== undefined) {
      await this.#ledger.update(key, { status: entry.status, receipt: base, now });
      return this.#finish(
        key,
        final,
        final === 'settled'
          ? null
          : {
              code: FAILURE_BY_BANK[bank.status as keyof typeof FAILURE_BY_BANK],
              message: bank.reason ?? `bank answered ${bank.status}`,
            },
      );
    }
    const receipt: PaymentReceipt = { ...base, status: 'submitted' };
    await this.#ledger.update(key, { status: 'submitted', receipt, now });
    this.#queue.schedule(key, fence, now.getTime() + (this.#o.recheckAfterMs ?? 60_000));
    return receipt;
  }

  async #finish(key: string, status: PaymentStatus, failure: PaymentReceipt['failure']): Promise<PaymentReceipt> {
    const entry = (await this.#ledger.get(key))!;
    const now = this.#now();
    const receipt: PaymentReceipt = { ...entry.receipt, status, finalizedAt: now.toISOString(), failure };
    await this.#ledger.update(key, { status, receipt, now });
    if (status === 'settled') await this.#o.limits?.commit(key);
    else await this.#o.limits?.release(key);
    return receipt;
  }

  /** The call's lease check of a fenced rail (undefined unless `fenced`). */
  #lease(fence: number | undefined): RefusalContext['lease'] {
    const agentId = this.#o.agentId;
    return this.#o.fenced === true ? (tx, what) => assertLease(tx, { agentId, token: fence }, what) : undefined;
  }

  #fencing(fence: number | undefined) {
    return { sql: this.#o.sql, lease: this.#lease(fence) };
  }
}
