import { Contract, parseEther, parseUnits } from 'ethers';
import { packagedArtifact } from 'mandate/contracts';
import type { ChainConnection } from 'mandate';
import { ERC20 } from './erc20.ts';

/** What each agent's wallet starts with on a new chain (whole units). */
export const OPENING_BALANCES: Readonly<Record<string, { USDC: string; EURC: string }>> = {
  payables: { USDC: '40000', EURC: '0' },
  'fx-rebalancer': { USDC: '60000', EURC: '90000' },
  'treasury-strategist': { USDC: '100000', EURC: '40000' },
};

/**
 * First start of the live example on a chain: gas and opening balances for each agent's own
 * wallet, 60,000 USDC in the payables agent's Safe, the operator's float, and the USDC/EURC pool
 * seeded at the market's opening rate.
 * Returns false (and does nothing) when the agents were funded before.
 */
export async function fundTreasury(chain: ChainConnection, eurusd: number, safe: string): Promise<boolean> {
  const provider = chain.provider();
  if ((await provider.getBalance(chain.walletOf('payables'))) > 0n) return false;
  const op = chain.operator();
  const me = await op.getAddress();
  const { USDC, EURC } = chain.contracts.tokens as { USDC: string; EURC: string };
  const usdc = new Contract(USDC, ERC20, op);
  const eurc = new Contract(EURC, ERC20, op);
  const units = (v: string) => parseUnits(v, 6);
  for (const [agentId, opening] of Object.entries(OPENING_BALANCES)) {
    const to = chain.walletOf(agentId);
    await (await op.sendTransaction({ to, value: parseEther('10') })).wait();
    if (opening.USDC !== '0') await (await usdc.getFunction('mint').send(to, units(opening.USDC))).wait();
    if (opening.EURC !== '0') await (await eurc.getFunction('mint').send(to, units(opening.EURC))).wait();
  }
  // The payables agent's Safe pays the invoices above the approval threshold.
  await (await usdc.getFunction('mint').send(safe, units('60000'))).wait();
  // The operator's float: pool liquidity, the market's arbitrage and the vault's yield.
  await (await usdc.getFunction('mint').send(me, units('3000000'))).wait();
  await (await eurc.getFunction('mint').send(me, units('3000000'))).wait();
  const router = chain.contracts.uniswap.router;
  const poolUsdc = units('1000000');
  const poolEurc = units((1_000_000 / eurusd).toFixed(6));
  await (await usdc.getFunction('approve').send(router, poolUsdc)).wait();
  await (await eurc.getFunction('approve').send(router, poolEurc)).wait();
  const r = new Contract(router, packagedArtifact('UniswapV2Router02').abi as never, op);
  const deadline = Math.floor(Date.now() / 1000) + 600;
  await (await r.getFunction('addLiquidity').send(USDC, EURC, poolUsdc, poolEurc, 0n, 0n, me, deadline)).wait();
  return true;
}
