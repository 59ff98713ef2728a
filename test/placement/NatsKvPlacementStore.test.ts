import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsTransport } from '../../transport/index.ts';
import { NatsKvPlacementStore } from '../../runtime/placement/NatsKvPlacementStore.ts';
import { NatsServer } from '../support/natsServer.ts';
import { eventually } from './placementSupport.ts';

describe('placement store - JetStream KV leases on a real nats-server', () => {
  let ns: NatsServer;
  let t1: NatsTransport;
  let t2: NatsTransport;
  let a: NatsKvPlacementStore;
  let b: NatsKvPlacementStore;
  const clock = { now: () => Date.now() };
  beforeAll(async () => {
    ns = await NatsServer.start({ jetstream: true });
    t1 = await NatsTransport.connect({ servers: ns.url });
    t2 = await NatsTransport.connect({ servers: ns.url });
    a = await NatsKvPlacementStore.open(t1.nc, { clock });
    b = await NatsKvPlacementStore.open(t2.nc, { clock });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await t1?.close();
    await t2?.close();
    await ns?.[Symbol.asyncDispose]();
  });

  it('placement store - one node wins a free lease; the loser, a stale renewal and a stale takeover are refused; tokens only grow', async () => {
    const [x, y] = await Promise.all([a.acquire('payer/1', 'node-a'), b.acquire('payer/1', 'node-b')]);
    const won = x ?? y;
    expect([x, y].filter((l) => l !== undefined)).toHaveLength(1);
    await eventually(
      'the other node sees the lease',
      () => (won === x ? b : a).leases().get('payer/1')?.token === won!.token,
    );
    const renewed = (await (won === x ? a : b).renew(won!))!;
    expect(renewed.token).toBe(won!.token);
    expect(renewed.revision).toBeGreaterThan(won!.revision);
    // The renewal moved the revision: a renewal or takeover against the old one loses.
    expect(await (won === x ? a : b).renew(won!)).toBeUndefined();
    expect(await (won === x ? b : a).acquire('payer/1', 'node-z', won!.revision)).toBeUndefined();
    // A takeover against the current revision (the lease lapsed) wins with a greater token.
    const taken = (await b.acquire('payer/1', 'node-b', renewed.revision))!;
    expect(taken.token).toBeGreaterThan(renewed.token);
    expect(await a.renew(renewed)).toBeUndefined();
    // Released, the key is free again: a plain acquire takes it.
    await b.release(taken);
    await eventually('node-a sees the release', () => !a.leases().has('payer/1'));
    const again = (await a.acquire('payer/1', 'node-a'))!;
    expect(again.token).toBeGreaterThan(taken.token);
  });

  it('placement store - nodes announce themselves and leave', async () => {
    await a.announce({ id: 'node-a', region: 'eu', labels: { signer: 'hsm-1' }, draining: false, agents: ['payer/1'] });
    await eventually('node-b sees node-a', () => b.nodes().get('node-a')?.region === 'eu');
    expect(b.nodes().get('node-a')).toMatchObject({ labels: { signer: 'hsm-1' }, agents: ['payer/1'] });
    await a.leave('node-a');
    await eventually('node-b sees node-a leave', () => !b.nodes().has('node-a'));
  });
});
