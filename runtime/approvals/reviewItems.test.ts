import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { flagSuboptimal, RulesDecider, type Actuator } from '../../actors/index.ts';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import { openTestStore } from '../../test/support/db.ts';
import { agentOf } from '../../test/support/agentOf.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../index.ts';

/**
 * Review items: an executed action its learner flags lands in the approvals queue (`kind: "review"`),
 * is listed by GET /api/approvals, survives a restart, and is answered through the approve/reject path
 * without reaching the agent (which acted long ago) or reserving anything.
 */
const note: Actuator = {
  name: 'note',
  effect: 'internal',
  execute: async () => ({ status: 'succeeded', receipt: { reference: 'noted' }, slippageBps: 80 }),
};
const agent = () =>
  defineAgent({
    id: 'annotator',
    capabilities: ['ledger.annotate'],
    permissions: [{ capability: 'ledger.annotate', accounts: ['*'] }],
    perceive: () => ({ due: true }),
    decide: RulesDecider.fromObject({
      rules: [
        {
          name: 'annotate',
          conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
          event: { type: 'ledger.annotate', capability: 'ledger.annotate', params: {}, confidence: 0.5 },
        },
      ],
    }),
    act: note,
    learn: flagSuboptimal({ maxSlippageBps: 50, minConfidence: 0.6 }),
  });

async function cycle(runtime: MandateRuntime): Promise<void> {
  const host = agentOf(runtime, 'annotator');
  const before = host.cycles;
  await runtime.trigger('annotator', { kind: 'human', id: 'tester' });
  for (let i = 0; i < 500 && !(host.cycles > before && host.state === 'idle'); i++)
    await new Promise((r) => setTimeout(r, 5));
  expect(host.state).toBe('idle');
}

describe('review items in the approvals queue', () => {
  it('review items - a flagged action is a pending review item, listed, restored after a restart, answered by approve/reject', async () => {
    await using t = await openTestStore('postgresql');
    let runtime = await createRuntime({ store: t.store, clock: new SimulatedClock() });
    await runtime.spawn(agent());
    await cycle(runtime);
    await cycle(runtime);
    const incarnation = agentOf(runtime, 'annotator').context.incarnation;
    const first = `rev-${incarnation}:1`;
    // One open review item per agent: the second cycle's flags are audited and alerted, not queued again.
    const reviews = runtime.listApprovals('pending');
    expect(reviews.map((r) => [r.id, r.kind, r.agentId])).toEqual([[first, 'review', 'annotator']]);
    expect(reviews[0]!.reason).toBe(
      'review (succeeded): slippage 80 bps above 50 bps; decided with confidence 0.5, under 0.6',
    );
    expect(reviews[0]!.action).toMatchObject({ type: 'ledger.annotate' });

    // The agent does not wait for it: it kept cycling, and a restart brings the item back as a review item.
    await runtime.shutdown();
    t.store = await t.reopen();
    runtime = await createRuntime({ store: t.store, clock: new SimulatedClock() });
    await runtime.spawn(agent());
    expect(runtime.listApprovals('pending').map((r) => [r.id, r.kind])).toEqual([[first, 'review']]);

    const tokens = new TokenStore();
    const { token } = tokens.issue('ops', 'operator');
    const app = await createGateway({ runtime, tokens });
    const call = async (method: 'GET' | 'POST', url: string, body?: unknown) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
    const listed: { approvals: { id: string }[] } = (await call('GET', '/api/approvals?status=pending')).json();
    expect(listed.approvals.map((a) => a.id)).toEqual([first]);
    const ok = await call('POST', `/api/approvals/${first}/approve`, { reason: 'slippage acceptable today' });
    expect(ok.statusCode).toBe(200);
    const again = await call('POST', `/api/approvals/${first}/approve`, {});
    expect(again.json().error.code).toBe('MANDATE_ERR_STATE_CONFLICT');

    // Once answered, the next flagged action opens a new item.
    await cycle(runtime);
    const next = runtime.listApprovals('pending');
    expect(next.map((r) => r.kind)).toEqual(['review']);
    expect(next[0]!.id).not.toBe(first);
    const no = await call('POST', `/api/approvals/${next[0]!.id}/reject`, { reason: 'use the deeper pool' });
    expect(no.statusCode).toBe(200);
    expect(runtime.listApprovals().map((r) => [r.status, r.decisionReason])).toEqual([
      ['approved', 'slippage acceptable today'],
      ['rejected', 'use the deeper pool'],
    ]);
    expect(agentOf(runtime, 'annotator').state).toBe('idle');

    const trail = await t.store.audit?.query({ action: 'review.*', limit: 10 });
    expect(trail?.entries.map((e) => e.action).sort()).toEqual([
      'review.approved',
      'review.rejected',
      'review.requested',
      'review.requested',
    ]);
    await app.close();
    await runtime.shutdown();
  });
});
