import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, parseAgentYaml, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { openStore } from '../../runtime/persistence/index.ts';
import { servicesOf } from '../support/agentOf.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { NatsServer } from '../support/natsServer.ts';
import { eventually } from '../placement/placementSupport.ts';

const plugins = new PluginRegistry().perceiver('market.gas', () => ({ gas: { gwei: 80 } }));
const yaml = `id: watcher
capabilities: [alerts.raise]
perceive: [market.gas]
code: ./strategy.js
`;
const strategies = {
  v1: `export function decide() { return { action: null, confidence: 1, rationale: 'v1', rulesFired: [] }; }`,
  v2: `export function decide() { throw new Error('v2 lost its mind'); }`,
};
const alice = { kind: 'human' as const, id: 'alice' };

function load(strategy: keyof typeof strategies) {
  return parseAgentYaml({
    text: yaml,
    source: 'watcher.yaml',
    plugins,
    readRelative: async () => strategies[strategy],
  });
}

describe('versions - rollback with placement (two nodes, one PostgreSQL, one NATS)', () => {
  let ns: NatsServer;
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'mandate-placed-rollback-'));
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

  async function store(id: string) {
    return openStore({
      databaseUrl: db.url,
      dataDir: join(dir, id),
      keyFile: join(dir, 'secret.key'),
      env: {},
      retry: { attempts: 5, baseDelayMs: 20 },
    });
  }

  async function node(id: string): Promise<MandateRuntime> {
    const runtime = await createRuntime({
      store: await store(id),
      nodeId: id,
      placement: { natsUrl: ns.url, ttlMs: 1_000, renewMs: 250, settleMs: 0, handoverTimeoutMs: 5_000 },
    });
    runtimes.push(runtime);
    await runtime.spawn(await load('v2'));
    return runtime;
  }
  const versionOn = (r: MandateRuntime) => r.listAgents().find((a) => a.id === 'watcher')?.version?.number;

  it(
    'versions - a rollback asked of the node not running the agent takes effect where it runs, and on the node that takes it over',
    { timeout: 60_000 },
    async () => {
      // v1 is recorded first (one node, no placement), then both placed nodes load v2: a deploy.
      const first = await createRuntime({ store: await store('first'), nodeId: 'first' });
      await first.spawn(await load('v1'));
      await first.shutdown();
      const a = await node('node-a');
      const b = await node('node-b');
      await eventually(
        'one node runs the agent',
        () => [versionOn(a), versionOn(b)].filter((v) => v !== undefined).length === 1,
      );
      const [host, other] = versionOn(a) !== undefined ? [a, b] : [b, a];
      expect(versionOn(host)).toBe(2);
      // Both nodes list the versions, and the node not running it sees the active one from the store.
      expect((await other.agentVersions('watcher')).map((v) => [v.number, v.active])).toEqual([
        [1, false],
        [2, true],
      ]);

      const info = await other.rollback('watcher', { to: '1', by: alice, why: 'v2 lost its mind' });
      expect(info).toMatchObject({ number: 1, active: true });
      await eventually('the hosting node restarts the agent on v1', () => versionOn(host) === 1, 10_000);
      const running = servicesOf(host).tree.require('watcher');
      expect(running.version?.hash).toBe((await host.agentVersions('watcher'))[0]!.hash);
      expect((await host.agentVersions('watcher')).find((v) => v.active)?.number).toBe(1);
      const audit = await host.store!.audit!.query({ action: 'config.agent.version.applied', limit: 10 });
      expect(audit.entries).toEqual([
        expect.objectContaining({ subject: 'watcher', data: expect.objectContaining({ from: 2, to: 1 }) }),
      ]);
      const asked = await host.store!.audit!.query({ action: 'config.agent.rolledback', limit: 10 });
      expect(asked.entries).toEqual([
        expect.objectContaining({
          where: other.nodeId,
          data: expect.objectContaining({ from: 2, to: 1, hostedHere: false }),
        }),
      ]);

      // The hosting node stops (a drain): the other node takes the agent over on v1, not the v2 it loaded.
      runtimes.splice(runtimes.indexOf(host), 1);
      await host.shutdown();
      await eventually('the other node runs the agent', () => versionOn(other) !== undefined, 15_000);
      expect(versionOn(other)).toBe(1);
      const taken = servicesOf(other).tree.require('watcher');
      expect(await other.trigger('watcher', alice)).toBe(true);
      await eventually('a v1 cycle', () => taken.cycles > 0 || servicesOf(other).tree.require('watcher').cycles > 0);
      expect(servicesOf(other).tree.require('watcher').failures).toBe(0); // v2 would have failed its decide
    },
  );
});
