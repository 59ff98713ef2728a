import { Contract, formatUnits, parseUnits } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniswapV2SwapRail } from '../../actors/rails/UniswapV2SwapRail.ts';
import { createTreasuryStrategyActuator, Erc4626Vault, UniswapV2Liquidity } from '../../actors/treasury/index.ts';
import type { EvmRail } from '../../actors/rails/EvmRail.ts';
import { mandateArtifacts } from '../../contracts/index.ts';
import type { ProposedAction } from '../../machines/types.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../support/embeddedTreasury.ts';

let t: EmbeddedTreasury;
let rail: EvmRail;
const agentId = 'valuer';
beforeAll(async () => {
  t = await startEmbeddedTreasury();
  await t.seedPool('500000', '460000');
  await t.fund(t.chain.walletOf(agentId), { usdc: '50000', eurc: '20000' });
  rail = await t.rail(agentId);
});
afterAll(async () => t?.close());

const ctx = (key: string) => ({
  agentId,
  decisionId: key,
  idempotencyKey: key,
  mode: 'live' as const,
  now: Date.now(),
});
const act = (type: string, value: string | undefined, params: Record<string, unknown> = {}): ProposedAction => ({
  type,
  capability: 'treasury',
  ...(value === undefined ? {} : { amount: { value, asset: 'USDC' } }),
  params,
});
const tokens = () => {
  const c = t.chain.contracts;
  return {
    USDC: { symbol: 'USDC', address: c.tokens.USDC!, decimals: 6 },
    EURC: { symbol: 'EURC', address: c.tokens.EURC!, decimals: 6 },
  };
};
const vaultOf = () =>
  new Erc4626Vault({ rail, provider: t.chain.provider(), vault: t.chain.contracts.vaults.USDC!, asset: tokens().USDC });
const poolOf = () =>
  new UniswapV2Liquidity({
    rail,
    provider: t.chain.provider(),
    router: t.chain.contracts.uniswap.router,
    pair: t.chain.contracts.pools['USDC/EURC']!,
    tokenA: tokens().USDC,
    tokenB: tokens().EURC,
  });

