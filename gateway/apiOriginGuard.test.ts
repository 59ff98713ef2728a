/**
 * The `/api/*` DNS-rebinding guard against a gateway listening on loopback: foreign `Origin` and
 * rebound `Host` refused with a code before authentication and before anything runs; same-origin,
 * listed and non-browser (no `Origin`) requests served; paths outside `/api/` untouched.
 */
import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type MandateRuntime } from '../runtime/index.ts';
import { createGateway } from './createGateway.ts';
import { TokenStore } from './TokenStore.ts';

let runtime: MandateRuntime;
let app: FastifyInstance;
let port: number;
let token: string;

beforeAll(async () => {
  runtime = await createRuntime();
  const tokens = new TokenStore();
  token = tokens.issue('op', 'operator').token;
  app = await createGateway({ runtime, tokens, origins: { allowedOrigins: ['https://console.example.com'] } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app?.close();
  await runtime?.shutdown();
});

interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One raw HTTP request to the gateway (so Host and Origin are exactly what the test says). */
function send({
  method = 'GET',
  path = '/api/agents',
  headers = {},
  body,
}: Sent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: {
          authorization: `Bearer ${token}`,
          host: `127.0.0.1:${port}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const codeOf = (body: string): unknown => (JSON.parse(body) as { error?: { code?: string } }).error?.code;

describe('gateway - /api Origin guard', () => {
  it('gateway - a foreign Origin is refused with 403 MANDATE_ERR_ORIGIN_REFUSED naming it', async () => {
    const refused = await send({ headers: { origin: 'http://evil.example.com' } });
    expect(refused.status).toBe(403);
    expect(codeOf(refused.body)).toBe('MANDATE_ERR_ORIGIN_REFUSED');
    expect(refused.body).toContain('http://evil.example.com');
    expect((await send({ headers: { origin: 'null' } })).status).toBe(403);
    // Another port of the same host is another origin.
    expect((await send({ headers: { origin: `http://127.0.0.1:${port + 1}` } })).status).toBe(403);
  });

  it('gateway - the refusal comes before authentication: a foreign page learns nothing about a token', async () => {
    const refused = await send({ headers: { origin: 'http://evil.example.com', authorization: 'Bearer nope' } });
    expect(refused.status).toBe(403);
    expect(codeOf(refused.body)).toBe('MANDATE_ERR_ORIGIN_REFUSED');
  });

  it('gateway - a refused state-changing request changes nothing', async () => {
    const refused = await send({
      method: 'POST',
      path: '/api/kill-switch',
      headers: { origin: 'http://evil.example.com' },
      body: JSON.stringify({ action: 'engage', scope: { all: true }, reason: 'from a foreign page' }),
    });
    expect(refused.status).toBe(403);
    const state = await send({ path: '/api/kill-switch' });
    expect(state.status).toBe(200);
    expect(JSON.parse(state.body)).toMatchObject({ all: false });
  });

  it('gateway - a rebound Host on loopback is refused; loopback names are served', async () => {
    const rebound = await send({ headers: { host: `evil.example.com:${port}` } });
    expect(rebound.status).toBe(403);
    expect(codeOf(rebound.body)).toBe('MANDATE_ERR_ORIGIN_REFUSED');
    expect(rebound.body).toContain('MANDATE_ALLOWED_HOSTS');
    expect((await send({ headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('gateway - no Origin, the own origin and a listed origin are served', async () => {
    expect((await send({})).status).toBe(200);
    expect((await send({ headers: { origin: `http://127.0.0.1:${port}` } })).status).toBe(200);
    expect((await send({ headers: { origin: 'https://console.example.com' } })).status).toBe(200);
  });

  it('gateway - a live-stream upgrade from a foreign Origin is refused, from its own origin accepted', async () => {
    const upgrade = (origin: string): Promise<number | 'closed'> =>
      new Promise((resolve) => {
        const headers = {
          host: `127.0.0.1:${port}`,
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-protocol': `mandate.v1, bearer.${token}`,
          origin,
        };
        const req = request({ host: '127.0.0.1', port, path: '/api/live', headers, agent: false });
        req.on('upgrade', (_res, socket) => (socket.destroy(), resolve(101)));
        req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
        req.on('error', () => resolve('closed'));
        req.end();
      });
    expect(await upgrade(`http://127.0.0.1:${port}`)).toBe(101);
    expect(await upgrade('http://evil.example.com')).not.toBe(101);
  });

  it('gateway - paths outside /api are not guarded (health, dashboard)', async () => {
    expect((await send({ path: '/health', headers: { origin: 'http://evil.example.com' } })).status).toBe(200);
  });
});
