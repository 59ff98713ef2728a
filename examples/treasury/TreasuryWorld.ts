import type { Actuator } from 'mandate/actors';
import type { Invoice } from './TreasurySimulation.ts';

/** The invoice the payables agent looks at next. */
export type NextInvoice = (Invoice & { due: true; funded: boolean }) | { due: false };

/**
 * What the treasury strategist perceives: its positions (USDC liquid, staked in the vault, and the
 * USD value of its pool liquidity), the pool's fee APR and each bucket's share. Its
 * `strategy.allocate` preset proposes the stake/unstake/add/remove steps from these; `floor` is the
 * one step its own rule proposes below the 25% liquid floor.
 */
export interface StrategyFacts {
  liquid: number;
  staked: number;
  liquidity: number;
  poolAprBps: number;
  /** Each bucket's share of the total now (the strategist's goals read these). */
  shares: Shares;
  /** Unstaking back toward 30% liquid: the USDC to move (two decimals, `0.00` when nothing is staked) and the shares after. */
  floor: { amount: string; after: Shares };
}

/** Shares of the liquid, staked and liquidity buckets in a total, 4 decimals each. */
export interface Shares {
  liquid: number;
  staked: number;
  liquidity: number;
}

/**
 * Where the treasury example's agents live: a simulated market and bank (dry-run), or the chain
 * and the sandbox bank (live). The plugins read facts and act through this, whichever it is.
 */
export interface TreasuryWorld {
  /** Gas price, in gwei. */
  gas(): Promise<number>;
  /** FX rates by pair (`EURUSD`), as numbers for the rules. */
  fx(): Promise<Record<string, number>>;
  /** The agent's own balances by asset. */
  balances(agentId: string): Promise<Record<string, number>>;
  /** EURC share of the agent's treasury in USD terms, and the EURC to sell toward 40%. */
  bands(agentId: string): Promise<{ eurShare: number; eurExcess: string }>;
  nextInvoice(): Promise<NextInvoice>;
  strategy(agentId: string): Promise<StrategyFacts>;
  /** The invoice is done with (paid, or refused for good): the queue moves on. */
  settle(invoiceId: string, reference: string | undefined): Promise<void>;
  readonly pay: Actuator;
  readonly swap: Actuator;
  readonly strategies: Actuator;
}

/** Most USDC the floor step unstakes at once (the `allocate.maxStep` of the strategist's preset). */
const MAX_STEP = 10_000;

/**
 * The strategist's facts from its positions: the shares, and the unstake that would bring the liquid
 * share back to 30% (at most {@link MAX_STEP}, at most what is staked).
 *
 * @example
 * strategyFacts({ liquid: 10_000, staked: 50_000, liquidity: 40_000, poolAprBps: 700 }).floor.amount; // '10000.00'
 */
export function strategyFacts(p: Shares & { poolAprBps: number }): StrategyFacts {
  const total = p.liquid + p.staked + p.liquidity;
  const a = Math.floor(Math.max(0, Math.min(p.staked, total * 0.3 - p.liquid, MAX_STEP)) * 100) / 100;
  return {
    ...p,
    shares: sharesOf(p),
    floor: {
      amount: a.toFixed(2),
      after: sharesOf({ liquid: p.liquid + a, staked: p.staked - a, liquidity: p.liquidity }),
    },
  };
}

function sharesOf(p: Shares): Shares {
  const total = p.liquid + p.staked + p.liquidity;
  const share = (n: number) => (total > 0 ? Math.round((n / total) * 10_000) / 10_000 : 0);
  return { liquid: share(p.liquid), staked: share(p.staked), liquidity: share(p.liquidity) };
}
