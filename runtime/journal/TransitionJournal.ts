import type { AgentHost } from '../host/AgentHost.ts';
import type { StateChange } from '../host/StateChange.ts';
import type { StateWriter } from '../host/StateWriter.ts';
import type { SupervisorHost } from '../supervision/SupervisorHost.ts';
import type { TransitionEvent } from '../inspection/InspectionEvent.ts';
import type { InspectionStream } from '../inspection/InspectionStream.ts';

/**
 * Every actor's state changes: published on the inspection stream (UI, metrics, NATS inspection
 * subjects), kept in a ring of the newest ones for inspection, and handed to the state writer
 * for the persisted journal.
 */
export class TransitionJournal {
  readonly #inspection: InspectionStream;
  readonly #writer: StateWriter | undefined;
  readonly #clock: { now(): number };
  readonly #recent: Array<TransitionEvent | undefined>;
  #next = 0;
  readonly #traceOf: ((agentId: string) => string | undefined) | undefined;

  constructor(options: {
    inspection: InspectionStream;
    writer: StateWriter | undefined;
    clock: { now(): number };
    size?: number;
    /** The trace id of an agent's cycle (tracing on), written into transition summaries as `traceId`. */
    traceOf?: ((agentId: string) => string | undefined) | undefined;
  }) {
    this.#traceOf = options.traceOf;
    this.#inspection = options.inspection;
    this.#writer = options.writer;
    this.#clock = options.clock;
    this.#recent = new Array<TransitionEvent | undefined>(Math.max(1, options.size ?? 2_000));
  }

  /** Records an agent's transition (its snapshot is queued for writing too). */
  agent(host: AgentHost, { from, to, event }: StateChange): void {
    this.#writer?.snapshot(host);
    // Nobody listens and nothing is persisted: skip building the summary (the benchmarks' hot path).
    if (!this.#inspection.active && this.#writer === undefined) return;
    const ctx = host.context;
    const summary: Record<string, unknown> = { cycle: ctx.cycle };
    if (ctx.decision !== null) summary.decisionId = ctx.decision.id;
    const traceId = this.#traceOf?.(host.id);
    if (traceId !== undefined) summary.traceId = traceId;
    if (ctx.decision?.action) summary.action = ctx.decision.action.type;
    if (ctx.outcome !== null) summary.outcome = ctx.outcome.status;
    if (ctx.lastError !== null) summary.error = ctx.lastError.code;
    if (ctx.attempts > 0) summary.attempts = ctx.attempts;
    const effect = onChainEffect(host.id, ctx.outcome?.receipt);
    if (effect !== undefined) summary.effect = effect;
    this.#record({
      type: 'transition',
      actorId: host.id,
      parentId: host.parent.id,
      actorKind: 'agent',
      from,
      to,
      event,
      summary,
      at: this.#clock.now(),
    });
  }

  /** Records a supervisor's transition. */
  supervisor(host: SupervisorHost, { from, to, event }: StateChange): void {
    const ctx = host.actor.getSnapshot().context;
    const summary = { restarts: ctx.restarts.length, lastExit: ctx.lastExit?.childId ?? null };
    this.#record({
      type: 'transition',
      actorId: host.id,
      parentId: host.parent?.id,
      actorKind: 'supervisor',
      from,
      to,
      event,
      summary,
      at: this.#clock.now(),
    });
  }

  /** The most recent transitions, oldest first (optionally of one actor). */
  recent(actorId?: string): TransitionEvent[] {
    const ring = this.#recent;
    const out: TransitionEvent[] = [];
    for (let i = 0; i < ring.length; i++) {
      const t = ring[(this.#next + i) % ring.length];
      if (t !== undefined && (actorId === undefined || t.actorId === actorId)) out.push(t);
    }
    return out;
  }

  #record(e: Omit<TransitionEvent, 'seq'>): void {
    const published = this.#inspection.publish(e) as TransitionEvent;
    // A ring: the newest transitions for inspection, at O(1) per transition.
    this.#recent[this.#next] = published;
    this.#next = (this.#next + 1) % this.#recent.length;
    this.#writer?.journal(published);
  }
}

/**
 * The on-chain effect of an outcome, for the transition line: its business key (the invoice id,
 * without the agent prefix; the decision id when the action has none), transaction hash and block. Undefined when the receipt is not a
 * chain transaction.
 */
function onChainEffect(
  agentId: string,
  receipt: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const tx = receipt?.reference;
  if (typeof tx !== 'string' || !/^0x[0-9a-f]{64}$/i.test(tx)) return undefined;
  const key = typeof receipt!.idempotencyKey === 'string' ? receipt!.idempotencyKey : undefined;
  const details = (receipt!.details ?? {}) as Record<string, unknown>;
  return {
    key: key?.startsWith(`${agentId}:`) ? key.slice(agentId.length + 1) : key,
    tx,
    block: typeof details.blockNumber === 'number' ? details.blockNumber : null,
    rail: receipt!.rail ?? null,
    status: receipt!.status ?? null,
  };
}
