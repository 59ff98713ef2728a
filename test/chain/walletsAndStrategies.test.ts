import { parseUnits, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpendingLimits } from '../../actors/limits/SpendingLimits.ts';
import { UniswapV2SwapRail } from '../../actors/rails/UniswapV2SwapRail.ts';
import { createTreasuryStrategyActuator, Erc4626Vault, UniswapV2Liquidity } from '../../actors/treasury/index.ts';
import type { ProposedAction } from '../../machines/types.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../support/embeddedTreasury.ts';
import { TEST_COUNTERPARTY_KEY } from '../support/counterpartyKey.ts';

let t: EmbeddedTreasury;
beforeAll(async () => {
  t = await startEmbeddedTreasury();
  await t.seedPool('500000', '460000');
});
afterAll(async () => t?.close());

const ctx = (key: string, agentId: string) => ({
  agentId,
  decisionId: key,
  idempotencyKey: key,
  mode: 'live' as const,
  now: Date.now(),
});

describe('per-agent wallets on the embedded chain', () => {
  it('wallets - each agent pays from its own HD wallet, under its own limits; another agent cannot spend it', async () => {
    const alice = t.chain.walletOf('alice');
    const bob = t.chain.walletOf('bob');
    expect(alice).not.toBe(bob);
    await t.fund(alice, { usdc: '1000' });
    const limits = new SpendingLimits({
      sql: t.db.sql,
      rules: [{ scope: 'agent:alice', window: 'transaction', unit: 'native', asset: 'USDC', max: '100' }],
      assetDecimals: { USDC: 6 },
      referenceDecimals: 6,
      counterpartyKey: TEST_COUNTERPARTY_KEY,
    });
    const rail = await t.rail('alice', { limits });
    expect(rail.address).toBe(alice);
    const payee = Wallet.createRandom().address;
    const paid = await rail.sendCrypto({
      kind: 'crypto',
      idempotencyKey: 'alice-pay-1',
      agentId: 'alice',
      asset: 'USDC',
      amount: '60',
      to: payee,
    });
    expect(paid.status).toBe('confirmed');
    expect(await t.balance('USDC', payee)).toBe(parseUnits('60', 6));
    expect(await t.balance('USDC', alice)).toBe(parseUnits('940', 6));
    const over = await rail.sendCrypto({
      kind: 'crypto',
      idempotencyKey: 'alice-pay-2',
      agentId: 'alice',
      asset: 'USDC',
      amount: '150',
      to: payee,
    });
    expect(over.status).toBe('failed');
    expect(over.failure?.code).toBe('MANDATE_ERR_LIMIT_EXCEEDED');
    // Bob's rail signs with bob's key: it has nothing to spend, alice's balance is out of its reach.
    const bobRail = await t.rail('bob');
    const bobPay = await bobRail.sendCrypto({
      kind: 'crypto',
      idempotencyKey: 'bob-pay-1',
      agentId: 'bob',
      asset: 'USDC',
      amount: '10',
      to: payee,
    });
    expect(bobPay.status).toBe('failed');
    expect(bobPay.failure?.code).toBe('MANDATE_ERR_RAIL_PREFLIGHT');
    expect(await t.balance('USDC', alice)).toBe(parseUnits('940', 6));
  });
});

