import { z } from 'zod';

const bound = z.union([z.number(), z.string().startsWith('$fact:')]);

/**
 * One goal of an agent, as authored under `goals:` in its YAML. The goal watches one numeric fact
 * (`metric`) and wants it inside `band` (either end may be omitted, or read from a fact with
 * `$fact:<path>`). How far the metric is outside the band, in band widths, is the goal's gap; an
 * option's benefit is how much of the gap it closes, times `weight`.
 *
 * @example
 * { id: eur-band, kind: financial, metric: bands.eurShare, band: { min: 0.25, max: 0.45 } }
 */
export const goalSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'goal ids are lower-case letters, digits and dashes'),
    kind: z.enum(['financial', 'operational', 'strategic']),
    description: z.string().default(''),
    metric: z.string().min(1),
    band: z
      .object({ min: bound.optional(), max: bound.optional() })
      .strict()
      .refine((b) => b.min !== undefined || b.max !== undefined, 'a band needs "min", "max" or both'),
    /** Scale of a gap when the band is one-sided or zero-width (default 1). */
    scale: z.number().positive().optional(),
    weight: z.number().positive().default(1),
    /**
     * The goal counts only while the fact at `fact` equals `equals` (e.g. a gate is open); an option's
     * `expect` may name that fact to say the action switches the goal on or off.
     */
    when: z
      .object({ fact: z.string().min(1), equals: z.union([z.boolean(), z.number(), z.string()]) })
      .strict()
      .optional(),
  })
  .strict();

/** `decision:` — how the pipeline turns scores into a choice and a confidence. */
export const decideConfigSchema = z
  .object({
    /** Below this confidence the proposal goes to human approval (default 0: never). */
    confidenceFloor: z.number().min(0).max(1).default(0),
    /** Score margin at which the margin factor of confidence is 0.5 (default 0.1). */
    marginScale: z.number().positive().default(0.1),
    /** Cost of an option whose rule names none, in goal-gap units (default 0.01). */
    defaultCost: z.number().min(0).default(0.01),
    /** How much an option's risk counts against its score (default 1; a strategy preset sets it). */
    riskWeight: z.number().min(0).max(10).default(1),
    /** How much an option's cost counts against its score (default 1; a strategy preset sets it). */
    costWeight: z.number().min(0).max(10).default(1),
  })
  .strict();

/** A validated goal. */
export type Goal = z.output<typeof goalSchema>;
/** The validated `decide:` block. */
export type DecideConfig = z.output<typeof decideConfigSchema>;
