import { validate } from '@readme/openapi-parser';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startGatewayFixture, type GatewayFixture } from '../test/e2e/gatewayFixture.ts';
import { registerOpenApi } from './openApi.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

/** Every `METHOD path` Fastify routes, from its route tree (HEAD and the static-file wildcard left out). */
function registeredRoutes(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (\S*)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    const path = stack.join('');
    for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '' && m !== 'HEAD'))
      if (!path.endsWith('*')) out.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return out.sort();
}

async function document(): Promise<{ status: number; body: any }> {
  const response = await fetch(`${fx.url}/api/openapi.json`);
  return { status: response.status, body: await response.json() };
}

describe('gateway - OpenAPI document', () => {
  it('gateway - /api/openapi.json validates as OpenAPI 3.1 with a real validator', async () => {
    const { status, body } = await document();
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(body));
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('gateway - every registered route is in the document, and nothing else', async () => {
    const { body } = await document();
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const registered = registeredRoutes(fx.app.printRoutes({ commonPrefix: false })).filter((r) => r !== 'GET /');
    expect(registered.length).toBeGreaterThan(25);
    expect(documented).toEqual(registered);
  });

  it('gateway - operations carry the zod schemas: params, query, body, the permission and the error body', async () => {
    const { body } = await document();
    const pause = body.paths['/api/agents/{id}/pause'].post;
    expect(pause.parameters).toEqual([
      expect.objectContaining({
        name: 'id',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ maxLength: 200 }),
      }),
    ]);
    expect(pause.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['reason'],
      properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } },
    });
    expect(pause.security).toEqual([{ bearer: [] }]);
    expect(pause.description).toMatch(/`agent.pause` permission \(roles: admin, operator\)/);
    expect(pause.responses['4XX'].content['application/json'].schema.properties.error.properties.code.enum).toContain(
      'MANDATE_ERR_REQUEST_INVALID',
    );
    const audit = body.paths['/api/audit'].get.parameters.map((p: { name: string }) => p.name);
    expect(audit).toEqual(expect.arrayContaining(['from', 'to', 'agent', 'currency', 'limit', 'cursor']));
    expect(body.paths['/health'].get.security).toBeUndefined();
  });

  it('gateway - validation through the route schemas keeps the coded errors', async () => {
    const response = await fetch(`${fx.url}/api/agents?limit=zero`, {
      headers: { authorization: `Bearer ${fx.tokens.observer}` },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({
      code: 'MANDATE_ERR_REQUEST_INVALID',
      message: expect.stringMatching(/query\.limit/),
    });
    // Authentication still comes first: no token, no validation.
    expect((await fetch(`${fx.url}/api/agents?limit=zero`)).status).toBe(401);
  });

  it('gateway - /api/docs renders every operation as a page', async () => {
    const response = await fetch(`${fx.url}/api/docs`);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<code>POST /api/agents/{id}/pause</code>');
    expect(html).toContain('<code>GET /api/openapi.json</code>');
    expect(html).not.toMatch(/<script/);
  });
});

describe('gateway - routes must describe themselves', () => {
  const routeless = async (register: (app: ReturnType<typeof Fastify>) => void): Promise<void> => {
    const app = Fastify();
    await registerOpenApi(app);
    register(app);
    try {
      await app.ready();
    } finally {
      await app.close();
    }
  };

  it('gateway - a route without a summary fails at startup', async () => {
    await expect(routeless((app) => app.get('/api/undescribed', async () => ({})))).rejects.toThrow(
      /Route GET \/api\/undescribed has no schema.summary/,
    );
  });

  it('gateway - a route with path params but no params schema fails at startup', async () => {
    await expect(
      routeless((app) => app.get('/api/things/:id', { schema: { summary: 'a thing' } }, async () => ({}))),
    ).rejects.toThrow(/has path params but no schema.params/);
  });

  it('gateway - a described route starts', async () => {
    await expect(
      routeless((app) =>
        app.get(
          '/api/things/:id',
          { schema: { summary: 'a thing', params: z.object({ id: z.string() }) } },
          async () => ({}),
        ),
      ),
    ).resolves.toBeUndefined();
  });
});