describe('treasury strategies on the embedded chain', () => {
  const agentId = 'strategist';
  let actuator: ReturnType<typeof createTreasuryStrategyActuator>;
  let vault: Erc4626Vault;
  let liquidity: UniswapV2Liquidity;
  beforeAll(async () => {
    const me = t.chain.walletOf(agentId);
    await t.fund(me, { usdc: '50000', eurc: '20000' });
    const rail = await t.rail(agentId);
    const provider = t.chain.provider();
    const c = t.chain.contracts;
    const USDC = { symbol: 'USDC', address: c.tokens.USDC!, decimals: 6 };
    const EURC = { symbol: 'EURC', address: c.tokens.EURC!, decimals: 6 };
    vault = new Erc4626Vault({ rail, provider, vault: c.vaults.USDC!, asset: USDC });
    liquidity = new UniswapV2Liquidity({
      rail,
      provider,
      router: c.uniswap.router,
      pair: c.pools['USDC/EURC']!,
      tokenA: USDC,
      tokenB: EURC,
    });
    actuator = createTreasuryStrategyActuator({
      vault,
      liquidity,
      floor: { asset: 'USDC', decimals: 6, min: '10000', balance: () => t.balance('USDC', me) },
    });
  });
  const act = (type: string, value: string, params: Record<string, unknown> = {}): ProposedAction => ({
    type,
    capability: 'treasury.stake',
    amount: { value, asset: 'USDC' },
    params,
  });

  it('strategies - stake is an ERC-4626 deposit and unstake a withdraw; the keep-liquid floor refuses what would breach it', async () => {
    const me = t.chain.walletOf(agentId);
    const staked = await actuator.execute(act('treasury.stake', '20000'), ctx('stake-key-1', agentId));
    expect(staked.status).toBe('succeeded');
    expect((await vault.position()).assets).toBe(parseUnits('20000', 6));
    expect(await t.balance('USDC', me)).toBe(parseUnits('30000', 6));
    const breach = await actuator.execute(act('treasury.stake', '25000'), ctx('stake-key-2', agentId));
    expect(breach.status).toBe('failed');
    expect(breach.error?.code).toBe('MANDATE_ERR_TREASURY_FLOOR');
    expect((await vault.position()).assets).toBe(parseUnits('20000', 6));
    const out = await actuator.execute(act('treasury.unstake', '5000'), ctx('unstake-key-1', agentId));
    expect(out.status).toBe('succeeded');
    expect(await t.balance('USDC', me)).toBe(parseUnits('35000', 6));
    // The same key again is the same effect: nothing moves twice.
    const again = await actuator.execute(act('treasury.unstake', '5000'), ctx('unstake-key-1', agentId));
    expect(again.receipt?.reference).toBe(out.receipt?.reference);
    expect(await t.balance('USDC', me)).toBe(parseUnits('35000', 6));
  });

  it('strategies - liquidity is refused below the minimum fee APR, provided once the pool earns it, and removed', async () => {
    const quiet = await actuator.execute(
      act('treasury.liquidity.add', '2000', { minAprBps: 500 }),
      ctx('liquidity-1', agentId),
    );
    expect(quiet.status).toBe('failed');
    expect(quiet.error?.code).toBe('MANDATE_ERR_TREASURY_APR');
    // Trading volume earns the pool fees: a trader swaps back and forth.
    const trader = 'trader';
    await t.fund(t.chain.walletOf(trader), { usdc: '200000', eurc: '200000' });
    const c = t.chain.contracts;
    const swaps = new UniswapV2SwapRail({
      rail: await t.rail(trader),
      provider: t.chain.provider(),
      chainId: t.chain.chainId,
      router: c.uniswap.router,
      tokens: { USDC: { address: c.tokens.USDC!, decimals: 6 }, EURC: { address: c.tokens.EURC!, decimals: 6 } },
    });
    for (let i = 0; i < 6; i++) {
      const [assetIn, assetOut] = i % 2 === 0 ? ['USDC', 'EURC'] : ['EURC', 'USDC'];
      const r = await swaps.swapAssets({
        kind: 'swap',
        idempotencyKey: `trade-key-${i}`,
        agentId: trader,
        assetIn,
        assetOut,
        amountIn: '2000',
        maxSlippageBps: 100,
      });
      expect(r.status, JSON.stringify(r.failure)).toBe('confirmed');
    }
    expect(await liquidity.feeAprBps()).toBeGreaterThan(500);
    const added = await actuator.execute(
      act('treasury.liquidity.add', '2000', { minAprBps: 500 }),
      ctx('liquidity-2', agentId),
    );
    expect(added.status, JSON.stringify(added.error)).toBe('succeeded');
    const position = await liquidity.position();
    expect(position.lp).toBeGreaterThan(0n);
    const removed = await actuator.execute(
      { type: 'treasury.liquidity.remove', capability: 'treasury.liquidity', params: { shareBps: 10_000 } },
      ctx('liquidity-3', agentId),
    );
    expect(removed.status).toBe('succeeded');
    expect((await liquidity.position()).lp).toBe(0n);
  });
});
