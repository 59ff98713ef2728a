import { describe, expect, it } from 'vitest';
import type { ActContext } from 'mandate/actors';
import { simulatedStrategies, type SimulatedPositions } from './simulatedStrategies.ts';
import { TreasurySimulation } from './TreasurySimulation.ts';

const ctx = (n: number): ActContext => ({
  agentId: 'treasury-strategist',
  decisionId: `d${n}`,
  idempotencyKey: `key-${n}-0000`,
  mode: 'live',
  now: 0,
});
const step = (type: string, value: string | undefined, params: Record<string, unknown> = {}) => ({
  type,
  capability: type.startsWith('treasury.liquidity') ? 'treasury.liquidity' : 'treasury.stake',
  account: 'treasury-usd',
  ...(value === undefined ? {} : { amount: { value, asset: 'USDC' } }),
  params,
});
const cents = (n: number) => Math.round(n * 100) / 100;

describe('treasury simulated strategies', () => {
  it('treasury simulated strategies - stake and unstake move the staked position, liquidity add and remove the pool position', async () => {
    const sim = new TreasurySimulation([]);
    const positions: SimulatedPositions = { staked: 0, liquidity: 0 };
    const act = simulatedStrategies(sim, positions);
    const eurc = (usd: number) => usd / sim.eurusd;
    const at = () => ({ ...positions, USDC: cents(sim.balances.USDC!), EURC: cents(sim.balances.EURC!) });

    expect(await act.execute(step('treasury.stake', '10000.00'), ctx(1))).toMatchObject({ status: 'succeeded' });
    expect(at()).toEqual({ staked: 10_000, liquidity: 0, USDC: 170_000, EURC: 150_000 });
    // Adding pairs the USDC with as much EURC at the rate: the position grows by twice the USDC.
    expect((await act.execute(step('treasury.liquidity.add', '8000.00', { minAprBps: 500 }), ctx(2))).status).toBe(
      'succeeded',
    );
    expect(at()).toEqual({ staked: 10_000, liquidity: 16_000, USDC: 162_000, EURC: cents(150_000 - eurc(8_000)) });
    // Removing a quarter of the position: 4,000 of value, half back as USDC and half as EURC; the stake is untouched.
    expect((await act.execute(step('treasury.liquidity.remove', '4000.00', { shareBps: 2500 }), ctx(3))).status).toBe(
      'succeeded',
    );
    expect(at()).toEqual({
      staked: 10_000,
      liquidity: 12_000,
      USDC: 164_000,
      EURC: cents(150_000 - eurc(8_000) + eurc(2_000)),
    });
    expect((await act.execute(step('treasury.unstake', '4000.00'), ctx(4))).status).toBe('succeeded');
    expect(at()).toMatchObject({ staked: 6_000, liquidity: 12_000, USDC: 168_000 });
  });

  it.each([
    {
      name: 'unstaking more than is staked',
      action: step('treasury.unstake', '7000.00'),
      code: 'MANDATE_ERR_INSUFFICIENT_FUNDS',
    },
    {
      name: 'staking more than is liquid',
      action: step('treasury.stake', '200000.00'),
      code: 'MANDATE_ERR_INSUFFICIENT_FUNDS',
    },
    { name: 'a stake of no amount', action: step('treasury.stake', undefined), code: 'MANDATE_ERR_TREASURY_ACTION' },
    {
      name: 'liquidity below its minimum APR',
      action: step('treasury.liquidity.add', '1000.00', { minAprBps: 800 }),
      code: 'MANDATE_ERR_TREASURY_APR',
    },
    {
      name: 'a removal of 0 bps',
      action: step('treasury.liquidity.remove', undefined, { shareBps: 0 }),
      code: 'MANDATE_ERR_TREASURY_ACTION',
    },
    { name: 'an unknown action', action: step('treasury.lend', '100.00'), code: 'MANDATE_ERR_TREASURY_ACTION' },
  ])('treasury simulated strategies - $name fails with $code and books nothing', async ({ action, code }) => {
    const sim = new TreasurySimulation([]);
    const positions: SimulatedPositions = { staked: 6_000, liquidity: 12_000 };
    const outcome = await simulatedStrategies(sim, positions).execute(action, ctx(5));
    expect(outcome).toMatchObject({ status: 'failed', error: { code } });
    expect(positions).toEqual({ staked: 6_000, liquidity: 12_000 });
    expect(sim.balances).toEqual({ USDC: 180_000, EURC: 150_000, EUR: 50_000 });
  });
});
