import { AmountError, parseAmount } from '../../actors/index.ts';
import type { Amount, Outcome } from '../../machines/index.ts';

/** Outcomes whose amount moved (live) or would have moved (dry-run): they count as volume. */
export const MOVED: ReadonlySet<string> = new Set(['succeeded', 'would-have-sent']);

/** One asset's running totals for one agent: payments with an amount in it, and volume and fees in 10^-18 units. */
export interface AssetTotals {
  payments: number;
  volume: bigint;
  fees: bigint;
}

/** One agent's running totals for the stored series. */
export interface AgentSeriesTotals {
  readonly assets: ReadonlyMap<string, AssetTotals>;
  /** Cycles that ended (idle again or failed), timed from their trigger: how many and their total ms. */
  readonly timed: { readonly count: number; readonly totalMs: number };
}

interface Kept {
  assets: Map<string, AssetTotals>;
  timed: { count: number; totalMs: number };
  /** The longest cycle since {@link SeriesTotals.takeLongest} last read it (ms). */
  longestMs: number;
}

/**
 * What the stored series need beyond the Prometheus families, counted exactly: per agent and
 * asset, payments, the amount paid and the fees as integers of 10^-18 units (`parseAmount`: no
 * float touches an amount, so sums of `0.1` stay `0.3`), and per agent, its cycles' time in whole
 * ms and the longest since the sampler last asked. Fed by `RuntimeTelemetry` from the same events
 * as `mandate_payment_volume_total`, `mandate_payment_fees_total` and
 * `mandate_cycle_duration_seconds`; counters never go back (an agent that left keeps its totals).
 */
export class SeriesTotals {
  readonly #agents = new Map<string, Kept>();

  /**
   * A settled payment: counted under its amount's asset; when it moved ({@link MOVED}) its amount
   * joins the volume and its fee the fees of the fee's asset (as `mandate_payment_volume_total` and
   * `mandate_payment_fees_total` count them). An amount that is not a plain decimal
   * (`parseAmount`) is counted as a payment with no volume.
   */
  onPayment(agentId: string, amount: Amount | undefined, outcome: Pick<Outcome, 'status' | 'fees'>): void {
    const moved = MOVED.has(outcome.status);
    const fees = outcome.fees;
    const kept = this.#kept(agentId);
    if (amount !== undefined) {
      const t = assetOf(kept, amount.asset);
      t.payments += 1;
      if (moved) t.volume += unitsOf(amount.value);
    }
    if (fees !== undefined && moved) assetOf(kept, fees.asset).fees += unitsOf(fees.value);
  }

  /** A cycle that ended after `ms` (rounded to whole ms). */
  onCycle(agentId: string, ms: number): void {
    const kept = this.#kept(agentId);
    const whole = Math.max(0, Math.round(ms));
    kept.timed.count += 1;
    kept.timed.totalMs += whole;
    if (whole > kept.longestMs) kept.longestMs = whole;
  }

  /** The agent's running totals (undefined before anything was counted for it). */
  of(agentId: string): AgentSeriesTotals | undefined {
    return this.#agents.get(agentId);
  }

  /** The longest cycle of the agent since the previous call (ms; 0 when none ended), starting a new window. */
  takeLongest(agentId: string): number {
    const kept = this.#agents.get(agentId);
    if (kept === undefined) return 0;
    const longest = kept.longestMs;
    kept.longestMs = 0;
    return longest;
  }

  #kept(agentId: string): Kept {
    let kept = this.#agents.get(agentId);
    if (kept === undefined) {
      kept = { assets: new Map(), timed: { count: 0, totalMs: 0 }, longestMs: 0 };
      this.#agents.set(agentId, kept);
    }
    return kept;
  }
}

function assetOf(kept: Kept, asset: string): AssetTotals {
  let t = kept.assets.get(asset);
  if (t === undefined) {
    t = { payments: 0, volume: 0n, fees: 0n };
    kept.assets.set(asset, t);
  }
  return t;
}

function unitsOf(value: string): bigint {
  try {
    return parseAmount(value);
  } catch (e) {
    if (e instanceof AmountError) return 0n;
    throw e;
  }
}
