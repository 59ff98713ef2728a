import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentIdentity, NatsTransport } from '../../transport/index.ts';
import { NatsKvContractNetStore, NatsKvTaskLease, type TaskRecord } from '../../registry/index.ts';
import { NatsServer } from '../support/natsServer.ts';

const manager = AgentIdentity.generate().did;
const record = (status: TaskRecord['status'], n = 0): TaskRecord => ({
  id: 'task-1',
  manager,
  subtasks: [{ id: 's', capability: 'fx.quote', input: { n } }],
  status,
  done: {},
  running: {},
  updatedAt: n,
});

describe('contract-net manager lease and fenced task records (real nats-server)', () => {
  let ns: NatsServer;
  let a: NatsTransport;
  let b: NatsTransport;
  beforeEach(async () => {
    ns = await NatsServer.start({ jetstream: true });
    a = await NatsTransport.connect({ servers: ns.url });
    b = await NatsTransport.connect({ servers: ns.url });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await ns[Symbol.asyncDispose]();
  });

  it('task records - once a new holder has opened a task, the old holder’s write is refused with MANDATE_ERR_TASK_FENCED and changes nothing', async () => {
    const old = await NatsKvContractNetStore.open(a.nc);
    await old.save(record('open', 1));
    const successor = await NatsKvContractNetStore.open(b.nc);
    expect((await successor.open(manager)).map((r) => r.id)).toEqual(['task-1']);
    await expect(old.save(record('failed', 2))).rejects.toMatchObject({ code: 'MANDATE_ERR_TASK_FENCED' });
    expect(await successor.get(manager, 'task-1')).toMatchObject({ status: 'open', updatedAt: 1 });
    await successor.save(record('completed', 3));
    expect(await old.get(manager, 'task-1')).toMatchObject({ status: 'completed', updatedAt: 3 });
  });

  it('task records - a finished task id may be run again by a fresh store; an open one held by another is fenced', async () => {
    const first = await NatsKvContractNetStore.open(a.nc);
    await first.save(record('open', 1));
    const other = await NatsKvContractNetStore.open(b.nc);
    await expect(other.save(record('open', 2))).rejects.toMatchObject({ code: 'MANDATE_ERR_TASK_FENCED' });
    await first.save(record('completed', 3));
    await other.save(record('open', 4));
    expect(await first.get(manager, 'task-1')).toMatchObject({ status: 'open', updatedAt: 4 });
  });

  it('lease - a second holder waits while the first renews, takes over once it stops renewing, and the first then counts itself lost', async () => {
    const one = await NatsKvTaskLease.open(a.nc, { manager, holder: 'one', ttlMs: 2_000 });
    const two = await NatsKvTaskLease.open(b.nc, { manager, holder: 'two', ttlMs: 2_000 });
    const lost: string[] = [];
    one.onLost((why) => lost.push(why));
    await one.acquire();
    expect(one.held).toBe(true);
    let taken = false;
    const waiting = two.acquire().then(() => (taken = true));
    await new Promise((r) => setTimeout(r, 5_000)); // 2.5 TTLs: the renewing holder keeps it
    expect(taken).toBe(false);
    expect(one.held).toBe(true);
    await a.close(); // the first holder goes silent
    await waiting;
    expect(two.held).toBe(true);
    expect(one.held).toBe(false);
    await new Promise((r) => setTimeout(r, 1_200)); // its next renewal attempt notices
    expect(lost).toHaveLength(1);
    await two.release();
    const three = await NatsKvTaskLease.open(b.nc, { manager, holder: 'three', ttlMs: 1_000 });
    await three.acquire(); // released: free at once
    expect(three.held).toBe(true);
    await three.release();
  });

  it('lease - a TTL under one second is refused with a coded error', async () => {
    await expect(NatsKvTaskLease.open(a.nc, { manager, holder: 'x', ttlMs: 500 })).rejects.toMatchObject({
      code: 'MANDATE_ERR_REGISTRY_INPUT',
    });
  });
});
