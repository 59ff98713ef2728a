import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentIdentity, MessageBus, NatsKvReplayStore, NatsTransport, ReplayGuard } from '../../transport/index.ts';
import { ContractNetManager, NatsKvCapabilityRegistry, NatsKvContractNetStore } from '../../registry/index.ts';
import { createRuntime, parseAgentYaml, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf } from '../support/agentOf.ts';
import { NatsServer } from '../support/natsServer.ts';
import { PeerProcess } from '../support/natsPeer.ts';
import { eventually } from './memoryNode.ts';

const MANAGER = fileURLToPath(new URL('../fixtures/managerNode.ts', import.meta.url));

describe('contract net: a manager that dies resumes; runtime agents are contractors (real nats-server, child processes)', () => {
  let ns: NatsServer;
  const cleanup: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    ns = await NatsServer.start({ jetstream: true });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    await ns[Symbol.asyncDispose]();
  });

  it('contract net - the manager process is SIGKILLed mid-task; restarted, it resumes from JetStream KV and the task completes once', async () => {
    const worker = await PeerProcess.start({ NATS_URL: ns.url, PEER_ID: 'worker', PEER_WORK_MS: '2500' });
    cleanup.push(() => worker.kill());
    const seed = randomBytes(32);
    const env = { NATS_URL: ns.url, PEER_ID: 'manager', TASK_ID: 'rebalance-7', TASK_CAP: 'fx.quote' };
    const first = await PeerProcess.start(env, { script: MANAGER, seed });
    cleanup.push(() => first.kill());
    await first.waitFor(/STARTED rebalance-7/);
    await worker.waitFor(/AWARD quote 1/, 30_000);
    await first.kill(); // the award is out, the result is not back: the manager dies with the task open
    const second = await PeerProcess.start(env, { script: MANAGER, seed });
    cleanup.push(() => second.kill());
    await second.waitFor(/RESUMED rebalance-7/);
    const [, json] = (await second.waitFor(/DONE rebalance-7 (.+)\n/, 30_000)) as unknown as [string, string];
    const outcomes = JSON.parse(json) as Record<string, { by: string; attempt: number; output: unknown }>;
    expect(outcomes.quote).toMatchObject({ by: worker.did, attempt: 1, output: { by: 'worker', input: { n: 7 } } });
    expect(worker.out.match(/AWARD quote/g)).toHaveLength(1);
    expect(first.out).not.toMatch(/DONE/);
    expect(second.out).not.toMatch(/STARTED/);
    // The store says completed, so a third start has nothing to resume.
    const t = await NatsTransport.connect({ servers: ns.url });
    cleanup.push(() => t.close());
    const store = await NatsKvContractNetStore.open(t.nc);
    const did = AgentIdentity.fromSeed(new Uint8Array(seed)).did;
    expect(await store.get(did, 'rebalance-7')).toMatchObject({ status: 'completed' });
    expect(await store.open(did)).toEqual([]);
  });

  it("contract net - another node's standby holder of the manager identity takes the lease when the active manager is SIGKILLed mid-task; the task completes once", async () => {
    const worker = await PeerProcess.start({ NATS_URL: ns.url, PEER_ID: 'worker', PEER_WORK_MS: '8000' });
    cleanup.push(() => worker.kill());
    const seed = randomBytes(32);
    const env = { NATS_URL: ns.url, TASK_ID: 'rebalance-8', TASK_CAP: 'fx.quote', MANAGER_LEASE_MS: '3000' };
    const active = await PeerProcess.start({ ...env, PEER_ID: 'manager-a' }, { script: MANAGER, seed });
    cleanup.push(() => active.kill());
    await active.waitFor(/STARTED rebalance-8/);
    const standby = await PeerProcess.start({ ...env, PEER_ID: 'manager-b' }, { script: MANAGER, seed });
    cleanup.push(() => standby.kill());
    await standby.waitFor(/STANDBY/);
    await worker.waitFor(/AWARD quote 1/, 30_000);
    expect(standby.out).not.toMatch(/LEASE/); // the active manager renews: the standby only waits
    expect(active.out).not.toMatch(/DONE/); // the work takes 8 s: the task is open when the manager dies
    await active.kill();
    await standby.waitFor(/LEASE\n/, 15_000);
    await standby.waitFor(/RESUMED rebalance-8/);
    const [, json] = (await standby.waitFor(/DONE rebalance-8 (.+)\n/, 30_000)) as unknown as [string, string];
    const outcomes = JSON.parse(json) as Record<string, { by: string; attempt: number; output: unknown }>;
    expect(outcomes.quote).toMatchObject({ by: worker.did, attempt: 1, output: { by: 'worker', input: { n: 7 } } });
    expect(worker.out.match(/AWARD quote/g)).toHaveLength(1);
    expect(active.out).not.toMatch(/DONE/);
    expect(standby.out).not.toMatch(/STARTED/);
  }, 90_000);

  it('contract net - a paused manager whose lease was taken over is fenced when it wakes: it writes and sends nothing more, the task completes once on the new holder', async () => {
    const worker = await PeerProcess.start({ NATS_URL: ns.url, PEER_ID: 'worker', PEER_WORK_MS: '8000' });
    cleanup.push(() => worker.kill());
    const seed = randomBytes(32);
    const env = { NATS_URL: ns.url, TASK_ID: 'rebalance-9', TASK_CAP: 'fx.quote', MANAGER_LEASE_MS: '3000' };
    const active = await PeerProcess.start({ ...env, PEER_ID: 'manager-a' }, { script: MANAGER, seed });
    cleanup.push(async () => (active.child.kill('SIGCONT'), active.kill()));
    await active.waitFor(/STARTED rebalance-9/);
    const standby = await PeerProcess.start({ ...env, PEER_ID: 'manager-b' }, { script: MANAGER, seed });
    cleanup.push(() => standby.kill());
    await standby.waitFor(/STANDBY/);
    await worker.waitFor(/AWARD quote 1/, 30_000);
    active.child.kill('SIGSTOP'); // alive but silent: a long GC pause, a partition
    expect(active.out).not.toMatch(/DONE/); // the work takes 8 s: the task is open when the manager stops
    await standby.waitFor(/LEASE\n/, 15_000);
    await standby.waitFor(/DONE rebalance-9 (.+)\n/, 30_000);
    active.child.kill('SIGCONT');
    await active.waitFor(/FENCED rebalance-9/, 15_000);
    expect(active.out).not.toMatch(/DONE/);
    expect(worker.out.match(/AWARD quote/g)).toHaveLength(1);
    // The record the new holder completed was not written over by the woken one.
    const t = await NatsTransport.connect({ servers: ns.url });
    cleanup.push(() => t.close());
    const store = await NatsKvContractNetStore.open(t.nc);
    const did = AgentIdentity.fromSeed(new Uint8Array(seed)).did;
    expect(await store.get(did, 'rebalance-9')).toMatchObject({ status: 'completed' });
  }, 120_000);

  it('contract net - runtime agents declared in YAML bid; governance denies the cheaper one, the permitted one wins and runs the subtask as a governed cycle', async () => {
    const plugins = new PluginRegistry()
      .perceiver('none', () => ({}))
      .actuator(
        {
          name: 'quote',
          effect: 'internal',
          execute: async (a) => ({ status: 'succeeded', receipt: { reference: `rate-${String(a.params.n)}` } }),
        },
        ['fx.quote'],
      );
    const rules = `rules:
  - name: quote-it
    conditions: { all: [ { fact: input, path: $.n, operator: greaterThan, value: 0 } ] }
    event: { type: fx.quote, capability: fx.quote, params: { n: "$fact:input.n" } }
`;
    const yaml = (id: string, price: string, permitted: boolean) => `id: ${id}
capabilities: [fx.quote]
${permitted ? 'permissions: [ { capability: fx.quote, accounts: ["*"] } ]' : ''}
perceive: [none]
rules: rules.yaml
act: quote
contractor:
  price: { amount: "${price}", asset: USDC }
  eta: 200ms
  confidence: 0.9
`;
    const read = async () => rules;
    const runtime: MandateRuntime = await createRuntime({
      nodeId: 'runtime-node',
      messaging: { natsUrl: ns.url, publishInspection: false, verifyThreads: 0 },
    });
    cleanup.push(() => runtime.shutdown());
    await runtime.spawn(
      await parseAgentYaml({
        text: yaml('cheap-unpermitted', '0.10', false),
        source: 'a.yaml',
        plugins,
        readRelative: read,
      }),
    );
    await runtime.spawn(
      await parseAgentYaml({ text: yaml('quoter', '0.50', true), source: 'b.yaml', plugins, readRelative: read }),
    );
    const transport = await NatsTransport.connect({ servers: ns.url, name: 'manager' });
    const registry = await NatsKvCapabilityRegistry.open(transport.nc);
    const bus = await MessageBus.start({
      transport,
      registry,
      replay: new ReplayGuard(await NatsKvReplayStore.open(transport.nc)),
      node: { id: 'manager-node', identity: AgentIdentity.generate() },
    });
    cleanup.push(
      () => transport.close(),
      () => registry.close(),
      () => bus.close(),
    );
    const manager = await ContractNetManager.attach({
      identity: AgentIdentity.generate(),
      registry,
      bus,
      descriptor: { id: 'manager', capabilities: [] },
      bidTimeoutMs: 3_000,
      resultTimeoutMs: 20_000,
    });
    await eventually(async () => (await registry.discover('fx.quote')).length === 2, 'both runtime agents registered');
    const o = (
      await manager.run({ id: 'quote-1', subtasks: [{ id: 'q', capability: 'fx.quote', input: { n: 42 } }] })
    ).get('q')!;
    const quoter = agentOf(runtime, 'quoter');
    expect(o.awards.map((a) => a.ended)).toEqual(['failed', 'succeeded']);
    expect(o).toMatchObject({
      by: quoter.identity.did,
      attempt: 2,
      output: {
        agentId: 'quoter',
        verdict: { status: 'approved' },
        outcome: { status: 'succeeded', receipt: { reference: 'rate-42' } },
      },
    });
    expect(agentOf(runtime, 'cheap-unpermitted').cycles).toBe(1);
    expect(quoter.cycles).toBe(1);
  });
});
