import { formatAmount, parseAmount, type Severity } from '../../actors/index.ts';
import { codeOf, ErrorCode, type Clock } from '../../kernel/index.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { ReputationEvent, ReputationStore } from '../persistence/ReputationEvent.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import type { StakeEntry, StakeStore } from '../persistence/StakeStore.ts';

/** Share of the stake a slash takes, in percent: the seed's severity points (minor 5, major 15, critical 30). */
export const STAKE_SLASH_PERCENT: Record<Severity, bigint> = { minor: 5n, major: 15n, critical: 30n };
/** The account slashed stake moves to. */
export const PENALTY_ACCOUNT = 'penalty';

/** Codes of writes that fail the same way every time: not retried. */
const BAD_INPUT = new Set<string>([ErrorCode.MANDATE_ERR_STORE_INPUT, ErrorCode.MANDATE_ERR_AUDIT_INPUT]);

/** What a reputation change causes, written with it (see {@link StakeLedger.recordChange}). */
export interface ChangeEffects {
  /** A slash: the stake is slashed by its severity. */
  violation?: { severity: Severity } | undefined;
  /** The audit entry recording the change (`reputation.changed`). */
  audit?: AuditInput | undefined;
}

/** An agent's stake as operators see it. */
export interface StakePosition {
  asset: string;
  /** The ledger account holding it (`stake:<agentId>`). */
  account: string;
  posted: string;
  slashed: string;
  balance: string;
  /** Newest first. */
  entries: StakeEntry[];
}

/** What the ledger needs from the runtime. */
export interface StakeLedgerDeps {
  store?: StakeStore | undefined;
  /** The reputation history: a change that slashes the stake is stored with its stake entry, in one transaction. */
  reputation?: ReputationStore | undefined;
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  nodeId: string;
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
}

/**
 * Agents' stakes (docs/reputation.md, "Stake"): an amount an agent's definition posts (`stake:`),
 * held as a balance of the ledger account `stake:<agentId>`, and slashed by severity when the
 * reputation supervisor slashes the agent, the slashed part moving to `penalty`. This is a ledger of
 * record in the store (`mandate_stake_entry`, append-only), not a token on a chain: no funds move
 * on a rail. Each entry is audited (`stake.posted`, `stake.slashed`) in the transaction that stores it.
 * Entries are applied one at a time, in order, so a balance is never computed from a stale one on this node.
 *
 * Every reputation change is stored through {@link recordChange}, in the order made: a slash of the
 * score, the slash of the stake it causes and both audit entries commit in one transaction, so a crash
 * can never leave the score slashed and the stake not, or either without its audit entry (or the other
 * way round).
 */
