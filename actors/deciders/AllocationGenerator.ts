import type { ProposedAction, RiskFactor } from '../../machines/index.ts';
import {
  ALLOCATION_TOLERANCE,
  round4,
  type AllocateConfig,
  type AllocationShares,
  type AllocationTargets,
} from './allocationPresets.ts';
import { finiteNumber, lookupFact } from './factPath.ts';
import type { CandidateOption, GeneratedOptions, OptionGenerator } from './OptionGenerator.ts';

/** Options of {@link AllocationGenerator}. */
export interface AllocationGeneratorOptions {
  /** The preset's name, part of each option's id (`strategy:<preset>:<step>`). */
  preset: string;
  targets: AllocationTargets;
  allocate: AllocateConfig;
}

type Step = 'stake' | 'unstake' | 'liquidity-add' | 'liquidity-remove';

const STEPS: Record<Step, { type: string; capability: string; cost: number; priority: number; risks: RiskFactor[] }> = {
  unstake: { type: 'treasury.unstake', capability: 'treasury.stake', cost: 0.01, priority: 30, risks: [] },
  stake: {
    type: 'treasury.stake',
    capability: 'treasury.stake',
    cost: 0.01,
    priority: 20,
    risks: [{ what: 'the vault loses value or pauses withdrawals', likelihood: 0.02, impact: 0.5 }],
  },
  'liquidity-remove': {
    type: 'treasury.liquidity.remove',
    capability: 'treasury.liquidity',
    cost: 0.02,
    priority: 15,
    risks: [],
  },
  'liquidity-add': {
    type: 'treasury.liquidity.add',
    capability: 'treasury.liquidity',
    cost: 0.02,
    priority: 10,
    risks: [
      { what: 'impermanent loss if the pair moves while the liquidity is in the pool', likelihood: 0.2, impact: 0.3 },
    ],
  },
};

/** How a step of `a` moves the buckets. */
const MOVES: Record<Step, (a: number) => AllocationShares> = {
  stake: (a) => ({ liquid: -a, staked: a, liquidity: 0 }),
  unstake: (a) => ({ liquid: a, staked: -a, liquidity: 0 }),
  // Adding pairs the asset with as much of the other token: the position grows by twice what it takes.
  'liquidity-add': (a) => ({ liquid: -a, staked: 0, liquidity: 2 * a }),
  // Removing returns half the position's value in the asset (the other half in the paired token).
  'liquidity-remove': (a) => ({ liquid: a / 2, staked: 0, liquidity: -a }),
};

/** One step to propose. */
interface Proposal {
  step: Step;
  amount: number;
  why: string;
  params?: Record<string, unknown>;
}

/**
 * A treasury strategy preset's option generator (docs/decisions.md, "Allocation options"): from the
 * amounts liquid, staked and in the pool (and the pool's APR) it proposes one step per bucket that is
 * off its target by more than the tolerance — stake, unstake, add or remove liquidity, each with an
 * amount capped at `maxStep` — and the share each bucket would then have, for the goals to weigh.
 * Liquidity is never added below the minimum APR; below it an existing position is withdrawn.
 */
export class AllocationGenerator implements OptionGenerator {
  readonly name = 'strategy';
  readonly #o: AllocationGeneratorOptions;

  constructor(options: AllocationGeneratorOptions) {
    this.#o = options;
  }

  async generate(facts: Record<string, unknown>): Promise<GeneratedOptions> {
    const { targets, allocate } = this.#o;
    const at = (key: string) => finiteNumber(lookupFact(facts, `${allocate.facts}.${key}`));
    const [L, S, P, apr] = [at('liquid'), at('staked'), at('liquidity'), at('poolAprBps')];
    const none: GeneratedOptions = { options: [], rulesFired: [] };
    if (L === undefined || S === undefined || P === undefined || L < 0 || S < 0 || P < 0) return none;
    const total = L + S + P;
    if (total <= 0) return none;
    const minApr = allocate.minAprBps ?? targets.minAprBps;
    const tol = ALLOCATION_TOLERANCE * total;
    const cap = (n: number) => Math.floor(Math.min(n, allocate.maxStep) * 100) / 100;
    const spare = L - targets.liquid * total;
    const options: CandidateOption[] = [];
    const add = ({ step, amount, why, params = {} }: Proposal) => {
      if (amount <= 0) return;
      const moved = MOVES[step](amount);
      const after = sharesOf({ liquid: L + moved.liquid, staked: S + moved.staked, liquidity: P + moved.liquidity });
      options.push(this.#option({ step, amount, why, params }, after));
    };
    const pct = (n: number) => `${round4((n / total) * 100)}%`;
    const of = (bucket: keyof AllocationShares, n: number) =>
      `${bucket} ${pct(n)} of ${round2(total)} vs the ${round4(targets[bucket] * 100)}% target`;

    const stakeGap = targets.staked * total - S;
    if (stakeGap > tol && spare > tol)
      add({
        step: 'stake',
        amount: cap(Math.min(stakeGap, spare)),
        why: `${of('staked', S)}; staking idle ${allocate.asset}`,
      });
    const stakeExcess = S - targets.staked * total;
    if (stakeExcess > tol)
      add({ step: 'unstake', amount: cap(stakeExcess), why: `${of('staked', S)}; unstaking the excess` });
    const lpGap = targets.liquidity * total - P;
    if (apr !== undefined && apr >= minApr && lpGap > tol && spare > tol)
      add({
        step: 'liquidity-add',
        amount: cap(Math.min(lpGap / 2, spare)),
        why: `${of('liquidity', P)}; pool APR ${apr} bps ≥ ${minApr}`,
        params: { minAprBps: minApr, maxSlippageBps: 100 },
      });
    const lpExcess = P - targets.liquidity * total;
    const belowApr = apr !== undefined && apr < minApr && P > 0;
    if (lpExcess > tol || belowApr) {
      const a = cap(belowApr ? P : lpExcess);
      add({
        step: 'liquidity-remove',
        amount: a,
        why: belowApr
          ? `pool APR ${apr} bps under the ${minApr} minimum; withdrawing liquidity`
          : `${of('liquidity', P)}; withdrawing the excess`,
        params: { shareBps: Math.min(10_000, Math.round((a / P) * 10_000)) },
      });
    }
    return { options, rulesFired: [] };
  }

  #option({ step, amount, why, params = {} }: Proposal, after: AllocationShares): CandidateOption {
    const s = STEPS[step];
    const { account, asset, facts } = this.#o.allocate;
    const action: ProposedAction = {
      type: s.type,
      capability: s.capability,
      account,
      amount: { value: amount.toFixed(2), asset },
      params,
    };
    return {
      id: `strategy:${this.#o.preset}:${step}`,
      source: this.name,
      action,
      expect: {
        [`${facts}.shares.liquid`]: after.liquid,
        [`${facts}.shares.staked`]: after.staked,
        [`${facts}.shares.liquidity`]: after.liquidity,
      },
      cost: s.cost,
      risks: s.risks,
      rationale: `${this.#o.preset}: ${why} (${amount.toFixed(2)} ${asset})`,
      priority: s.priority,
    };
  }
}

function sharesOf(p: AllocationShares): AllocationShares {
  const total = p.liquid + p.staked + p.liquidity;
  const share = (n: number) => (total > 0 ? round4(n / total) : 0);
  return { liquid: share(p.liquid), staked: share(p.staked), liquidity: share(p.liquidity) };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
