import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  createRuntime,
  defineAgent,
  parseAgentYaml,
  PluginRegistry,
  type MandateRuntime,
} from '../../runtime/index.ts';
import { agentOf } from '../support/agentOf.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const plugins = new PluginRegistry()
  .perceiver('market.gas', () => ({ gas: { gwei: 80 } }))
  .actuator({ name: 'noop', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, ['gates.write']);

const yaml = `id: payer
capabilities: [gates.write]
permissions: [ { capability: gates.write, accounts: ["*"] } ]
perceive: [market.gas]
code: ./strategy.js
act: noop
`;

/** v1 decides; v2 misbehaves (its decide throws every time). */
const strategies = {
  v1: `export function decide(facts) {
    return { action: { type: 'gate.set', capability: 'gates.write', params: { gate: 'fees-ok', open: facts.gas.gwei < 60 } },
      confidence: 0.9, rationale: 'v1 at ' + facts.gas.gwei, rulesFired: ['v1'] };
  }`,
  v2: `export function decide() { throw new Error('v2 lost its mind'); }`,
};

const alice = { kind: 'human' as const, id: 'alice' };

function load(strategy: keyof typeof strategies) {
  return parseAgentYaml({
    text: yaml,
    source: 'payer.yaml',
    plugins,
    readRelative: async (path) => {
      if (path === './strategy.js') return strategies[strategy];
      throw new Error(`no file ${path}`);
    },
  });
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

/** Triggers one cycle and waits until it settles (idle with an outcome) or fails (retrying). */
async function cycle(runtime: MandateRuntime): Promise<void> {
  const before = agentOf(runtime, 'payer').cycles;
  expect(await runtime.trigger('payer', alice)).toBe(true);
  await until('the cycle to end', () => {
    const h = agentOf(runtime, 'payer');
    return h.cycles > before && (h.state === 'idle' || h.state === 'retrying');
  });
}

describe.each(STORE_DRIVERS)('agent versions and rollback on %s', (driver) => {
  let t: TestStore;
  let runtime: MandateRuntime;
  let did: string;
  beforeAll(async () => {
    t = await openTestStore(driver);
  });
  afterAll(async () => {
    await runtime?.shutdown().catch(() => undefined);
    await t?.[Symbol.asyncDispose]();
  });

  async function restart(strategy: keyof typeof strategies): Promise<void> {
    if (runtime !== undefined) {
      await runtime.shutdown();
      t.store = await t.reopen();
    }
    runtime = await createRuntime({ store: t.store, clock: new SimulatedClock() });
    await runtime.spawn(await load(strategy));
  }

  it('versions - v2 misbehaves, rollback to v1, the agent resumes on v1 with its identity, counters and context', async () => {
    await restart('v1');
    did = agentOf(runtime, 'payer').identity.did;
    await cycle(runtime);
    expect(agentOf(runtime, 'payer').context.decision?.rationale).toBe('v1 at 80');
    expect((await runtime.agentVersions('payer')).map((v) => [v.number, v.active])).toEqual([[1, true]]);

    await restart('v2'); // a deploy of changed code: a new version
    const versions = await runtime.agentVersions('payer');
    expect(versions.map((v) => [v.number, v.label, v.active])).toEqual([
      [1, '1', false],
      [2, '1', true],
    ]);
    expect(versions[0]!.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(versions[0]!.hash).not.toBe(versions[1]!.hash);
    expect(versions[1]!.source?.files['./strategy.js']).toBe(strategies.v2);
    await cycle(runtime);
    const failing = agentOf(runtime, 'payer');
    expect(failing.state).toBe('retrying');
    expect(failing.context.lastError?.code).toBe('MANDATE_ERR_SANDBOX_THREW');
    const health = runtime.getAgent('payer')!.health;
    expect(health.errors).toBeLessThan(100); // the health score sees v2's phase errors
    expect(health.score).toBeLessThan(100);
    const cycleBefore = failing.context.cycle;
    const cyclesBefore = failing.cycles;

    const rolled = await runtime.rollback('payer', { to: '1', by: alice, why: 'v2 throws in decide' });
    expect(rolled).toMatchObject({ number: 1, active: true });
    const host = agentOf(runtime, 'payer');
    expect(host).not.toBe(failing);
    expect(host.state).toBe('idle');
    expect(host.identity.did).toBe(did);
    expect(host.context.cycle).toBe(cycleBefore); // its snapshot, at rest: the failed phase's error cleared
    expect(host.context.lastError).toBeNull();
    expect(host.cycles).toBe(cyclesBefore);
    expect(runtime.getAgent('payer')!.health.errors).toBe(health.errors); // the agent's record, not the version's
    expect(runtime.getAgent('payer')?.version).toEqual({ number: 1, hash: versions[0]!.hash, label: '1' });

    await cycle(runtime);
    expect(agentOf(runtime, 'payer').context.decision?.rationale).toBe('v1 at 80');
    expect(agentOf(runtime, 'payer').context.outcome?.status).toBe('succeeded');
    expect(agentOf(runtime, 'payer').context.cycle).toBe(cycleBefore + 1);

    const audit = await t.store.audit.query({ limit: 100 });
    const entry = audit.entries.find((e) => e.action === 'config.agent.rolledback');
    expect(entry).toMatchObject({ who: alice, subject: 'payer', why: 'v2 throws in decide' });
    expect(entry?.data).toMatchObject({ from: 2, to: 1, toHash: versions[0]!.hash });
  });

  it('versions - a rollback sticks across a restart that loads the old files again, until a new version is deployed', async () => {
    await restart('v2'); // v2's files are still on disk: already recorded, so the pinned v1 runs
    expect((await runtime.agentVersions('payer')).map((v) => [v.number, v.active])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(runtime.listAlerts().some((a) => a.code === 'MANDATE_AGENT_VERSION_PINNED')).toBe(true);
    await cycle(runtime);
    expect(agentOf(runtime, 'payer').context.decision?.rationale).toBe('v1 at 80');
    expect(agentOf(runtime, 'payer').identity.did).toBe(did);

    // Rolling forward is a rollback to the newer number.
    await runtime.rollback('payer', { to: '2', by: alice, why: 'try v2 again' });
    expect(runtime.getAgent('payer')?.version?.number).toBe(2);
  });

  it('versions - coded errors: unknown version, the version it runs, a phase running; stored versions are immutable', async () => {
    await expect(runtime.rollback('payer', { to: '9', by: alice, why: 'x' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
      message: expect.stringContaining('mandate agents versions payer') as string,
    });
    await expect(runtime.rollback('payer', { to: 'latest', by: alice, why: 'x' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
    });
    await expect(runtime.rollback('payer', { to: '2', by: alice, why: 'x' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_STATE_CONFLICT',
    });
    await expect(runtime.rollback('ghost', { to: '1', by: alice, why: 'x' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
    });
    await expect(runtime.agentVersions('ghost')).rejects.toMatchObject({ code: 'MANDATE_ERR_NOT_FOUND' });
    const hash = (await runtime.agentVersions('payer'))[0]!.hash;
    await runtime.rollback('payer', {
      to: hash.slice('sha256:'.length, 'sha256:'.length + 10),
      by: alice,
      why: 'by hash prefix',
    });
    expect(runtime.getAgent('payer')?.version?.number).toBe(1);

    const su = await t.superuser();
    await expect(su.query(`update mandate_agent_version set label = 'x'`)).rejects.toThrow(
      /MANDATE_ERR_AGENT_VERSION_IMMUTABLE/,
    );
    await expect(su.query(`delete from mandate_agent_version`)).rejects.toThrow(/MANDATE_ERR_AGENT_VERSION_IMMUTABLE/);
  });
});

describe('agent versions of TypeScript agents', () => {
  it('versions - a TypeScript version this process never loaded cannot be rebuilt: MANDATE_ERR_VERSION_UNAVAILABLE', async () => {
    await using t = await openTestStore('postgresql');
    const spec = (perceive: () => Record<string, unknown>) =>
      defineAgent({
        id: 'ts',
        capabilities: ['gates.write'],
        perceive,
        decide: {
          decide: async () => ({ action: null, confidence: 1, rationale: 'nothing', rulesFired: [], model: null }),
        },
      });
    let runtime = await createRuntime({ store: t.store, clock: new SimulatedClock() });
    await runtime.spawn(spec(() => ({ gas: 1 })));
    await runtime.shutdown();
    t.store = await t.reopen();
    runtime = await createRuntime({ store: t.store, clock: new SimulatedClock() });
    await runtime.spawn(spec(() => ({ gas: 2 })));
    const versions = await runtime.agentVersions('ts');
    expect(versions.map((v) => [v.number, v.active, v.source])).toEqual([
      [1, false, null],
      [2, true, null],
    ]);
    await expect(runtime.rollback('ts', { to: '1', by: alice, why: 'x' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_VERSION_UNAVAILABLE',
      details: { agentId: 'ts', version: 1 },
    });
    expect(runtime.getAgent('ts')?.version?.number).toBe(2); // nothing changed
    await runtime.shutdown();
  });
});
