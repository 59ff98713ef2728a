import { z } from 'zod';
import { StrategyPresetError } from '../errors.ts';
import { decideConfigSchema, type DecideConfig } from './goalSchema.ts';

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
  })
  .strict();

/**
 * The decision settings of an agent's `strategy:` block: the preset's, with the block's own keys over
 * them. Throws `StrategyPresetError` (`MANDATE_ERR_STRATEGY_INVALID`) naming the field for an unknown
 * preset, an unknown key or a value out of range.
 *
 * @example
 * strategySettings({ preset: 'conservative', confidenceFloor: 0.6 }, 'agents/strategist.yaml').riskWeight; // 2
 */
export function strategySettings(raw: unknown, source: string): DecideConfig {
  const parsed = strategySchema.safeParse(raw);
  if (!parsed.success) {
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
  const { preset, ...own } = parsed.data;
  return decideConfigSchema.parse({ ...STRATEGY_PRESETS[preset], ...own });
}
