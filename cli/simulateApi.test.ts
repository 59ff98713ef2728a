import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createGateway, generateToken, hashToken, ROLES, type Role } from '../gateway/index.ts';
import { createRuntime, type MandateRuntime } from '../runtime/index.ts';
import { createSimulator } from './createSimulator.ts';

let runtime: MandateRuntime;
let app: FastifyInstance;
let bare: FastifyInstance;
const tokens = Object.fromEntries(ROLES.map((role) => [role, generateToken()])) as Record<Role, string>;
const entries = ROLES.map((role) => ({ name: role, role, sha256: hashToken(tokens[role]), createdAt: 0 }));

beforeAll(async () => {
  runtime = await createRuntime();
  app = await createGateway({ runtime, tokens: entries, simulate: await createSimulator('examples/treasury') });
  bare = await createGateway({ runtime, tokens: entries });
});
afterAll(async () => {
  await app?.close();
  await bare?.close();
  await runtime?.shutdown();
});

const post = (body: unknown, role: Role = 'operator', on: FastifyInstance = app) =>
  on.inject({
    method: 'POST',
    url: '/api/simulate',
    headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('POST /api/simulate', () => {
  it('simulate api - one scenario answers the rows mandate simulate --json prints', async () => {
    const res = await post({ set: { 'bands.eurShare': 0.55, 'fx.EURUSD': 1.02 }, agent: 'fx-rebalancer' });
    expect(res.statusCode).toBe(200);
    const { results } = res.json<{ results: Record<string, any>[] }>();
    expect(results).toHaveLength(1);
    expect(Object.keys(results[0]!).sort()).toEqual([
      'agent',
      'chosen',
      'confidence',
      'expectedOutcome',
      'options',
      'risk',
      'rulesFired',
      'verdict',
    ]);
    expect(results[0]).toMatchObject({
      agent: 'fx-rebalancer',
      chosen: 'rule:eur-above-band',
      confidence: 0.8198,
      options: [
        { id: 'hold', score: 0 },
        { id: 'rule:eur-above-band', score: 0.455, action: { params: { rate: 1.02 } } },
      ],
      verdict: { status: 'approved' },
    });
  });

  it('simulate api - a sweep answers a decision per value and the confidence moves with the value', async () => {
    const res = await post({
      sweep: { path: 'bands.eurShare', from: 0.46, to: 0.52, step: 0.02 },
      agent: 'fx-rebalancer',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ path: string; steps: { value: number; results: Record<string, any>[] }[] }>();
    expect(body.path).toBe('bands.eurShare');
    expect(body.steps.map((s) => s.value)).toEqual([0.46, 0.48, 0.5, 0.52]);
    const confidences = body.steps.map((s) => s.results[0]!.confidence as number);
    expect(confidences).toEqual([0.2157, 0.5506, 0.685, 0.7576]);
    expect(body.steps[0]!.results[0]!.verdict).toMatchObject({ status: 'pending', by: 'confidence' });
  });

  it('simulate api - bad bodies are coded 400s naming the field or token; an unknown agent is a 404', async () => {
    const badPath = await post({ set: { 'gas gwei': 80 } });
    expect(badPath.statusCode).toBe(400);
    expect(badPath.json()).toMatchObject({ error: { code: 'MANDATE_ERR_REQUEST_INVALID' } });
    expect(badPath.body).toContain('gas gwei');
    const extra = await post({ set: {}, sweeps: [] });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toMatchObject({ error: { code: 'MANDATE_ERR_REQUEST_INVALID' } });
    const backwards = await post({ sweep: { path: 'gas.gwei', from: 200, to: 20, step: 20 } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({
      error: { code: 'MANDATE_ERR_SCENARIO_INVALID', details: { token: 'gas.gwei=200..20:20' } },
    });
    const huge = await post({ sweep: { path: 'gas.gwei', from: 0, to: 1000, step: 1 } });
    expect(huge.statusCode).toBe(400);
    expect(huge.body).toContain('at most 50 values');
    const ghost = await post({ agent: 'no-such-agent' });
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json()).toMatchObject({ error: { code: 'MANDATE_ERR_NOT_FOUND' } });
  });

  it('simulate api - observers may not simulate; without a simulator or while one runs it is a 503', async () => {
    const observer = await post({}, 'observer');
    expect(observer.statusCode).toBe(403);
    expect(observer.json()).toMatchObject({ error: { code: 'MANDATE_ERR_AUTH_FORBIDDEN' } });
    const none = await post({}, 'admin', bare);
    expect(none.statusCode).toBe(503);
    expect(none.json()).toMatchObject({ error: { code: 'MANDATE_ERR_SIMULATION_UNAVAILABLE' } });
    const [first, second] = await Promise.all([post({ agent: 'fee-watcher' }), post({ agent: 'fee-watcher' })]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 503]);
    const refused = first.statusCode === 503 ? first : second;
    expect(refused.headers['retry-after']).toBe('1');
  });
});
