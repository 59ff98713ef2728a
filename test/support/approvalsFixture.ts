/**
 * The approvals service over a real store, for one agent (`payables`) proposing a payment: the
 * setup the approval hardening tests share. A fresh fixture on the same store is a restarted node.
 */
import { SimulatedClock } from 'xstate';
import type { Proposal } from '../../actors/index.ts';
import type { AgentEvent } from '../../machines/index.ts';
import { Approvals } from '../../runtime/approvals/Approvals.ts';
import type { AgentHost } from '../../runtime/host/AgentHost.ts';
import type { PostgresStore } from '../../runtime/persistence/index.ts';

/** The proposal of decision `id`: a payment of `amount` USD by `payables`. */
export function paymentProposal(id: string, amount: string): Proposal {
  return {
    agentId: 'payables',
    group: 'payables',
    capabilities: ['payments.send'],
    decision: {
      id,
      action: { type: 'payment.send', capability: 'payments.send', params: {} },
      confidence: 1,
      rationale: 'due',
      rulesFired: ['pay'],
      model: null,
    },
    action: { type: 'payment.send', capability: 'payments.send', amount: { value: amount, asset: 'USD' }, params: {} },
    facts: {},
    at: 0,
  };
}

/** Options of {@link approvalsFixture}. */
export interface ApprovalsFixtureOptions {
  /** The decision the agent proposes, and the one a restored approval's proposal is read from. */
  decisionId: string;
  /** The payment's amount in USD. */
  amount: string;
  /** How many closed requests the service holds (default: the service's own). */
  keepClosed?: number | undefined;
}

/** An approvals service for `payables`, the agent's host, the events delivered to it, and `propose` to switch its decision. */
export function approvalsFixture(store: PostgresStore, options: ApprovalsFixtureOptions) {
  const { decisionId, amount, keepClosed } = options;
  const received: AgentEvent[] = [];
  const context = { verdict: null, decision: { id: decisionId } };
  const host = {
    id: 'payables',
    state: 'propose',
    def: { group: 'payables' },
    identity: { did: 'did:key:zPayables' },
    context,
    deliver: (e: AgentEvent) => void received.push(e),
  } as unknown as AgentHost;
  const approvals = new Approvals({
    clock: new SimulatedClock(),
    store,
    audit: (e) => store.appendAudit(e),
    alert: () => {},
    publish: () => {},
    agent: (id) => (id === 'payables' ? host : undefined),
    proposalOf: () => paymentProposal(decisionId, amount),
    reserve: () => ({ status: 'approved', reason: 'within budget' }),
    live: () => false,
    killed: () => false,
    ...(keepClosed === undefined ? {} : { keepClosed }),
  });
  /** The agent now proposes `id` (so it may be answered while it finishes its propose step). */
  const propose = (id: string): void => {
    context.decision = { id };
  };
  return { approvals, host, received, propose };
}
