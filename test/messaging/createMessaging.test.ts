import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessaging, type MessagingConfig } from '../../runtime/messaging/index.ts';
import { AgentIdentity } from '../../transport/index.ts';
import { NatsServer } from '../support/natsServer.ts';

describe('createMessaging', () => {
  let ns: NatsServer;
  const dir = mkdtempSync(join(tmpdir(), 'mandate-messaging-'));
  beforeAll(async () => {
    ns = await NatsServer.start({ jetstream: true });
  });
  afterAll(async () => {
    await ns[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  const roundTrip = async (config: Omit<MessagingConfig, 'node'>) => {
    const m = await createMessaging({ ...config, node: { id: 'n1', identity: AgentIdentity.generate() } });
    try {
      const a = await m.bus.attach({
        identity: AgentIdentity.generate(),
        descriptor: { id: 'a', capabilities: [] },
        accepts: { ping: {} },
        handler: async () => 'pong',
      });
      const b = await m.bus.attach({
        identity: AgentIdentity.generate(),
        descriptor: { id: 'b', capabilities: [] },
        accepts: {},
        handler: async () => undefined,
      });
      return (await b.request({ to: a.did, type: 'ping', body: {} })).body;
    } finally {
      await m.close();
    }
  };

  it('messaging - the embedded default (memory bus, file replay log) and NATS mode run the same bus', async () => {
    expect(await roundTrip({ mode: 'memory', dataDir: join(dir, 'data') })).toBe('pong');
    expect(await roundTrip({ mode: 'nats', nats: { servers: ns.url } })).toBe('pong');
  });

  it('messaging - NATS mode without a server fails with a coded error saying how to fix it', async () => {
    await expect(
      createMessaging({
        mode: 'nats',
        nats: { servers: 'nats://127.0.0.1:1' },
        node: { id: 'n', identity: AgentIdentity.generate() },
      }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_TRANSPORT_USAGE',
      message: expect.stringMatching(/Start nats-server/),
    });
  });
});