describe('strategy positions valued against their cost basis, on the embedded chain', () => {
  it('valuation - a vault stake gains the yield paid into the vault; unstaking half realizes half the gain; a new process rebuilds the basis', async () => {
    const vault = vaultOf();
    const actuator = createTreasuryStrategyActuator({
      vault,
      floor: { asset: 'USDC', decimals: 6, min: '0', balance: () => t.balance('USDC', rail.address) },
    });
    const staked = await actuator.execute(act('treasury.stake', '20000'), ctx('val-stake-1'));
    expect(staked.status).toBe('succeeded');
    expect(staked.positions).toEqual([
      {
        position: `erc4626:${t.chain.contracts.vaults.USDC!.toLowerCase()}`,
        currency: 'USDC',
        value: '20000.0',
        costBasis: '20000.0',
        unrealizedPnl: '0.0',
        realizedPnl: '0.0',
        holdings: [{ asset: 'USDC', amount: '20000.0', price: '1' }],
      },
    ]);
    // Yield arrives as assets paid into the vault; this wallet holds every share.
    const usdc = new Contract(
      t.chain.contracts.tokens.USDC!,
      mandateArtifacts.StableToken.abi as never,
      t.chain.operator(),
    );
    await (await usdc.getFunction('mint')(t.chain.contracts.vaults.USDC!, parseUnits('1000', 6))).wait();
    const grown = await vault.valuation();
    expect(Number(grown.value)).toBeCloseTo(21000, 2);
    expect(grown.costBasis).toBe('20000.0');
    expect(Number(grown.unrealizedPnl)).toBeCloseTo(1000, 2);
    const out = await actuator.execute(act('treasury.unstake', '10500'), ctx('val-unstake-1'));
    expect(out.status).toBe('succeeded');
    expect(out.pnl?.asset).toBe('USDC');
    expect(Number(out.pnl?.value)).toBeCloseTo(500, 2);
    const after = out.positions![0]!;
    expect(Number(after.costBasis)).toBeCloseTo(10000, 2);
    expect(Number(after.unrealizedPnl)).toBeCloseTo(500, 2);
    expect(Number(after.realizedPnl)).toBeCloseTo(500, 2);
    // A fresh instance (a restart) reads the same basis from the vault's events.
    expect(await vaultOf().valuation()).toEqual(await vault.valuation());
  });

  it('valuation - a liquidity share costs what went in at the mid; removing half realizes what came out against half the cost', async () => {
    const pool = poolOf();
    const actuator = createTreasuryStrategyActuator({
      liquidity: pool,
      floor: { asset: 'USDC', decimals: 6, min: '0', balance: () => t.balance('USDC', rail.address) },
    });
    const added = await actuator.execute(act('treasury.liquidity.add', '4000', { minAprBps: 0 }), ctx('val-lp-1'));
    expect(added.status, JSON.stringify(added.error)).toBe('succeeded');
    const fresh = added.positions![0]!;
    expect(fresh.position).toBe(`uniswap-v2-lp:${t.chain.contracts.pools['USDC/EURC']!.toLowerCase()}`);
    // 4000 USDC and the matching EURC, valued at the mid: about 8000 USDC, worth as much right away.
    expect(Number(fresh.costBasis)).toBeCloseTo(8000, 0);
    expect(Math.abs(Number(fresh.unrealizedPnl))).toBeLessThan(0.01);
    // It holds both tokens: USDC at 1, EURC at the reserves' mid, adding up to the value (what a price update re-values).
    const [a, b] = fresh.holdings!;
    expect([a!.asset, a!.price, b!.asset]).toEqual(['USDC', '1', 'EURC']);
    expect(Number(b!.price)).toBeCloseTo(500_000 / 460_000, 6);
    expect(Number(a!.amount) + Number(b!.amount) * Number(b!.price)).toBeCloseTo(Number(fresh.value), 2);
    // A trader moves the price: the share's value moves with it, against the same cost.
    const c = t.chain.contracts;
    await t.fund(t.chain.walletOf('val-trader'), { usdc: '100000' });
    const swaps = new UniswapV2SwapRail({
      rail: await t.rail('val-trader'),
      provider: t.chain.provider(),
      chainId: t.chain.chainId,
      router: c.uniswap.router,
      tokens: { USDC: tokens().USDC, EURC: tokens().EURC },
    });
    const swap = await swaps.swapAssets({
      kind: 'swap',
      idempotencyKey: 'val-trade-1',
      agentId: 'val-trader',
      assetIn: 'USDC',
      assetOut: 'EURC',
      amountIn: '50000',
      maxSlippageBps: 2_000,
    });
    expect(swap.status).toBe('confirmed');
    const moved = await pool.valuation();
    expect(moved.costBasis).toBe(fresh.costBasis);
    expect(Number(moved.value)).not.toBeCloseTo(Number(fresh.value), 1);
    expect(Number(moved.unrealizedPnl)).toBeCloseTo(Number(moved.value) - Number(moved.costBasis), 5);
    // Remove half: what came back (USDC, plus EURC at the mid after the burn) against half the cost.
    const [usdc0, eurc0] = [await t.balance('USDC', rail.address), await t.balance('EURC', rail.address)];
    const removed = await actuator.execute(
      act('treasury.liquidity.remove', undefined, { shareBps: 5_000, maxSlippageBps: 100 }),
      ctx('val-lp-2'),
    );
    expect(removed.status, JSON.stringify(removed.error)).toBe('succeeded');
    const got = (await t.balance('USDC', rail.address)) - usdc0;
    const gotB = (await t.balance('EURC', rail.address)) - eurc0;
    const { reserveA, reserveB } = await pool.position();
    const proceeds = Number(formatUnits(got + (gotB * reserveA) / reserveB, 6));
    expect(removed.pnl?.asset).toBe('USDC');
    expect(Number(removed.pnl?.value)).toBeCloseTo(proceeds - Number(fresh.costBasis) / 2, 2);
    const left = removed.positions![0]!;
    expect(Number(left.costBasis)).toBeCloseTo(Number(fresh.costBasis) / 2, 2);
    expect(left.realizedPnl).toBe(removed.pnl?.value);
    expect(await poolOf().valuation()).toEqual(await pool.valuation());
    expect(parseUnits(left.value, 6)).toBeGreaterThan(0n);
  });
});
