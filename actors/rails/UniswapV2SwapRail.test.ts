import { Contract, NonceManager } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTestContracts } from '../../test/support/evmContracts.ts';
import { startRailFixture, TestKillSwitch, type RailFixture } from '../../test/support/evmFixture.ts';
import { deployUniswapV2, type UniswapDeployment } from '../../test/support/evmUniswap.ts';
import { UniswapV2SwapRail } from './UniswapV2SwapRail.ts';

let fx: RailFixture;
let uni: UniswapDeployment;
beforeAll(async () => {
  fx = await startRailFixture(5);
  uni = await deployUniswapV2(new NonceManager(fx.node.wallet(0)), fx.usdc);
});
afterAll(async () => {
  await fx?.close();
});

let n = 0;
const swap = (amountIn: string, maxSlippageBps = 100) => ({
  kind: 'swap',
  idempotencyKey: `swap-${++n}-${Date.now()}`,
  agentId: 'agent-treasurer',
  assetIn: 'USDC',
  assetOut: 'EURC',
  amountIn,
  maxSlippageBps,
});

async function setup(killSwitch = new TestKillSwitch()) {
  const rail = await fx.rail({ killSwitch });
  const swaps = new UniswapV2SwapRail({
    rail,
    provider: fx.node.provider(),
    chainId: fx.node.chainId,
    router: uni.router,
    tokens: { USDC: { address: fx.usdc, decimals: 6 }, EURC: { address: uni.eurc, decimals: 6 } },
  });
  const eurc = new Contract(uni.eurc, compileTestContracts()['TestUSDC']!.abi, fx.node.provider());
  const trader = fx.node.accounts[fx.payerIndex]!.address;
  return { rail, swaps, trader, eurcBalance: async () => (await eurc.getFunction('balanceOf')(trader)) as bigint };
}

describe('UniswapV2SwapRail', () => {
  it('swaps - a swap within the slippage bound executes on the real pool with amountOutMin set', async () => {
    const { swaps, eurcBalance } = await setup();
    const before = await eurcBalance();
    const usdcBefore = await fx.usdcBalance(fx.node.accounts[fx.payerIndex]!.address);
    const receipt = await swaps.swapAssets(swap('1000'));
    expect(receipt.status).toBe('confirmed');
    expect(receipt.rail).toBe('uniswap-v2:31337');
    const got = (await eurcBalance()) - before;
    expect(got.toString()).toBe(receipt.details['amountOut']);
    // Realized P&L against the pool's mid: the 0.3% fee and the impact are a loss, in EURC.
    const pnl = Number(receipt.details['realizedPnl']);
    expect(receipt.details['realizedPnlAsset']).toBe('EURC');
    expect(pnl).toBeLessThan(-2.7);
    expect(pnl).toBeGreaterThan(-5);
    // 1000 USDC at 0.9 EURC minus the 0.3% fee and a little impact: between 895 and 897.3 EURC.
    expect(got).toBeGreaterThan(895_000_000n);
    expect(got).toBeLessThan(897_300_000n);
    expect(usdcBefore - (await fx.usdcBalance(fx.node.accounts[fx.payerIndex]!.address))).toBe(1_000_000_000n);
    const tx = await fx.node.provider().getTransaction(receipt.reference!);
    const [, amountOutMin] = new Contract(uni.router, [
      'function swapExactTokensForTokens(uint256,uint256,address[],address,uint256)',
    ]).interface.decodeFunctionData('swapExactTokensForTokens', tx!.data);
    expect(amountOutMin as bigint).toBeGreaterThan(0n);
    expect(amountOutMin as bigint).toBeLessThanOrEqual(got);
    expect((amountOutMin as bigint) * 10_000n).toBeGreaterThanOrEqual(got * 9_890n); // ≥ quote × (1 − 1%), minus rounding
  });

  it('swaps - a swap whose quoted slippage exceeds the bound is refused before anything is signed', async () => {
    const { swaps } = await setup();
    const from = fx.node.accounts[fx.payerIndex]!.address;
    const nonce = Number(await fx.node.provider().send('eth_getTransactionCount', [from, 'pending']));
    const receipt = await swaps.swapAssets(swap('100000', 100)); // 10% of the pool: ~9% impact
    expect(receipt.status).toBe('failed');
    expect(receipt.failure?.code).toBe('MANDATE_ERR_SWAP_SLIPPAGE');
    expect(Number(await fx.node.provider().send('eth_getTransactionCount', [from, 'pending']))).toBe(nonce);
  });

  it('swaps - under the kill switch neither the approval nor the swap is signed', async () => {
    const killSwitch = new TestKillSwitch();
    killSwitch.engaged = true;
    const { swaps } = await setup(killSwitch);
    const receipt = await swaps.swapAssets(swap('5'));
    expect(receipt.status).toBe('failed');
    expect(receipt.rail).toBe('uniswap-v2:31337');
    expect(receipt.failure?.code).toBe('MANDATE_ERR_WALLET_SIGNING_HALTED');
  });

  it('swaps - the same key returns the first swap and does not trade twice', async () => {
    const { swaps, eurcBalance } = await setup();
    const s = swap('10');
    const first = await swaps.swapAssets(s);
    const mid = await eurcBalance();
    const again = await swaps.swapAssets(s);
    expect(again.reference).toBe(first.reference);
    expect(await eurcBalance()).toBe(mid);
  });
});
