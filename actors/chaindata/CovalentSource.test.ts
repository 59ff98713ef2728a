/**
 * The Covalent-style source and perceiver against a local server answering in the API's format:
 * balances by mapped contract (never by spoofable symbol), exact decimals, paged transfers with a
 * shifted page deduplicated, freshness, the error envelope, malformed amounts, bearer auth.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCovalent, type CovalentState, type CovalentTransferItem } from '../../test/support/indexerServers.ts';
import { covalentPerceiver, unitsToDecimal } from './chainDataPerceivers.ts';
import { CovalentSource } from './CovalentSource.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOLDER = '0x1111111111111111111111111111111111111111';
const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
const EURC = '0x1aBaEA1f7C830bD89Acc67eC4af516284b1bC33c';
const FAKE_USDC = '0x9999999999999999999999999999999999999999';
const PEER = '0x2222222222222222222222222222222222222222';

const balance = (contract: string, symbol: string, units: string) => ({
  contract_address: contract,
  contract_ticker_symbol: symbol,
  contract_decimals: 6,
  balance: units,
  native_token: false,
  is_spam: false,
});
const transfer = (i: number): CovalentTransferItem => ({
  tx_hash: `0x${i.toString(16).padStart(64, '0')}`,
  block_height: 1000 - i,
  block_signed_at: new Date(NOW - i * 60_000).toISOString(),
  successful: true,
  transfers: [
    {
      from_address: i % 2 === 0 ? PEER : HOLDER,
      to_address: i % 2 === 0 ? HOLDER : PEER,
      delta: String(1_500_000 + i),
      transfer_type: i % 2 === 0 ? 'IN' : 'OUT',
      contract_address: USDC,
      contract_decimals: 6,
      contract_ticker_symbol: 'USDC',
    },
  ],
});

const state: CovalentState = { apiKey: 'ck_test', updatedAt: '', balances: [], transfers: [], requests: [] };
let server: Server;
let url: string;
beforeAll(async () => {
  ({ server, url } = await startCovalent(state));
});
afterAll(() => server.close());
beforeEach(() => {
  Object.assign(state, {
    updatedAt: new Date(NOW - 20_000).toISOString(),
    balances: [
      balance(USDC, 'USDC', '1234567891'),
      { ...balance(FAKE_USDC, 'USDC', '999999999999'), is_spam: true },
      {
        ...balance('0x0000000000000000000000000000000000000000', 'ETH', '2000000000000000000'),
        contract_decimals: 18,
        native_token: true,
      },
    ],
    transfers: Array.from({ length: 25 }, (_, i) => transfer(i)),
    requests: [],
    override: undefined,
    insertAfterPage: undefined,
  });
});

const source = (extra: Partial<ConstructorParameters<typeof CovalentSource>[0]> = {}) =>
  new CovalentSource({
    baseUrl: url,
    apiKey: 'ck_test',
    chainName: 'eth-mainnet',
    clock: { now: () => NOW },
    ...extra,
  });

describe('CovalentSource', () => {
  it('reads balances as exact integers and names tokens by their mapped contract, not their symbol', async () => {
    const { items } = await source().balances(HOLDER);
    expect(items.find((i) => i.native)?.balance).toBe(2_000_000_000_000_000_000n);
    const perceive = covalentPerceiver(source(), { holder: HOLDER, tokens: { USDC, EURC } });
    const facts = await perceive({ agentId: 'a', now: NOW, trigger: {} });
    expect(facts['chainBalances']).toEqual({
      USDC: { balance: '1234.567891', value: 1234.567891, decimals: 6, contract: USDC.toLowerCase() },
      EURC: { balance: '0', value: 0, decimals: null, contract: EURC.toLowerCase() },
    });
    expect(facts['chainDataUpdatedAt']).toBe(new Date(NOW - 20_000).toISOString());
    expect(state.requests[0]).toBe(`/v1/eth-mainnet/address/${HOLDER}/balances_v2/`);
  });

  it('pages transfers to the end, a shifted page deduplicated', async () => {
    // A new transfer lands after page 0 was served: page 1 then repeats page 0's last item.
    state.insertAfterPage = { page: 0, item: transfer(100) };
    const list = await source().transfers({ holder: HOLDER, token: USDC, pageSize: 10 });
    expect(list).toHaveLength(25);
    expect(new Set(list.map((t) => t.txHash)).size).toBe(25);
    expect(list[0]).toMatchObject({ direction: 'IN', amount: 1_500_000n, from: PEER.toLowerCase() });
    expect(state.requests).toHaveLength(3);
    expect(state.requests[1]).toContain('page-number=1');
    await expect(source().transfers({ holder: HOLDER, token: USDC, pageSize: 10, maxPages: 2 })).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_TRUNCATED',
    });
  });

  it('perceives transfers as JSON facts', async () => {
    const perceive = covalentPerceiver(source(), { holder: HOLDER, tokens: { USDC }, transfersOf: ['USDC'] });
    const facts = await perceive({ agentId: 'a', now: NOW, trigger: {} });
    const transfers = facts['USDCTransfers'] as Record<string, unknown>[];
    expect(transfers).toHaveLength(25);
    expect(transfers[1]).toMatchObject({
      direction: 'OUT',
      amount: '1.500001',
      value: 1.500001,
      to: PEER.toLowerCase(),
    });
    expect(() => JSON.stringify(facts)).not.toThrow();
  });

  it('refuses stale data, error envelopes, malformed amounts and a bad key, each coded', async () => {
    state.updatedAt = new Date(NOW - 3_600_000).toISOString();
    await expect(source().balances(HOLDER)).rejects.toMatchObject({ code: 'MANDATE_ERR_CHAINDATA_STALE' });
    state.updatedAt = new Date(NOW).toISOString();
    state.override = { data: null, error: true, error_message: 'Chain is not supported', error_code: 400 };
    await expect(source().balances(HOLDER)).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_UNAVAILABLE',
      message: expect.stringContaining('400: Chain is not supported'),
    });
    state.override = undefined;
    state.balances = [balance(USDC, 'USDC', '-5')];
    await expect(source().balances(HOLDER)).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_INVALID',
      message: expect.stringContaining('items.0.balance'),
    });
    state.balances = [balance(USDC, 'USDC', '1.5')];
    await expect(source().balances(HOLDER)).rejects.toMatchObject({ code: 'MANDATE_ERR_CHAINDATA_INVALID' });
    await expect(source({ apiKey: 'wrong' }).balances(HOLDER)).rejects.toMatchObject({
      code: 'MANDATE_ERR_CHAINDATA_UNAVAILABLE',
      message: expect.stringContaining('HTTP 401'),
    });
  });

  it('refuses bad configuration before any request', () => {
    expect(() => source({ chainName: '../admin' })).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_CHAINDATA_INVALID' }),
    );
    expect(() => covalentPerceiver(source(), { holder: HOLDER, tokens: { USDC: 'usdc' } })).toThrow(
      /not a 0x-prefixed/,
    );
    expect(() => covalentPerceiver(source(), { holder: HOLDER, tokens: { USDC }, transfersOf: ['EURC'] })).toThrow(
      /not in tokens/,
    );
    expect(state.requests).toHaveLength(0);
  });

  it('writes token units as exact decimals', () => {
    expect(unitsToDecimal(1_500_000n, 6)).toBe('1.5');
    expect(unitsToDecimal(5n, 6)).toBe('0.000005');
    expect(unitsToDecimal(0n, 18)).toBe('0');
    expect(unitsToDecimal(-12_345n, 2)).toBe('-123.45');
    expect(unitsToDecimal(10n ** 30n + 1n, 18)).toBe('1000000000000.000000000000000001');
    expect(unitsToDecimal(42n, 0)).toBe('42');
  });
});
