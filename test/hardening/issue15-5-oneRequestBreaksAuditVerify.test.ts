import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../e2e/gatewayFixture.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function post(url: string, body: unknown): Promise<{ status: number; code?: string }> {
  const res = await fetch(fx.url + url, {
    method: 'POST',
    headers: { authorization: `Bearer ${fx.tokens.admin}`, 'content-type': 'application/json' },
    // JSON.stringify escapes a lone surrogate as \udXXX: it reaches the server as the client meant it.
    body: JSON.stringify(body),
  });
  const parsed = (await res.json()) as { error?: { code: string } };
  return { status: res.status, ...(parsed.error === undefined ? {} : { code: parsed.error.code }) };
}

/** Reasons as an attacker with operator rights would send them: any UTF-16, NULs and lone surrogates included. */
const reason = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc
    .tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d'), fc.string())
    .map(([a, b, c]) => `${a}${b}${c}`),
);

describe('issue 15 #5 - one request can break audit verify forever', () => {
  it('audit - any operator reason the gateway accepts leaves verify OK; the rest are coded 400s that change nothing', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(reason, fc.constantFrom('pause', 'kill-switch'), async (why, what) => {
        const res =
          what === 'pause'
            ? await post('/api/agents/fx-rebalancer/pause', { reason: why })
            : await post('/api/kill-switch', { action: 'engage', scope: { agents: ['fx-rebalancer'] }, reason: why });
        if (res.status === 200) {
          accepted++;
          if (what === 'pause') await fx.runtime.resume('fx-rebalancer', { kind: 'system', id: 'test' }, 'reset');
          else await fx.runtime.releaseKillSwitch({ all: true }, { kind: 'system', id: 'test' }, 'reset');
        } else {
          refused++;
          expect(res).toMatchObject({ status: 400, code: 'MANDATE_ERR_REQUEST_INVALID' });
          expect(fx.runtime.getAgent('fx-rebalancer')?.paused).toBe(false);
          expect(fx.runtime.killSwitchState().agents).toEqual([]);
        }
        const verified = await fx.store.audit.verify();
        expect(verified.ok, JSON.stringify(verified.breaks[0])).toBe(true);
      }),
      { numRuns: 40 },
    );
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
