import { describe, expect, it } from 'vitest';
import type { PolicyResult, Proposal } from '../../actors/index.ts';
import type { Outcome, SupervisorRole } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import { ProposalPipeline } from './ProposalPipeline.ts';
import type { ProposalStage } from './ProposalStage.ts';

const host = {
  id: 'payables',
  def: { group: 'payables', limits: { approvalTimeout: 30_000 } },
  identity: { did: 'did:key:zP' },
} as unknown as AgentHost;
const proposal: Proposal = {
  agentId: 'payables',
  group: 'payables',
  capabilities: ['payments.send'],
  decision: { id: 'd1', action: null, confidence: 1, rationale: 'invoice due', rulesFired: ['pay'], model: null },
  action: {
    type: 'payment.send',
    capability: 'payments.send',
    account: 'ops',
    amount: { value: '10', asset: 'USD' },
    counterparty: 'cp-1',
    params: {},
  },
  facts: {},
  at: 0,
};

function stage({
  name,
  role,
  result,
  log,
}: {
  name: string;
  role: SupervisorRole;
  result: PolicyResult | Error;
  log: string[];
}): ProposalStage {
  return {
    name,
    role,
    evaluate: async () => {
      log.push(`evaluate:${name}`);
      if (result instanceof Error) throw result;
      return result;
    },
    settle: (_p: Proposal, o: Outcome) => void log.push(`settle:${name}:${o.status}`),
  };
}

function setup(stages: (log: string[]) => ProposalStage[]) {
  const log: string[] = [];
  const checked: Array<{ role: SupervisorRole; status: string }> = [];
  const audited: AuditInput[] = [];
  const opened: Array<{ reason: string; timeout: number }> = [];
  const pipeline = new ProposalPipeline(stages(log), {
    clock: { now: () => 42 },
    audit: async (e) => void audited.push(e),
    approvals: {
      open: async ({ proposal, reason, timeoutMs }) => (
        opened.push({ reason, timeout: timeoutMs }),
        { id: `apr-${proposal.decision.id}`, expiresAt: 42 + timeoutMs } as never
      ),
    },
    supervisorOf: (_h, role) =>
      ({
        id: role,
        actor: { send: (e: { status: string }) => void checked.push({ role, status: e.status }) },
      }) as never,
  });
  return { pipeline, log, checked, audited, opened };
}

const ok = (reason = 'ok'): PolicyResult => ({ status: 'approved', reason });

