import { ErrorCode } from 'mandate/kernel';
import { TREASURY_ACTIONS, type Actuator } from 'mandate/actors';
import type { Outcome } from 'mandate/machines';
import type { TreasurySimulation } from './TreasurySimulation.ts';

/** The simulated strategist's positions: USDC staked in the vault, and the USD value of its pool liquidity. */
export interface SimulatedPositions {
  staked: number;
  liquidity: number;
}

/** The simulated pool's fee APR, in basis points. */
export const SIMULATED_POOL_APR_BPS = 700;

const failed = (code: ErrorCode, message: string): Outcome => ({ status: 'failed', error: { code, message } });

/**
 * The treasury strategies against the simulation, booked the way the chain books them
 * (actors/treasury/createTreasuryStrategyActuator.ts): `treasury.stake` / `treasury.unstake` move
 * USDC into and out of the staked position; `treasury.liquidity.add` pairs `amount` USDC with as much
 * EURC at the market rate (the position grows by twice the USDC); `treasury.liquidity.remove`
 * withdraws `params.shareBps` of the position, half its value back as USDC and half as EURC. A step
 * the balances cannot cover, or liquidity below `params.minAprBps`, fails with the chain's code.
 */
export function simulatedStrategies(sim: TreasurySimulation, positions: SimulatedPositions): Actuator {
  const book = (type: string, amount: number, params: Record<string, unknown>): Outcome | undefined => {
    const b = sim.balances as { USDC: number; EURC: number };
    const noAmount = !(amount > 0);
    const zero = () => failed(ErrorCode.MANDATE_ERR_TREASURY_ACTION, `${type} needs an amount above zero`);
    const short = (what: string, have: number, need: number) =>
      failed(ErrorCode.MANDATE_ERR_INSUFFICIENT_FUNDS, `${type}: ${what} ${round2(have)} < ${round2(need)}`);
    switch (type) {
      case 'treasury.stake':
        if (noAmount) return zero();
        if (b.USDC < amount) return short('liquid USDC', b.USDC, amount);
        b.USDC -= amount;
        positions.staked += amount;
        return undefined;
      case 'treasury.unstake':
        if (noAmount) return zero();
        if (positions.staked < amount) return short('staked USDC', positions.staked, amount);
        positions.staked -= amount;
        b.USDC += amount;
        return undefined;
      case 'treasury.liquidity.add': {
        if (noAmount) return zero();
        const minApr = Number(params.minAprBps ?? 500);
        if (SIMULATED_POOL_APR_BPS < minApr)
          return failed(
            ErrorCode.MANDATE_ERR_TREASURY_APR,
            `the pool's fee APR ${SIMULATED_POOL_APR_BPS} bps is below the minimum ${minApr} bps; no liquidity added`,
          );
        const eurc = amount / sim.eurusd;
        if (b.USDC < amount) return short('liquid USDC', b.USDC, amount);
        if (b.EURC < eurc) return short('EURC to pair', b.EURC, eurc);
        b.USDC -= amount;
        b.EURC -= eurc;
        positions.liquidity += 2 * amount;
        return undefined;
      }
      case 'treasury.liquidity.remove': {
        const shareBps = Number(params.shareBps ?? 10_000);
        if (!Number.isInteger(shareBps) || shareBps <= 0 || shareBps > 10_000)
          return failed(
            ErrorCode.MANDATE_ERR_TREASURY_ACTION,
            `params.shareBps ${String(params.shareBps)} is not a whole number in 1..10000`,
          );
        const value = (positions.liquidity * shareBps) / 10_000;
        positions.liquidity -= value;
        b.USDC += value / 2;
        b.EURC += value / 2 / sim.eurusd;
        return undefined;
      }
      default:
        return failed(
          ErrorCode.MANDATE_ERR_TREASURY_ACTION,
          `"${type}" is not a treasury strategy action; use one of ${TREASURY_ACTIONS.join(', ')}`,
        );
    }
  };
  return {
    name: 'treasury.strategies',
    effect: 'external',
    async prepare(action) {
      return { rail: 'simulated', action: action.type, amount: action.amount?.value, asset: action.amount?.asset };
    },
    async execute(action, ctx) {
      const refused = book(action.type, Number(action.amount?.value ?? 0), action.params);
      if (refused !== undefined) return refused;
      return { status: 'succeeded', receipt: { rail: 'simulated', reference: `ST-${ctx.idempotencyKey.slice(0, 8)}` } };
    },
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
