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
`;

const rules = (open: boolean) => `rules:
  - name: set-gate
    conditions: { all: [ { fact: gas, path: $.gwei, operator: greaterThan, value: 0 } ] }
    event: { type: gate.set, params: { capability: gates.write, params: { gate: fees-ok, open: ${open} } } }
`;

const load = (open: boolean) =>
  parseAgentYaml({ text: yaml, source: 'watcher.yaml', plugins, readRelative: async () => rules(open) });

let t: TestStore;
let runtime: MandateRuntime;
let app: FastifyInstance;
let url: string;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  t = await openTestStore('postgresql');
  const first = await createRuntime({ store: t.store, clock: new SimulatedClock() });
  await first.spawn(await load(true));
  await first.shutdown();
  t.store = await t.reopen();
  runtime = await createRuntime({ store: t.store, clock: new SimulatedClock() });
  await runtime.spawn(await load(false));
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
    return { code: await agentsCommand(argv), out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

describe('mandate agents', () => {
  it('agents command - versions lists the stored versions, the running one starred, with their files', async () => {
    const { code, out } = await run(['versions', 'watcher', '--url', url, '--token', tokens.observer]);
    expect(code).toBe(0);
    expect(out).toMatch(/^ {4}1 {2}sha256:[0-9a-f]{12} {2}label 1 .* watcher\.yaml, \.\/rules\.yaml$/m);
    expect(out).toMatch(/^\* {3}2 {2}sha256:/m);
  });

  it('agents command - rollback --to 1 restarts the agent on version 1 through the gateway, audited with who', async () => {
    const { code, out } = await run(['rollback', 'watcher', '--to', '1', '--url', url, '--token', tokens.operator]);
    expect(code).toBe(0);
    expect(out).toMatch(/^watcher now runs version 1 \(sha256:[0-9a-f]{64}\)$/);
    expect(runtime.getAgent('watcher')?.version?.number).toBe(1);
    const audit = await t.store.audit.query({ limit: 50 });
    expect(audit.entries.find((e) => e.action === 'config.agent.rolledback')).toMatchObject({
      who: { kind: 'human', id: 'operator' },
      why: 'rolled back with "mandate agents rollback watcher --to 1"',
    });
  });

  it("agents command - the gateway's coded errors come back as they are: forbidden, not found, state conflict, bad input", async () => {
    await expect(
      run(['rollback', 'watcher', '--to', '2', '--url', url, '--token', tokens.observer]),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_AUTH_FORBIDDEN' });
    await expect(
      run(['rollback', 'watcher', '--to', '7', '--url', url, '--token', tokens.admin]),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_NOT_FOUND' });
    await expect(
      run(['rollback', 'watcher', '--to', '1', '--url', url, '--token', tokens.admin]),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_STATE_CONFLICT' });
    await expect(
      run(['rollback', 'watcher', '--to', 'latest', '--url', url, '--token', tokens.admin]),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_REQUEST_INVALID' });
    await expect(run(['versions', 'watcher', '--url', url])).rejects.toMatchObject({
      code: 'MANDATE_ERR_AUTH_MISSING',
    });
  });

  it('agents command - usage errors and an unreachable gateway are coded', async () => {
    await expect(run(['rollback', 'watcher', '--url', url])).rejects.toMatchObject({ code: 'MANDATE_ERR_USAGE' });
    await expect(run(['list'])).rejects.toMatchObject({ code: 'MANDATE_ERR_USAGE' });
    await expect(run(['versions', 'watcher', '--url', 'http://127.0.0.1:9'])).rejects.toMatchObject({
      code: 'MANDATE_ERR_GATEWAY_UNREACHABLE',
    });
  });
});
