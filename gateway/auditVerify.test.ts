/**
 * POST /api/audit/verify against the real stack (PostgreSQL store, treasury agents): operators and
 * admins get the chain's verdict, observers are refused, a row edited behind the store's back is
 * reported where it breaks, and a gateway without a verifiable store answers a coded 503.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../runtime/index.ts';
import { startGatewayFixture, type GatewayFixture } from '../test/e2e/gatewayFixture.ts';
import { createGateway } from './createGateway.ts';
import { TokenStore } from './TokenStore.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
  await fx.drive(2);
  await fx.runtime.flush();
});
afterAll(async () => {
  await fx?.close();
});

async function verify(token: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${fx.url}/api/audit/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: await response.json() };
}

describe('gateway - POST /api/audit/verify', () => {
  it('gateway - an observer may not run it (operator+), and is told which permission it lacks', async () => {
    const refused = await verify(fx.tokens.observer);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'MANDATE_ERR_AUTH_FORBIDDEN',
      details: { permission: 'audit.verify' },
    });
  });

  it('gateway - an operator gets the verdict of the intact chain: every entry read, the head, when it was checked', async () => {
    const { status, body } = await verify(fx.tokens.operator);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, breaks: [], checkedAt: expect.any(Number) });
    expect(body.entries).toBeGreaterThan(0);
    expect(body.head.seq).toBe(body.entries);
    // Two at once share one read of the log and get the same verdict.
    const [a, b] = await Promise.all([verify(fx.tokens.admin), verify(fx.tokens.operator)]);
    expect(a.body.entries).toBe(b.body.entries);
  });

  it('gateway - an entry edited behind the store is reported at its seq, with the reason', async () => {
    const su = new pg.Client({ connectionString: fx.store.databaseUrl });
    await su.connect();
    try {
      // Triggers off for this session: the only way past the append-only trigger.
      await su.query('set session_replication_role = replica');
      await su.query(`update mandate_audit_entry set why = why || ' (amended)' where seq = 2`);
    } finally {
      await su.end();
    }
    const { status, body } = await verify(fx.tokens.operator);
    expect(status).toBe(200);
    expect(body.ok).toBe(false);
    expect(body.breaks[0]).toMatchObject({ seq: 2, reason: 'hash-mismatch' });
  });

  it('gateway - without a store that keeps the chain it answers 503 MANDATE_ERR_AUDIT_UNAVAILABLE', async () => {
    const runtime = await createRuntime();
    const tokens = new TokenStore();
    const { token } = tokens.issue('op', 'operator');
    const app = await createGateway({
      runtime,
      tokens,
      store: { queryAudit: async () => ({ entries: [], nextCursor: null }) },
    });
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/api/audit/verify',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.code).toBe('MANDATE_ERR_AUDIT_UNAVAILABLE');
    } finally {
      await app.close();
      await runtime.shutdown();
    }
  });
});
