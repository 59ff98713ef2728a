import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { PolicyResult, Proposal } from '../../actors/index.ts';
import type { AgentEvent, Principal } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import { Approvals } from './Approvals.ts';

const alice: Principal = { kind: 'human', id: 'alice' };
const bob: Principal = { kind: 'human', id: 'bob' };

/** An agent host as the approvals service sees it: a state, the context fields it reads, and an inbox. */
function fakeAgent(state: string) {
  const received: AgentEvent[] = [];
  const agent = {
    id: 'payables',
    state,
    def: { group: 'payables', owner: 'human:owen' as string | undefined },
    identity: { did: 'did:key:zPayables' },
    context: { verdict: null as { approvalId: string } | null, decision: { id: 'd1' } },
    deliver: (e: AgentEvent) => void received.push(e),
  };
  return { agent, received, host: agent as unknown as AgentHost };
}

const proposal: Proposal = {
  agentId: 'payables',
  group: 'payables',
  capabilities: ['payments.send'],
  decision: {
    id: 'd1',
    action: { type: 'payment.send', capability: 'payments.send', params: {} },
    confidence: 1,
    rationale: 'due',
    rulesFired: ['pay'],
    model: null,
  },
  action: { type: 'payment.send', capability: 'payments.send', amount: { value: '15000', asset: 'USD' }, params: {} },
  facts: {},
  at: 0,
};

