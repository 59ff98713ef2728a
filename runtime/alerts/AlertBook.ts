import { ErrorCode, type Principal } from '../../kernel/index.ts';
import { NotFoundError } from '../errors.ts';
import type { AlertEvent } from '../inspection/InspectionEvent.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import { atLeast, type AlertRecord, type AlertStatus } from './AlertRecord.ts';
import type { AlertStore } from './AlertStore.ts';
import type { AlertCondition } from './alertConditions.ts';
import {
  dedupKeyOf,
  quietPeriodOf,
  RESOLVED_BY_ALERT,
  RESOLVED_BY_CHILD_CYCLE,
  RESOLVED_BY_OWN_PERCEIVE,
  slippageBreach,
  type AlertRules,
  type SettledSwap,
} from './alertRules.ts';
import type { AlertDispatcher } from './sinks/AlertDispatcher.ts';
import type { AlertNotification } from './sinks/AlertSink.ts';

/** What the alert book needs. */
export interface AlertBookDeps {
  node: string;
  clock: { now(): number };
  newId: () => string;
  rules: AlertRules;
  store: AlertStore | undefined;
  dispatcher: AlertDispatcher | undefined;
  /** Raises a derived alert (repeated failures) through `Alerts`, so it reaches the stream and the book alike. */
  raise(event: Omit<AlertEvent, 'type' | 'seq' | 'at'>): void;
  /** A write or delivery problem: logged, never raised as another alert (that could loop). */
  onProblem(message: string): void;
  /** Records an operator's acknowledgement in the audit trail. */
  audit(entry: AuditInput): Promise<void>;
  /** In-memory history (default 1,000 alerts; the store keeps all of them). */
  keep?: number;
}

/**
 * Alerts as data: every raised alert is folded by dedup key into an open record (repeats count
 * up), persisted, delivered to the sinks it is for, and resolved by its rule (a release, a
 * recovered subtree, a quiet period); operators list and acknowledge them. Nothing here blocks
 * or throws into an agent's cycle: writes and deliveries run behind it.
 */
export class AlertBook {
  readonly #d: AlertBookDeps;
  readonly #byId = new Map<string, AlertRecord>();
  /** Open or acknowledged alerts by dedup key. */
  readonly #active = new Map<string, AlertRecord>();
  readonly #failures = new Map<string, number[]>();
  readonly #conditions: AlertCondition[] = [];
  #writes: Promise<void> = Promise.resolve();

  constructor(deps: AlertBookDeps) {
    this.#d = deps;
  }

  /** The thresholds and windows the rules use. */
  get rules(): AlertRules {
    return this.#d.rules;
  }

