import { describe, expect, it } from 'vitest';
import type { AgentSummary, AuditEntry, TransitionEvent } from '../types.ts';
import { actOf, band, overviewRows } from './overviewRows.ts';

const agent = (id: string, over: Partial<AgentSummary> = {}): AgentSummary =>
  ({
    id,
    node: 'n1',
    did: `did:key:${id}`,
    capabilities: [],
    state: 'idle',
    parentId: 'governance',
    group: id,
    dependsOn: [],
    reputation: 75,
    health: { score: 93, errors: 100, latency: 100, reputation: 75, sandbox: 100 },
    mode: 'dry-run',
    paused: false,
    killed: false,
    cycle: 1,
    cycles: 4,
    restarts: 0,
    failures: 0,
    ...over,
  }) as AgentSummary;

const act = ([seq, agentId, action, at]: [number, string, string, number], data: Record<string, unknown>): AuditEntry =>
  ({
    seq,
    at,
    who: { kind: 'agent', id: `did:key:${agentId}` },
    action,
    subject: `d-${seq}`,
    where: `${agentId}/ops`,
    why: '',
    data: { agentId, ...data },
    agentId,
    currency: (data.currency as string) ?? null,
    counterparty: null,
    status: (data.status as string) ?? null,
    prevHash: '',
    hash: '',
  }) as AuditEntry;

const move = (actorId: string, at: number, seq: number): TransitionEvent => ({
  type: 'transition',
  seq,
  actorId,
  parentId: 'governance',
  actorKind: 'agent',
  from: 'idle',
  to: 'perceive',
  event: 'tick',
  summary: {},
  at,
});

describe('agents overview - rows from summaries, acts and transitions', () => {
  it('agents overview - an act entry reads as action and outcome; other entries are not acts', () => {
    expect(actOf({ action: 'agent.payment.send.would-have-sent', status: 'would-have-sent' })).toEqual({
      action: 'payment.send',
      outcome: 'would-have-sent',
    });
    expect(actOf({ action: 'agent.fx.swap.failed', status: null })).toEqual({ action: 'fx.swap', outcome: 'failed' });
    expect(actOf({ action: 'reputation.changed', status: null })).toBeUndefined();
    expect(actOf({ action: 'agent.x', status: null })).toBeUndefined();
  });

  it('agents overview - each agent gets its newest act, amount, the latest of act and transition, and the reputation trend', () => {
    const acts = [
      act([9, 'payables', 'agent.payment.send.denied', 5_000], {
        status: 'denied',
        amount: '900.00',
        currency: 'USDC',
      }),
      act([8, 'payables', 'agent.payment.send.would-have-sent', 4_000], { status: 'would-have-sent' }),
      act([7, 'fx', 'agent.fx.swap.succeeded', 1_000], { status: 'succeeded' }),
    ];
    const rows = overviewRows({
      agents: [agent('payables', { reputation: 70, paused: true }), agent('fx', { reputation: 80 }), agent('idle-one')],
      acts,
      feed: [move('fx', 3_000, 2), move('fx', 2_000, 1)],
      before: new Map([
        ['payables', 77],
        ['fx', 78],
      ]),
    });
    expect(rows[0]).toMatchObject({
      id: 'payables',
      flags: ['paused'],
      lastAction: 'payment.send',
      outcome: 'denied',
      amount: '900.00 USDC',
      lastAt: 5_000,
      trend: 'down',
      health: 93,
    });
    expect(rows[1]).toMatchObject({ id: 'fx', outcome: 'succeeded', amount: null, lastAt: 3_000, trend: 'up' });
    expect(rows[2]).toMatchObject({ id: 'idle-one', lastAction: null, outcome: null, lastAt: null, trend: 'same' });
  });

  it('agents overview - scores fall into colour bands', () => {
    expect([band(93), band(70), band(69.9), band(40), band(20)]).toEqual(['good', 'good', 'warn', 'warn', 'bad']);
  });
});
