/**
 * The subgraph source against a graph-node shaped GraphQL server (graphql-js executing a
 * subgraph-style schema): paging by `id_gt`, every page pinned to one block, the indexer's
 * freshness, GraphQL errors, truncation, retries, and filters that cannot inject query text.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSubgraph, type SubgraphState } from '../../test/support/indexerServers.ts';
import { subgraphPerceiver } from './chainDataPerceivers.ts';
import { SubgraphSource } from './SubgraphSource.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const clock = { now: () => NOW };
const TREASURY = '0x00000000000000000000000000000000000000aa';
const OTHER = '0x00000000000000000000000000000000000000bb';
const state: SubgraphState = { head: { number: 0, timestamp: 0 }, hasIndexingErrors: false, rows: [], requests: [] };
let server: Server;
let url: string;

const rows = (n: number, block = 100) =>
  Array.from({ length: n }, (_, i) => ({
    id: `0x${i.toString(16).padStart(4, '0')}`,
    from: OTHER,
    to: i % 5 === 0 ? OTHER : TREASURY,
    value: String(1_000_000 * (i + 1)),
    block,
  }));

beforeAll(async () => {
  ({ server, url } = await startSubgraph(state));
});
afterAll(() => server.close());
beforeEach(() => {
  Object.assign(state, {
    head: { number: 120, timestamp: NOW / 1000 - 30 },
    hasIndexingErrors: false,
    rows: rows(250),
    requests: [],
    onRequest: undefined,
  });
});

const source = (extra: Partial<ConstructorParameters<typeof SubgraphSource>[0]> = {}) =>
  new SubgraphSource({ url, name: 'test', clock, retryDelayMs: 1, ...extra });
const transfersTo = { entity: 'transfers', fields: 'from to value', where: { to: TREASURY }, pageSize: 50 };

describe('SubgraphSource', () => {
  it('pages through a filtered entity, every page pinned to the head block', async () => {
    const s = source();
    const head = await s.head();
    expect(head).toEqual({ number: 120, hash: undefined, timestamp: NOW - 30_000 });
    // A transfer indexed at block 121 while the read is under way is not part of this snapshot.
    state.onRequest = (n) => {
      if (n === 3) {
        state.rows.push({ id: '0x00f0a', from: OTHER, to: TREASURY, value: '1', block: 121 });
        state.head = { number: 121, timestamp: NOW / 1000 };
      }
      return undefined;
    };
    const list = await s.list(transfersTo, head);
    expect(list).toHaveLength(200);
    expect(list.every((r) => r['to'] === TREASURY)).toBe(true);
    expect(list.map((r) => r['id'])).not.toContain('0x00f0a');
    expect(new Set(list.map((r) => r['id'])).size).toBe(200);
    // 1 head + 5 pages (50, 50, 50, 50, then an empty page ends it).
    expect(state.requests).toHaveLength(6);
    expect(state.requests.slice(1).every((q) => q.includes('block: { number: 120 }'))).toBe(true);
  });

  it('refuses an indexer that is behind or reports indexing errors', async () => {
    state.head = { number: 120, timestamp: NOW / 1000 - 3600 };
    await expect(source().head()).rejects.toMatchObject({ code: 'MANDATE_ERR_CHAINDATA_STALE' });
    await expect(source({ maxAgeMs: 7_200_000 }).head()).resolves.toMatchObject({ number: 120 });
    state.head = { number: 120, timestamp: NOW / 1000 };
    state.hasIndexingErrors = true;
    await expect(source().head()).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_STALE',
      message: expect.stringContaining('indexing errors'),
    });
  });

  it("passes the server's GraphQL errors on, coded", async () => {
    const s = source();
    const head = await s.head();
    await expect(s.list({ ...transfersTo, fields: 'amount' }, head)).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_INVALID',
      message: expect.stringContaining('Cannot query field "amount" on type "Transfer"'),
    });
    await expect(s.list({ ...transfersTo, pageSize: 5000 }, head)).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_INVALID',
      message: expect.stringContaining('from 1 to 1000'),
    });
  });

  it('refuses more rows than allowed instead of returning part of them', async () => {
    const s = source();
    await expect(s.list({ ...transfersTo, maxRows: 120 }, await s.head())).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_TRUNCATED',
    });
  });

  it('keeps filters and selections from injecting query text', async () => {
    const s = source();
    const head = await s.head();
    const sneaky = `${TREASURY}" }) { id } evil: transfers(where: { to: "x`;
    await expect(s.list({ ...transfersTo, where: { to: sneaky } }, head)).resolves.toEqual([]);
    expect(state.requests.at(-1)).toContain(JSON.stringify(sneaky));
    const before = state.requests.length;
    await expect(s.list({ ...transfersTo, where: { 'to } evil': 'x' } }, head)).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_INVALID',
    });
    await expect(s.list({ ...transfersTo, fields: 'value(first: 1)' }, head)).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_INVALID',
    });
    await expect(s.list({ ...transfersTo, fields: 'token { symbol' }, head)).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_INVALID',
    });
    await expect(s.list({ ...transfersTo, entity: 'transfers(first: 1)' }, head)).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_INVALID',
    });
    expect(state.requests.length).toBe(before);
  });

  it('retries 429 and 5xx, then gives up with a coded error; a non-JSON body is invalid', async () => {
    state.onRequest = (n) => (n === 1 ? { status: 429 } : n === 2 ? { status: 502 } : undefined);
    await expect(source().head()).resolves.toMatchObject({ number: 120 });
    expect(state.requests).toHaveLength(3);
    state.requests = [];
    state.onRequest = () => ({ status: 503 });
    await expect(source({ retries: 1 }).head()).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_UNAVAILABLE',
      message: expect.stringContaining('after 2 attempts (HTTP 503)'),
    });
    state.onRequest = () => ({ status: 200, body: '<html>maintenance</html>' });
    await expect(source().head()).rejects.toMatchObject({ code: 'MANDATE_ERR_CHAINDATA_INVALID' });
    state.onRequest = () => ({ status: 404, body: 'no such subgraph' });
    await expect(source().head()).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_UNAVAILABLE',
      message: expect.stringContaining('HTTP 404'),
    });
  });

  it('perceives several lists from one snapshot, with the block as a fact', async () => {
    const perceive = subgraphPerceiver(source(), {
      receipts: transfersTo,
      outgoing: { entity: 'transfers', fields: 'to value', where: { from: TREASURY } },
    });
    const facts = await perceive({ agentId: 'a', now: NOW, trigger: {} });
    expect((facts['receipts'] as unknown[]).length).toBe(200);
    expect(facts['outgoing']).toEqual([]);
    expect(facts['indexedBlock']).toEqual({
      number: 120,
      timestamp: new Date(NOW - 30_000).toISOString(),
      source: 'test',
    });
  });
});
