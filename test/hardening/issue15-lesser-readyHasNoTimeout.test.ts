import { describe, expect, it } from 'vitest';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import { createRuntime } from '../../runtime/index.ts';

describe('issue 15 (lesser) - /ready has no timeout', () => {
  it('gateway - a dependency that never answers makes /ready a coded 503 instead of a hang', async () => {
    const runtime = await createRuntime({ mode: 'dry-run', nodeId: 'node-ready' });
    const app = await createGateway({
      runtime,
      tokens: new TokenStore(),
      // A blackholed connection: the check neither resolves nor rejects.
      readiness: { database: () => new Promise<void>(() => undefined) },
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toMatchObject({
        code: 'MANDATE_ERR_NOT_READY',
        details: { checks: { database: { ok: false, error: expect.stringContaining('did not answer within') } } },
      });
    } finally {
      await app.close();
      await runtime.shutdown();
    }
  });
});
