import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../test/e2e/gatewayFixture.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function agent(id: string): Promise<{ paused: boolean; cycles: number } | undefined> {
  const response = await fetch(`${fx.url}/api/agents`, { headers: { authorization: `Bearer ${fx.tokens.observer}` } });
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  const body = (await response.json()) as { agents: Array<{ id: string; paused: boolean; cycles: number }> };
  return body.agents.find((a) => a.id === id);
}

describe('gateway - the cached agent list never hides a change', () => {
  it('gateway - a pause through the API shows in the very next GET /api/agents', async () => {
    expect((await agent('fx-rebalancer'))?.paused).toBe(false);
    const paused = await fetch(`${fx.url}/api/agents/fx-rebalancer/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fx.tokens.operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'cache check' }),
    });
    expect(paused.status).toBe(200);
    expect((await agent('fx-rebalancer'))?.paused).toBe(true);
    await fx.runtime.resume('fx-rebalancer', { kind: 'human', id: 'test' }, 'cache check over');
    await fx.idle('fx-rebalancer');
    expect((await agent('fx-rebalancer'))?.paused).toBe(false);
  });

  it('gateway - cycles run inside the runtime (no request) show in the next GET /api/agents', async () => {
    const before = (await agent('fx-rebalancer'))?.cycles ?? NaN;
    await fx.drive(2);
    expect((await agent('fx-rebalancer'))?.cycles).toBe(before + 2);
  });
});

describe('gateway - the agent list answer is documented', () => {
  it('gateway - /api/openapi.json describes the 200 answer of GET /api/agents from its zod schema', async () => {
    const doc = await (await fetch(`${fx.url}/api/openapi.json`)).json();
    const schema = doc.paths['/api/agents'].get.responses['200'].content['application/json'].schema;
    expect(schema.required).toEqual(['agents', 'total']);
    expect(schema.properties.agents.items.required).toEqual(expect.arrayContaining(['id', 'did', 'state', 'health']));
  });
});
