import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentIdentity,
  agentInboxSubject,
  CONTROL_KILLSWITCH_SUBJECT,
  didSuffix,
  inspectionSubject,
  MessageBus,
  natsAuthConfig,
  NatsKvReplayStore,
  NatsTransport,
  REGISTRY_BUCKET,
  ReplayGuard,
} from '../../transport/index.ts';
import { NatsKvCapabilityRegistry } from '../../registry/index.ts';
import { NatsServer } from '../support/natsServer.ts';

/** Waits for the server's verdict on one operation: the permission error the client reports, or none. */
async function violation(nc: NatsConnection, op: () => void): Promise<string | undefined> {
  const errors: string[] = [];
  const watch = (async () => {
    for await (const s of nc.status()) if (s.type === 'error') errors.push(String((s as { error?: unknown }).error));
  })();
  op();
  await nc.flush();
  await new Promise((r) => setTimeout(r, 200));
  void watch;
  return errors.find((e) => /permission/i.test(e));
}

describe('NATS auth config (real nats-server with generated NKey users)', () => {
  const nodeA = AgentIdentity.generate();
  const agentA = AgentIdentity.generate();
  const nodeB = AgentIdentity.generate();
  const agentB = AgentIdentity.generate();
  const { config, users } = natsAuthConfig([
    { name: 'node-a', node: 'a', dids: [nodeA.did, agentA.did], serves: ['fx.quote'] },
    { name: 'node-b', node: 'b', dids: [nodeB.did, agentB.did], control: true },
  ]);
  let ns: NatsServer;
  const conns: NatsConnection[] = [];
  const as = async (name: string) => {
    const seed = users.find((u) => u.name === name)!.seed;
    const nc = await connect({
      servers: ns.url,
      authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
      inboxPrefix: users.find((u) => u.name === name)!.inboxPrefix,
    });
    conns.push(nc);
    return nc;
  };
  beforeAll(async () => {
    ns = await NatsServer.start({ jetstream: true, config });
  });
  afterAll(async () => {
    for (const c of conns) await c.close().catch(() => undefined);
    await ns[Symbol.asyncDispose]();
  });

  it('nats auth - a connection without a known NKey is refused', async () => {
    await expect(connect({ servers: ns.url, reconnect: false })).rejects.toThrow(/authorization/i);
  });

  it("nats auth - a node may not read another node's agent inbox, send control orders, or write another agent's registry entry", async () => {
    const a = await as('node-a');
    expect(await violation(a, () => a.subscribe(agentInboxSubject(agentB.did)))).toMatch(
      /Permissions Violation for Subscription to "mandate\.agent\./,
    );
    expect(await violation(a, () => a.publish(CONTROL_KILLSWITCH_SUBJECT, new Uint8Array(1)))).toMatch(
      /Permissions Violation for Publish to "mandate\.control\.killswitch"/,
    );
    expect(
      await violation(a, () => a.publish(`$KV.${REGISTRY_BUCKET}.${didSuffix(agentB.did)}`, new Uint8Array(1))),
    ).toMatch(/Permissions Violation for Publish/);
    expect(await violation(a, () => a.publish(inspectionSubject('b'), new Uint8Array(1)))).toMatch(
      /Permissions Violation for Publish/,
    );
    expect(ns.log).toMatch(/Publish Violation - Nkey "U[A-Z0-9]+", Subject "mandate\.control\.killswitch"/);
    expect(ns.log).toMatch(/Subscription Violation - Nkey "U[A-Z0-9]+", Subject "mandate\.agent\./);
    // …while what it is entitled to do goes through.
    expect(await violation(a, () => a.subscribe(agentInboxSubject(agentA.did)))).toBeUndefined();
    expect(await violation(a, () => a.publish(agentInboxSubject(agentB.did), new Uint8Array(1)))).toBeUndefined();
    const b = await as('node-b');
    expect(await violation(b, () => b.publish(CONTROL_KILLSWITCH_SUBJECT, new Uint8Array(1)))).toBeUndefined();
    // Nobody can read everyone's replies, or another node's.
    expect(await violation(a, () => a.subscribe('_INBOX.>'))).toMatch(/Permissions Violation for Subscription/);
    expect(await violation(a, () => a.subscribe(`${users.find((u) => u.name === 'node-b')!.inboxPrefix}.>`))).toMatch(
      /Permissions Violation for Subscription/,
    );
  });

  it("nats auth - a refused subscription reaches the transport's onError as MANDATE_ERR_TRANSPORT_PERMISSION", async () => {
    const refused: Array<{ code: string; subject: unknown }> = [];
    const t = await NatsTransport.connect({
      servers: ns.url,
      nkeySeed: users.find((u) => u.name === 'node-a')!.seed,
      inboxPrefix: users.find((u) => u.name === 'node-a')!.inboxPrefix,
      onError: (e) => refused.push({ code: e.code, subject: e.details?.subject }),
    });
    conns.push(t.nc);
    t.subscribe(agentInboxSubject(agentB.did), () => undefined);
    await t.flush();
    const until = Date.now() + 5_000;
    while (refused.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(refused).toEqual([{ code: 'MANDATE_ERR_TRANSPORT_PERMISSION', subject: agentInboxSubject(agentB.did) }]);
  });

  it('nats auth - the runtime works within its permissions: registry, replay KV, durable inbox and request/reply', async () => {
    const boot = async (name: string, id: string, nodeId: AgentIdentity) => {
      const user = users.find((u) => u.name === name)!;
      const transport = await NatsTransport.connect({
        servers: ns.url,
        nkeySeed: user.seed,
        inboxPrefix: user.inboxPrefix,
        name,
      });
      const registry = await NatsKvCapabilityRegistry.open(transport.nc, { inboxPrefix: user.inboxPrefix });
      const bus = await MessageBus.start({
        transport,
        registry,
        replay: new ReplayGuard(await NatsKvReplayStore.open(transport.nc, { inboxPrefix: user.inboxPrefix })),
        node: { id, identity: nodeId },
      });
      conns.push(transport.nc);
      return bus;
    };
    const busA = await boot('node-a', 'a', nodeA);
    const busB = await boot('node-b', 'b', nodeB);
    const got: unknown[] = [];
    await busA.attach({
      identity: agentA,
      descriptor: { id: 'qa', capabilities: [{ name: 'fx.quote', version: '1.0.0' }] },
      serveCapabilities: ['fx.quote'],
      durable: true,
      accepts: { 'fx.quote': {}, 'task.award': {} },
      handler: async (m) => (got.push(m.body), { ok: true }),
    });
    const client = await busB.attach({
      identity: agentB,
      descriptor: { id: 'cb', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    expect((await client.request({ to: 'cap:fx.quote', type: 'fx.quote', body: { pair: 'EURUSD' } })).body).toEqual({
      ok: true,
    });
    await client.sendDurable({ to: agentA.did, type: 'task.award', body: { n: 1 } });
    const until = Date.now() + 10_000;
    while (got.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([{ pair: 'EURUSD' }, { n: 1 }]);
    await busA.close();
    await busB.close();
  });
});
