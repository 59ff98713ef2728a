import { PolicyEvaluationError, type Proposal } from '../../actors/index.ts';
import type { Outcome, StageVerdict, SupervisorRole, Verdict } from '../../machines/index.ts';
import type { Approvals } from '../approvals/Approvals.ts';
import { DuplicateIdError, NotFoundError } from '../errors.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { SupervisorHost } from '../supervision/SupervisorHost.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import type { ProposalStage } from './ProposalStage.ts';

/** What the pipeline needs. */
export interface ProposalPipelineDeps {
  clock: { now(): number };
  audit(entry: AuditInput): Promise<void>;
  approvals: Pick<Approvals, 'open'>;
  /** The supervisor of `role` over an agent: its sandbox, the reputation or the governance supervisor. */
  supervisorOf(host: AgentHost, role: SupervisorRole): SupervisorHost;
  /** Told of each stage's evaluation (tracing: a `supervisor.<stage>` span). */
  stageDone?(host: AgentHost, stage: { name: string; startMs: number; endMs: number; status: string }): void;
  /** Told of every settled action (the metrics count them by type, rail and mode). */
  settled?(host: AgentHost, proposal: Proposal, outcome: Outcome): void;
}

/**
 * Where a proposed action goes before anything is paid: an ordered list of stages (sandbox →
 * reputation → governance by default), each owned by a supervisor actor that hears its result.
 * The first denial ends it; a `pending` answer opens an approval the agent waits for; approval
 * by every stage yields the grant `act` requires. Settling runs every stage's `settle` in the
 * same order and audits the outcome.
 *
 * @example
 * pipeline.add(zeroTrustStage, { before: 'governance' });
 */
export class ProposalPipeline {
  readonly #stages: ProposalStage[];
  readonly #deps: ProposalPipelineDeps;
  /** Outcomes settled so far, by status (for metrics). */
  readonly outcomes: Record<string, number> = {};

  constructor(stages: readonly ProposalStage[], deps: ProposalPipelineDeps) {
    this.#stages = [...stages];
    this.#deps = deps;
  }

  /** The stages, in order. */
  get stages(): readonly ProposalStage[] {
    return this.#stages;
  }

  /** Inserts a stage before the one named `before`, or last. Stage names are unique. */
  add(stage: ProposalStage, options: { before?: string } = {}): void {
    if (this.#stages.some((s) => s.name === stage.name)) {
      throw new DuplicateIdError(
        'proposal stage',
        stage.name,
        `stages have unique names (${this.#stages.map((s) => s.name).join(' → ')}); name the new stage differently`,
      );
    }
    const at = options.before === undefined ? -1 : this.#stages.findIndex((s) => s.name === options.before);
    if (options.before !== undefined && at < 0) {
      throw new NotFoundError(
        'proposal stage',
        options.before,
        `cannot insert "${stage.name}" before it; the stages are ${this.#stages.map((s) => s.name).join(' → ')}`,
      );
    }
    if (at < 0) this.#stages.push(stage);
    else this.#stages.splice(at, 0, stage);
  }

  /** Runs `proposal` through every stage; see the class comment. A stage that throws fails the propose phase (it is retried). */
  async propose(host: AgentHost, proposal: Proposal): Promise<Verdict> {
    const decisionId = proposal.decision.id;
    // Each stage's own answer, for the decision record (the payment page shows every one).
    const stages: StageVerdict[] = [];
    for (const stage of this.#stages) {
      let result;
      const startMs = this.#deps.clock.now();
      try {
        result = await stage.evaluate(proposal);
      } catch (cause) {
        this.#deps.stageDone?.(host, { name: stage.name, startMs, endMs: this.#deps.clock.now(), status: 'error' });
        // Not approved, and not denied either.
        throw new PolicyEvaluationError(stage.name, (cause as Error).message, { cause });
      }
      this.#deps.stageDone?.(host, { name: stage.name, startMs, endMs: this.#deps.clock.now(), status: result.status });
      this.#deps.supervisorOf(host, stage.role).actor.send({
        type: 'supervisor.proposal.checked',
        agentId: host.id,
        decisionId,
        status: result.status,
        reason: result.reason,
      });
      stages.push({ stage: stage.name, role: stage.role, status: result.status, reason: result.reason });
      if (result.status === 'denied') return { status: 'denied', by: stage.name, reason: result.reason, stages };
      if (result.status === 'pending') {
        const timeout = result.approvalTimeoutMs ?? host.def.limits.approvalTimeout;
        const record = await this.#deps.approvals.open({
          host,
          proposal,
          reason: result.reason,
          timeoutMs: timeout,
          requirement: result.requirement,
        });
        return {
          status: 'pending',
          by: stage.name,
          reason: result.reason,
          approvalId: record.id,
          expiresAt: record.expiresAt,
          stages,
        };
      }
    }
    return {
      status: 'approved',
      by: 'governance',
      reason: `approved by ${this.#stages.map((s) => s.name).join(', ')}`,
      grant: {
        approvalId: `auto-${decisionId}`,
        decisionId,
        mode: 'auto',
        by: { kind: 'system', id: this.#deps.supervisorOf(host, 'governance').id },
        at: this.#deps.clock.now(),
      },
      stages,
    };
  }

  /** Tells every stage how the action ended (budgets kept or released, trust updated) and audits it. */
  async settle(host: AgentHost, proposal: Proposal, outcome: Outcome): Promise<void> {
    for (const stage of this.#stages) await stage.settle?.(proposal, outcome);
    this.outcomes[outcome.status] = (this.outcomes[outcome.status] ?? 0) + 1;
    this.#deps.settled?.(host, proposal, outcome);
    const a = proposal.action;
    await this.#deps.audit({
      who: { kind: 'agent', id: host.identity.did },
      action: `agent.${a.type}.${outcome.status}`,
      subject: proposal.decision.id,
      where: `${host.def.group}/${a.account ?? '-'}`,
      // A denial's why is the denial (stage and reason), not the agent's own reasoning, which stays in data.
      why:
        outcome.status === 'denied' && outcome.error !== undefined
          ? `denied by ${outcome.error.message}`
          : proposal.decision.rationale,
      data: {
        agentId: host.id,
        status: outcome.status,
        ...(outcome.status === 'denied' ? { rationale: proposal.decision.rationale } : {}),
        ...(a.amount === undefined ? {} : { amount: a.amount.value, currency: a.amount.asset }),
        ...(a.counterparty === undefined ? {} : { counterparty: a.counterparty }),
        ...(outcome.receipt === undefined ? {} : { receipt: outcome.receipt }),
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
      },
      at: this.#deps.clock.now(),
    });
  }
}
