import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GovernancePolicy } from '../actors/index.ts';
import {
  createRuntime,
  simulateAgents,
  type MandateRuntime,
  type RuntimeOptions,
  type Simulator,
} from '../runtime/index.ts';
import { systemEntry } from './systemEntry.ts';

/** What an agent system's entry module exports, as far as a simulation needs. */
interface SystemModule {
  systemOptions?(context: { clock?: { now(): number } }): Promise<Pick<RuntimeOptions, 'kyb' | 'positionPrices'>>;
  setup(runtime: MandateRuntime): Promise<unknown>;
}

/**
 * The what-if runner of the agent system in `dir`, for `mandate simulate` and the gateway's
 * POST /api/simulate: each call builds a fresh dry-run runtime (no store, no time triggers, the
 * system's governance, the scenario's facts forced after every perceive), sets the system up on
 * it, runs one cycle per agent and disposes it. Nothing is persisted and nothing is sent, so
 * scenarios never touch a running system's state.
 */
export async function createSimulator(dir: string): Promise<Simulator> {
  const entry = systemEntry(dir);
  const governancePath = join(dir, 'governance.yaml');
  const governanceText = await readFile(governancePath, 'utf8').catch(() => '{}');
  const governance = GovernancePolicy.fromYaml(governanceText, () => undefined, governancePath).config;
  const system = (await import(entry)) as SystemModule;
  return async (facts, options = {}) => {
    const runtime = await createRuntime({
      ...((await system.systemOptions?.({})) ?? {}),
      governance,
      factOverrides: facts,
      mode: 'dry-run',
      timeTriggers: false,
    });
    try {
      const setUp = (await system.setup(runtime)) as { close?(): Promise<void> } | undefined;
      try {
        return await simulateAgents(runtime, facts, options);
      } finally {
        await setUp?.close?.();
      }
    } finally {
      await runtime.shutdown();
    }
  };
}
