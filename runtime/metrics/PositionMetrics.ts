import type { PositionValue } from '../../machines/index.ts';
import { MetricFamily } from './MetricFamily.ts';

/**
 * The value, cost basis and unrealized P&L of each agent's strategy positions (ERC-4626 stakes,
 * Uniswap V2 liquidity), as gauges set from the valuation a treasury action's outcome carries:
 * they read as of the agent's last strategy step. Labels: agent, position (`erc4626:<vault>`,
 * `uniswap-v2-lp:<pair>`, bounded by the deployment's contracts) and currency.
 */
export class PositionMetrics {
  readonly value = new MetricFamily({
    name: 'mandate_position_value',
    type: 'gauge',
    help: 'What an agent’s strategy position is worth (vault: convertToAssets of its shares; pool: its share of the reserves at the mid), after its last strategy step.',
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

  /** Sets the gauges of `agentId`'s positions; values that are not numbers are skipped. */
  set(agentId: string, positions: readonly PositionValue[]): void {
    for (const p of positions) {
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
  }

  families(): MetricFamily[] {
    return [this.value, this.costBasis, this.unrealized];
  }
}
