/**
 * Spending-limit rules: per transaction or over a rolling 24 hours, for an agent or a
 * supervisor, optionally per asset and per counterparty, in native units or the reference
 * currency.
 */
import { parseUnits } from 'ethers';
import { z } from 'zod';
import { LimitConfigError } from './errors.ts';

/** One limit. `scope` is `agent:<agentId>` or `supervisor:<supervisorId>`. */
export const LimitRuleSchema = z.strictObject({
  scope: z.string().regex(/^(agent|supervisor):.+$/, 'agent:<id> or supervisor:<id>'),
  window: z.enum(['transaction', 'rolling-24h']),
  unit: z.enum(['native', 'reference']),
  /** Required for native limits; for reference limits, restricts the limit to one asset. */
  asset: z.string().min(1).optional(),
  /** When true, the rolling window counts only payments to the same counterparty. */
  perCounterparty: z.boolean().default(false),
  /** Decimal string in display units of the asset (native) or of the reference currency. */
  max: z.string().regex(/^(0|[1-9]\d*)(\.\d+)?$/),
});
/** A parsed limit rule. */
export type LimitRule = z.infer<typeof LimitRuleSchema>;

/** A rule with its bound converted to base units. */
export interface CompiledLimitRule extends LimitRule {
  readonly maxBase: bigint;
}

/** Validates rules and converts their bounds to base units (asset decimals or reference decimals). */
export function compileLimitRules(
  input: readonly unknown[],
  assetDecimals: Readonly<Record<string, number>>,
  referenceDecimals: number,
): CompiledLimitRule[] {
  return input.map((raw, i) => {
    const parsed = LimitRuleSchema.safeParse(raw);
    if (!parsed.success) {
      throw new LimitConfigError(
        `limit rule #${i} is invalid: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`,
        {
          details: { rule: raw as Record<string, unknown> },
        },
      );
    }
    const rule = parsed.data;
    let decimals = referenceDecimals;
    if (rule.unit === 'native') {
      if (rule.asset === undefined)
        throw new LimitConfigError(
          `limit rule #${i} is in native units but names no asset; add "asset": "USDC" (or another configured asset)`,
        );
      const d = assetDecimals[rule.asset];
      if (d === undefined)
        throw new LimitConfigError(
          `limit rule #${i} names asset "${rule.asset}", which has no configured decimals; configure it or fix the name`,
        );
      decimals = d;
    }
    try {
      return { ...rule, maxBase: parseUnits(rule.max, decimals) };
    } catch (cause) {
      throw new LimitConfigError(`limit rule #${i} max "${rule.max}" has more than ${decimals} decimals; round it`, {
        cause,
      });
    }
  });
}
