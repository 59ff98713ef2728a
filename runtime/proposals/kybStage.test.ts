/**
 * The KYB stage in a live runtime: before governance, after zero trust; a verified payee is paid,
 * a sanctioned one is denied with a critical alert and never reaches the actuator, an unknown one
 * waits for a human and is paid once approved; every check is in the audit trail.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { KybPolicy, RulesDecider, type Actuator, type KybProvider } from '../../actors/index.ts';
import type { AuditInput } from '../audit/AuditInput.ts';
import { agentOf, servicesOf } from '../../test/support/agentOf.ts';
import { createRuntime, defineAgent } from '../index.ts';
import { kybStage } from './kybStage.ts';

const human = { kind: 'human' as const, id: 'alice' };
const settle = async () => {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
};

const provider: KybProvider = {
  name: 'test-list',
  lookup: async (c) =>
    c === 'acme'
      ? { record: { status: 'verified', jurisdiction: 'DE' }, sanctions: [] }
      : c === 'evil'
        ? { record: { status: 'verified' }, sanctions: [{ list: 'OFAC SDN', name: 'Evil Corp', matched: 'evil' }] }
        : { sanctions: [] },
};

const payTo = RulesDecider.fromObject({
  rules: [
    {
      name: 'pay',
      conditions: { all: [{ fact: 'input', path: '$.payee', operator: 'notEqual', value: null }] },
      event: {
        type: 'payment.send',
        capability: 'payments.send',
        account: 'ops',
        amount: { value: '250', asset: 'USDC' },
        counterparty: '$fact:input.payee',
        rationale: 'invoice due',
      },
    },
  ],
});

describe('kyb stage', () => {
  it('kyb stage - sits before governance; pays the verified, denies the sanctioned, holds the unknown for a human', async () => {
    const clock = new SimulatedClock();
    const paid: string[] = [];
    const actuator: Actuator = {
      name: 'test.pay',
      effect: 'external',
      execute: async (action) => {
        paid.push(String(action.counterparty));
        return { status: 'succeeded', receipt: { reference: `ref-${paid.length}` } };
      },
    };
    const runtime = await createRuntime({
      clock,
      mode: 'live',
      zeroTrust: true,
      kyb: new KybPolicy({ provider, clock }),
    });
    await runtime.spawn(
      defineAgent({
        id: 'payables',
        capabilities: ['payments.send'],
        permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
        limits: { perTransaction: { USDC: '1000' }, daily: { USDC: '5000' } },
        triggers: [{ user: true }],
        perceive: ({ trigger }) => ({ input: trigger }),
        decide: payTo,
        act: actuator,
      }),
    );
    const host = agentOf(runtime, 'payables');
    expect(servicesOf(runtime).pipeline.stages.map((s) => s.name)).toEqual([
      'sandbox',
      'reputation',
      'zero-trust',
      'kyb',
      'governance',
      'confidence',
    ]);
    const pay = async (payee: string) => {
      await runtime.trigger('payables', human, { payee });
      await settle();
    };

    await pay('acme');
    expect(paid).toEqual(['acme']);

    await pay('evil');
    expect(host.context.verdict).toMatchObject({
      status: 'denied',
      by: 'kyb',
      reason: expect.stringContaining('OFAC SDN'),
    });
    expect(paid).toEqual(['acme']);
    expect(runtime.listAlerts().map((a) => a.code)).toContain('MANDATE_KYB_SANCTIONS_MATCH');

    await pay('stranger');
    expect(host.state).toBe('awaitingApproval');
    const [held] = runtime.listApprovals('pending');
    expect(held).toMatchObject({ reason: expect.stringContaining('stranger has no KYB record') });
    await runtime.approve(held!.id, human, 'called them, documents on file');
    await settle();
    expect(paid).toEqual(['acme', 'stranger']);
    await runtime.shutdown();
  });

  it('kyb stage - audits every check before its verdict counts, with what the provider said', async () => {
    const audited: AuditInput[] = [];
    const stage = kybStage({
      policy: new KybPolicy({ provider }),
      audit: async (e) => void audited.push(e),
      alert: () => undefined,
      clock: { now: () => 42 },
      nodeId: 'n1',
    });
    const proposal = (counterparty?: string) => ({
      agentId: 'payables',
      group: 'default',
      capabilities: ['payments.send'],
      decision: { id: 'd7', action: null, confidence: 1, rationale: '', rulesFired: [], model: null },
      action: {
        type: 'payment.send',
        capability: 'payments.send',
        params: {},
        ...(counterparty ? { counterparty } : {}),
      },
      facts: {},
      at: 42,
    });
    await stage.evaluate(proposal('evil'));
    await stage.evaluate(proposal('acme'));
    await stage.evaluate(proposal());
    expect(audited).toHaveLength(2);
    expect(audited[0]).toMatchObject({
      who: { kind: 'system', id: 'kyb' },
      action: 'compliance.kyb.denied',
      subject: 'evil',
      where: 'n1/test-list',
      data: {
        agentId: 'payables',
        decisionId: 'd7',
        status: 'verified',
        sanctions: [{ list: 'OFAC SDN' }],
        cached: false,
      },
    });
    expect(audited[1]).toMatchObject({ action: 'compliance.kyb.clear', data: { jurisdiction: 'DE' } });
    // A failed audit write fails the stage (the phase is retried), it never passes unrecorded.
    const failing = kybStage({
      policy: new KybPolicy({ provider }),
      audit: () => Promise.reject(new Error('db down')),
      alert: () => undefined,
      clock: { now: () => 42 },
      nodeId: 'n1',
    });
    await expect(failing.evaluate(proposal('acme'))).rejects.toThrow('db down');
  });
});
