import { z } from 'zod';

const condition: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(condition).min(1) }).strict(),
    z.object({ any: z.array(condition).min(1) }).strict(),
    z.object({ not: condition }).strict(),
    z
      .object({
        fact: z.string().min(1),
        operator: z.enum([
          'equal',
          'notEqual',
          'lessThan',
          'lessThanInclusive',
          'greaterThan',
          'greaterThanInclusive',
          'in',
          'notIn',
          'contains',
          'doesNotContain',
        ]),
        value: z.unknown(),
        path: z.string().startsWith('$').optional(),
      })
      .strict()
      // json-rules-engine calls value.indexOf for these: anything else throws on every evaluation.
      .refine(
        (c) =>
          (c.operator !== 'in' && c.operator !== 'notIn') ||
          Array.isArray(c.value) ||
          typeof c.value === 'string' ||
          (typeof c.value === 'object' && c.value !== null && 'fact' in c.value),
        { message: '"in" and "notIn" need a list (or a string, or a { fact } reference) as value', path: ['value'] },
      ),
  ]),
);

/** A value that is either literal or `$fact:<dot.path>`, resolved against the perceived facts when the rule fires. */
const valueOrFact = z.union([z.string(), z.number(), z.boolean()]);

/** A tunable parameter's bounds: the learner moves it by `step`, never outside [min, max]. */
const tunableSchema = z
  .object({ min: z.number().finite(), max: z.number().finite(), step: z.number().finite().positive() })
  .strict()
  .refine((t) => t.min <= t.max, { message: '"min" must not exceed "max"', path: ['min'] });

/** A rule parameter: a number, or `{ value, tunable: { min, max, step } }` (the value within the bounds). */
const paramSchema = z.union([
  z.number().finite(),
  z
    .object({ value: z.number().finite(), tunable: tunableSchema })
    .strict()
    .refine((p) => p.value >= p.tunable.min && p.value <= p.tunable.max, {
      message: '"value" must lie within tunable.min..tunable.max',
      path: ['value'],
    }),
]);

/** One rule as authored in YAML (json-rules-engine conditions, Mandate action event). */
export const ruleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'rule names are lower-case words joined by . _ -'),
    priority: z.number().int().min(1).max(1000).default(1),
    /** Named numbers the conditions use as `value: "$param:<name>"`; a tunable one is adjusted by the learner. */
    params: z.record(z.string().regex(/^[A-Za-z][\w-]*$/, 'parameter names are words'), paramSchema).optional(),
    conditions: z.union([
      z.object({ all: z.array(condition).min(1) }).strict(),
      z.object({ any: z.array(condition).min(1) }).strict(),
      z.object({ not: condition }).strict(),
    ]),
    event: z
      .object({
        /** Action type, or `none` for an explicit "hold" decision. */
        type: z.string().regex(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)*$/, 'action types are dot-named, e.g. payment.send'),
        capability: z.string().optional(),
        account: z.string().optional(),
        amount: z.object({ value: valueOrFact, asset: valueOrFact }).strict().optional(),
        counterparty: valueOrFact.optional(),
        params: z.record(z.string(), z.unknown()).default({}),
        confidence: z.number().min(0).max(1).default(1),
        rationale: z.string().default(''),
        /** For goal-driven agents: the value each goal metric is expected to have after the action (`bands.eurShare: 0.45`). */
        // A boolean is the state of a goal's `when` fact after the action (`gate.feesOk: false`).
        expect: z.record(z.string().min(1), valueOrFact).optional(),
        /** For goal-driven agents: the cost of acting, in goal-gap units (default 0.01: act only to close more than 1% of a band). */
        cost: valueOrFact.optional(),
        /** For goal-driven agents: what could go wrong, how likely and how bad (fractions in [0, 1]). */
        risks: z
          .array(
            z
              .object({
                what: z.string().min(1),
                likelihood: z.number().min(0).max(1),
                impact: z.number().min(0).max(1),
              })
              .strict(),
          )
          .optional(),
      })
      .strict(),
  })
  .strict();

/** A rule file: `rules:` list. */
export const ruleFileSchema = z.object({ rules: z.array(ruleSchema).min(1) }).strict();

/** A validated rule. */
export type RuleDefinition = z.infer<typeof ruleSchema>;
