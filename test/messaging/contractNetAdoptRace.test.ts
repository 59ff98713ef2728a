import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentIdentity, MessageBus, NatsKvReplayStore, NatsTransport, ReplayGuard } from '../../transport/index.ts';
import {
  ContractNetManager,
  NatsKvCapabilityRegistry,
  NatsKvContractNetStore,
  type AdoptionEvent,
  type ContractNetStore,
  type TaskRecord,
} from '../../registry/index.ts';
import { NatsServer } from '../support/natsServer.ts';
import { PeerProcess } from '../support/natsPeer.ts';
import { eventually } from './memoryNode.ts';

/** Resolves for every caller once `n` callers are waiting: the managers all read before any of them writes. */
function barrier(n: number): () => Promise<void> {
  let waiting = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => (release = r));
  return async () => {
    if (++waiting === n) release();
    await all;
  };
}

/**
 * A real NATS KV store whose listing of the dead manager's records waits at `wait`: both adopters have read the
 * record (and, in the old code, claimed it) before either writes, the interleaving in which the race is lost.
 */
function racing(store: NatsKvContractNetStore, from: string, wait: () => Promise<void>): ContractNetStore {
  return {
    open: async (manager) => {
      const records = await store.open(manager);
      if (manager === from) await wait();
      return records;
    },
    adoptable: async (f, by) => {
      const records = await store.adoptable(f, by);
      await wait();
      return records;
    },
    adopt: (record, by, at) => store.adopt(record, by, at),
    save: (record) => store.save(record),
    get: (manager, taskId) => store.get(manager, taskId),
  };
}

describe("contract net: two managers race to adopt a dead manager's task (real nats-server)", () => {
  let ns: NatsServer;
  const cleanup: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    ns = await NatsServer.start({ jetstream: true });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    await ns[Symbol.asyncDispose]();
  });

  /** A manager node of its own (connection, registry, bus) holding `contractnet.adopt`. */
  async function managerNode(
    name: string,
    identity: AgentIdentity,
    store: (plain: NatsKvContractNetStore) => ContractNetStore,
  ) {
    const transport = await NatsTransport.connect({ servers: ns.url, name });
    const registry = await NatsKvCapabilityRegistry.open(transport.nc);
    const bus = await MessageBus.start({
      transport,
      registry,
      replay: new ReplayGuard(await NatsKvReplayStore.open(transport.nc)),
      node: { id: `node-${name}`, identity: AgentIdentity.generate() },
      heartbeatMs: 2_000,
    });
    cleanup.push(
      () => transport.close(),
      () => registry.close(),
      () => bus.close(),
    );
    const audits: AdoptionEvent[] = [];
    const manager = await ContractNetManager.attach({
      identity,
      registry,
      bus,
      store: store(await NatsKvContractNetStore.open(transport.nc)),
      descriptor: { id: name, capabilities: [{ name: 'contractnet.adopt', version: '1.0.0' }] },
      onAudit: (e) => void audits.push(e),
      bidTimeoutMs: 3_000,
      resultTimeoutMs: 30_000,
    });
    cleanup.push(() => manager.detach());
    await eventually(async () => (await registry.discover('fx.quote')).length === 1, `${name} sees the worker`);
    return { manager, audits, identity, did: identity.did };
  }

  it('contract net - both read the dead manager’s open record before either writes; exactly one adopts, the other writes nothing and audits MANDATE_ERR_TASK_ADOPT_LOST, the task completes once, and the loser restarted has nothing to resume', async () => {
    const worker = await PeerProcess.start({ NATS_URL: ns.url, PEER_ID: 'worker', PEER_WORK_MS: '200' });
    cleanup.push(() => worker.kill());
    // The dead manager: its task as it persisted it (open, nothing awarded yet); its descriptor is gone.
    const dead = AgentIdentity.generate().did;
    const t = await NatsTransport.connect({ servers: ns.url, name: 'inspector' });
    cleanup.push(() => t.close());
    const store = await NatsKvContractNetStore.open(t.nc);
    const task: TaskRecord = {
      id: 'rebalance-31',
      manager: dead,
      subtasks: [{ id: 'quote', capability: 'fx.quote', input: { n: 7 } }],
      status: 'open',
      done: {},
      running: {},
      updatedAt: Date.now(),
    };
    await store.save(task);

    const wait = barrier(2);
    const a = await managerNode('heir-a', AgentIdentity.generate(), (s) => racing(s, dead, wait));
    const b = await managerNode('heir-b', AgentIdentity.generate(), (s) => racing(s, dead, wait));
    const [ra, rb] = await Promise.allSettled([a.manager.adopt(dead), b.manager.adopt(dead)]);
    // Exactly one of them holds a copy of the task (before the fix: both, the loser's left open for its next resume).
    const copies = await Promise.all([a, b].map((m) => store.get(m.did, 'rebalance-31')));
    expect(copies.filter((c) => c !== undefined).map((c) => c.manager)).toHaveLength(1);
    expect(ra.status, String((ra as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(rb.status, String((rb as PromiseRejectedResult).reason)).toBe('fulfilled');
    const adopted = [a, b].map((m, i) => ({ ...m, tasks: (i === 0 ? ra : rb) as PromiseFulfilledResult<unknown[]> }));
    const winners = adopted.filter((m) => m.tasks.value.length === 1);
    const losers = adopted.filter((m) => m.tasks.value.length === 0);
    expect([winners.length, losers.length]).toEqual([1, 1]);
    const winner = winners[0]!;
    const loser = losers[0]!;

    const [run] = winner.tasks.value as Array<{ id: string; done: Promise<Map<string, unknown>> }>;
    const outcomes = await run!.done;
    expect(outcomes.get('quote')).toMatchObject({ by: worker.did, attempt: 1, output: { input: { n: 7 } } });
    expect(winner.audits).toEqual([
      expect.objectContaining({ type: 'contractnet.task.adopted', taskId: 'rebalance-31', from: dead, by: winner.did }),
    ]);
    expect(loser.audits).toEqual([
      expect.objectContaining({
        type: 'contractnet.task.adopt.lost',
        taskId: 'rebalance-31',
        from: dead,
        by: loser.did,
        winner: winner.did,
        code: 'MANDATE_ERR_TASK_ADOPT_LOST',
      }),
    ]);
    expect(await store.get(dead, 'rebalance-31')).toMatchObject({ status: 'adopted', adoptedBy: winner.did });
    expect(await store.get(winner.did, 'rebalance-31')).toMatchObject({ status: 'completed', adoptedFrom: dead });
    expect(await store.get(loser.did, 'rebalance-31')).toBeUndefined();

    // The loser restarts (same identity, fresh process state): it has no copy of the task to run a second time.
    await loser.manager.detach();
    const again = await managerNode('heir-restarted', loser.identity, (s) => s);
    expect(again.manager.resume()).toEqual([]);
    expect(worker.out.match(/AWARD quote/g)).toHaveLength(1);
  }, 90_000);
});
