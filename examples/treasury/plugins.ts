import { flagSuboptimal } from 'mandate/actors';
import { createGateActuator, PluginRegistry, type MandateRuntime } from 'mandate';
import { StatementParseError } from './errors.ts';
import type { TreasurySimulation } from './TreasurySimulation.ts';
import type { TreasuryWorld } from './TreasuryWorld.ts';

const SETTLES = new Set(['succeeded', 'would-have-sent', 'denied', 'rejected']);

/**
 * The treasury example's perceivers, actuators and learners, registered by the names its YAML
 * agents use. Facts and effects come from the world (simulated in dry-run, the chain live); the
 * bank statement feed is always the simulation's (it fails now and then on purpose).
 */
export function treasuryPlugins(
  world: TreasuryWorld,
  sim: TreasurySimulation,
  runtime: Pick<MandateRuntime, 'gate' | 'setGate' | 'clock'>,
): PluginRegistry {
  const annotate = {
    name: 'ledger.annotate',
    effect: 'internal' as const,
    async execute(action: { params: Record<string, unknown> }) {
      return {
        status: 'succeeded' as const,
        receipt: { reference: `note-${runtime.clock.now()}`, unmatched: action.params.unmatched },
      };
    },
  };
  return new PluginRegistry()
    .perceiver('market.gas', async () => ({
      gas: { gwei: await world.gas() },
      gate: { feesOk: runtime.gate('fees-ok')?.open === true },
    }))
    .perceiver('market.fx', async () => ({ fx: await world.fx() }))
    .perceiver('treasury.balances', async ({ agentId }) => ({ balances: await world.balances(agentId) }))
    .perceiver('treasury.bands', async ({ agentId }) => ({ bands: await world.bands(agentId) }))
    .perceiver('invoices.next-due', async () => ({ invoice: await world.nextInvoice() }))
    .perceiver('treasury.positions', async ({ agentId }) => ({ strategy: await world.strategy(agentId) }))
    .perceiver('bank.statement', () => {
      const lines = 3 + Math.floor(sim.random() * 10);
      if (sim.random() < 0.2) throw new StatementParseError(1 + Math.floor(sim.random() * lines));
      return { statement: { lines, unmatched: sim.random() < 0.3 ? 1 : 0 } };
    })
    .actuator(
      world.pay,
      ['payments.send'],
      'Pay a supplier invoice: USDC on chain (Safe above the threshold), EUR by SEPA',
    )
    .actuator(world.swap, ['fx.swap'], 'Swap EURC for USDC on the Uniswap V2 pool within the slippage bound')
    .actuator(
      world.strategies,
      ['treasury.stake', 'treasury.liquidity'],
      'Stake in the ERC-4626 vault, provide pool liquidity',
    )
    .actuator(annotate, ['ledger.annotate'], 'Flag ledger entries for human review')
    .actuator(createGateActuator(runtime), ['gates.write'], 'Open or close a dependency gate')
    .learner('review.suboptimal', flagSuboptimal({ maxSlippageBps: 50, minConfidence: 0.6, maxDurationMs: 5_000 }))
    .learner('treasury.settle-invoice', async ({ decision, outcome }) => {
      const invoice = (decision as { action?: { params?: { invoice?: unknown } } } | null)?.action?.params?.invoice;
      // Paid (or would have been, in dry-run), or refused for good: the queue moves on. A failed
      // payment or an expired approval is tried again next cycle.
      if (typeof invoice === 'string' && SETTLES.has(outcome.status)) {
        const reference = outcome.receipt?.reference;
        await world.settle(invoice, typeof reference === 'string' ? reference : undefined);
      }
    });
}
