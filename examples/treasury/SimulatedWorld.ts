import { ErrorCode } from 'mandate/kernel';
import { PaymentAmountError } from './errors.ts';
import type { Actuator } from 'mandate/actors';
import { SIMULATED_POOL_APR_BPS, simulatedStrategies, type SimulatedPositions } from './simulatedStrategies.ts';
import { strategyFacts, type NextInvoice, type StrategyFacts, type TreasuryWorld } from './TreasuryWorld.ts';
import type { TreasurySimulation } from './TreasurySimulation.ts';

/**
 * The dry-run world: the simulated market, balances and bank. Its actuators say what they would
 * do (dry-run never executes an external effect) and, if executed, move the simulated balances.
 */
export class SimulatedWorld implements TreasuryWorld {
  readonly #sim: TreasurySimulation;
  readonly #positions: SimulatedPositions = { staked: 0, liquidity: 0 };
  readonly pay: Actuator;
  readonly swap: Actuator;
  readonly strategies: Actuator;

  constructor(sim: TreasurySimulation) {
    this.#sim = sim;
    this.pay = simulatedPay(sim);
    this.swap = simulatedSwap(sim);
    this.strategies = simulatedStrategies(sim, this.#positions);
  }

  async gas(): Promise<number> {
    this.#sim.tick();
    return Math.round(this.#sim.gasGwei * 10) / 10;
  }

  async fx(): Promise<Record<string, number>> {
    return { EURUSD: Math.round(this.#sim.eurusd * 10_000) / 10_000 };
  }

  async balances(): Promise<Record<string, number>> {
    return { ...this.#sim.balances };
  }

  async bands(): Promise<{ eurShare: number; eurExcess: string }> {
    return this.#sim.bands();
  }

  async nextInvoice(): Promise<NextInvoice> {
    const inv = this.#sim.nextInvoice();
    if (inv === undefined) return { due: false };
    return { ...inv, due: true, funded: (this.#sim.balances[inv.currency] ?? 0) >= Number(inv.amount) };
  }

  async strategy(): Promise<StrategyFacts> {
    return strategyFacts({ liquid: this.#sim.balances.USDC!, ...this.#positions, poolAprBps: SIMULATED_POOL_APR_BPS });
  }

  async settle(invoiceId: string): Promise<void> {
    this.#sim.settled.add(invoiceId);
  }
}

function simulatedPay(sim: TreasurySimulation): Actuator {
  return {
    name: 'treasury.pay',
    effect: 'external',
    async prepare(action) {
      const amount = Number(action.amount?.value ?? 'NaN');
      if (!(amount > 0)) throw new PaymentAmountError(action.amount?.value);
      return {
        rail: action.amount?.asset === 'EUR' ? 'sandbox-bank' : 'usdc (simulated)',
        debit: action.account,
        amount: action.amount?.value,
        currency: action.amount?.asset,
        counterparty: action.counterparty,
        invoice: action.params.invoice,
      };
    },
    async execute(action, ctx) {
      const amount = Number(action.amount!.value);
      const asset = action.amount!.asset;
      if ((sim.balances[asset] ?? 0) < amount)
        return {
          status: 'failed',
          error: {
            code: ErrorCode.MANDATE_ERR_INSUFFICIENT_FUNDS,
            message: `${asset} balance ${sim.balances[asset]} < ${amount}`,
          },
        };
      sim.balances[asset]! -= amount;
      return {
        status: 'succeeded',
        receipt: {
          rail: 'simulated',
          reference: `SIM-${ctx.idempotencyKey.slice(0, 8)}-${String(action.params.invoice)}`,
          status: 'settled',
        },
      };
    },
  };
}

function simulatedSwap(sim: TreasurySimulation): Actuator {
  return {
    name: 'treasury.swap',
    effect: 'external',
    async prepare(action) {
      return {
        rail: 'uniswap-v2 (simulated)',
        sell: action.params.sell,
        buy: action.params.buy,
        amount: action.amount?.value,
        rate: sim.eurusd,
        quotedOut: (Number(action.amount?.value) * sim.eurusd).toFixed(2),
      };
    },
    async execute(action, ctx) {
      const sell = Number(action.amount!.value);
      sim.balances.EURC! -= sell;
      sim.balances.USDC! += sell * sim.eurusd;
      return {
        status: 'succeeded',
        receipt: { rail: 'simulated', reference: `FX-${ctx.idempotencyKey.slice(0, 8)}` },
        slippageBps: 0,
      };
    },
  };
}
