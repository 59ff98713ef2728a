import { createServer, type Server } from 'node:http';
import { Contract, NonceManager, parseUnits } from 'ethers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTestContracts, deployArtifact } from '../../test/support/evmContracts.ts';
import { startEvmNode, type EvmNode } from '../../test/support/evmNode.ts';
import { BankFxOracle } from './BankFxOracle.ts';
import { CachedOracle } from './CachedOracle.ts';
import { ChainlinkOracle } from './ChainlinkOracle.ts';
import { decimalToScaled } from './decimalToScaled.ts';
import { HttpPriceOracle } from './HttpPriceOracle.ts';
import type { Oracle, PriceObservation } from './Oracle.ts';
import { SanePriceFeed, medianOf } from './SanePriceFeed.ts';

let node: EvmNode;
let feed: Contract;
let server: Server;
let baseUrl: string;
let requests = 0;
/** What the local HTTP APIs answer. */
const api = { ethUsd: 3012.55 as number | string, updatedAt: 0, fxBody: {} as unknown };

beforeAll(async () => {
  node = await startEvmNode();
  const deployer = new NonceManager(node.wallet(0));
  // 8 decimals like Chainlink's USD feeds: 3000.12345678 USD.
  const c = await deployArtifact(compileTestContracts()['MockV3Aggregator']!, deployer, [8, 300_012_345_678n]);
  feed = new Contract(c.target, compileTestContracts()['MockV3Aggregator']!.abi, deployer);
  server = createServer((req, res) => {
    requests += 1;
    const u = new URL(req.url!, 'http://x');
    res.setHeader('content-type', 'application/json');
    if (u.pathname === '/api/v3/simple/price') {
      res.end(
        JSON.stringify({
          [u.searchParams.get('ids')!]: {
            [u.searchParams.get('vs_currencies')!]: api.ethUsd,
            last_updated_at: api.updatedAt,
          },
        }),
      );
    } else if (u.pathname === '/latest') {
      res.end(JSON.stringify(api.fxBody));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await node?.close();
});

const fixed = (name: string, price: string, updatedAt: Date): Oracle => ({
  name,
  read: async (pair) => ({ pair, price: parseUnits(price, 18), updatedAt, source: name }),
});

describe('oracles', () => {
  it('oracles - Chainlink AggregatorV3 is read on chain and scaled to 18 decimals; a bad round is refused', async () => {
    const oracle = new ChainlinkOracle({ provider: node.provider(), feeds: { 'ETH/USD': String(feed.target) } });
    const obs = await oracle.read('ETH/USD');
    expect(obs.price).toBe(parseUnits('3000.12345678', 18));
    expect(obs.source).toBe(`chainlink:${feed.target}`);
    expect(Math.abs(obs.updatedAt.getTime() - Date.now())).toBeLessThan(24 * 3600_000);
    await (await feed.getFunction('updateAnswer')(-5n)).wait();
    await expect(oracle.read('ETH/USD')).rejects.toMatchObject({ code: 'MANDATE_ERR_ORACLE_INVALID' });
    await (await feed.getFunction('updateRoundData')(7n, 1n, 0n)).wait();
    await expect(oracle.read('ETH/USD')).rejects.toMatchObject({ code: 'MANDATE_ERR_ORACLE_INVALID' });
    await expect(oracle.read('BTC/USD')).rejects.toMatchObject({ code: 'MANDATE_ERR_ORACLE_UNAVAILABLE' });
  });

  it('oracles - a CoinGecko-style API is parsed exactly and malformed answers are refused', async () => {
    const oracle = new HttpPriceOracle({ baseUrl, ids: { ETH: 'ethereum' } });
    api.ethUsd = 3012.55;
    api.updatedAt = 1_772_400_000;
    const obs = await oracle.read('ETH/USD');
    expect(obs.price).toBe(parseUnits('3012.55', 18));
    expect(obs.updatedAt.toISOString()).toBe(new Date(1_772_400_000_000).toISOString());
    api.ethUsd = '3012.55'; // a string where a number belongs
    await expect(oracle.read('ETH/USD')).rejects.toMatchObject({ code: 'MANDATE_ERR_ORACLE_INVALID' });
    const down = new HttpPriceOracle({ baseUrl: 'http://127.0.0.1:1', ids: { ETH: 'ethereum' }, timeoutMs: 500 });
    await expect(down.read('ETH/USD')).rejects.toMatchObject({ code: 'MANDATE_ERR_ORACLE_UNAVAILABLE' });
  });

  it('oracles - a bank FX feed gives fiat pairs; missing quotes are refused', async () => {
    const oracle = new BankFxOracle({ baseUrl });
    api.fxBody = { base: 'EUR', date: '2026-03-02', rates: { USD: '1.0842', GBP: 0.8571 } };
    expect((await oracle.read('EUR/USD')).price).toBe(parseUnits('1.0842', 18));
    expect((await oracle.read('EUR/GBP')).price).toBe(parseUnits('0.8571', 18));
    await expect(oracle.read('EUR/JPY')).rejects.toMatchObject({ code: 'MANDATE_ERR_ORACLE_INVALID' });
    api.fxBody = { base: 'EUR', rates: { USD: 'one' } };
    await expect(oracle.read('EUR/USD')).rejects.toMatchObject({ code: 'MANDATE_ERR_ORACLE_INVALID' });
  });

  it('oracles - decimals from JSON numbers never pass through float maths', () => {
    expect(decimalToScaled(0.1)).toBe(10n ** 17n);
    expect(decimalToScaled(1e-7)).toBe(10n ** 11n);
    expect(decimalToScaled(1.5e21)).toBe(15n * 10n ** 38n);
    expect(decimalToScaled('3012.123456789012345678999')).toBe(3012_123456789012345678n);
    expect(() => decimalToScaled('-1')).toThrow();
  });

  it('oracles - median of sane sources; stale, out-of-bounds and deviating sources are caught', async () => {
    const now = new Date('2026-03-02T12:00:00Z');
    const fresh = new Date(now.getTime() - 30_000);
    const sanity = { 'ETH/USD': { maxAgeMs: 120_000, min: '100', max: '100000', maxDeviationBps: 200, minSources: 2 } };
    const ok = new SanePriceFeed({
      now: () => now,
      sanity,
      sources: [
        fixed('a', '3000', fresh),
        fixed('b', '3010', fresh),
        fixed('c', '3030', fresh),
        fixed('old', '2000', new Date(now.getTime() - 600_000)),
        fixed('crazy', '0.5', fresh),
      ],
    });
    const result = await ok.read('ETH/USD');
    expect(result.price).toBe(parseUnits('3010', 18));
    expect(result.rejected.map((r) => `${r.source}:${r.code}`)).toEqual([
      'old:MANDATE_ERR_ORACLE_STALE',
      'crazy:MANDATE_ERR_ORACLE_BOUNDS',
    ]);
    const split = new SanePriceFeed({
      now: () => now,
      sanity,
      sources: [fixed('a', '3000', fresh), fixed('b', '3300', fresh)],
    });
    await expect(split.read('ETH/USD')).rejects.toMatchObject({ code: 'MANDATE_ERR_ORACLE_DEVIATION' });
    const lonely = new SanePriceFeed({ now: () => now, sanity, sources: [fixed('a', '3000', fresh)] });
    await expect(lonely.read('ETH/USD')).rejects.toMatchObject({ code: 'MANDATE_ERR_ORACLE_UNAVAILABLE' });
    expect(medianOf([5n, 1n, 3n, 9n])).toBe(4n);
  });

  it('oracles - the Redis cache serves recent prices without calling the source again', async () => {
    const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
    } catch (cause) {
      throw new Error(`Redis is not reachable at ${url}; start it (e.g. "redis-server --port 6379") or set REDIS_URL`, {
        cause,
      });
    }
    try {
      const prefix = `mandate:test:${Date.now()}:`;
      api.ethUsd = 2999.5;
      api.updatedAt = 1_772_400_000;
      const cached = new CachedOracle(new HttpPriceOracle({ baseUrl, ids: { ETH: 'ethereum' } }), {
        redis,
        ttlMs: 60_000,
        prefix,
      });
      const before = requests;
      const first: PriceObservation = await cached.read('ETH/USD');
      const second = await cached.read('ETH/USD');
      expect(requests - before).toBe(1);
      expect(second).toEqual(first);
      expect(await redis.pttl(`${prefix}coingecko:ETH/USD`)).toBeGreaterThan(0);
      await redis.del(`${prefix}coingecko:ETH/USD`);
    } finally {
      redis.disconnect();
    }
  });
});
