import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAgentYaml, type MandateRuntime } from 'mandate';
import { liveRails } from './liveRails.ts';
import { treasuryPlugins } from './plugins.ts';
import { TreasurySimulation } from './TreasurySimulation.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Sets up the treasury example on a runtime: the simulated market and bank,
 * the plugins its YAML agents name, and the agents themselves (every file in
 * agents/). Returns the simulation so callers can look at balances.
 */
export async function setup(
  runtime: MandateRuntime,
): Promise<{ sim: TreasurySimulation; capabilities: ReadonlyMap<string, string>; close(): Promise<void> }> {
  const sim = await TreasurySimulation.load(join(here, 'invoices.yaml'));
  const rails = await liveRails(runtime, join(here, 'payees.yaml'));
  const plugins = treasuryPlugins(sim, runtime, rails === undefined ? {} : { pay: rails.pay });
  const files = (await readdir(join(here, 'agents'))).filter((f) => f.endsWith('.yaml')).sort();
  const defs = await Promise.all(files.map((f) => loadAgentYaml(join(here, 'agents', f), plugins)));
  // Pre-checks first: the fee watcher opens the gate the payables agent depends on.
  defs.sort((a, b) => Number(b.id === 'fee-watcher') - Number(a.id === 'fee-watcher'));
  for (const def of defs) await runtime.spawn(def);
  return { sim, capabilities: plugins.capabilities(), close: async () => rails?.close() };
}
