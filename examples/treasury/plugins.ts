import { flagSuboptimal, type Actuator } from 'mandate/actors';
import { ErrorCode } from 'mandate/kernel';
import { createGateActuator, PluginRegistry, type MandateRuntime } from 'mandate';
import { PaymentAmountError, StatementParseError } from './errors.ts';
import type { TreasurySimulation } from './TreasurySimulation.ts';

/**
 * The treasury example's perceivers, actuators and learner, registered by the
 * names its YAML agents use.
 */
export function treasuryPlugins(
  sim: TreasurySimulation,
  runtime: Pick<MandateRuntime, 'gate' | 'setGate' | 'clock'>,
  live: { pay?: Actuator } = {},
): PluginRegistry {
  const simulatedPay: Actuator = {
    name: 'treasury.pay',
    effect: 'external',
    async prepare(action) {
      const amount = Number(action.amount?.value ?? 'NaN');
      if (!(amount > 0)) throw new PaymentAmountError(action.amount?.value);
      return {
        rail: 'sandbox-bank',
        debit: action.account,
        amount: action.amount?.value,
        currency: action.amount?.asset,
        counterparty: action.counterparty,
        invoice: action.params.invoice,
      };
    },
    async execute(action, ctx) {
      const amount = Number(action.amount!.value);
      if (sim.balances.USD! < amount)
        return {
          status: 'failed',
          error: {
            code: ErrorCode.MANDATE_ERR_INSUFFICIENT_FUNDS,
            message: `USD balance ${sim.balances.USD} is below the payment of ${amount}; fund the account or pay less`,
          },
        };
      sim.balances.USD! -= amount;
      return {
        status: 'succeeded',
        receipt: {
          rail: 'sandbox-bank',
          reference: `SBX-${ctx.idempotencyKey.slice(0, 8)}-${action.params.invoice}`,
          status: 'settled',
        },
      };
    },
  };
  // Live runs with a database pay through the real fiat rail; otherwise the simulated bank.
  const pay = live.pay ?? simulatedPay;
  const swap: Actuator = {
    name: 'treasury.swap',
    effect: 'external',
    async prepare(action) {
      return {
        rail: 'fx-desk',
        sell: action.params.sell,
        buy: action.params.buy,
        amount: action.amount?.value,
        rate: sim.eurusd,
        quotedOut: (Number(action.amount?.value) * sim.eurusd).toFixed(2),
      };
    },
    async execute(action, ctx) {
      const sell = Number(action.amount!.value);
      const rate = sim.eurusd;
      const quoted = Number(action.params.rate);
      const slippageBps = Math.round((Math.abs(rate - quoted) / quoted) * 10_000);
      if (slippageBps > Number(action.params.maxSlippageBps ?? 100)) {
        return {
          status: 'failed',
          error: {
            code: ErrorCode.MANDATE_ERR_SWAP_SLIPPAGE,
            message: `slippage ${slippageBps} bps is over the bound of ${Number(action.params.maxSlippageBps ?? 100)} bps; nothing was swapped`,
          },
          slippageBps,
        };
      }
      sim.balances.EUR! -= sell;
      sim.balances.USD! += sell * rate;
      return {
        status: 'succeeded',
        receipt: { rail: 'fx-desk', reference: `FX-${ctx.idempotencyKey.slice(0, 8)}`, rate },
        slippageBps,
      };
    },
  };
  const annotate: Actuator = {
    name: 'ledger.annotate',
    effect: 'internal',
    async execute(action) {
      return {
        status: 'succeeded',
        receipt: { reference: `note-${runtime.clock.now()}`, unmatched: action.params.unmatched },
      };
    },
  };

  return new PluginRegistry()
    .perceiver('market.gas', () => {
      sim.tick();
      return {
        gas: { gwei: Math.round(sim.gasGwei * 10) / 10 },
        gate: { feesOk: runtime.gate('fees-ok')?.open === true },
      };
    })
    .perceiver('market.fx', () => ({ fx: { EURUSD: Math.round(sim.eurusd * 10_000) / 10_000 } }))
    .perceiver('treasury.balances', () => ({ balances: { ...sim.balances } }))
    .perceiver('treasury.bands', () => ({ bands: sim.bands() }))
    .perceiver('invoices.next-due', () => {
      const inv = sim.nextInvoice();
      return { invoice: inv === undefined ? { due: false } : { ...inv, due: true } };
    })
    .perceiver('bank.statement', () => {
      const lines = 3 + Math.floor(sim.random() * 10);
      if (sim.random() < 0.2) throw new StatementParseError(1 + Math.floor(sim.random() * lines));
      return { statement: { lines, unmatched: sim.random() < 0.3 ? 1 : 0 } };
    })
    .actuator(pay, ['payments.send'], 'Pay a supplier invoice from the operating account (sandbox bank rail)')
    .actuator(swap, ['fx.swap'], 'Swap between currency buckets at the FX desk')
    .actuator(annotate, ['ledger.annotate'], 'Flag ledger entries for human review')
    .actuator(createGateActuator(runtime), ['gates.write'], 'Open or close a dependency gate')
    .learner('review.suboptimal', flagSuboptimal({ maxSlippageBps: 50, minConfidence: 0.6, maxDurationMs: 5_000 }))
    .learner('treasury.settle-invoice', ({ decision, outcome }) => {
      const invoice = (decision as { action?: { params?: { invoice?: unknown } } } | null)?.action?.params?.invoice;
      // Dry-run moves on as if paid, so the simulation walks the whole queue; live settles on success only.
      if (typeof invoice === 'string' && outcome.status !== 'failed' && outcome.status !== 'refused')
        sim.settled.add(invoice);
    });
}
