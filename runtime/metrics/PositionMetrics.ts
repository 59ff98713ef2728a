import { formatUnits, parseUnits } from 'ethers';
import type { PositionHolding, PositionValue } from '../../machines/index.ts';
import { MetricFamily } from './MetricFamily.ts';

/** Decimals the re-valuation computes in (prices are 18-decimal like the oracles'). */
const DECIMALS = 18;
const ONE = 10n ** BigInt(DECIMALS);
const DECIMAL = /^-?\d+(\.\d{1,18})?$/;

/** A decimal string as an 18-decimal bigint, or undefined when it is not one. */
function fixed(s: string): bigint | undefined {
  return DECIMAL.test(s) ? parseUnits(s, DECIMALS) : undefined;
}

/** A position another price re-valued, with the agent holding it. */
export type RevaluedPosition = { agent: string } & PositionValue;

/**
 * The value, cost basis and unrealized P&L of each agent's strategy positions (ERC-4626 stakes,
 * Uniswap V2 liquidity), as gauges set from the valuation a treasury action's outcome carries,
 * and re-valued between steps by price updates ({@link reprice}): they read as of the agent's last
 * strategy step or the last accepted price of an asset it holds, whichever came later. Labels:
 * agent, position (`erc4626:<vault>`, `uniswap-v2-lp:<pair>`, bounded by the deployment's
 * contracts) and currency.
 */
export class PositionMetrics {
  readonly value = new MetricFamily({
    name: 'mandate_position_value',
    type: 'gauge',
    help: 'What an agent’s strategy position is worth (vault: convertToAssets of its shares; pool: its share of the reserves, token B at the reserves’ mid or at the last oracle price since), after its last strategy step or price update.',
    labelNames: ['agent', 'position', 'currency'],
  });
  readonly costBasis = new MetricFamily({
    name: 'mandate_position_cost_basis',
    type: 'gauge',
    help: 'What the units of the position held cost (average cost, rebuilt from the chain’s deposit/withdraw and mint/burn events).',
    labelNames: ['agent', 'position', 'currency'],
  });
  readonly unrealized = new MetricFamily({
    name: 'mandate_unrealized_pnl',
    type: 'gauge',
    help: 'Value minus cost basis of the position: a gain (above 0) or loss not yet taken.',
    labelNames: ['agent', 'position', 'currency'],
  });
  /** The last valuation of each agent's positions, by position name: what a price update re-values. */
  readonly #held = new Map<string, Map<string, PositionValue>>();

  /** Sets the gauges of `agentId`'s positions and keeps them for price updates; values that are not numbers are skipped. */
  set(agentId: string, positions: readonly PositionValue[]): void {
    let held = this.#held.get(agentId);
    if (held === undefined) this.#held.set(agentId, (held = new Map<string, PositionValue>()));
    for (const p of positions) {
      held.set(p.position, p);
      this.#gauge(agentId, p);
    }
  }

  /**
   * Re-values every kept position in `currency` that holds `asset` at `price` (a decimal string,
   * `currency` per one `asset`): the holding's price, then the value (the sum of its holdings'
   * amount × price) and unrealized P&L, and their gauges. Positions without holdings, or whose
   * figures are not decimals, are left as they are. Returns the positions it re-valued.
   */
  reprice(asset: string, currency: string, price: string): RevaluedPosition[] {
    const revalued: RevaluedPosition[] = [];
    const p18 = fixed(price);
    if (p18 === undefined) return revalued;
    for (const [agent, held] of this.#held) {
      for (const [name, p] of held) {
        if (p.currency !== currency || p.holdings?.some((h) => h.asset === asset) !== true) continue;
        const next = repriced(p, asset, price);
        if (next === undefined) continue;
        held.set(name, next);
        this.#gauge(agent, next);
        revalued.push({ agent, ...next });
      }
    }
    return revalued;
  }

  #gauge(agentId: string, p: PositionValue): void {
    const labels = [agentId, p.position, p.currency];
    for (const [family, v] of [
      [this.value, p.value],
      [this.costBasis, p.costBasis],
      [this.unrealized, p.unrealizedPnl],
    ] as const) {
      const n = Number(v);
      if (Number.isFinite(n)) family.set(labels, n);
    }
  }

  families(): MetricFamily[] {
    return [this.value, this.costBasis, this.unrealized];
  }
}

/** `p` with `asset` at `price`, its value and unrealized P&L recomputed; undefined when a figure is not a decimal. */
function repriced(p: PositionValue, asset: string, price: string): PositionValue | undefined {
  const holdings: PositionHolding[] = p.holdings!.map((h) => (h.asset === asset ? { ...h, price } : h));
  let value = 0n;
  for (const h of holdings) {
    const [amount, each] = [fixed(h.amount), fixed(h.price)];
    if (amount === undefined || each === undefined) return undefined;
    value += (amount * each) / ONE;
  }
  const cost = fixed(p.costBasis);
  if (cost === undefined) return undefined;
  return {
    ...p,
    value: formatUnits(value, DECIMALS),
    unrealizedPnl: formatUnits(value - cost, DECIMALS),
    holdings,
  };
}
