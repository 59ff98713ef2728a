import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import { createRuntime, type MandateRuntime } from '../../runtime/index.ts';
import { openStore } from '../../runtime/persistence/index.ts';
import { servicesOf } from '../support/agentOf.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { NatsServer } from '../support/natsServer.ts';
import { eventually, FencedBank, payer } from './placementSupport.ts';

const AGENTS = ['payer-0', 'payer-1', 'payer-2', 'payer-3'];

describe('placement - two runtimes on one PostgreSQL and one NATS', () => {
  let ns: NatsServer;
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'mandate-placement-'));
  const runtimes: MandateRuntime[] = [];
  beforeAll(async () => {
    ns = await NatsServer.start({ jetstream: true });
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const r of runtimes) await r.shutdown().catch(() => undefined);
    await db?.[Symbol.asyncDispose]();
    await ns?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  async function node(id: string, bank: FencedBank): Promise<MandateRuntime> {
    const store = await openStore({
      databaseUrl: db.url,
      dataDir: join(dir, id),
      keyFile: join(dir, 'secret.key'),
      env: {},
      retry: { attempts: 5, baseDelayMs: 20 },
    });
    const runtime = await createRuntime({
      mode: 'live',
      store,
      nodeId: id,
      placement: { natsUrl: ns.url, ttlMs: 1_000, renewMs: 250, settleMs: 0, handoverTimeoutMs: 5_000 },
    });
    for (const a of AGENTS) await runtime.spawn(payer(a, bank.actuator(id)));
    runtimes.push(runtime);
    return runtime;
  }
  const hosted = (r: MandateRuntime): string[] => r.listAgents().map((a) => a.id);

  it(
    'placement - each agent runs on exactly one node; a partitioned node is fenced out and its agents resume on the survivor with the same identity',
    { timeout: 60_000 },
    async () => {
      const bank = new FencedBank();
      const a = await node('node-a', bank);
      const b = await node('node-b', bank);
      await eventually('both nodes host agents and every agent is placed once', () => {
        const all = [...hosted(a), ...hosted(b)];
        return hosted(a).length > 0 && hosted(b).length > 0 && all.length === 4 && new Set(all).size === 4;
      });
      expect(a.listAgents().every((x) => x.node === 'node-a')).toBe(true);
      const cluster = a.cluster()!;
      expect(Object.keys(cluster.placements).sort()).toEqual(AGENTS);
      expect(cluster.nodes.map((n) => n.id)).toEqual(['node-a', 'node-b']);
      // The gateway says placement is on (the dashboard's nodes view reads it), with the same view.
      const tokens = new TokenStore();
      const app = await createGateway({ runtime: a, tokens });
      const res = await app.inject({
        method: 'GET',
        url: '/api/cluster',
        headers: { authorization: `Bearer ${tokens.issue('obs', 'observer').token}` },
      });
      await app.close();
      const body = res.json<{ placement: boolean; nodes: Array<{ id: string }>; placements: object }>();
      expect(body).toMatchObject({ placement: true, nodes: [{ id: 'node-a' }, { id: 'node-b' }] });
      expect(Object.keys(body.placements).sort()).toEqual(AGENTS);
      const moved = hosted(b);
      const stale: string[] = [];
      b.subscribe((e) => {
        if (e.type === 'alert' && /FENCE_STALE|fencing token/.test(`${e.code} ${e.message}`)) stale.push(e.message);
      });
      const dids = new Map(b.listAgents().map((x) => [x.id, x.did]));
      await eventually('agents on node-b have paid', () => bank.paid.some((p) => p.node === 'node-b'));

      // node-b stops renewing (a partition): its agents go on running there, with their old tokens.
      const halted = bank.paid.length;
      await servicesOf(b).placement!.placement.halt();
      await eventually('node-a runs every agent', () => hosted(a).length === 4, 10_000);
      expect(
        a
          .listAgents()
          .filter((x) => dids.has(x.id))
          .map((x) => [x.id, x.did]),
      ).toEqual([...dids]);
      const takeover = bank.paid.length;
      await eventually('node-a has paid for the moved agents', () =>
        bank.paid.slice(takeover).some((p) => p.node === 'node-a' && moved.includes(p.agentId)),
      );
      await new Promise((r) => setTimeout(r, 600)); // let node-b's stale agents try again
      await a.flush();

      // Nothing paid twice; after node-a's first payment for an agent, node-b paid nothing for it.
      const keys = bank.paid.map((p) => p.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const agent of moved) {
        const first = bank.paid.findIndex((p, i) => i >= halted && p.agentId === agent && p.node === 'node-a');
        expect(first).toBeGreaterThanOrEqual(halted);
        expect(bank.paid.slice(first).filter((p) => p.agentId === agent && p.node === 'node-b')).toEqual([]);
      }
      // PostgreSQL refused node-b's stale writes: every intent of the moved agents after the takeover is node-a's.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const fences = (await c.query('select agent_id, node_id from mandate_fence order by agent_id')).rows;
        expect(fences.map((f) => f.node_id)).toEqual(AGENTS.map(() => 'node-a'));
        const open = (await c.query(`select key from mandate_intent where status not in ('succeeded', 'failed')`)).rows;
        const paidKeys = new Set(keys);
        const succeeded = (await c.query(`select key from mandate_intent where status = 'succeeded'`)).rows;
        // Every succeeded intent was really paid; none claims an effect the bank did not make.
        expect(succeeded.filter((r) => !paidKeys.has(r.key))).toEqual([]);
        expect(open.length).toBeLessThanOrEqual(AGENTS.length); // at most one act in flight per agent
      } finally {
        await c.end();
      }
      expect(servicesOf(b).tree.size).toBeGreaterThan(0); // the partitioned node still believes it runs them
      console.log(
        `placement: ${bank.paid.length} payments (${bank.paid.filter((p) => p.node === 'node-b').length} by node-b), ${bank.refused} stale bank calls refused, ${stale.length} stale writes refused by PostgreSQL`,
      );
      expect(stale.length + bank.refused).toBeGreaterThan(0);
    },
  );

  it(
    'placement - a draining node (SIGTERM) hands its agents over between phases: no cycle lost, none repeated',
    { timeout: 60_000 },
    async () => {
      for (const r of runtimes.splice(0)) await r.shutdown().catch(() => undefined);
      const bank = new FencedBank();
      const c = await node('node-c', bank);
      const d = await node('node-d', bank);
      await eventually(
        'both nodes host agents',
        () => hosted(c).length > 0 && hosted(d).length > 0 && hosted(c).length + hosted(d).length === 4,
      );
      const leaving = hosted(c);
      await eventually('node-c has paid', () => bank.paid.some((p) => p.node === 'node-c'));
      await c.shutdown(); // what SIGTERM runs
      runtimes.splice(runtimes.indexOf(c), 1);
      await eventually('node-d runs every agent', () => hosted(d).length === 4, 10_000);
      const cyclesAtTakeover = new Map(d.listAgents().map((x) => [x.id, x.cycle]));
      const paidOnC = new Map(
        leaving.map((id) => [id, bank.paid.filter((p) => p.agentId === id && p.node === 'node-c').length]),
      );
      // The handed-over agents resumed from node-c's final snapshot: their cycle count goes on from there.
      for (const id of leaving) expect(cyclesAtTakeover.get(id)).toBeGreaterThanOrEqual(paidOnC.get(id)!);
      await eventually('node-d paid for the handed-over agents', () =>
        leaving.every((id) => bank.paid.some((p) => p.agentId === id && p.node === 'node-d')),
      );
      const keys = bank.paid.map((p) => p.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(bank.refused).toBe(0); // a clean handover: no stale owner ever reached the bank
    },
  );
});
