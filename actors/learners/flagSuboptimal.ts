import type { Learner } from '../Actuator.ts';
import { parseAmount } from '../amount.ts';

/** Bounds beyond which an executed action is flagged for human review. */
export interface SuboptimalBounds {
  /** Slippage above this (basis points). */
  maxSlippageBps?: number;
  /** Fees above this, per asset (decimal strings). */
  maxFees?: Record<string, string>;
  /** Execution slower than this. */
  maxDurationMs?: number;
  /** Decisions taken with less confidence than this. */
  minConfidence?: number;
}

/**
 * A learner that flags suboptimal actions for human review: high slippage,
 * high fees, slow execution, low-confidence decisions, and failures. The
 * runtime raises each flag as an alert and an audit entry (`learn.flagged`).
 *
 * @example learn: flagSuboptimal({ maxSlippageBps: 50, maxFees: { USDC: '5' } })
 */
export function flagSuboptimal(bounds: SuboptimalBounds): Learner {
  return ({ decision, outcome }) => {
    const flags: string[] = [];
    const d = decision as { action?: unknown; confidence?: number } | null;
    if (d?.action == null) return { flags };
    if (outcome.status === 'failed')
      flags.push(`failed: ${outcome.error?.code ?? 'unknown'} ${outcome.error?.message ?? ''}`.trim());
    if (
      bounds.maxSlippageBps !== undefined &&
      outcome.slippageBps !== undefined &&
      outcome.slippageBps > bounds.maxSlippageBps
    ) {
      flags.push(`slippage ${outcome.slippageBps} bps above ${bounds.maxSlippageBps} bps`);
    }
    const fee = outcome.fees;
    const feeLimit = fee === undefined ? undefined : bounds.maxFees?.[fee.asset];
    if (fee !== undefined && feeLimit !== undefined && parseAmount(fee.value) > parseAmount(feeLimit))
      flags.push(`fees ${fee.value} ${fee.asset} above ${feeLimit}`);
    if (
      bounds.maxDurationMs !== undefined &&
      outcome.durationMs !== undefined &&
      outcome.durationMs > bounds.maxDurationMs
    ) {
      flags.push(`took ${outcome.durationMs} ms, over ${bounds.maxDurationMs} ms`);
    }
    if (bounds.minConfidence !== undefined && typeof d.confidence === 'number' && d.confidence < bounds.minConfidence) {
      flags.push(`decided with confidence ${d.confidence}, under ${bounds.minConfidence}`);
    }
    return { flags };
  };
}
