/**
 * A configuration-only agent deciding from indexed chain data: its perceiver reads balances from a
 * Covalent-style API and transfers from a GraphQL subgraph (local servers speaking both formats),
 * its YAML rules compare them, and a stale indexer fails the perceive phase with a coded error
 * instead of feeding the rules old numbers.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { CovalentSource, covalentPerceiver, SubgraphSource, subgraphPerceiver } from '../../actors/index.ts';
import { spawnHost } from '../../test/support/agentOf.ts';
import {
  startCovalent,
  startSubgraph,
  type CovalentState,
  type SubgraphState,
} from '../../test/support/indexerServers.ts';
import { createRuntime, parseAgentYaml, PluginRegistry } from '../index.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOLDER = '0x1111111111111111111111111111111111111111';
const USDC = '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48';
const covalent: CovalentState = {
  apiKey: 'k',
  updatedAt: new Date(NOW - 5_000).toISOString(),
  balances: [{ contract_address: USDC, contract_ticker_symbol: 'USDC', contract_decimals: 6, balance: '250000000000' }],
  transfers: [],
  requests: [],
};
const graph: SubgraphState = {
  head: { number: 50, timestamp: NOW / 1000 - 10 },
  hasIndexingErrors: false,
  rows: [{ id: '0x01', from: '0x2222222222222222222222222222222222222222', to: HOLDER, value: '7', block: 40 }],
  requests: [],
};
const servers: Server[] = [];
let plugins: PluginRegistry;

beforeAll(async () => {
  const c = await startCovalent(covalent);
  const g = await startSubgraph(graph);
  servers.push(c.server, g.server);
  const clock = { now: () => NOW };
  const balances = covalentPerceiver(
    new CovalentSource({ baseUrl: c.url, apiKey: 'k', chainName: 'base-mainnet', clock }),
    { holder: HOLDER, tokens: { USDC } },
  );
  const receipts = subgraphPerceiver(new SubgraphSource({ url: g.url, clock, retries: 0 }), {
    receipts: { entity: 'transfers', fields: 'from value', where: { to: HOLDER } },
  });
  plugins = new PluginRegistry()
    .perceiver('chain.balances', balances)
    .perceiver('chain.receipts', receipts)
    .actuator({ name: 'noop', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, ['gates.write']);
});
afterAll(() => servers.forEach((s) => s.close()));

const rules = `rules:
  - name: sweep-idle-usdc
    conditions:
      all:
        - { fact: chainBalances, path: $.USDC.value, operator: greaterThan, value: 100000 }
        - { fact: indexedBlock, path: $.number, operator: greaterThanInclusive, value: 50 }
    event: { type: gate.set, capability: gates.write, params: { gate: sweep, open: true } }
`;
const yaml = `id: sweeper
capabilities: [gates.write]
triggers: [ { user: true } ]
permissions: [ { capability: gates.write, accounts: ["*"] } ]
perceive: [chain.balances, chain.receipts]
rules: rules.yaml
act: noop
`;
const read = async (path: string) => (path === 'rules.yaml' ? rules : Promise.reject(new Error(`no file ${path}`)));
const settle = async () => {
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 5));
};

describe('an agent perceiving indexed chain data', () => {
  it('decides from balances and subgraph rows; a stale indexer fails perceive, coded', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    const host = await spawnHost(
      runtime,
      await parseAgentYaml({ text: yaml, source: 'sweeper.yaml', plugins, readRelative: read }),
    );
    await runtime.trigger('sweeper', { kind: 'human', id: 'ops' });
    await settle();
    expect(host.context.decision?.rulesFired).toEqual(['sweep-idle-usdc']);
    expect(host.context.facts).toMatchObject({
      chainBalances: { USDC: { balance: '250000', value: 250000 } },
      receipts: [{ id: '0x01', value: '7' }],
    });
    expect(host.context.outcome?.status).toBe('succeeded');

    graph.head = { number: 51, timestamp: NOW / 1000 - 7200 };
    await runtime.trigger('sweeper', { kind: 'human', id: 'ops' });
    await settle();
    expect(host.context.lastError).toMatchObject({ code: 'MANDATE_ERR_CHAINDATA_STALE' });
    await runtime.shutdown();
  });
});
