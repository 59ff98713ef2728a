import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { GovernancePolicy } from '../../actors/index.ts';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import { createRuntime, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { openTestStore, type TestStore } from '../support/db.ts';
import { payerCycle, spawnPayer } from '../support/payerAgent.ts';

/** What the payer is asked to pay next (its perceiver reads it). */
let next = { amount: '100', payee: 'cp-1' };
const plugins = new PluginRegistry()
  .perceiver('invoice.next', () => ({ invoice: { ...next } }))
  .actuator({ name: 'pay', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, ['payments.send']);

const LIMITS = { perTransaction: '1000', daily: '100000' };
const governance = GovernancePolicy.fromYaml(
  `rules:
  - name: no-payee-x
    conditions: { all: [ { fact: counterparty, operator: equal, value: cp-x } ] }
    effect: deny
    reason: cp-x is blocked
`,
  () => undefined,
).config;

async function cycle(runtime: MandateRuntime, invoice: typeof next): Promise<void> {
  next = invoice;
  await payerCycle(runtime, (h, before) => h.cycles > before && h.state === 'idle', 600);
}

describe('live reputation (postgresql)', () => {
  let t: TestStore;
  let runtime: MandateRuntime;
  beforeAll(async () => {
    t = await openTestStore('postgresql');
  });
  afterAll(async () => {
    await runtime?.shutdown().catch(() => undefined);
    await t?.[Symbol.asyncDispose]();
  });

  async function start(): Promise<void> {
    runtime = await createRuntime({ store: t.store, clock: new SimulatedClock(), governance });
    await spawnPayer(runtime, plugins, LIMITS);
  }

  it('reputation - every settled proposal moves the dimensions, a governance denial costs compliance, and a restart restores it all', async () => {
    await start();
    for (let i = 0; i < 3; i++) await cycle(runtime, { amount: '100', payee: 'cp-1' });
    for (let i = 0; i < 2; i++) await cycle(runtime, { amount: '100', payee: 'cp-x' });
    // docs/reputation.md: reliability and financial responsibility 100 − 25·0.9³, compliance 75·0.9², the rest neutral.
    const expected = {
      overall: 75.54,
      penalty: 0,
      reliability: 81.78,
      efficiency: 75,
      cooperation: 75,
      compliance: 60.75,
      financialResponsibility: 81.78,
      limitFactor: 0.7934, // (75.54 − 20) / 70
      standing: 'normal',
    };
    expect(runtime.getAgent('payer')!.reputationScore).toMatchObject(expected);
    expect(runtime.getAgent('payer')!.reputation).toBe(75.54);

    await runtime.shutdown();
    t.store = await t.reopen();
    await start();
    // Before any new cycle: the score came back from the store, not from the initial 75.
    expect(runtime.getAgent('payer')!.reputationScore).toMatchObject(expected);
    const report = await runtime.agentReputation('payer', { limit: 10 });
    expect(report.history).toHaveLength(5);
    expect(report.history[0]).toMatchObject({
      agentId: 'payer',
      kind: 'outcome',
      reason: 'outcome denied',
      score: 75.54,
    });
    expect(report.history.at(-1)).toMatchObject({ reason: 'outcome succeeded' });

    // Every change is audited with its dimensions.
    const audit = await t.store.audit.query({ action: 'reputation.changed', limit: 10 });
    expect(audit.entries).toHaveLength(5);
    expect(audit.entries[0]!.data).toMatchObject({ agentId: 'payer', after: 75.54, dimensions: { compliance: 60.75 } });
  });

  it('reputation - GET /api/agents/:id/reputation shows the dimensions and history; an unknown agent is a coded 404', async () => {
    const tokens = new TokenStore();
    const { token } = tokens.issue('obs', 'observer');
    const app = await createGateway({ runtime, tokens });
    const headers = { authorization: `Bearer ${token}` };
    const res = await app.inject({ method: 'GET', url: '/api/agents/payer/reputation?limit=2', headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ agentId: 'payer', overall: 75.54, compliance: 60.75, standing: 'normal' });
    expect(res.json().history).toHaveLength(2);
    const detail = await app.inject({ method: 'GET', url: '/api/agents/payer', headers });
    expect(detail.json().reputationScore).toMatchObject({ reliability: 81.78 });
    const ghost = await app.inject({ method: 'GET', url: '/api/agents/ghost/reputation', headers });
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json().error.code).toBe('MANDATE_ERR_NOT_FOUND');
    const bad = await app.inject({ method: 'GET', url: '/api/agents/payer/reputation?limit=9999', headers });
    expect(bad.statusCode).toBe(400);
    await app.close();
  });
});
