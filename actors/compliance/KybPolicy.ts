/**
 * The counterparty check (KYB / sanctions / jurisdiction) a payment passes before governance:
 * a sanctions match, a blocked jurisdiction or a rejected verification denies it; a verified,
 * unexpired counterparty passes; anything else — no record, a pending review, an expired
 * verification, a provider that cannot answer — asks a human (`pending`), never guesses.
 * Provider answers are cached until the earlier of the cache lifetime and the record's expiry;
 * failures are not cached.
 */
import { ErrorCode, type Clock } from '../../kernel/index.ts';
import type { PolicyResult, Proposal } from '../policies/SupervisorPolicy.ts';
import { KybConfigError } from './errors.ts';
import type { KybAnswer, KybProvider, SanctionsHit } from './KybProvider.ts';

/** Options of {@link KybPolicy}. */
export interface KybPolicyOptions {
  readonly provider: KybProvider;
  readonly clock?: Pick<Clock, 'now'>;
  /** How long a provider answer is reused; default 15 minutes. */
  readonly cacheTtlMs?: number;
  /** How long "no record" is reused (a counterparty being onboarded appears soon); default 1 minute. */
  readonly unknownTtlMs?: number;
  /** ISO 3166-1 alpha-2 codes payments may never go to. */
  readonly blockedJurisdictions?: readonly string[];
  /** Only actions with one of these capabilities are checked; default every action with a counterparty. */
  readonly capabilities?: readonly string[];
  /** How long a human has to answer a held payment; default the agent's approval timeout. */
  readonly approvalTimeoutMs?: number;
}

/** What one check found, for the audit trail and alerts. */
export interface KybCheck {
  readonly counterparty: string;
  readonly verdict: 'clear' | 'denied' | 'review';
  readonly reason: string;
  readonly provider: string;
  readonly status: 'verified' | 'pending' | 'rejected' | 'unknown';
  readonly jurisdiction?: string;
  readonly sanctions: readonly SanctionsHit[];
  readonly cached: boolean;
  /** The provider's failure, when it could not answer. */
  readonly error?: { readonly code: string; readonly message: string };
}

interface Cached {
  readonly answer: KybAnswer;
  readonly until: number;
}

/** The KYB check as a supervisor policy. */
export class KybPolicy {
  readonly #o: KybPolicyOptions;
  readonly #cache = new Map<string, Cached>();
  readonly #blocked: ReadonlySet<string>;

  constructor(options: KybPolicyOptions) {
    for (const code of options.blockedJurisdictions ?? [])
      if (!/^[A-Z]{2}$/.test(code))
        throw new KybConfigError(
          `blockedJurisdictions has ${JSON.stringify(code)}; use ISO 3166-1 alpha-2 codes such as "KP"`,
        );
    this.#o = options;
    this.#blocked = new Set(options.blockedJurisdictions ?? []);
  }

  /** Checks `proposal`'s counterparty; `check` is undefined when the action has none to check. */
  async evaluate(proposal: Proposal): Promise<{ result: PolicyResult; check?: KybCheck }> {
    const { counterparty, capability } = proposal.action;
    if (
      counterparty === undefined ||
      (this.#o.capabilities !== undefined && !this.#o.capabilities.includes(capability))
    )
      return { result: { status: 'approved', reason: 'no counterparty to check' } };
    const check = await this.check(counterparty);
    const status = check.verdict === 'clear' ? 'approved' : check.verdict === 'denied' ? 'denied' : 'pending';
    const result: PolicyResult = { status, reason: check.reason };
    if (status === 'pending' && this.#o.approvalTimeoutMs !== undefined)
      result.approvalTimeoutMs = this.#o.approvalTimeoutMs;
    return { result, check };
  }

  /** Screens and verifies one counterparty. */
  async check(counterparty: string): Promise<KybCheck> {
    const now = this.#now();
    const hit = this.#cache.get(counterparty);
    const cached = hit !== undefined && hit.until > now;
    let answer: KybAnswer;
    if (cached) answer = hit.answer;
    else {
      try {
        answer = await this.#o.provider.lookup(counterparty);
      } catch (error) {
        const e = error as Error & { code?: string };
        return {
          ...this.#base(counterparty, false),
          verdict: 'review',
          status: 'unknown',
          reason: `KYB status of ${counterparty} unknown: ${this.#o.provider.name} could not answer (${e.message}); a human must approve`,
          error: { code: e.code ?? ErrorCode.MANDATE_ERR_KYB_UNAVAILABLE, message: e.message },
        };
      }
      this.#remember(counterparty, answer, now);
    }
    return this.#judge(counterparty, answer, cached);
  }

  #judge(counterparty: string, answer: KybAnswer, cached: boolean): KybCheck {
    const base = this.#base(counterparty, cached);
    const record = answer.record;
    const facts = {
      ...base,
      status: record?.status ?? ('unknown' as const),
      ...(record?.jurisdiction === undefined ? {} : { jurisdiction: record.jurisdiction }),
      sanctions: answer.sanctions,
    };
    if (answer.sanctions.length > 0) {
      const lists = answer.sanctions.map((h) => `${h.list} entry "${h.name}" (matched "${h.matched}")`).join('; ');
      return { ...facts, verdict: 'denied', reason: `${counterparty} is on a sanctions list: ${lists}` };
    }
    if (record === undefined)
      return {
        ...facts,
        verdict: 'review',
        reason: `${counterparty} has no KYB record at ${base.provider}; a human must approve`,
      };
    if (record.jurisdiction !== undefined && this.#blocked.has(record.jurisdiction))
      return {
        ...facts,
        verdict: 'denied',
        reason: `${counterparty} is in ${record.jurisdiction}, a blocked jurisdiction`,
      };
    if (record.status === 'rejected')
      return {
        ...facts,
        verdict: 'denied',
        reason: `KYB verification of ${counterparty} was rejected${ref(record.reference)}`,
      };
    if (record.status === 'pending')
      return {
        ...facts,
        verdict: 'review',
        reason: `KYB review of ${counterparty} is still pending${ref(record.reference)}`,
      };
    if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= this.#now())
      return {
        ...facts,
        verdict: 'review',
        reason: `KYB verification of ${counterparty} expired on ${record.expiresAt}; renew it or approve`,
      };
    return {
      ...facts,
      verdict: 'clear',
      reason: `${counterparty} is KYB-verified${record.jurisdiction === undefined ? '' : ` (${record.jurisdiction})`}`,
    };
  }

  #remember(counterparty: string, answer: KybAnswer, now: number): void {
    const ttl = answer.record === undefined ? (this.#o.unknownTtlMs ?? 60_000) : (this.#o.cacheTtlMs ?? 900_000);
    const expires = answer.record?.expiresAt === undefined ? Infinity : Date.parse(answer.record.expiresAt);
    this.#cache.set(counterparty, { answer, until: Math.min(now + ttl, expires) });
  }

  #base(counterparty: string, cached: boolean) {
    return { counterparty, provider: this.#o.provider.name, cached, sanctions: [] as readonly SanctionsHit[] };
  }

  #now(): number {
    return this.#o.clock?.now() ?? Date.now();
  }
}

const ref = (reference: string | undefined) => (reference === undefined ? '' : ` (case ${reference})`);
