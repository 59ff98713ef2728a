import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import type { Outcome } from '../../machines/index.ts';
import { agentOf } from '../../test/support/agentOf.ts';
import { createRuntime, defineAgent } from '../index.ts';
import { openStore } from '../persistence/index.ts';
import { settlePhases } from './settlePhases.ts';

const root = mkdtempSync(join(tmpdir(), 'mandate-settle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const human = { kind: 'human' as const, id: 'alice' };

const pay = RulesDecider.fromObject({
  rules: [
    {
      name: 'pay',
      conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
      event: {
        type: 'payment.send',
        capability: 'payments.send',
        account: 'ops',
        amount: { value: '10.00', asset: 'USDC' },
        params: { idempotencyKey: 'INV-1' },
      },
    },
  ],
});

describe('shutdown waits for running phases', () => {
  it('shutdown - an act still sending when the runtime stops finishes, and its outcome is in the store after', async () => {
    const dataDir = join(root, 'data');
    let finished = false;
    const act: Actuator = {
      name: 'slow.pay',
      effect: 'external',
      async execute(): Promise<Outcome> {
        await new Promise((r) => setTimeout(r, 400));
        finished = true;
        return { status: 'succeeded', receipt: { reference: 'ref-1' } };
      },
    };
    const runtime = await createRuntime({ mode: 'live', store: await openStore({ dataDir, env: {} }) });
    await runtime.spawn(
      defineAgent({
        id: 'payer',
        capabilities: ['payments.send'],
        permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
        limits: { perTransaction: { USDC: '100' }, daily: { USDC: '100' } },
        perceive: () => ({ due: true }),
        decide: pay,
        act,
      }),
    );
    const host = agentOf(runtime, 'payer');
    await runtime.trigger('payer', human);
    while (host.state !== 'act') await new Promise((r) => setTimeout(r, 5));
    const decisionId = host.context.decision!.id;
    await runtime.shutdown();
    expect(finished).toBe(true);

    const store = await openStore({ dataDir, env: {} });
    const record = await store.getDecision(decisionId);
    await store.close();
    expect(record?.outcome?.status).toBe('succeeded');
  }, 120_000); // two embedded-database opens

  it('settlePhases - returns at once with nobody working, and names who is still working at its deadline', async () => {
    const idle = { id: 'a', state: 'idle' };
    const stuck = { id: 'b', state: 'act' };
    const agents = [idle, stuck];
    expect(await settlePhases([idle], { maxMs: 10_000 })).toEqual([]);
    expect(await settlePhases(agents, { maxMs: 60, pollMs: 10 })).toEqual(['b']);
    setTimeout(() => (stuck.state = 'learn'), 30);
    setTimeout(() => (stuck.state = 'idle'), 60);
    expect(await settlePhases(agents, { maxMs: 5_000, pollMs: 10 })).toEqual([]);
  });
});
