import { z } from 'zod';
import { ruleSchema } from '../deciders/ruleSchema.ts';

/** Durations as `250ms`, `30s`, `10m`, `2h`, `1d` or plain milliseconds. */
export const durationSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'durations look like 250ms, 30s, 10m, 2h or 1d')
    .transform((text) => {
      const m = /^(\d+)(ms|s|m|h|d)$/.exec(text)!;
      const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
      return Number(m[1]) * unit;
    }),
]);

/** One governance rule: json-rules-engine conditions over the proposal facts, and its effect. */
export const governanceRuleSchema = z
  .object({
    name: ruleSchema.shape.name,
    priority: z.number().int().min(1).max(1000).default(1),
    conditions: ruleSchema.shape.conditions,
    effect: z.enum(['deny', 'require-approval', 'approve']),
    reason: z.string().min(1),
    timeout: durationSchema.optional(),
    /**
     * Distinct approvers a `require-approval` needs (default 1). When the agent pays through a
     * multisig, this must equal the multisig's threshold: the approvals are its signatures.
     */
    quorum: z.number().int().min(1).max(50).optional(),
    /** Who may approve (`human:alice`, `role:treasurer`); default: anyone with the approve permission. */
    approvers: z.array(z.string().regex(/^(human|agent|system|role):.+$/, 'kind:id, e.g. human:treasurer')).optional(),
  })
  .strict();

const perAsset = z.record(
  z.string().regex(/^[A-Z0-9]{2,12}$/, 'asset symbols are upper-case, e.g. USDC'),
  z.string().regex(/^\d{1,30}(\.\d{1,18})?$/, 'amounts are decimal strings, e.g. "25000.00"'),
);

/** The governance policy file. */
export const governanceFileSchema = z
  .object({
    approvalTimeout: durationSchema.default(600_000),
    rules: z.array(governanceRuleSchema).default([]),
    /** Daily budgets per sandbox group, on top of each agent's own limits. */
    groupBudgets: z.record(z.string(), z.object({ daily: perAsset }).strict()).default({}),
  })
  .strict();

/** Per-asset amounts. */
export const perAssetSchema = perAsset;

/** A validated governance configuration. */
export type GovernanceConfig = z.infer<typeof governanceFileSchema>;
