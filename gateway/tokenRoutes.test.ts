import { mkdir, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../test/e2e/gatewayFixture.ts';
import { loadTokenFile } from './tokenFile.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(fx.url + url, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? fx.tokens.admin}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? null : JSON.stringify(options.body),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

describe('gateway - token API (admin only, over the token file)', () => {
  it('gateway - a created token works at once, is shown once, and is refused at once after revocation', async () => {
    const created = await call('POST', '/api/tokens', {
      body: { name: 'carol', role: 'operator', expires: '30d', reason: 'new treasurer' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({ name: 'carol', role: 'operator', token: expect.stringMatching(/^mdt_/) });
    expect(created.body.expiresAt - created.body.createdAt).toBe(30 * 86_400_000);
    // The file the CLI reads holds its hash, never the plaintext.
    const file = await loadTokenFile(fx.tokenFile);
    expect(file?.verify(created.body.token)).toEqual({ name: 'carol', role: 'operator' });
    expect(JSON.stringify(file?.entries())).not.toContain(created.body.token);

    const me = await call('GET', '/api/me', { token: created.body.token });
    expect(me.body).toMatchObject({ name: 'carol', role: 'operator' });

    const list = await call('GET', '/api/tokens');
    expect(list.body.tokens.map((t: { name: string }) => t.name)).toEqual(['admin', 'operator', 'observer', 'carol']);
    expect(JSON.stringify(list.body)).not.toMatch(/sha256|mdt_/);

    const revoked = await call('DELETE', '/api/tokens/carol?reason=left%20the%20team');
    expect(revoked).toMatchObject({ status: 200, body: { ok: true, revoked: 'carol' } });
    const after = await call('GET', '/api/me', { token: created.body.token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('MANDATE_ERR_AUTH_INVALID');

    await fx.runtime.flush();
    const audit = await fx.store.audit.query({ action: 'operator.token.*', limit: 10 });
    const trail = audit.entries.map((e) => [e.action, e.subject, e.who.id, e.why]);
    expect(trail).toEqual(
      expect.arrayContaining([
        ['operator.token.create', 'carol', 'admin', 'new treasurer'],
        ['operator.token.revoke', 'carol', 'admin', 'left the team'],
      ]),
    );
  });

  it('gateway - coded refusals: taken name, unknown name, last admin, bad input, non-admin', async () => {
    const taken = await call('POST', '/api/tokens', { body: { name: 'operator', role: 'observer' } });
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'MANDATE_ERR_TOKEN_NAME_TAKEN' } } });
    const unknown = await call('DELETE', '/api/tokens/nobody');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'MANDATE_ERR_TOKEN_UNKNOWN' } } });
    const last = await call('DELETE', '/api/tokens/admin');
    expect(last).toMatchObject({ status: 409, body: { error: { code: 'MANDATE_ERR_TOKEN_LAST_ADMIN' } } });
    expect((await call('GET', '/api/me')).status).toBe(200);
    const role = await call('POST', '/api/tokens', { body: { name: 'dave', role: 'root' } });
    expect(role).toMatchObject({ status: 400, body: { error: { code: 'MANDATE_ERR_REQUEST_INVALID' } } });
    expect(role.body.error.message).toMatch(/body\.role/);
    const expires = await call('POST', '/api/tokens', { body: { name: 'dave', role: 'observer', expires: 'soon' } });
    expect(expires.status).toBe(400);
    const operator = await call('POST', '/api/tokens', {
      token: fx.tokens.operator,
      body: { name: 'dave', role: 'admin' },
    });
    expect(operator).toMatchObject({ status: 403, body: { error: { code: 'MANDATE_ERR_AUTH_FORBIDDEN' } } });
    expect((await loadTokenFile(fx.tokenFile))?.entries().map((e) => e.name)).not.toContain('dave');
    // Refused changes leave no audit entry.
    await fx.runtime.flush();
    const audit = await fx.store.audit.query({ action: 'operator.token.*', limit: 50 });
    expect(audit.entries.filter((e) => ['operator', 'nobody', 'admin', 'dave'].includes(e.subject))).toEqual([]);
  });

  it('gateway - a token change whose file write fails answers MANDATE_ERR_TOKEN_FILE and is audited as not applied', async () => {
    // A directory where the atomic write puts its temporary file: the write fails (even for root).
    const blocker = `${fx.tokenFile}.${process.pid}.tmp`;
    await mkdir(blocker);
    try {
      const created = await call('POST', '/api/tokens', {
        body: { name: 'frank', role: 'observer', reason: 'auditor' },
      });
      expect(created).toMatchObject({ status: 500, body: { error: { code: 'MANDATE_ERR_TOKEN_FILE' } } });
      expect(created.body.error.message).toMatch(/Could not write token file/);
      const revoked = await call('DELETE', '/api/tokens/observer?reason=rotated');
      expect(revoked).toMatchObject({ status: 500, body: { error: { code: 'MANDATE_ERR_TOKEN_FILE' } } });
    } finally {
      await rm(blocker, { recursive: true });
    }
    // Nothing changed: no token for frank, the observer's token still works.
    const names = (await loadTokenFile(fx.tokenFile))?.entries().map((e) => e.name);
    expect(names).not.toContain('frank');
    expect(names).toContain('observer');
    expect((await call('GET', '/api/me', { token: fx.tokens.observer })).status).toBe(200);
    // The trail says each change was attempted and then not applied, with the code answered.
    await fx.runtime.flush();
    const audit = await fx.store.audit.query({ action: 'operator.token.*', limit: 50 });
    const trail = audit.entries
      .filter((e) => ['frank', 'observer'].includes(e.subject))
      .sort((x, y) => x.seq - y.seq)
      .map((e) => [e.action, e.subject, e.why, (e.data as { code?: string }).code ?? null]);
    expect(trail).toEqual([
      ['operator.token.create', 'frank', 'auditor', null],
      ['operator.token.create.failed', 'frank', 'not applied: auditor', 'MANDATE_ERR_TOKEN_FILE'],
      ['operator.token.revoke', 'observer', 'rotated', null],
      ['operator.token.revoke.failed', 'observer', 'not applied: rotated', 'MANDATE_ERR_TOKEN_FILE'],
    ]);
  });

  it('gateway - a second admin makes the first revocable; concurrent creations all land', async () => {
    const names = ['e1', 'e2', 'e3', 'e4', 'e5'];
    const results = await Promise.all(
      names.map((name) => call('POST', '/api/tokens', { body: { name, role: 'admin' } })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const entries = (await loadTokenFile(fx.tokenFile))?.entries().map((e) => e.name) ?? [];
    expect(entries).toEqual(expect.arrayContaining(names));
    expect((await call('DELETE', '/api/tokens/admin')).status).toBe(200);
    expect((await call('GET', '/api/me')).status).toBe(401);
    expect((await call('GET', '/api/me', { token: results[0]?.body.token })).body.role).toBe('admin');
  });
});
