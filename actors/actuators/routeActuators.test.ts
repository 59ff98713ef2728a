import { describe, expect, it } from 'vitest';
import type { Actuator } from '../Actuator.ts';
import { routeActuators } from './routeActuators.ts';

const ctx = { agentId: 'a', decisionId: 'd', idempotencyKey: 'k', mode: 'live' as const, now: 0 };
const action = (type: string) => ({ type, capability: 'x.y', params: {} });

function recorder(name: string, effect: 'external' | 'internal', calls: string[]): Actuator {
  return {
    name,
    effect,
    execute: async (a) => (calls.push(`${name}:${a.type}`), { status: 'succeeded' }),
    reconcile: async () => (calls.push(`${name}:reconcile`), undefined),
  };
}

describe('routeActuators', () => {
  it('routeActuators - each action goes to the actuator of its type; an unknown type is refused', async () => {
    const calls: string[] = [];
    const routed = routeActuators({
      'x402.pay': recorder('pay', 'external', calls),
      'note.add': recorder('note', 'internal', calls),
    });
    expect(routed.effect).toBe('external');
    await routed.execute(action('note.add'), ctx);
    await routed.execute(action('x402.pay'), ctx);
    await routed.reconcile!(action('x402.pay'), ctx);
    expect(calls).toEqual(['note:note.add', 'pay:x402.pay', 'pay:reconcile']);
    await expect(routed.execute(action('fx.swap'), ctx)).rejects.toMatchObject({
      code: 'MANDATE_ERR_PAYMENT_ACTION',
      message: expect.stringContaining('x402.pay, note.add'),
    });
    expect(routeActuators({ 'note.add': recorder('note', 'internal', calls) }).effect).toBe('internal');
  });
});
