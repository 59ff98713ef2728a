import { checkSweep, sweepValues, type ScenarioFacts, type SweepSpec } from './scenarioSpec.ts';
import type { SimulationRow, Simulator } from './simulateAgents.ts';

/** The decisions of one value of a sweep. */
export interface SweepStep {
  value: number;
  rows: SimulationRow[];
}

/**
 * Runs `simulate` once per value of `sweep`, each with `facts` plus the swept fact at that value
 * (the sweep wins over a `--set` of the same path). Scenarios run one after another: each builds
 * its own what-if runtime.
 *
 * @example
 * await runSweep(simulate, { facts: { 'fx.EURUSD': 1.02 }, sweep: { path: 'gas.gwei', from: 20, to: 200, step: 20 } });
 */
export async function runSweep(
  simulate: Simulator,
  { facts, sweep, agent }: { facts: ScenarioFacts; sweep: SweepSpec; agent?: string },
): Promise<SweepStep[]> {
  const options = agent === undefined ? {} : { agent };
  checkSweep(sweep, `${sweep.path}=${sweep.from}..${sweep.to}:${sweep.step}`);
  const steps: SweepStep[] = [];
  for (const value of sweepValues(sweep))
    steps.push({ value, rows: await simulate({ ...facts, [sweep.path]: value }, options) });
  return steps;
}
