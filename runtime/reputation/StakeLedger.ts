import { formatAmount, parseAmount, type Severity } from '../../actors/index.ts';
import { ErrorCode, type Clock } from '../../kernel/index.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import type { StakeEntry, StakeStore } from '../persistence/StakeStore.ts';

/** Share of the stake a slash takes, in percent: the seed's severity points (minor 5, major 15, critical 30). */
export const STAKE_SLASH_PERCENT: Record<Severity, bigint> = { minor: 5n, major: 15n, critical: 30n };
/** The account slashed stake moves to. */
export const PENALTY_ACCOUNT = 'penalty';

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
  clock: Pick<Clock, 'now'>;
  nodeId: string;
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
}

/**
 * Agents' stakes (docs/reputation.md, "Stake"): an amount an agent's definition posts (`stake:`),
 * held as a balance of the ledger account `stake:<agentId>`, and slashed by severity when the
 * reputation supervisor slashes the agent, the slashed part moving to `penalty`. This is a ledger of
 * record in the store (`mandate_stake_entry`, append-only), not a token on a chain: no funds move
 * on a rail. Each entry is audited (`stake.posted`, `stake.slashed`). Entries are applied one at a
 * time, in order, so a balance is never computed from a stale one on this node.
 */
export class StakeLedger {
  readonly #deps: StakeLedgerDeps;
  readonly #entries = new Map<string, StakeEntry[]>();
  #loaded: Promise<void> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

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

  /** Slashes the stake by severity (5, 15 or 30% of what is left); nothing without a stake or with none left. */
  slash(
    agentId: string,
    violation: { severity: Severity; reason: string; at: number },
  ): Promise<StakeEntry | undefined> {
    return this.#serial(async () => {
      const entries = this.#entries.get(agentId) ?? [];
      const last = entries.at(-1);
      if (last === undefined) return undefined;
      const balance = parseAmount(last.balance);
      const cut = (balance * STAKE_SLASH_PERCENT[violation.severity]) / 100n;
      if (cut === 0n) return undefined;
      return this.#append({
        agentId,
        kind: 'slashed',
        asset: last.asset,
        amount: formatAmount(cut),
        from: accountOf(agentId),
        to: PENALTY_ACCOUNT,
        balance: formatAmount(balance - cut),
        reason: `${violation.severity}: ${violation.reason}`,
        at: violation.at,
      });
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

  /** Waits until every posting and slash asked for so far is recorded (before the store closes). */
  async settled(): Promise<void> {
    await this.#queue;
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

  async #append(entry: StakeEntry): Promise<StakeEntry> {
    // Stored before it counts: a slash the ledger could not record has not happened.
    try {
      await this.#deps.store?.append(entry);
    } catch (e) {
      this.#deps.alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_ERR_STORE,
        message: `stake ${entry.kind} of ${entry.agentId} (${entry.amount} ${entry.asset}) not recorded: ${(e as Error).message}`,
        actorId: entry.agentId,
      });
      throw e;
    }
    this.#remember(entry);
    await this.#deps.audit({
      who: { kind: 'system', id: 'reputation' },
      action: `stake.${entry.kind}`,
      subject: entry.agentId,
      where: this.#deps.nodeId,
      why: entry.reason,
      data: { ...entry },
      at: entry.at,
    });
    return entry;
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
