import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { durabilityGate } from '../../cli/liveSetup.ts';
import { checkDurability, EmbeddedPostgres } from '../../runtime/persistence/index.ts';
import type { RuntimeStore } from '../../runtime/index.ts';
import { TEST_POSTGRES_URL } from '../support/db.ts';
import { freePort, NatsServer } from '../support/natsServer.ts';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mandate-durability-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('durability gate', () => {
  it('durability - PostgreSQL with fsync and synchronous_commit on passes; the embedded PGlite passes as shipped', async () => {
    const [server] = await checkDurability({ databaseUrl: TEST_POSTGRES_URL });
    expect(server).toMatchObject({
      component: 'postgresql',
      durable: true,
      detail: 'fsync = on, synchronous_commit = on',
    });
    const embedded = await EmbeddedPostgres.start({ dataDir: join(temp(), 'data') });
    try {
      const [found] = await checkDurability({ databaseUrl: embedded.url });
      expect(found?.durable).toBe(true);
    } finally {
      await embedded.stop();
    }
  });

  it('durability - PGlite started with its own defaults (fsync off) is weak, and live mode is refused unless accepted', async () => {
    const db = await PGlite.create(join(temp(), 'weak'));
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
    const conn = server.getServerConn();
    const url = `postgresql://postgres@127.0.0.1:${conn.slice(conn.lastIndexOf(':') + 1)}/postgres?sslmode=disable`;
    try {
      const [weak] = await checkDurability({ databaseUrl: url });
      expect(weak).toMatchObject({ component: 'postgresql', durable: false });
      expect(weak?.detail).toContain('fsync = off');
      const store = { databaseUrl: url } as RuntimeStore;
      const chain = { kind: 'embedded' as const, description: 'embedded chain' };
      await expect(durabilityGate({ store, natsUrl: undefined, chain, acceptWeak: false })).rejects.toMatchObject({
        code: 'MANDATE_ERR_DURABILITY',
      });
      const accepted = await durabilityGate({ store, natsUrl: undefined, chain, acceptWeak: true });
      expect(accepted.map((f) => [f.component, f.durable])).toEqual([
        ['postgresql', false],
        ['chain', true],
      ]);
    } finally {
      await server.stop();
      await db.close();
    }
  });

  it('durability - JetStream: memory streams are weak; file streams need a server that syncs every write (read from its /varz)', async () => {
    const monitor = await freePort();
    await using ns = await NatsServer.start({ jetstream: true, config: `http_port: ${monitor}` });
    const nc = await connect({ servers: ns.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'MEM', subjects: ['mem.>'], storage: 'memory' });
    await jsm.streams.add({ name: 'FILE', subjects: ['file.>'], storage: 'file' });
    await nc.close();
    const memory = await checkDurability({ jetstream: { streams: [{ name: 'MEM', storage: 'memory' }] } });
    expect(memory[0]).toMatchObject({ component: 'jetstream', durable: false });
    // The real server's monitoring endpoint: nats-server here syncs on an interval, not every write.
    const real = await checkDurability({
      jetstream: { streams: [{ name: 'FILE', storage: 'file' }], monitorUrl: `http://127.0.0.1:${monitor}` },
    });
    expect(real[0]?.durable).toBe(false);
    expect(real[0]?.detail).toMatch(/fsynced every/);
    // Through the CLI's gate, against the server itself: refused without the flag.
    await expect(
      durabilityGate({
        store: {} as RuntimeStore,
        natsUrl: ns.url,
        chain: { kind: 'embedded', description: 'x' },
        acceptWeak: false,
      }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_DURABILITY' });
    // A server configured with sync_interval: always (what /varz reports for it) passes.
    const varz = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jetstream: { config: { sync_interval: 0, sync_always: req.url === '/varz' } } }));
    });
    await new Promise<void>((r) => varz.listen(0, '127.0.0.1', r));
    try {
      const port = (varz.address() as { port: number }).port;
      const synced = await checkDurability({
        jetstream: { streams: [{ name: 'FILE', storage: 'file' }], monitorUrl: `http://127.0.0.1:${port}` },
      });
      expect(synced[0]).toMatchObject({ component: 'jetstream', durable: true });
    } finally {
      varz.close();
    }
  });
});