export class StakeLedger {
  readonly #deps: StakeLedgerDeps;
  readonly #entries = new Map<string, StakeEntry[]>();
  #loaded: Promise<void> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closing = false;
  /** Set when a change was given up at close: no later change may be written after it. */
  #abandoned: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(deps: StakeLedgerDeps) {
    this.#deps = deps;
  }

  /** Posts the agent's stake once: a definition posting again (a restart, a new version) changes nothing. */
  post(agentId: string, stake: { amount: string; asset: string }): Promise<StakeEntry | undefined> {
    return this.#serial(async () => {
      if ((this.#entries.get(agentId) ?? []).some((e) => e.kind === 'posted')) return undefined;
      const units = parseAmount(stake.amount);
      return this.#append({
        agentId,
        kind: 'posted',
        asset: stake.asset,
        amount: formatAmount(units),
        from: 'external',
        to: accountOf(agentId),
        balance: formatAmount(units),
        reason: 'stake posted by the agent definition',
        at: this.#deps.clock.now(),
      });
    });
  }

  /**
   * Stores a reputation change, and for a slash (`violation`) the slash of the stake with it: 5, 15
   * or 30% of what is left by severity, nothing without a stake or with none left. The change, the
   * stake's slash and their audit entries (`audit`, the change's own, then `stake.slashed`) commit in
   * one transaction, or none of them. A failed write is alerted and retried (every second on the clock)
   * before any later change is written, so the store always holds a prefix of the changes made, in
   * order: each change stores the whole score, and a later one must never carry a slash whose stake
   * entry is not there. At {@link close} a change still failing is given up, with every one after
   * it, as a crash would (the score and the stake restored from the store agree).
   */
  recordChange(event: ReputationEvent, effects: ChangeEffects = {}): Promise<StakeEntry | undefined> {
    return this.#serial(async () => {
      const { violation, audit } = effects;
      const entry = violation === undefined ? undefined : this.#slashOf(event, violation.severity);
      const audits = [...(audit === undefined ? [] : [audit]), ...(entry === undefined ? [] : [this.#auditOf(entry)])];
      await this.#writeChange(event, entry, audits);
      if (entry !== undefined) this.#remember(entry);
      // Without a reputation history there is no transaction to join: audited once stored, as before.
      if (this.#deps.reputation === undefined) for (const a of audits) await this.#deps.audit(a);
      return entry;
    });
  }

  /** The agent's stake, or undefined when it never posted one. */
  async position(agentId: string, limit = 50): Promise<StakePosition | undefined> {
    await this.#load();
    const entries = this.#entries.get(agentId);
    if (entries === undefined || entries.length === 0) return undefined;
    const sum = (kind: StakeEntry['kind']) =>
      formatAmount(entries.filter((e) => e.kind === kind).reduce((a, e) => a + parseAmount(e.amount), 0n));
    return {
      asset: entries[0]!.asset,
      account: accountOf(agentId),
      posted: sum('posted'),
      slashed: sum('slashed'),
      balance: entries.at(-1)!.balance,
      entries: entries.slice(-limit).reverse(),
    };
  }

  /** Waits until every posting and change asked for so far is recorded or given up (before the store closes). */
  async close(): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    await this.#queue;
  }

  async #writeChange(event: ReputationEvent, entry: StakeEntry | undefined, audit: AuditInput[]): Promise<void> {
    const { reputation, store } = this.#deps;
    for (let attempt = 1; ; attempt++) {
      if (this.#abandoned !== undefined) throw this.#abandoned;
      try {
        if (reputation !== undefined)
          await reputation.append(event, { ...(entry === undefined ? {} : { stake: entry }), audit });
        else if (entry !== undefined) await store?.append(entry);
        return;
      } catch (e) {
        const error = e as Error;
        if (attempt === 1) this.#notRecorded(entry ?? event, error);
        // Bad input never gets better; a stopping runtime gives up (what follows must not be written).
        if (BAD_INPUT.has(codeOf(error, ErrorCode.MANDATE_ERR_STORE))) throw error;
        if (this.#closing) throw (this.#abandoned = error);
        await new Promise<void>((resolve) => {
          const id = this.#deps.clock.setTimeout(resolve, 1_000);
          this.#wake = () => (this.#deps.clock.clearTimeout(id), resolve());
        });
      }
    }
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(() => this.#load()).then(run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      for (const e of (await this.#deps.store?.list()) ?? []) this.#remember(e);
    })();
    return this.#loaded;
  }

  #slashOf(event: ReputationEvent, severity: Severity): StakeEntry | undefined {
    const last = this.#entries.get(event.agentId)?.at(-1);
    if (last === undefined) return undefined;
    const balance = parseAmount(last.balance);
    const cut = (balance * STAKE_SLASH_PERCENT[severity]) / 100n;
    if (cut === 0n) return undefined;
    return {
      agentId: event.agentId,
      kind: 'slashed',
      asset: last.asset,
      amount: formatAmount(cut),
      from: accountOf(event.agentId),
      to: PENALTY_ACCOUNT,
      balance: formatAmount(balance - cut),
      reason: `${severity}: ${event.reason}`,
      at: event.at,
    };
  }

  async #append(entry: StakeEntry): Promise<StakeEntry> {
    // Stored (with its audit entry, in one transaction) before it counts: a posting the ledger could not record has not happened.
    const { store } = this.#deps;
    try {
      if (store === undefined) await this.#deps.audit(this.#auditOf(entry));
      else await store.append(entry, this.#auditOf(entry));
    } catch (e) {
      this.#notRecorded(entry, e as Error);
      throw e;
    }
    this.#remember(entry);
    return entry;
  }

  #notRecorded(what: StakeEntry | ReputationEvent, e: Error): void {
    const message =
      'balance' in what
        ? `stake ${what.kind} of ${what.agentId} (${what.amount} ${what.asset}) not recorded: ${e.message}`
        : `reputation change (${what.kind}) of ${what.agentId} not recorded: ${e.message}`;
    const retry = this.#closing ? '' : '; retrying before any later change';
    this.#deps.alert({
      severity: 'critical',
      code: ErrorCode.MANDATE_ERR_STORE,
      message: message + retry,
      actorId: what.agentId,
    });
  }

  /** The audit entry recording a stake entry: `stake.posted` or `stake.slashed`, the entry as data. */
  #auditOf(entry: StakeEntry): AuditInput {
    return {
      who: { kind: 'system', id: 'reputation' },
      action: `stake.${entry.kind}`,
      subject: entry.agentId,
      where: this.#deps.nodeId,
      why: entry.reason,
      data: { ...entry },
      at: entry.at,
    };
  }

  #remember(entry: StakeEntry): void {
    const list = this.#entries.get(entry.agentId) ?? [];
    list.push(entry);
    this.#entries.set(entry.agentId, list);
  }
}

function accountOf(agentId: string): string {
  return `stake:${agentId}`;
}
