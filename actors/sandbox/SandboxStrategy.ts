import { z } from 'zod';
import type { Learner, Perceiver } from '../Actuator.ts';
import type { Decider, DraftDecision } from '../deciders/RulesDecider.ts';
import { Sandbox } from './Sandbox.ts';
import { DEFAULT_SANDBOX_LIMITS, type SandboxCapability, type SandboxLimitsInput } from './sandboxLimits.ts';

const amountSchema = z.object({ value: z.string().regex(/^\d+(\.\d+)?$/), asset: z.string().min(1).max(32) }).strict();

/** What a sandboxed `decide` must return: a decision without its id (the runtime assigns it). */
export const draftDecisionSchema = z
  .object({
    action: z
      .object({
        type: z.string().min(1),
        capability: z.string().min(1),
        account: z.string().min(1).optional(),
        amount: amountSchema.optional(),
        counterparty: z.string().min(1).optional(),
        params: z.record(z.string(), z.unknown()).default({}),
      })
      .strict()
      .nullable(),
    confidence: z.number().min(0).max(1),
    rationale: z.string(),
    rulesFired: z.array(z.string()).default([]),
    model: z.string().nullable().default(null),
  })
  .strict();

const factsSchema = z.record(z.string(), z.unknown());
const learnSchema = z
  .object({ flags: z.array(z.string()).optional() })
  .strict()
  .nullable();

/** Options of a sandboxed strategy: engine and limits, and the capabilities granted to its code. */
export interface SandboxStrategyOptions {
  limits?: SandboxLimitsInput;
  caps?: Readonly<Record<string, SandboxCapability<unknown, unknown>>>;
}

/**
 * A strategy module (`code: ./strategy.js` in an agent's YAML, or `sandboxed: true` in TypeScript)
 * as the phases see it: its exported `perceive`, `decide` and `learn` become a `Perceiver`, a
 * `Decider` and a `Learner` that each run in an isolate of `limits.engine` (see `Sandbox`), with
 * the results parsed on the host: facts as an object, a decision as {@link draftDecisionSchema},
 * a learn report as `{ flags? }` or null.
 *
 * @example
 * const s = await SandboxStrategy.load(text, 'strategy.js', { limits: { memoryMb: 16, cpuMs: 100, timeoutMs: 1000 } });
 * const decision = await s.decider!.decide({ balance: '10' });
 */
export class SandboxStrategy {
  readonly sandbox: Sandbox;
  readonly perceiver: Perceiver | undefined;
  readonly decider: Decider | undefined;
  readonly learner: Learner | undefined;

  private constructor(sandbox: Sandbox, caps: SandboxStrategyOptions['caps'] = {}) {
    this.sandbox = sandbox;
    const has = (f: string): boolean => sandbox.functions.some((x) => x === f);
    this.perceiver = has('perceive')
      ? (ctx) => sandbox.call('perceive', ctx, { result: factsSchema, caps })
      : undefined;
    this.decider = has('decide')
      ? {
          decide: (facts): Promise<DraftDecision> =>
            sandbox.call('decide', facts, { result: draftDecisionSchema, caps }),
        }
      : undefined;
    this.learner = has('learn')
      ? async (ctx) => (await sandbox.call('learn', ctx, { result: learnSchema, caps })) ?? undefined
      : undefined;
  }

  /** Validates the module and readies its isolate engine; throws `MANDATE_ERR_SANDBOX_CODE` for code it refuses, `MANDATE_ERR_SANDBOX_ENGINE_UNAVAILABLE` for an engine that cannot run here. */
  static async load(code: string, source: string, options: SandboxStrategyOptions = {}): Promise<SandboxStrategy> {
    const sandbox = await Sandbox.load(code, source, options.limits ?? DEFAULT_SANDBOX_LIMITS);
    return new SandboxStrategy(sandbox, options.caps);
  }
}
