/**
 * The caches `mandate run` hands the agent system: with `REDIS_URL`, final payment receipts and
 * recent oracle prices in Redis (shared by every node on it); without it, receipts in process and
 * prices uncached. The connection is checked at start, so a wrong URL is a coded error before any
 * agent runs, not a failure in the middle of a payment.
 */
import { Redis } from 'ioredis';
import {
  CachedOracle,
  MemoryReceiptCache,
  RedisReceiptCache,
  type Oracle,
  type ReceiptCache,
} from '../actors/index.ts';
import { RedisUnavailableError } from './errors.ts';

/** How long a final receipt stays cached (it never changes again; the TTL only bounds memory). */
const RECEIPT_TTL_MS = 24 * 3_600_000;

/** What a system gets as `context.caches`. */
export interface SystemCaches {
  /** Where the rails keep final receipts (`EvmRailOptions.receiptCache`). */
  readonly receipts: ReceiptCache;
  /** `inner` behind a read-through price cache of `ttlMs` (Redis), or `inner` itself (no Redis). */
  oracle(inner: Oracle, ttlMs: number): Oracle;
}

/** The opened caches, for the banner and the stop. */
export interface OpenedCaches {
  readonly caches: SystemCaches;
  /** For the start banner: `Redis redis://:***@host:6379 (receipts, prices)` or `in-process …`. */
  readonly description: string;
  /** The Redis address with its password hidden, when Redis is used. */
  readonly redis: string | undefined;
  /** A lost connection, once per outage (the caches are skipped meanwhile; payments go on). */
  onProblem(report: (message: string) => void): void;
  close(): Promise<void>;
}

/** `url` with any password (and user) replaced by `***`. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '' || u.username !== '') {
      u.username = u.username === '' ? '' : '***';
      u.password = '***';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}

/** Opens the caches `env.REDIS_URL` asks for; `MANDATE_ERR_REDIS_UNAVAILABLE` when it names no reachable Redis. */
export async function openCaches(env: NodeJS.ProcessEnv, connectTimeoutMs = 3_000): Promise<OpenedCaches> {
  const url = env.REDIS_URL;
  if (url === undefined || url === '')
    return {
      caches: { receipts: new MemoryReceiptCache({ ttlMs: RECEIPT_TTL_MS }), oracle: (inner) => inner },
      description: 'in-process receipt cache, prices uncached (REDIS_URL unset)',
      redis: undefined,
      onProblem: () => undefined,
      close: async () => {},
    };
  const shown = redactRedisUrl(url);
  if (!/^rediss?:\/\//.test(url) || shown === '(unparseable URL)')
    throw new RedisUnavailableError(
      `REDIS_URL="${shown}" is not a Redis URL; use redis://[:password@]host:port[/db] or rediss:// for TLS, or unset it for the in-process caches.`,
    );
  // Commands fail at once while disconnected (no offline queue): a cache must never hold up a payment.
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  });
  let report: (message: string) => void = () => undefined;
  let down = false;
  redis.on('error', (e: Error) => {
    if (!down) report(`Redis at ${shown} unreachable (${e.message}); caches skipped until it is back`);
    down = true;
  });
  redis.on('ready', () => (down = false));
  try {
    await redis.connect();
    await redis.ping();
  } catch (cause) {
    redis.disconnect();
    throw new RedisUnavailableError(
      `no Redis answered at REDIS_URL="${shown}" (${(cause as Error).message}); start Redis there, fix the URL or password, or unset REDIS_URL for the in-process caches.`,
      { cause },
    );
  }
  return {
    caches: {
      receipts: new RedisReceiptCache({ redis, ttlMs: RECEIPT_TTL_MS }),
      oracle: (inner, ttlMs) => new CachedOracle(inner, { redis, ttlMs }),
    },
    description: `Redis ${shown} (receipts, prices)`,
    redis: shown,
    onProblem: (r) => void (report = r),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
