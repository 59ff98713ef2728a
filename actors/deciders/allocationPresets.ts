import { z } from 'zod';
import type { Goal } from './goalSchema.ts';

/** Shares of the treasury's three buckets, fractions of its total that sum to 1. */
export interface AllocationShares {
  staked: number;
  liquidity: number;
  liquid: number;
}

/** A preset's allocation policy: target shares, the pool APR below which no liquidity is added. */
export interface AllocationTargets extends AllocationShares {
  /** Pool fee APR (basis points) below which liquidity is never added and an existing position is withdrawn. */
  minAprBps: number;
}

/**
 * Seed 002's treasury strategies as target allocations (docs/decisions.md, "Allocation options"): each
 * preset's share staked in the vault, provided as pool liquidity and kept liquid. A bucket counts as off
 * target once it is more than {@link ALLOCATION_TOLERANCE} of the total away from its share.
 */
export const ALLOCATION_TARGETS = {
  /** Mostly liquid: 20% staked, 10% liquidity only at an 8% APR or better, 70% liquid. */
  conservative: { staked: 0.2, liquidity: 0.1, liquid: 0.7, minAprBps: 800 },
  /** Seed 002's balanced strategy: 40% staked, 30% liquidity at 5% APR or better, 30% liquid. */
  balanced: { staked: 0.4, liquidity: 0.3, liquid: 0.3, minAprBps: 500 },
  /** Mostly at work: 50% staked, 40% liquidity at 3% APR or better, 10% liquid. */
  aggressive: { staked: 0.5, liquidity: 0.4, liquid: 0.1, minAprBps: 300 },
} as const satisfies Record<string, AllocationTargets>;

/** How far (a fraction of the total) a bucket may drift from its target before a step is proposed. */
export const ALLOCATION_TOLERANCE = 0.02;

/** Most one proposed step moves, unless `allocate.maxStep` says otherwise (in the asset's units). */
export const DEFAULT_MAX_STEP = 10_000;

/**
 * `strategy.allocate:` — opting in to the preset's allocation options. `account` is the treasury account
 * the steps touch; `facts` the fact group holding `liquid`, `staked`, `liquidity` (amounts) and
 * `poolAprBps` (the treasury example's perceiver reports it as `strategy`); `asset` the amounts' asset.
 *
 * @example
 * { account: 'treasury-usd', asset: 'USDC', facts: 'strategy', maxStep: 10000 }
 */
export const allocateSchema = z
  .object({
    account: z.string().min(1),
    asset: z.string().min(1).default('USDC'),
    facts: z
      .string()
      .regex(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/, 'a fact path such as strategy')
      .default('strategy'),
    maxStep: z.number().positive().default(DEFAULT_MAX_STEP),
    /** Overrides the preset's minimum pool APR (basis points). */
    minAprBps: z.number().int().min(0).max(100_000).optional(),
  })
  .strict();

/** The validated `strategy.allocate` block. */
export type AllocateConfig = z.output<typeof allocateSchema>;

/**
 * The goals a preset's allocation stands for, used when an allocating agent declares no `goals:` of its
 * own: each bucket's share within {@link ALLOCATION_TOLERANCE} of its target, a gap counted in tenths.
 *
 * @example
 * allocationGoals(ALLOCATION_TARGETS.balanced, 'strategy')[0]!.band; // { min: 0.38, max: 0.42 }
 */
export function allocationGoals(targets: AllocationShares, facts: string): Goal[] {
  const goal = (bucket: keyof AllocationShares, what: string): Goal => ({
    id: `allocation-${bucket}`,
    kind: bucket === 'liquid' ? 'financial' : 'strategic',
    description: `keep ${Math.round(targets[bucket] * 100)}% ${what}`,
    metric: `${facts}.shares.${bucket}`,
    band: {
      min: round4(Math.max(0, targets[bucket] - ALLOCATION_TOLERANCE)),
      max: round4(Math.min(1, targets[bucket] + ALLOCATION_TOLERANCE)),
    },
    scale: 0.1,
    weight: 1,
  });
  return [goal('staked', 'staked in the vault'), goal('liquidity', 'as pool liquidity'), goal('liquid', 'liquid')];
}

/** Rounded to 4 decimals, as shares are reported. */
export const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;
