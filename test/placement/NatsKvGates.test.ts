import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { NatsTransport } from '../../transport/index.ts';
import { GateBoard } from '../../runtime/control/GateBoard.ts';
import { GATES_BUCKET, shareGates } from '../../runtime/placement/NatsKvGates.ts';
import { NatsServer } from '../support/natsServer.ts';
import { eventually } from './placementSupport.ts';

const by = { kind: 'agent', id: 'did:key:fee-watcher' } as const;

describe('shared gates - dependency gates in a JetStream KV bucket on a real nats-server', () => {
  let ns: NatsServer;
  const transports: NatsTransport[] = [];
  const stops: Array<() => void> = [];
  const alerts: string[] = [];
  const node = async (): Promise<GateBoard> => {
    const t = await NatsTransport.connect({ servers: ns.url });
    transports.push(t);
    const board = new GateBoard();
    stops.push(await shareGates(t.nc, board, { replicas: 1, alert: (a) => alerts.push(a.message) }));
    return board;
  };
  beforeAll(async () => {
    ns = await NatsServer.start({ jetstream: true });
  });
  afterAll(async () => {
    stops.forEach((stop) => stop());
    for (const t of transports) await t.close();
    await ns?.[Symbol.asyncDispose]();
  });

  it('shared gates - a gate opened on one node opens on the others, a node that joins later reads it, the last change wins', async () => {
    const a = await node();
    const b = await node();
    expect(b.firstClosed(['fees-ok'])).toBe('fees-ok');
    a.set({ name: 'fees-ok', open: true, reason: '12 gwei', by, at: 1 });
    await eventually('node b sees the gate open', () => b.firstClosed(['fees-ok']) === undefined);
    expect(b.get('fees-ok')).toEqual({ name: 'fees-ok', open: true, reason: '12 gwei', by, at: 1 });
    const c = await node();
    expect(c.firstClosed(['fees-ok'])).toBeUndefined();
    b.set({ name: 'fees-ok', open: false, reason: '80 gwei', by, at: 2 });
    await eventually(
      'node a and c see it closed again',
      () => a.get('fees-ok')?.open === false && c.get('fees-ok')?.open === false,
    );
    expect(a.get('fees-ok')?.reason).toBe('80 gwei');
    expect(alerts).toEqual([]);
  });

  it('shared gates - an entry that is not a gate is ignored, not set', async () => {
    const a = await node();
    const t = transports[0]!;
    const kv = await new Kvm(jetstream(t.nc)).open(GATES_BUCKET);
    await kv.put(
      `g.${Buffer.from('bogus').toString('base64url')}`,
      new TextEncoder().encode('{"name":"bogus","open":"yes"}'),
    );
    a.set({ name: 'after', open: true, reason: 'marker', by, at: 3 });
    const b = await node();
    await eventually('node b sees the marker', () => b.get('after')?.open === true);
    expect(b.get('bogus')).toBeUndefined();
  });
});