describe('proposal pipeline', () => {
  it('proposals - stages run in order, each supervisor hears its result, and approval by all yields a grant for the decision', async () => {
    const t = setup((log) => [
      stage({ name: 'sandbox', role: 'sandbox', result: ok(), log }),
      stage({ name: 'reputation', role: 'reputation', result: ok(), log }),
      stage({ name: 'governance', role: 'governance', result: ok(), log }),
    ]);
    const verdict = await t.pipeline.propose(host, proposal);
    expect(t.log).toEqual(['evaluate:sandbox', 'evaluate:reputation', 'evaluate:governance']);
    expect(t.checked).toEqual([
      { role: 'sandbox', status: 'approved' },
      { role: 'reputation', status: 'approved' },
      { role: 'governance', status: 'approved' },
    ]);
    expect(verdict).toMatchObject({
      status: 'approved',
      grant: { decisionId: 'd1', mode: 'auto', approvalId: 'auto-d1', at: 42 },
    });
    expect(verdict.stages?.map((s) => `${s.stage}:${s.status}`)).toEqual([
      'sandbox:approved',
      'reputation:approved',
      'governance:approved',
    ]);
  });

  it('proposals - the first denial ends the chain, naming the stage', async () => {
    const t = setup((log) => [
      stage({ name: 'sandbox', role: 'sandbox', result: ok(), log }),
      stage({ name: 'reputation', role: 'reputation', result: { status: 'denied', reason: 'score 20 below 30' }, log }),
      stage({ name: 'governance', role: 'governance', result: ok(), log }),
    ]);
    expect(await t.pipeline.propose(host, proposal)).toEqual({
      status: 'denied',
      by: 'reputation',
      reason: 'score 20 below 30',
      stages: [
        { stage: 'sandbox', role: 'sandbox', status: 'approved', reason: 'ok' },
        { stage: 'reputation', role: 'reputation', status: 'denied', reason: 'score 20 below 30' },
      ],
    });
    expect(t.log).toEqual(['evaluate:sandbox', 'evaluate:reputation']);
  });

  it('proposals - a pending answer opens an approval with the stage timeout, or the agent limit when the stage names none', async () => {
    const t = setup((log) => [
      stage({
        name: 'governance',
        role: 'governance',
        result: { status: 'pending', reason: 'over 10k', approvalTimeoutMs: 5_000 },
        log,
      }),
    ]);
    expect(await t.pipeline.propose(host, proposal)).toEqual({
      status: 'pending',
      by: 'governance',
      reason: 'over 10k',
      approvalId: 'apr-d1',
      expiresAt: 5_042,
      stages: [{ stage: 'governance', role: 'governance', status: 'pending', reason: 'over 10k' }],
    });
    const u = setup((log) => [
      stage({ name: 'governance', role: 'governance', result: { status: 'pending', reason: 'human' }, log }),
    ]);
    await u.pipeline.propose(host, proposal);
    expect(u.opened).toEqual([{ reason: 'human', timeout: 30_000 }]);
  });

  it('proposals - a stage that throws neither approves nor denies: the propose phase fails with a coded error', async () => {
    const t = setup((log) => [
      stage({ name: 'governance', role: 'governance', result: new Error('engine exploded'), log }),
    ]);
    await expect(t.pipeline.propose(host, proposal)).rejects.toMatchObject({ code: 'MANDATE_ERR_POLICY_EVALUATION' });
    expect(t.checked).toEqual([]);
  });

  it('proposals - add() inserts a stage before another; names are unique and the anchor must exist', async () => {
    const t = setup((log) => [
      stage({ name: 'sandbox', role: 'sandbox', result: ok(), log }),
      stage({ name: 'governance', role: 'governance', result: ok(), log }),
    ]);
    t.pipeline.add(stage({ name: 'zero-trust', role: 'governance', result: ok(), log: t.log }), {
      before: 'governance',
    });
    expect(t.pipeline.stages.map((s) => s.name)).toEqual(['sandbox', 'zero-trust', 'governance']);
    await t.pipeline.propose(host, proposal);
    expect(t.log).toEqual(['evaluate:sandbox', 'evaluate:zero-trust', 'evaluate:governance']);
    expect(() => t.pipeline.add(stage({ name: 'sandbox', role: 'sandbox', result: ok(), log: t.log }))).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_DUPLICATE_ID' }),
    );
    expect(() =>
      t.pipeline.add(stage({ name: 'kyb', role: 'governance', result: ok(), log: t.log }), { before: 'nope' }),
    ).toThrowError(expect.objectContaining({ code: 'MANDATE_ERR_NOT_FOUND' }));
  });

  it('proposals - settling tells every stage in order, counts the outcome and audits it with amount and counterparty', async () => {
    const t = setup((log) => [
      stage({ name: 'sandbox', role: 'sandbox', result: ok(), log }),
      stage({ name: 'governance', role: 'governance', result: ok(), log }),
    ]);
    await t.pipeline.settle(host, proposal, { status: 'succeeded', receipt: { reference: 'r-1' } });
    expect(t.log).toEqual(['settle:sandbox:succeeded', 'settle:governance:succeeded']);
    expect(t.pipeline.outcomes).toEqual({ succeeded: 1 });
    expect(t.audited).toEqual([
      {
        who: { kind: 'agent', id: 'did:key:zP' },
        action: 'agent.payment.send.succeeded',
        subject: 'd1',
        where: 'payables/ops',
        why: 'invoice due',
        data: {
          agentId: 'payables',
          status: 'succeeded',
          amount: '10',
          currency: 'USD',
          counterparty: 'cp-1',
          receipt: { reference: 'r-1' },
        },
        at: 42,
      },
    ]);
  });

  it('proposals - a denied outcome is audited with the denial as why, the agent’s rationale kept in data', async () => {
    const t = setup((log) => [stage({ name: 'governance', role: 'governance', result: ok(), log })]);
    await t.pipeline.settle(host, proposal, {
      status: 'denied',
      error: { code: 'MANDATE_ERR_PROPOSAL_DENIED', message: 'governance: counterparty is sanctioned' },
    });
    expect(t.audited[0]).toMatchObject({
      action: 'agent.payment.send.denied',
      why: 'denied by governance: counterparty is sanctioned',
      data: { status: 'denied', rationale: 'invoice due', counterparty: 'cp-1' },
    });
  });
});