function setup(
  state = 'propose',
  reserve: PolicyResult = { status: 'approved', reason: 'within budget' },
  beforeSave: (r: ApprovalRecord) => Promise<void> = async () => {},
) {
  const clock = new SimulatedClock();
  const { agent, received, host } = fakeAgent(state);
  const saved: ApprovalRecord[] = [];
  const published: ApprovalRecord[] = [];
  const audited: AuditInput[] = [];
  const store = {
    // One transaction: the record and the entry recording it are kept together or not at all.
    saveApproval: async (r: ApprovalRecord, entry?: AuditInput) => {
      await beforeSave(r);
      saved.push(r);
      if (entry !== undefined) audited.push(entry);
    },
    // The newest record saved under the id (the store's look-up of a request not held in memory).
    getApproval: async (id: string) => saved.findLast((r) => r.id === id),
  };
  const approvals = new Approvals({
    clock,
    store: store as never,
    audit: async (e) => void audited.push(e),
    alert: () => {},
    publish: (r) => void published.push(r),
    agent: (id) => (id === 'payables' ? host : undefined),
    proposalOf: () => proposal,
    reserve: () => reserve,
    live: () => false,
    killed: () => false,
  });
  /** The agent finishes its propose step and waits for the approval (as the runtime reports it). */
  const wait = (id: string) => {
    agent.state = 'awaitingApproval';
    agent.context.verdict = { approvalId: id };
    approvals.onAgentWaiting(host);
  };
  return { clock, agent, received, host, approvals, saved, published, audited, wait };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('approvals service', () => {
  it('approvals - opening persists, publishes and audits a pending request that expires at requestedAt + timeout', async () => {
    const t = setup();
    const record = await t.approvals.open({
      host: t.host,
      proposal,
      reason: 'over 10k needs a human',
      timeoutMs: 60_000,
    });
    expect(record).toMatchObject({
      id: 'apr-d1',
      status: 'pending',
      requestedAt: 0,
      expiresAt: 60_000,
      agentId: 'payables',
      decisionId: 'd1',
    });
    expect(t.saved.map((r) => r.status)).toEqual(['pending']);
    expect(t.published.map((r) => r.status)).toEqual(['pending']);
    expect(t.audited.map((e) => e.action)).toEqual(['approval.requested']);
    expect(t.approvals.pending).toBe(1);
  });

  it('approvals - an answer given while the agent is still proposing is kept and handed over once it waits', async () => {
    const t = setup('propose');
    await t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    await t.approvals.approve('apr-d1', alice, 'checked');
    expect(t.approvals.get('apr-d1')).toMatchObject({
      status: 'approved',
      decidedBy: alice,
      decisionReason: 'checked',
    });
    expect(t.received).toEqual([]); // not waiting yet: nothing delivered
    t.wait('apr-d1');
    await tick();
    expect(t.received).toEqual([{ type: 'governance.approval.granted', approvalId: 'apr-d1', by: alice, at: 0 }]);
    t.approvals.onAgentWaiting(t.host); // a second report changes nothing: delivered once
    await tick();
    expect(t.received).toHaveLength(1);
  });

  it('approvals - a decision proposed again while its grant is being stored gets the grant; no pending record overwrites it', async () => {
    let release: () => void = () => {};
    const slow = new Promise<void>((r) => (release = r));
    const t = setup('propose', undefined, async (r) => {
      if (r.status === 'approved') await slow;
    });
    const first = await t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    const granting = t.approvals.approve('apr-d1', alice, 'checked');
    await tick();
    // The agent restarts and proposes the same decision while the grant's write is in flight (sim seed 104).
    const again = t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    await tick();
    release();
    await granting;
    expect(await again).toMatchObject({ id: 'apr-d1', status: 'approved', requestedAt: first.requestedAt });
    expect(t.saved.map((r) => r.status)).toEqual(['pending', 'approved']);
  });

  it('approvals - a decision proposed again while its request is open keeps the same request and its deadline', async () => {
    const t = setup('propose');
    const first = await t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    t.clock.increment(10_000);
    const again = await t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    expect(again).toEqual(first);
    expect(t.saved).toHaveLength(1);
    expect(t.audited.map((e) => e.action)).toEqual(['approval.requested']);
  });

  it('approvals - a waiting agent gets the answer at once; a second answer is a conflict', async () => {
    const t = setup('propose');
    await t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    t.wait('apr-d1');
    await t.approvals.reject('apr-d1', bob, 'wrong payee');
    expect(t.received).toEqual([
      { type: 'governance.approval.rejected', approvalId: 'apr-d1', by: bob, reason: 'wrong payee', at: 0 },
    ]);
    await expect(t.approvals.approve('apr-d1', alice)).rejects.toMatchObject({
      code: 'MANDATE_ERR_STATE_CONFLICT',
      status: 409,
    });
    expect(t.audited.map((e) => e.action)).toEqual(['approval.requested', 'approval.rejected']);
    // Both carry the payment's amount and currency, so a currency filter keeps the approver in the trail.
    for (const e of t.audited) expect(e.data).toMatchObject({ amount: '15000', currency: 'USD' });
  });

  it('approvals - an unanswered request expires on the injected clock: recorded, audited and delivered', async () => {
    const t = setup('propose');
    await t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    t.wait('apr-d1');
    t.clock.increment(59_999);
    expect(t.approvals.get('apr-d1').status).toBe('pending');
    t.clock.increment(1);
    await tick();
    expect(t.approvals.get('apr-d1')).toMatchObject({
      status: 'expired',
      decisionReason: 'no approver answered in time',
      decidedAt: 60_000,
    });
    expect(t.saved.at(-1)?.status).toBe('expired');
    expect(t.audited.at(-1)?.action).toBe('approval.expired');
    expect(t.received).toEqual([{ type: 'governance.approval.expired', approvalId: 'apr-d1', at: 60_000 }]);
  });

  it('approvals - an agent that moved on cannot be approved for; nothing changes', async () => {
    const t = setup('idle');
    await t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    await expect(t.approvals.approve('apr-d1', alice)).rejects.toMatchObject({ code: 'MANDATE_ERR_STATE_CONFLICT' });
    expect(t.approvals.get('apr-d1').status).toBe('pending');
    await expect(t.approvals.approve('apr-nope', alice)).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
      status: 404,
    });
  });

  it('approvals - a budget used up while the request waited turns the approval into a rejection by governance', async () => {
    const t = setup('propose', { status: 'denied', reason: 'daily limit 25000 USD would be exceeded' });
    await t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    await t.approvals.approve('apr-d1', alice);
    expect(t.approvals.get('apr-d1')).toMatchObject({
      status: 'rejected',
      decidedBy: { kind: 'system', id: 'governance' },
      decisionReason: 'daily limit 25000 USD would be exceeded',
    });
  });

  it('approvals - a quorum of two needs two distinct approvers; the same one twice is refused', async () => {
    const t = setup('propose');
    await t.approvals.open({
      host: t.host,
      proposal,
      reason: 'two signatures',
      timeoutMs: 60_000,
      requirement: { required: 2 },
    });
    await t.approvals.approve('apr-d1', alice);
    expect(t.approvals.get('apr-d1').status).toBe('pending');
    expect(t.audited.at(-1)).toMatchObject({ action: 'approval.grant.counted', who: alice });
    await expect(t.approvals.approve('apr-d1', alice)).rejects.toMatchObject({ code: 'MANDATE_ERR_STATE_CONFLICT' });
    await t.approvals.approve('apr-d1', bob);
    expect(t.approvals.get('apr-d1')).toMatchObject({ status: 'approved', decidedBy: bob });
  });

  it('approvals - four-eyes: the agent’s owner cannot approve its request; 2-of-3 then needs two others', async () => {
    const t = setup('propose');
    const carol: Principal = { kind: 'human', id: 'carol' };
    const owen: Principal = { kind: 'human', id: 'owen' }; // the agent's owner
    await t.approvals.open({
      host: t.host,
      proposal,
      reason: 'two of three',
      timeoutMs: 60_000,
      requirement: {
        required: 2,
        approvers: ['human:owen', 'human:bob', 'human:carol'],
      },
    });
    await expect(t.approvals.approve('apr-d1', owen)).rejects.toMatchObject({
      code: 'MANDATE_ERR_STATE_CONFLICT',
      details: { rule: 'four-eyes' },
    });
    expect(t.approvals.get('apr-d1').status).toBe('pending');
    await t.approvals.approve('apr-d1', bob);
    expect(t.approvals.get('apr-d1').status).toBe('pending');
    await t.approvals.approve('apr-d1', carol);
    expect(t.approvals.get('apr-d1')).toMatchObject({ status: 'approved', decidedBy: carol });
  });

  it('approvals - an approver list admits only those on it', async () => {
    const t = setup('propose');
    await t.approvals.open({
      host: t.host,
      proposal,
      reason: 'treasurer only',
      timeoutMs: 60_000,
      requirement: { approvers: ['human:bob'] },
    });
    await expect(t.approvals.approve('apr-d1', alice)).rejects.toMatchObject({ code: 'MANDATE_ERR_STATE_CONFLICT' });
    await t.approvals.approve('apr-d1', bob);
    expect(t.approvals.get('apr-d1').status).toBe('approved');
  });

  it('approvals - bad input is refused before anything changes', async () => {
    const t = setup('propose');
    await t.approvals.open({ host: t.host, proposal, reason: 'needs a human', timeoutMs: 60_000 });
    await expect(t.approvals.approve('apr-d1', { kind: 'robot', id: 'x' } as never)).rejects.toMatchObject({
      code: 'MANDATE_ERR_EVENT_INVALID',
    });
    await expect(t.approvals.reject('apr-d1', alice, '')).rejects.toMatchObject({ code: 'MANDATE_ERR_EVENT_INVALID' });
    expect(t.approvals.get('apr-d1').status).toBe('pending');
  });

  it('approvals - a restored request past its deadline expires at once; one with time left keeps its remaining time', async () => {
    const t = setup('awaitingApproval');
    t.clock.set(100_000);
    const base: ApprovalRecord = {
      id: 'apr-old',
      agentId: 'payables',
      decisionId: 'd0',
      action: {},
      reason: 'x',
      status: 'pending',
      requestedAt: 0,
      expiresAt: 50_000,
    };
    t.approvals.restore(base);
    t.approvals.restore({ ...base, id: 'apr-live', decisionId: 'd1', expiresAt: 130_000 });
    await tick();
    expect(t.approvals.get('apr-old').status).toBe('expired');
    expect(t.approvals.get('apr-live').status).toBe('pending');
    t.clock.increment(30_000);
    await tick();
    expect(t.approvals.get('apr-live').status).toBe('expired');
  });
});
