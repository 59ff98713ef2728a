import type { Actuator } from 'mandate/actors';
import type { Invoice } from './TreasurySimulation.ts';

/** The invoice the payables agent looks at next. */
export type NextInvoice = (Invoice & { due: true; funded: boolean }) | { due: false };

/** What the treasury strategist perceives: its positions and the next step toward its targets. */
export interface StrategyFacts {
  liquid: number;
  staked: number;
  liquidity: number;
  poolAprBps: number;
  /** `unstake` (below the liquid floor), `stake`, `liquidity` or `hold`. */
  next: 'unstake' | 'stake' | 'liquidity' | 'hold';
  /** USDC to move in that step, two decimals. */
  amount: string;
  /** Each bucket's share of the total now, and after that step (the strategist's goals read these). */
  shares: Shares;
  after: Shares;
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

/** Most USDC one strategy step moves (steps stay inside the agent's trust-scaled per-transaction limit). */
const MAX_STEP = 10_000;

/** Seed 002's balanced allocation: 40% staked, 30% in liquidity, 30% kept liquid (the floor is 25%), in steps. */
export function nextStrategyStep(p: {
  liquid: number;
  staked: number;
  liquidity: number;
  poolAprBps: number;
  minAprBps: number;
}): Pick<StrategyFacts, 'next' | 'amount' | 'shares' | 'after'> {
  const step = stepToward(p);
  const a = Number(step.amount);
  // Adding liquidity pairs the USDC with as much EURC, so the position grows by twice the USDC it takes.
  const moved = {
    unstake: { liquid: a, staked: -a, liquidity: 0 },
    stake: { liquid: -a, staked: a, liquidity: 0 },
    liquidity: { liquid: -a, staked: 0, liquidity: 2 * a },
    hold: { liquid: 0, staked: 0, liquidity: 0 },
  }[step.next];
  return {
    ...step,
    shares: sharesOf(p),
    after: sharesOf({
      liquid: p.liquid + moved.liquid,
      staked: p.staked + moved.staked,
      liquidity: p.liquidity + moved.liquidity,
    }),
  };
}

function sharesOf(p: Shares): Shares {
  const total = p.liquid + p.staked + p.liquidity;
  const share = (n: number) => (total > 0 ? Math.round((n / total) * 10_000) / 10_000 : 0);
  return { liquid: share(p.liquid), staked: share(p.staked), liquidity: share(p.liquidity) };
}

function stepToward(p: Shares & { poolAprBps: number; minAprBps: number }): Pick<StrategyFacts, 'next' | 'amount'> {
  const total = p.liquid + p.staked + p.liquidity;
  const floor = total * 0.25;
  const cents = (n: number) => (Math.floor(Math.min(n, MAX_STEP) * 100) / 100).toFixed(2);
  if (p.liquid < floor && p.staked > 1)
    return { next: 'unstake', amount: cents(Math.min(p.staked, total * 0.3 - p.liquid)) };
  const stakeGap = total * 0.4 - p.staked;
  const spare = p.liquid - total * 0.3;
  if (stakeGap > 1_000 && spare > 1_000) return { next: 'stake', amount: cents(Math.min(stakeGap, spare)) };
  const lpGap = total * 0.3 - p.liquidity;
  if (lpGap > 1_000 && spare > 1_000 && p.poolAprBps >= p.minAprBps)
    return { next: 'liquidity', amount: cents(Math.min(lpGap, spare) / 2) };
  return { next: 'hold', amount: '0.00' };
}
