import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentIdentity, MessageBus, NatsKvReplayStore, NatsTransport, ReplayGuard } from '../../transport/index.ts';
import { ContractNetManager, NatsKvCapabilityRegistry } from '../../registry/index.ts';
import { NatsServer } from '../support/natsServer.ts';
import { PeerProcess } from '../support/natsPeer.ts';
import { eventually } from './memoryNode.ts';

describe('contract net across processes (real nats-server with JetStream, peer child processes)', () => {
  let ns: NatsServer;
  const cleanup: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    ns = await NatsServer.start({ jetstream: true });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    await ns[Symbol.asyncDispose]();
  });

  async function managerNode(options: { resultTimeoutMs: number; silenceTimeoutMs?: number }) {
    const transport = await NatsTransport.connect({ servers: ns.url, name: 'manager' });
    const registry = await NatsKvCapabilityRegistry.open(transport.nc);
    const bus = await MessageBus.start({
      transport,
      registry,
      replay: new ReplayGuard(await NatsKvReplayStore.open(transport.nc)),
      node: { id: 'manager-node', identity: AgentIdentity.generate() },
      heartbeatMs: 2_000,
    });
    const manager = await ContractNetManager.attach({
      identity: AgentIdentity.generate(),
      registry,
      bus,
      descriptor: { id: 'manager', capabilities: [] },
      bidTimeoutMs: 3_000,
      ...options,
    });
    cleanup.push(
      () => transport.close(),
      () => registry.close(),
      () => bus.close(),
    );
    return { manager, registry };
  }

  async function peer(id: string, env: Record<string, string>) {
    const p = await PeerProcess.start({ NATS_URL: ns.url, PEER_ID: id, ...env });
    cleanup.push(() => p.kill());
    return p;
  }

  it('contract net - two peer processes discover each other and complete a decomposed task; the cheaper bidder wins', async () => {
    const cheap = await peer('cheap', { PEER_PRICE: '1.00', PEER_CAPS: 'fx.quote,fx.settle' });
    const dear = await peer('dear', { PEER_PRICE: '2.50', PEER_CAPS: 'fx.quote' });
    const { manager, registry } = await managerNode({ resultTimeoutMs: 10_000 });
    await eventually(async () => (await registry.discover('fx.quote')).length === 2, 'both peers registered');
    const outcomes = await manager.run({
      id: 'rebalance-1',
      subtasks: [
        { id: 'quote', capability: 'fx.quote', input: { pair: 'EURUSD', amount: '1000' } },
        { id: 'settle', capability: 'fx.settle', input: { venue: 'x' }, dependsOn: ['quote'] },
      ],
    });
    expect(outcomes.get('quote')).toMatchObject({
      by: cheap.did,
      attempt: 1,
      output: { by: 'cheap', subtask: 'quote' },
    });
    expect(outcomes.get('settle')).toMatchObject({
      by: cheap.did,
      output: { input: { venue: 'x', dependencies: { quote: { by: 'cheap' } } } },
    });
    expect(dear.out).not.toMatch(/AWARD/);
  });

  it('contract net - killing the winning process makes the task go to the backup (noticed by its silence, long before the result deadline)', async () => {
    const winner = await peer('winner', { PEER_PRICE: '1.00', PEER_WORK_MS: '60000' });
    const backup = await peer('backup', { PEER_PRICE: '3.00', PEER_WORK_MS: '50' });
    const { manager, registry } = await managerNode({ resultTimeoutMs: 120_000, silenceTimeoutMs: 3_000 });
    await eventually(async () => (await registry.discover('fx.quote')).length === 2, 'both peers registered');
    const run = manager.run({
      id: 'task-kill',
      subtasks: [{ id: 'quote', capability: 'fx.quote', input: { pair: 'GBPUSD' } }],
    });
    await winner.waitFor(/AWARD quote 1/);
    await winner.kill();
    const outcomes = await run;
    const o = outcomes.get('quote')!;
    expect(o).toMatchObject({ by: backup.did, attempt: 2, output: { by: 'backup' } });
    expect(o.awards.map((a) => [a.did, a.ended])).toEqual([
      [winner.did, 'silent'],
      [backup.did, 'succeeded'],
    ]);
  });

  it('contract net - a winner that reports failure is replaced by the backup', async () => {
    const failing = await peer('failing', { PEER_PRICE: '0.50', PEER_FAIL: '1' });
    const backup = await peer('ok', { PEER_PRICE: '0.90' });
    const { manager, registry } = await managerNode({ resultTimeoutMs: 10_000 });
    await eventually(async () => (await registry.discover('fx.quote')).length === 2, 'both peers registered');
    const o = (await manager.run({ id: 'task-fail', subtasks: [{ id: 'q', capability: 'fx.quote', input: {} }] })).get(
      'q',
    )!;
    expect(o.by).toBe(backup.did);
    expect(o.awards.map((a) => a.ended)).toEqual(['failed', 'succeeded']);
    expect(failing.out).toMatch(/AWARD q 1/);
  });

  it('contract net - a NATS server restart mid-exchange loses no JetStream task or result', async () => {
    const worker = await peer('worker', { PEER_PRICE: '1.00', PEER_WORK_MS: '1500' });
    const { manager, registry } = await managerNode({ resultTimeoutMs: 30_000 });
    await eventually(async () => (await registry.discover('fx.quote')).length === 1, 'peer registered');
    const run = manager.run({
      id: 'task-restart',
      subtasks: [{ id: 'quote', capability: 'fx.quote', input: { n: 1 } }],
    });
    await worker.waitFor(/AWARD quote 1/);
    await ns.restart(); // the result is published while the server is down or recovering
    const o = (await run).get('quote')!;
    expect(o).toMatchObject({ by: worker.did, attempt: 1, output: { by: 'worker', input: { n: 1 } } });
    expect(worker.out.match(/AWARD quote/g)).toHaveLength(1);
  });
});
