/**
 * The V8 engine (isolated-vm). Runs in the vitest project `sandbox-v8`, whose forks start Node
 * with `--no-node-snapshot`; the refusal without the flag is in v8Engine.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseAgentYaml, PluginRegistry } from '../../runtime/index.ts';
import { describeContainment } from '../../test/support/sandboxContainment.ts';
import { Sandbox } from './Sandbox.ts';
import { v8Unavailable } from './v8Engine.ts';

describeContainment(['v8']);

describe('sandbox (v8) - engine', () => {
  it('sandbox v8 - this project runs Node with --no-node-snapshot, so the engine is available', () => {
    expect(process.execArgv).toContain('--no-node-snapshot');
    expect(v8Unavailable()).toBeUndefined();
  });

  it('sandbox v8 - a memory limit below isolated-vm minimum of 8 MiB is refused with the coded error, naming the limit', async () => {
    await expect(
      Sandbox.load('export function decide() { return 1 }', 's.js', {
        engine: 'v8',
        memoryMb: 4,
        cpuMs: 100,
        timeoutMs: 1_000,
      }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_SANDBOX_ENGINE_UNAVAILABLE',
      message: expect.stringContaining('sandbox.memoryMb is 4'),
    });
  });

  it('sandbox v8 - a CPU-bound call reports the isolate CPU time it used, within its budget', async () => {
    const box = await Sandbox.load(
      'export function decide() { let s = 0; for (let i = 0; i < 2e6; i++) s += i % 7; return s }',
      's.js',
      { engine: 'v8', memoryMb: 16, cpuMs: 5_000, timeoutMs: 10_000 },
    );
    expect(await box.call('decide', {}, { result: z.number() })).toBeGreaterThan(0);
    expect(box.lastUsage!.cpuMs).toBeGreaterThan(0);
    expect(box.lastUsage!.cpuMs).toBeLessThan(5_000);
  });

  it('sandbox v8 - a YAML agent with sandbox.engine v8 decides in a V8 isolate', async () => {
    const def = await parseAgentYaml({
      text: `id: watcher
capabilities: [gates.write]
permissions: [ { capability: gates.write, accounts: ["*"] } ]
perceive: [market.gas]
code: ./strategy.js
sandbox: { engine: v8, memoryMb: 16 }
act: noop
`,
      source: 'watcher.yaml',
      plugins: new PluginRegistry()
        .perceiver('market.gas', () => ({ gas: { gwei: 80 } }))
        .actuator({ name: 'noop', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, [
          'gates.write',
        ]),
      readRelative: async () =>
        "export function decide(f) { return { action: null, confidence: 1, rationale: 'gas ' + f.gas.gwei } }",
    });
    expect(def.sandbox?.limits).toMatchObject({ engine: 'v8', memoryMb: 16, cpuMs: 250, timeoutMs: 2_000 });
    expect(await def.decide.decide({ gas: { gwei: 80 } })).toMatchObject({ action: null, rationale: 'gas 80' });
  });
});