  /** Loads the kept alerts (after a restart: open ones stay open, their keys keep folding repeats). */
  async load(): Promise<void> {
    for (const r of (await this.#d.store?.loadAlerts(this.#d.keep ?? 1_000)) ?? []) this.#index(r);
  }

  /** Files one raised alert (called by `Alerts.raise`). */
  record(e: AlertEvent): void {
    const resolves = RESOLVED_BY_ALERT[e.code];
    if (resolves !== undefined) this.resolve(dedupKeyOf(resolves, e.actorId), `${e.code}: ${e.message}`);
    const key = dedupKeyOf(e.code, e.actorId);
    const open = this.#active.get(key);
    if (open !== undefined) {
      const escalated = !atLeast(open.severity, e.severity);
      open.count += 1;
      open.lastAt = e.at;
      open.message = e.message;
      if (escalated) open.severity = e.severity;
      this.#save(open);
      if (escalated) this.#notify({ kind: 'trigger', alert: open });
      return;
    }
    const record: AlertRecord = {
      id: this.#d.newId(),
      dedupKey: key,
      code: e.code,
      severity: e.severity,
      message: e.message,
      ...(e.actorId === undefined ? {} : { actorId: e.actorId }),
      node: this.#d.node,
      status: 'open',
      count: 1,
      firstAt: e.at,
      lastAt: e.at,
      deliveries: {},
    };
    this.#index(record);
    this.#save(record);
    this.#notify({ kind: 'trigger', alert: record });
  }

  /** An agent transition: failures count towards the repeated-failures rule; a completed cycle heals its supervisor's escalation. */
  onAgentTransition(agentId: string, parentId: string, { from, to }: { from: string; to: string }): void {
    if (to === 'failed') {
      const now = this.#d.clock.now();
      const { count, windowMs } = this.#d.rules.repeatedFailures;
      const recent = (this.#failures.get(agentId) ?? []).filter((t) => t > now - windowMs);
      recent.push(now);
      this.#failures.set(agentId, recent);
      if (recent.length >= count)
        this.#d.raise({
          severity: 'critical',
          code: ErrorCode.MANDATE_ALERT_REPEATED_FAILURES,
          message: `${agentId} failed ${recent.length} cycles in the last ${Math.round(windowMs / 60_000)} min`,
          actorId: agentId,
        });
    } else if (from === 'learn' && to === 'idle') {
      for (const code of RESOLVED_BY_CHILD_CYCLE)
        this.resolve(dedupKeyOf(code, parentId), `${agentId} under ${parentId} completed a cycle`);
    } else if (from === 'perceive' && to === 'decide') {
      for (const code of RESOLVED_BY_OWN_PERCEIVE)
        this.resolve(dedupKeyOf(code, agentId), `${agentId} perceived again with sane sources`);
    }
  }

  /** A settled action: a swap above its slippage bound raises `MANDATE_ALERT_SLIPPAGE`, one within it resolves it. */
  onSettled(agentId: string, settled: SettledSwap): void {
    const breach = slippageBreach(settled);
    if (breach === undefined) return;
    if (breach === false)
      this.resolve(dedupKeyOf(ErrorCode.MANDATE_ALERT_SLIPPAGE, agentId), `${agentId} swapped within its bound`);
    else
      this.#d.raise({
        severity: 'warning',
        code: ErrorCode.MANDATE_ALERT_SLIPPAGE,
        message: `${agentId} ${breach}`,
        actorId: agentId,
      });
  }

  /** Adds a level-triggered rule, checked on every `tick`. */
  watch(condition: AlertCondition): void {
    this.#conditions.push(condition);
  }

  /** Resolves the active alert with this key, if any; tells the sinks that had its trigger. */
  resolve(key: string, why: string): void {
    const r = this.#active.get(key);
    if (r === undefined) return;
    this.#active.delete(key);
    r.status = 'resolved';
    r.resolvedAt = this.#d.clock.now();
    r.resolvedBy = why;
    this.#save(r);
    this.#notify({ kind: 'resolve', alert: r });
  }

  /** Resolves alerts quiet for longer than their rule's period; the runtime calls it on a timer. */
  tick(): void {
    const now = this.#d.clock.now();
    for (const r of [...this.#active.values()]) {
      const quiet = quietPeriodOf(r.code, this.#d.rules);
      if (quiet !== undefined && now - r.lastAt >= quiet)
        this.resolve(r.dedupKey, `no repeat for ${Math.round(quiet / 60_000)} min`);
    }
    for (const c of this.#conditions) this.#check(c, now);
  }

  /** Raises a condition's alert where it began to hold, resolves it where it stopped. */
  #check(c: AlertCondition, now: number): void {
    let hits;
    try {
      hits = c.check(now);
    } catch (e) {
      this.#d.onProblem(`alert rule ${c.code} could not be checked: ${(e as Error).message}`);
      return;
    }
    const holding = new Set<string>();
    for (const hit of hits) {
      const key = dedupKeyOf(c.code, hit.actorId);
      holding.add(key);
      if (!this.#active.has(key))
        this.#d.raise({ severity: c.severity, code: c.code, message: hit.message, actorId: hit.actorId });
    }
    for (const r of [...this.#active.values()])
      if (r.code === c.code && !holding.has(r.dedupKey)) this.resolve(r.dedupKey, c.resolvedWhy);
  }

  /** Alerts newest first, optionally by status. */
  list(query: { status?: AlertStatus; limit?: number } = {}): AlertRecord[] {
    const all = [...this.#byId.values()].filter((r) => query.status === undefined || r.status === query.status);
    return all
      .reverse() // ties (same millisecond) list the newest alert first: the sort is stable
      .sort((a, b) => b.lastAt - a.lastAt)
      .slice(0, query.limit ?? 200)
      .map((r) => structuredClone(r));
  }

  /** Kept alerts counted by status and severity (for `/metrics`; no copies). */
  counts(): Array<{ status: string; severity: string; count: number }> {
    const rows = new Map<string, { status: string; severity: string; count: number }>();
    for (const a of this.#byId.values()) {
      const key = `${a.status}|${a.severity}`;
      const row = rows.get(key) ?? { status: a.status, severity: a.severity, count: 0 };
      row.count += 1;
      rows.set(key, row);
    }
    return [...rows.values()];
  }

  /** Marks an alert seen by `by` (it stays active until its resolve condition); persisted before it resolves. */
  async acknowledge(id: string, by: Principal): Promise<AlertRecord> {
    const r = this.#byId.get(id);
    if (r === undefined) throw new NotFoundError('alert', id);
    if (r.status === 'open') {
      r.status = 'acknowledged';
      r.acknowledgedAt = this.#d.clock.now();
      r.acknowledgedBy = by;
      await this.#d.audit({
        who: by,
        action: 'alert.acknowledged',
        subject: r.id,
        where: this.#d.node,
        why: `${r.code}: ${r.message}`,
        data: { alertId: r.id, code: r.code, dedupKey: r.dedupKey, count: r.count },
        at: r.acknowledgedAt,
      });
      this.#save(r);
    }
    await this.#writes;
    return structuredClone(r);
  }

  /** Waits for queued writes and deliveries. */
  async flush(): Promise<void> {
    await this.#d.dispatcher?.drain();
    await this.#writes;
  }

  /** Shutdown: gives deliveries up to `graceMs` to finish, stops the rest, then waits for the writes. */
  async close(graceMs: number): Promise<void> {
    const d = this.#d.dispatcher;
    if (d !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([d.drain(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      d.close();
    }
    await this.#writes;
  }

  #index(r: AlertRecord): void {
    this.#byId.set(r.id, r);
    if (r.status !== 'resolved') this.#active.set(r.dedupKey, r);
    const keep = this.#d.keep ?? 1_000;
    if (this.#byId.size > keep)
      for (const [id, old] of this.#byId) {
        if (this.#byId.size <= keep) break;
        if (old.status === 'resolved') this.#byId.delete(id);
      }
  }

  #notify(n: AlertNotification): void {
    const d = this.#d.dispatcher;
    if (d === undefined) return;
    const a = n.alert;
    // A resolve goes to the sinks its trigger went to (PagerDuty must close what it opened).
    const sinks = n.kind === 'trigger' ? d.sinksFor(a.severity) : Object.keys(a.deliveries);
    if (n.kind === 'trigger') for (const name of sinks) a.deliveries[name] = { status: 'pending', attempts: 0 };
    d.notify({ kind: n.kind, alert: structuredClone(a) }, sinks, (sink, delivery) => {
      const before = a.deliveries[sink];
      a.deliveries[sink] =
        n.kind === 'resolve'
          ? { ...(before ?? delivery), resolved: delivery.status === 'sent' }
          : { ...delivery, ...(before?.resolved === undefined ? {} : { resolved: before.resolved }) };
      if (delivery.status === 'failed') this.#d.onProblem(`alert ${a.id} (${a.code}) to ${sink}: ${delivery.error}`);
      this.#save(a);
    });
  }

  #save(r: AlertRecord): void {
    const store = this.#d.store;
    if (store === undefined) return;
    const copy = structuredClone(r);
    this.#writes = this.#writes
      .then(() => store.saveAlert(copy))
      .catch((e: Error) => this.#d.onProblem(`alert ${r.id} not persisted: ${e.message}`));
  }
}
