import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAgentYaml, type ChainConnection, type MandateRuntime, type RuntimeOptions } from 'mandate';
import { FileKybProvider, KybPolicy } from 'mandate/actors';
import { ErrorCode } from 'mandate/kernel';
import { ensurePayablesSafe, loadApprovers } from './live/approvers.ts';
import { EUR_USD_MAX_AGE_MS } from './live/eurUsdPrices.ts';
import { ChainMarket } from './live/ChainMarket.ts';
import { fundTreasury } from './live/fundTreasury.ts';
import type { LiveCaches } from './live/LiveCaches.ts';
import { LiveWorld } from './live/LiveWorld.ts';
import { treasuryPlugins } from './plugins.ts';
import { SimulatedWorld } from './SimulatedWorld.ts';
import { loadInvoices, TreasurySimulation } from './TreasurySimulation.ts';
import type { TreasuryWorld } from './TreasuryWorld.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** What the CLI hands a system besides the runtime: the chain of a live run, the data directory and the caches. */
export interface SystemContext {
  readonly chain?: ChainConnection;
  readonly dataDir?: string;
  readonly caches?: LiveCaches;
  /**
   * Whether this process drives the live market (the EURUSD feed, the pool's arbitrage, the
   * vault's yield) with the operator key; default true. Several nodes on one chain: one process does.
   */
  readonly market?: boolean;
}

/**
 * The runtime options the treasury system needs before its runtime is created (`mandate run`,
 * `mandate simulate` and the tests pass them to `createRuntime`): the KYB check of every payment
 * counterparty against kyb.yaml, run before governance. A sanctioned counterparty is denied there;
 * one with no record, a pending review or an expired verification waits for a human. And the
 * EUR/USD price the live world perceives re-values the strategist's EURC in its pool share
 * (`runtime.priceUpdate`), with the same one-hour age limit as the price's sanity rules.
 */
export async function systemOptions(
  context: { clock?: { now(): number } } = {},
): Promise<Pick<RuntimeOptions, 'kyb' | 'positionPrices'>> {
  const provider = await FileKybProvider.open(join(here, 'kyb.yaml'));
  return {
    positionPrices: { 'EUR/USD': { base: 'EURC', quote: 'USDC', maxAgeMs: EUR_USD_MAX_AGE_MS } },
    kyb: new KybPolicy({
      provider,
      capabilities: ['payments.send'],
      ...(context.clock === undefined ? {} : { clock: context.clock }),
    }),
  };
}

/**
 * Sets up the treasury example on a runtime: the world its agents live in (the simulated market
 * and bank in dry-run; live, the chain — each agent's own wallet, the EURUSD feed the market
 * publishes, the pool, the vault, a Safe — and the sandbox bank), the plugins its YAML agents
 * name, and the agents themselves (every file in agents/). Returns the simulation so callers can
 * look at balances.
 */
export async function setup(
  runtime: MandateRuntime,
  context: SystemContext = {},
): Promise<{ sim: TreasurySimulation; capabilities: ReadonlyMap<string, string>; close(): Promise<void> }> {
  const invoices = await loadInvoices(join(here, 'invoices.yaml'));
  const sim = new TreasurySimulation(invoices);
  const files = (await readdir(join(here, 'agents'))).filter((f) => f.endsWith('.yaml')).sort();
  const chain = context.chain;
  let world: TreasuryWorld;
  let close = async (): Promise<void> => {};
  if (runtime.mode === 'live' && chain !== undefined) {
    const { parse } = await import('yaml');
    const { readFile } = await import('node:fs/promises');
    const limits = new Map<string, { perTransaction?: Record<string, string>; daily?: Record<string, string> }>();
    for (const f of files) {
      const y = parse(await readFile(join(here, 'agents', f), 'utf8')) as {
        id: string;
        limits?: { perTransaction?: Record<string, string>; daily?: Record<string, string> };
      };
      limits.set(y.id, { perTransaction: y.limits?.perTransaction, daily: y.limits?.daily });
    }
    const approvers = await loadApprovers(join(context.dataDir ?? '.mandate/data', '..', 'approvers'));
    const safe = await ensurePayablesSafe(chain, approvers);
    if (await fundTreasury(chain, sim.eurusd, safe))
      runtime.alert({
        severity: 'info',
        code: ErrorCode.MANDATE_TREASURY_FUNDED,
        message: `agents funded on chain ${chain.chainId}; payables Safe ${safe}`,
      });
    const live = await LiveWorld.open({
      runtime,
      chain,
      invoices,
      limits,
      safe: { address: safe, approvers },
      payeesPath: join(here, 'payees.yaml'),
      bookPath: join(context.dataDir ?? '.mandate/data', '..', 'treasury', 'invoices.json'),
      ...(context.caches === undefined ? {} : { caches: context.caches }),
    });
    const market = context.market === false ? undefined : new ChainMarket(chain, sim, runtime);
    await market?.start();
    world = live;
    close = async () => {
      await market?.stop();
      await live.close();
    };
  } else world = new SimulatedWorld(sim);
  const plugins = treasuryPlugins(world, sim, runtime);
  const defs = await Promise.all(files.map((f) => loadAgentYaml(join(here, 'agents', f), plugins)));
  // Pre-checks first: the fee watcher opens the gate the payables agent depends on.
  defs.sort((a, b) => Number(b.id === 'fee-watcher') - Number(a.id === 'fee-watcher'));
  for (const def of defs) await runtime.spawn(def);
  return { sim, capabilities: plugins.capabilities(), close };
}
