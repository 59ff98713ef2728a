import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { FastifyInstance } from 'fastify';
import { createGateway, TokenStore, type Role } from '../gateway/index.ts';
import { createRuntime, parseAgentYaml, PluginRegistry, type MandateRuntime } from '../runtime/index.ts';
import { openTestStore, type TestStore } from '../test/support/db.ts';
import { agentsCommand } from './agentsCommand.ts';

const plugins = new PluginRegistry()
  .perceiver('market.gas', () => ({ gas: { gwei: 80 } }))
  .actuator({ name: 'noop', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, ['gates.write']);

const yaml = `id: watcher
capabilities: [gates.write]
permissions: [ { capability: gates.write, accounts: ["*"] } ]
perceive: [market.gas]
rules: ./rules.yaml
act: noop
tuning: { period: 1h, minSamples: 3 }
`;

const rules = `rules:
  - name: fees-spiking
    params:
      threshold: { value: 60, tunable: { min: 40, max: 80, step: 5 } }
      floor: 10
    conditions: { all: [ { fact: gas, path: $.gwei, operator: greaterThan, value: "$param:threshold" } ] }
    event: { type: gate.set, params: { gate: fees-ok, open: false } }
`;

let t: TestStore;
let runtime: MandateRuntime;
let app: FastifyInstance;
let url: string;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  t = await openTestStore('postgresql');
  runtime = await createRuntime({ store: t.store, clock: new SimulatedClock() });
  await runtime.spawn(
    await parseAgentYaml({ text: yaml, source: 'watcher.yaml', plugins, readRelative: async () => rules }),
  );
  const tokenStore = new TokenStore();
  for (const role of ['admin', 'operator', 'observer'] as const) tokens[role] = tokenStore.issue(role, role).token;
  app = await createGateway({ runtime, tokens: tokenStore });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await runtime?.shutdown();
  await t?.[Symbol.asyncDispose]();
});

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    return { code: await agentsCommand([...argv, '--url', url]), out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

describe('mandate agents params / freeze / unfreeze / revert', () => {
  it('agents params - lists the rule parameters with value, declared value, bounds and whether frozen', async () => {
    const { code, out } = await run(['params', 'watcher', '--token', tokens.observer]);
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      expect.stringMatching(/^fees-spiking\.threshold +60 {2}declared 60 {2}40\.\.80 step 5 {2}tuning$/),
      expect.stringMatching(/^fees-spiking\.floor +10 {2}declared 10 {2}fixed$/),
    ]);
    const res = await fetch(`${url}/api/agents/watcher/params`, {
      headers: { authorization: `Bearer ${tokens.observer}` },
    });
    expect(await res.json()).toEqual({
      agentId: 'watcher',
      params: [
        {
          key: 'fees-spiking.threshold',
          declared: 60,
          tunable: { min: 40, max: 80, step: 5 },
          value: 60,
          frozen: false,
          tunedAt: null,
        },
        { key: 'fees-spiking.floor', declared: 10, value: 10, frozen: false, tunedAt: null },
      ],
    });
  });

  it('agents freeze / unfreeze / revert - operators change a parameter through the gateway, audited with who and why', async () => {
    const frozen = await run([
      'freeze',
      'watcher',
      'fees-spiking.threshold',
      '--reason',
      'quarter close',
      '--token',
      tokens.operator,
    ]);
    expect(frozen.out).toMatch(/^fees-spiking\.threshold +60 .* frozen$/);
    const unfrozen = await run(['unfreeze', 'watcher', 'fees-spiking.threshold', '--token', tokens.operator]);
    expect(unfrozen.out).toMatch(/ tuning$/);
    const reverted = await run([
      'revert',
      'watcher',
      'fees-spiking.threshold',
      '--to-declared',
      '--token',
      tokens.admin,
    ]);
    expect(reverted.out).toMatch(/^fees-spiking\.threshold +60 .* frozen$/);
    const { entries } = await t.store.audit.query({ agent: 'watcher', action: 'learn.*', limit: 10 });
    expect(entries.map((e) => [e.action, e.who.id, e.why])).toEqual([
      ['learn.reverted', 'admin', 'revert with "mandate agents revert watcher fees-spiking.threshold --to-declared"'],
      ['learn.unfrozen', 'operator', 'unfreeze with "mandate agents unfreeze watcher fees-spiking.threshold"'],
      ['learn.frozen', 'operator', 'quarter close'],
    ]);
    expect(entries[0]!.data).toMatchObject({
      parameter: 'fees-spiking.threshold',
      before: 60,
      after: 60,
      toDeclared: true,
    });
  });

  it('agents params - forbidden for observers, unknown or fixed parameters are not found, usage is coded', async () => {
    await expect(
      run(['freeze', 'watcher', 'fees-spiking.threshold', '--token', tokens.observer]),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_AUTH_FORBIDDEN' });
    await expect(run(['freeze', 'watcher', 'fees-spiking.floor', '--token', tokens.operator])).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
    });
    await expect(run(['revert', 'ghost', 'fees-spiking.threshold', '--token', tokens.operator])).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
    });
    await expect(run(['freeze', 'watcher', 'no-dot', '--token', tokens.operator])).rejects.toMatchObject({
      code: 'MANDATE_ERR_REQUEST_INVALID',
    });
    await expect(run(['freeze', 'watcher', '--token', tokens.operator])).rejects.toMatchObject({
      code: 'MANDATE_ERR_USAGE',
    });
  });
});
