import { z } from 'zod';
import { StrategyPresetError } from '../errors.ts';
import { AllocationGenerator } from './AllocationGenerator.ts';
import { ALLOCATION_TARGETS, allocateSchema, allocationGoals } from './allocationPresets.ts';
import { decideConfigSchema, type DecideConfig, type Goal } from './goalSchema.ts';

/**
 * The named risk postures an agent picks with `strategy: { preset: <name> }` (docs/decisions.md,
 * "Strategy presets"). Each is a set of decision settings for the evaluator: how much an option's risk
 * and cost count against its benefit, the margin that earns half the margin factor of confidence, and
 * the confidence below which a human approves.
 */
export const STRATEGY_PRESETS = {
  /** Risk counts double, a clear winner is needed, and anything under 0.5 confidence waits for a human. */
  conservative: { riskWeight: 2, costWeight: 1.5, marginScale: 0.2, confidenceFloor: 0.5 },
  /** The evaluator as documented: risk and cost at face value, a human below 0.3. */
  balanced: { riskWeight: 1, costWeight: 1, marginScale: 0.1, confidenceFloor: 0.3 },
  /** Risk counts half, near-ties still act, and only a confidence under 0.1 waits for a human. */
  aggressive: { riskWeight: 0.5, costWeight: 0.75, marginScale: 0.05, confidenceFloor: 0.1 },
} as const satisfies Record<string, Partial<DecideConfig>>;

/** A preset's name. */
export type StrategyPresetName = keyof typeof STRATEGY_PRESETS;

const names = Object.keys(STRATEGY_PRESETS) as [StrategyPresetName, ...StrategyPresetName[]];

/** `strategy:` — a named preset, and any of its settings overridden. */
const strategySchema = z
  .object({
    preset: z.enum(names),
    riskWeight: z.number().min(0).max(10).optional(),
    costWeight: z.number().min(0).max(10).optional(),
    marginScale: z.number().positive().optional(),
    confidenceFloor: z.number().min(0).max(1).optional(),
    defaultCost: z.number().min(0).optional(),
    /** Opt-in: the preset's allocation targets also generate rebalance options (docs/decisions.md). */
    allocate: allocateSchema.optional(),
  })
  .strict();

function parseStrategy(raw: unknown, source: string): z.output<typeof strategySchema> {
  const parsed = strategySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // An unknown key is reported on the block itself: name the key.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  const field = ['strategy', ...path.map(String)].join('.');
  const known = `presets: ${names.join(', ')}; keys: ${Object.keys(strategySchema.shape).join(', ')}`;
  throw new StrategyPresetError(`${source}: "${field}" cannot be used: ${issue.message} (${known}).`, {
    source,
    field,
  });
}

/**
 * The decision settings of an agent's `strategy:` block: the preset's, with the block's own keys over
 * them. Throws `StrategyPresetError` (`MANDATE_ERR_STRATEGY_INVALID`) naming the field for an unknown
 * preset, an unknown key or a value out of range.
 *
 * @example
 * strategySettings({ preset: 'conservative', confidenceFloor: 0.6 }, 'agents/strategist.yaml').riskWeight; // 2
 */
export function strategySettings(raw: unknown, source: string): DecideConfig {
  const { preset, allocate: _allocate, ...own } = parseStrategy(raw, source);
  return decideConfigSchema.parse({ ...STRATEGY_PRESETS[preset], ...own });
}

/**
 * What an agent's `strategy:` block opts in to with `allocate:`: the preset's option generator (its
 * target shares, the block's account, asset and fact group) and the preset's bands as goals, for an
 * agent that declares none; undefined without `allocate:`. Throws `StrategyPresetError` naming the
 * field, as {@link strategySettings} does.
 *
 * @example
 * strategyAllocation({ preset: 'balanced', allocate: { account: 'treasury-usd' } }, 'a.yaml')?.goals[0]!.band; // { min: 0.38, max: 0.42 }
 */
export function strategyAllocation(
  raw: unknown,
  source: string,
): { generator: AllocationGenerator; goals: Goal[] } | undefined {
  const { preset, allocate } = parseStrategy(raw, source);
  if (allocate === undefined) return undefined;
  const targets = ALLOCATION_TARGETS[preset];
  return {
    generator: new AllocationGenerator({ preset, targets, allocate }),
    goals: allocationGoals(targets, allocate.facts),
  };
}
