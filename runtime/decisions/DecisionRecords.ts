import type { AgentContext, Decision, Outcome, Verdict } from '../../machines/index.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { AuditInput, RuntimeStore } from '../persistence/RuntimeStore.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { paramFact } from '../../actors/index.ts';

const paramFacts = (params: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [paramFact(k), v]));

/** What decision records need. */
export interface DecisionRecordsDeps {
  store: RuntimeStore | undefined;
  clock: { now(): number };
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
  /** The trace id of the agent's running cycle (tracing on). */
  traceIdOf?: (agentId: string) => string | undefined;
}

/**
 * One record per decision joining the trigger, facts, rules fired, model rationale, confidence,
 * the supervisor chain's verdict and the outcome — written at decide, updated at propose and
 * learn (an upsert by decision id). Learners' review flags are raised here too.
 */
export class DecisionRecords {
  readonly #deps: DecisionRecordsDeps;

  constructor(deps: DecisionRecordsDeps) {
    this.#deps = deps;
  }

  /** Writes (or updates) the record of `decision` as it stands now. No-op without a store. */
  async record({
    host,
    context: ctx,
    decision,
    verdict,
    outcome,
  }: {
    host: AgentHost;
    context: AgentContext;
    decision: Decision;
    verdict: Verdict | null;
    outcome: Outcome | null;
  }): Promise<void> {
    const store = this.#deps.store;
    if (store === undefined) return;
    const now = this.#deps.clock.now();
    await store.saveDecision({
      id: decision.id,
      agentId: host.id,
      cycle: ctx.cycle,
      trigger: (ctx.trigger ?? {}) as unknown as Record<string, unknown>,
      // The rules read their parameters as the facts `param:<rule>.<name>`: recorded with the others.
      facts: decision.params === undefined ? (ctx.facts ?? {}) : { ...ctx.facts, ...paramFacts(decision.params) },
      rulesFired: decision.rulesFired,
      rationale: decision.rationale,
      confidence: decision.confidence,
      model: decision.model,
      action: decision.action as unknown as Record<string, unknown> | null,
      verdict:
        verdict === null
          ? null
          : {
              status: verdict.status,
              by: verdict.by,
              reason: verdict.reason,
              ...(verdict.approvalId === undefined ? {} : { approvalId: verdict.approvalId }),
              ...(verdict.stages === undefined ? {} : { stages: verdict.stages }),
            },
      outcome,
      traceId: this.#deps.traceIdOf?.(host.id) ?? null,
      createdAt: ctx.trigger?.at ?? now,
      updatedAt: now,
    });
  }

  /** Raises a learner's review flags on a decision as an alert and an audit entry. */
  async flag(host: AgentHost, decision: Decision, flags: string[]): Promise<void> {
    const d = this.#deps;
    d.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_REVIEW_FLAGGED,
      message: `${host.id} ${decision.action?.type ?? 'decision'} ${decision.id} flagged for review: ${flags.join('; ')}`,
      actorId: host.id,
    });
    await d.audit({
      who: { kind: 'agent', id: host.identity.did },
      action: 'learn.flagged',
      subject: decision.id,
      where: host.def.group,
      why: flags.join('; '),
      data: { agentId: host.id, flags },
      at: d.clock.now(),
    });
  }
}
