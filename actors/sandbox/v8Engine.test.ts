/** The V8 engine's refusals, in a process without `--no-node-snapshot` (the `parallel` project's forks). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Sandbox } from './Sandbox.ts';
import { sandboxLimitsSchema } from './sandboxLimits.ts';
import { SandboxStrategy } from './SandboxStrategy.ts';
import { v8Unavailable } from './v8Engine.ts';

const code = 'export function decide() { return { action: null, confidence: 1, rationale: "" } }';
const host = { execArgv: [] as string[], nodeOptions: undefined, nodeVersion: '24.1.0' };

describe('sandbox engine - v8 needs --no-node-snapshot', () => {
  afterEach(() => void vi.unstubAllEnvs());

  it('sandbox engine - the flag on the command line or in NODE_OPTIONS makes v8 available; without it the reason names the fix', () => {
    expect(v8Unavailable({ ...host, execArgv: ['--no-node-snapshot'] })).toBeUndefined();
    expect(v8Unavailable({ ...host, nodeOptions: '--max-old-space-size=512 --no-node-snapshot' })).toBeUndefined();
    expect(v8Unavailable({ ...host, nodeVersion: '18.20.0' })).toBeUndefined();
    expect(v8Unavailable(host)).toMatch(/--no-node-snapshot.*NODE_OPTIONS=--no-node-snapshot.*engine: quickjs/);
  });

  it('sandbox engine - in a process without the flag, loading a v8 sandbox is refused with the coded error', async () => {
    vi.stubEnv('NODE_OPTIONS', '');
    // The parallel project's forks run without the flag (vitest.config.ts gives it to sandbox-v8 only).
    expect(process.execArgv).not.toContain('--no-node-snapshot');
    await expect(
      Sandbox.load(code, 'strategy.js', { engine: 'v8', memoryMb: 16, cpuMs: 100, timeoutMs: 1_000 }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_SANDBOX_ENGINE_UNAVAILABLE',
      message: expect.stringContaining('--no-node-snapshot'),
    });
    await expect(
      SandboxStrategy.load(code, 'strategy.js', { limits: sandboxLimitsSchema.parse({ engine: 'v8' }) }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_SANDBOX_ENGINE_UNAVAILABLE' });
  });

  it('sandbox engine - sandbox.engine defaults to quickjs and takes only quickjs or v8', () => {
    expect(sandboxLimitsSchema.parse({}).engine).toBe('quickjs');
    expect(sandboxLimitsSchema.parse({ engine: 'v8' }).engine).toBe('v8');
    expect(sandboxLimitsSchema.safeParse({ engine: 'node' }).success).toBe(false);
  });
});
