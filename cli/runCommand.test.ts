import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from './runCommand.ts';

describe('mandate run', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('mandate run - a bad --port, PORT or MANDATE_VERIFY_THREADS is a usage error naming the value, before anything starts', async () => {
    await expect(runCommand(['examples/treasury', '--port', 'eighty'])).rejects.toMatchObject({
      code: 'MANDATE_ERR_USAGE',
      message: expect.stringContaining('eighty'),
    });
    // A bad PORT from the environment is named as the variable, not as a flag that was never given.
    vi.stubEnv('PORT', 'http');
    await expect(runCommand(['examples/treasury', '--no-gateway'])).rejects.toMatchObject({
      code: 'MANDATE_ERR_USAGE',
      message: expect.stringContaining('PORT="http"'),
    });
    vi.unstubAllEnvs();
    for (const bad of ['two', '-1', '1.5', '65']) {
      vi.stubEnv('MANDATE_VERIFY_THREADS', bad);
      await expect(runCommand(['examples/treasury', '--no-gateway'])).rejects.toMatchObject({
        code: 'MANDATE_ERR_USAGE',
        message: expect.stringContaining(`"${bad}"`),
      });
    }
  });
});
