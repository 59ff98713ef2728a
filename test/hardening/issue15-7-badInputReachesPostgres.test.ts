import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../e2e/gatewayFixture.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function call(method: string, url: string, body?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(fx.url + url, {
    method,
    headers: {
      authorization: `Bearer ${fx.tokens.admin}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body ?? null,
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

describe('issue 15 #7 - bad input reaches PostgreSQL as 500s', () => {
  it.each(['/api/audit', '/api/audit/export.csv', '/api/audit/export.pdf'])(
    'gateway - a NUL in an audit filter of %s is a coded 400 naming the field',
    async (path) => {
      for (const filter of ['agent', 'counterparty', 'status', 'action']) {
        const res = await call('GET', `${path}?${filter}=%00`);
        expect(res.status, `${path}?${filter}`).toBe(400);
        expect(res.body.error.code).toBe('MANDATE_ERR_REQUEST_INVALID');
        expect(res.body.error.message).toContain(`query.${filter}`);
      }
    },
  );

  it('gateway - a NUL or a lone surrogate anywhere in task input is a coded 400, before any work', async () => {
    const before = (await fx.store.audit.query({ limit: 500 })).entries.length;
    for (const input of ['{"invoice":"INV-1001\\u0000"}', '{"note":{"deep":["\\udc00"]}}', '{"k\\u0000":1}']) {
      const res = await call('POST', '/api/tasks', `{"capability":"payments.send","input":${input}}`);
      expect(res.status, input).toBe(400);
      expect(res.body.error.code).toBe('MANDATE_ERR_REQUEST_INVALID');
      expect(res.body.error.message).toContain('body.input');
    }
    await fx.store.flush();
    expect((await fx.store.audit.query({ limit: 500 })).entries.length).toBe(before);
  });

  it('gateway - task input nested 3,000 deep is a coded 400', async () => {
    const deep = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
    const res = await call('POST', '/api/tasks', `{"capability":"payments.send","input":${deep}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MANDATE_ERR_REQUEST_INVALID');
    expect(res.body.error.message).toMatch(/deep/);
  });
});
