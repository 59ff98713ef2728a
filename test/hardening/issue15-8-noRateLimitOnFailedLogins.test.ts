/**
 * Issue 15 #8: no rate limit on failed logins (1,959 token guesses a second were answered 401).
 * A client address that sends too many unknown tokens is now locked out with 429 and
 * `Retry-After`, audited once per lockout, while other addresses keep working. The gateway's
 * clock is injected, so the window passes without sleeping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import { createRuntime, type MandateRuntime } from '../../runtime/index.ts';
import { openTestStore, type TestStore } from '../support/db.ts';

const ATTACKER = '203.0.113.7';
const OPERATOR = '198.51.100.20';

let t: TestStore;
let runtime: MandateRuntime;
let app: FastifyInstance;
let good: string;
let now = Date.parse('2026-12-02T01:00:00Z');

beforeAll(async () => {
  t = await openTestStore('embedded');
  runtime = await createRuntime({ mode: 'dry-run', nodeId: 'node-throttle', store: t.store });
  await runtime.start();
  const tokens = new TokenStore();
  good = tokens.issue('ops', 'operator', { now }).token;
  app = await createGateway({ runtime, tokens, clock: () => now, authThrottle: { burst: 5, refillPerMinute: 6 } });
});
afterAll(async () => {
  await app?.close();
  await runtime?.shutdown();
  await t?.[Symbol.asyncDispose]();
});

const me = (token: string, remoteAddress: string) =>
  app.inject({ method: 'GET', url: '/api/me', remoteAddress, headers: { authorization: `Bearer ${token}` } });

describe('issue 15 #8 - no rate limit on failed logins', () => {
  it('gateway - a burst of unknown tokens is locked out with 429 and Retry-After, other clients are not, and the window ends it', async () => {
    // The burst: five unknown tokens are answered 401 as before.
    for (let i = 0; i < 5; i++) expect((await me(`mdt_guess-${i}`, ATTACKER)).statusCode).toBe(401);

    // Then every request from that address is refused before its token is looked at, the right
    // one included, so a guesser cannot tell a hit from a miss.
    const refused = await me('mdt_guess-5', ATTACKER);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.json().error).toMatchObject({
      code: 'MANDATE_ERR_AUTH_THROTTLED',
      details: { retryAfterSeconds: 10 },
    });
    expect((await me(good, ATTACKER)).statusCode).toBe(429);

    // Another client with the right token is not affected, nor is a public route.
    const other = await me(good, OPERATOR);
    expect(other.statusCode).toBe(200);
    expect(other.json()).toMatchObject({ name: 'ops', role: 'operator' });
    expect((await app.inject({ method: 'GET', url: '/health', remoteAddress: ATTACKER })).statusCode).toBe(200);

    // 9.999 s later it is still locked out; at 10 s (one attempt refilled at 6 a minute) it is not.
    now += 9_999;
    expect((await me(good, ATTACKER)).statusCode).toBe(429);
    now += 1;
    expect((await me(good, ATTACKER)).statusCode).toBe(200);
    // One attempt earned back, one spent: the next wrong token locks it out again at once.
    expect((await me('mdt_guess-6', ATTACKER)).statusCode).toBe(401);
    expect((await me('mdt_guess-7', ATTACKER)).statusCode).toBe(429);

    // Audited once per lockout (not per refusal), each entry counting the 429s before it.
    await runtime.flush();
    const page = await t.store.audit.query({ action: 'gateway.auth.throttled', limit: 10 });
    const entries = page.entries.toReversed();
    expect(entries.map((e) => [e.subject, e.who, e.data.failures, e.data.refused])).toEqual([
      [ATTACKER, { kind: 'system', id: 'gateway' }, 5, 0],
      [ATTACKER, { kind: 'system', id: 'gateway' }, 6, 3],
    ]);
    expect(entries[0]?.why).toBe(`5 unknown bearer tokens from ${ATTACKER}; refused for 10 s`);
  });

  it('gateway - a bad throttle setting is refused with a coded error', async () => {
    await expect(
      createGateway({ runtime, tokens: new TokenStore(), authThrottle: { burst: 0 } }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_AUTH_THROTTLE_CONFIG' });
  });
});
