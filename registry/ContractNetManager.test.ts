import { describe, expect, it } from 'vitest';
import { AgentIdentity } from '../transport/index.ts';
import { memoryNode } from '../test/messaging/memoryNode.ts';
import { ContractNetContractor } from './ContractNetContractor.ts';
import { ContractNetManager } from './ContractNetManager.ts';

const fx = [{ name: 'fx.quote', version: '1.0.0' }];

describe('contract net (memory transport)', () => {
  it('contract net - the cheapest bid wins; a silent winner loses the award to the backup; decliners are skipped', async () => {
    const { bus, registry } = await memoryNode();
    const performed: string[] = [];
    const contractor = (id: string, price: string | undefined, behaviour: 'work' | 'silent') =>
      ContractNetContractor.attach({
        identity: AgentIdentity.generate(),
        bus,
        descriptor: { id, capabilities: fx },
        bid: async () =>
          price === undefined ? undefined : { price: { amount: price, asset: 'USDC' }, etaMs: 10, confidence: 0.9 },
        perform: async (award, signal) => {
          performed.push(`${id}#${award.attempt}`);
          if (behaviour === 'silent') await new Promise((r) => signal.addEventListener('abort', r));
          return { by: id };
        },
      });
    const silent = await contractor('silent', '1.00', 'silent');
    const backup = await contractor('backup', '2.00', 'work');
    await contractor('decliner', undefined, 'work');
    const manager = await ContractNetManager.attach({
      identity: AgentIdentity.generate(),
      registry,
      bus,
      descriptor: { id: 'm', capabilities: [] },
      bidTimeoutMs: 500,
      resultTimeoutMs: 300,
    });
    const outcome = (await manager.run({ id: 't', subtasks: [{ id: 's', capability: 'fx.quote', input: {} }] })).get(
      's',
    )!;
    expect(outcome).toMatchObject({ by: backup.did, attempt: 2, output: { by: 'backup' } });
    expect(outcome.awards).toEqual([
      expect.objectContaining({ did: silent.did, ended: 'timeout' }),
      expect.objectContaining({ did: backup.did, ended: 'succeeded' }),
    ]);
    expect(performed).toEqual(['silent#1', 'backup#2']);
    await bus.close();
  });

  it('contract net - a goal is decomposed into dependent subtasks, each awarded to a holder of its capability', async () => {
    const { bus, registry } = await memoryNode();
    const agent = (id: string, cap: string) =>
      ContractNetContractor.attach({
        identity: AgentIdentity.generate(),
        bus,
        descriptor: { id, capabilities: [{ name: cap, version: '1.0.0' }] },
        bid: async () => ({ etaMs: 1, confidence: 1 }),
        perform: async (award) => ({ by: id, saw: award.input }),
      });
    await agent('quoter', 'fx.quote');
    await agent('payer', 'payments.execute');
    const manager = await ContractNetManager.attach({
      identity: AgentIdentity.generate(),
      registry,
      bus,
      bidTimeoutMs: 300,
      resultTimeoutMs: 1_000,
      descriptor: { id: 'm', capabilities: [] },
      decompose: (g) =>
        g.kind === 'fx.payment'
          ? [
              { id: 'quote', capability: 'fx.quote', input: g.input },
              { id: 'pay', capability: 'payments.execute', input: { to: 'acct-1' }, dependsOn: ['quote'] },
            ]
          : [],
    });
    const out = await manager.runGoal({ id: 'g1', kind: 'fx.payment', input: { pair: 'EURUSD' } });
    expect(out.get('quote')!.output).toEqual({ by: 'quoter', saw: { pair: 'EURUSD' } });
    expect(out.get('pay')!.output).toEqual({
      by: 'payer',
      saw: { to: 'acct-1', dependencies: { quote: { by: 'quoter', saw: { pair: 'EURUSD' } } } },
    });
    await expect(manager.runGoal({ id: 'g2', kind: 'unknown', input: {} })).rejects.toMatchObject({
      code: 'MANDATE_ERR_TASK_FAILED',
    });
    // An unregistered manager is refused by every candidate, and the error says so.
    const stranger = await ContractNetManager.attach({
      identity: AgentIdentity.generate(),
      registry,
      bus,
      bidTimeoutMs: 300,
    });
    await expect(
      stranger.run({ id: 't', subtasks: [{ id: 'q', capability: 'fx.quote', input: {} }] }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_TASK_FAILED',
      details: { reasons: [expect.objectContaining({ reason: 'MANDATE_ERR_ENVELOPE_UNKNOWN_SIGNER' })] },
    });
    await bus.close();
  });

  it('contract net - a slow awardee that keeps sending progress beats is not replaced; one that stops is', async () => {
    const { bus, registry } = await memoryNode();
    const slow = await ContractNetContractor.attach({
      identity: AgentIdentity.generate(),
      bus,
      descriptor: { id: 'slow', capabilities: fx },
      progressEveryMs: 50,
      bid: async () => ({ price: { amount: '1', asset: 'USDC' }, etaMs: 600, confidence: 1 }),
      perform: async () => (await new Promise((r) => setTimeout(r, 600)), { by: 'slow' }),
    });
    const manager = await ContractNetManager.attach({
      identity: AgentIdentity.generate(),
      registry,
      bus,
      descriptor: { id: 'm', capabilities: [] },
      bidTimeoutMs: 300,
      resultTimeoutMs: 5_000,
      silenceTimeoutMs: 200,
    });
    const o = (await manager.run({ id: 't', subtasks: [{ id: 's', capability: 'fx.quote', input: {} }] })).get('s')!;
    expect(o).toMatchObject({ by: slow.did, attempt: 1 });
    // A contractor whose beats stop (beat period far beyond the silence window) is presumed dead.
    await slow.detach();
    const mute = await ContractNetContractor.attach({
      identity: AgentIdentity.generate(),
      bus,
      descriptor: { id: 'mute', capabilities: fx },
      progressEveryMs: 60_000,
      bid: async () => ({ price: { amount: '1', asset: 'USDC' }, etaMs: 1, confidence: 1 }),
      perform: async (_a, signal) => new Promise((r) => signal.addEventListener('abort', r)),
    });
    const backup = await ContractNetContractor.attach({
      identity: AgentIdentity.generate(),
      bus,
      descriptor: { id: 'backup', capabilities: fx },
      bid: async () => ({ price: { amount: '2', asset: 'USDC' }, etaMs: 1, confidence: 1 }),
      perform: async () => ({ by: 'backup' }),
    });
    const o2 = (await manager.run({ id: 't2', subtasks: [{ id: 's', capability: 'fx.quote', input: {} }] })).get('s')!;
    expect(o2.awards.map((a) => [a.did, a.ended])).toEqual([
      [mute.did, 'silent'],
      [backup.did, 'succeeded'],
    ]);
    await bus.close();
  });

  it('contract net - no capable agent or a dependency cycle fails with MANDATE_ERR_TASK_FAILED', async () => {
    const { bus, registry } = await memoryNode();
    const manager = await ContractNetManager.attach({
      identity: AgentIdentity.generate(),
      registry,
      bus,
      bidTimeoutMs: 200,
      resultTimeoutMs: 200,
    });
    await expect(
      manager.run({ id: 't', subtasks: [{ id: 's', capability: 'kyc.check', input: {} }] }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_TASK_FAILED', details: { candidates: 0 } });
    await expect(
      manager.run({
        id: 't',
        subtasks: [
          { id: 'a', capability: 'x', input: {}, dependsOn: ['b'] },
          { id: 'b', capability: 'x', input: {}, dependsOn: ['a'] },
        ],
      }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_TASK_FAILED' });
    await bus.close();
  });

  it('bus - beforeSign can refuse signing (the kill switch hook): nothing is sent', async () => {
    const { bus } = await memoryNode();
    let got = 0;
    const a = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'a', capabilities: [] },
      accepts: { note: {} },
      handler: async () => void got++,
    });
    const b = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'b', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    bus.options.beforeSign = (did) => {
      if (did === b.did)
        throw Object.assign(new Error(`kill switch covers ${did}`), { code: 'MANDATE_ERR_KILL_SWITCH' });
    };
    await expect(b.send({ to: a.did, type: 'note', body: {} })).rejects.toMatchObject({
      code: 'MANDATE_ERR_KILL_SWITCH',
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toBe(0);
    await bus.close();
  });
});
