import { createServer, type Server } from 'node:http';
import { Contract, formatUnits, Interface, NonceManager, parseUnits } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTestContracts, packagedArtifact } from '../../test/support/evmContracts.ts';
import { startRailFixture, type RailFixture } from '../../test/support/evmFixture.ts';
import { deployUniswapV2, type UniswapDeployment } from '../../test/support/evmUniswap.ts';
import { AggregatorSwapRail } from './AggregatorSwapRail.ts';

let fx: RailFixture;
let uni: UniswapDeployment;
let server: Server;
let baseUrl: string;
/** What the local aggregator does to its next answers. */
let tamper: 'none' | 'foreign-target' | 'malformed' = 'none';

/** A local server speaking the 0x /swap/v1/quote format, routing through the real local Uniswap pool. */
async function startQuoteServer(): Promise<void> {
  const router = new Contract(
    uni.router,
    packagedArtifact('@uniswap/v2-periphery/build/UniswapV2Router02.json').abi,
    fx.node.provider(),
  );
  const pairAbi = [
    'function getReserves() view returns (uint112, uint112, uint32)',
    'function token0() view returns (address)',
  ];
  server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url!, 'http://x');
      const sellToken = u.searchParams.get('sellToken')!;
      const buyToken = u.searchParams.get('buyToken')!;
      const sellAmount = BigInt(u.searchParams.get('sellAmount')!);
      const slippage = parseUnits(u.searchParams.get('slippagePercentage')!, 18);
      const [, out] = (await router.getFunction('getAmountsOut')(sellAmount, [sellToken, buyToken])) as bigint[];
      const factory = new Contract(
        uni.factory,
        ['function getPair(address,address) view returns (address)'],
        fx.node.provider(),
      );
      const pair = new Contract(await factory.getFunction('getPair')(sellToken, buyToken), pairAbi, fx.node.provider());
      const [r0, r1] = (await pair.getFunction('getReserves')()) as bigint[];
      const inIs0 = String(await pair.getFunction('token0')()).toLowerCase() === sellToken.toLowerCase();
      const [rin, rout] = inIs0 ? [r0!, r1!] : [r1!, r0!];
      const mid = (sellAmount * rout) / rin;
      const minOut = out! - (out! * slippage) / 10n ** 18n;
      const data = new Interface([
        'function swapExactTokensForTokens(uint256,uint256,address[],address,uint256)',
      ]).encodeFunctionData('swapExactTokensForTokens', [
        sellAmount,
        minOut,
        [sellToken, buyToken],
        u.searchParams.get('takerAddress')!,
        BigInt(Math.floor(Date.now() / 1000) + 600),
      ]);
      const body = {
        chainId: 31337,
        sellTokenAddress: sellToken,
        buyTokenAddress: buyToken,
        sellAmount: sellAmount.toString(),
        buyAmount: out!.toString(),
        price: formatUnits((out! * 10n ** 18n) / sellAmount, 18),
        guaranteedPrice: formatUnits((minOut * 10n ** 18n) / sellAmount, 18),
        estimatedPriceImpact: formatUnits(((mid - out!) * 10n ** 20n) / mid, 18),
        to: tamper === 'foreign-target' ? '0x000000000000000000000000000000000000dEaD' : uni.router,
        allowanceTarget: uni.router,
        data,
        value: '0',
        gas: '200000',
        sources: [{ name: 'Uniswap_V2', proportion: '1' }],
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(tamper === 'malformed' ? { ...body, buyAmount: 12.5 } : body));
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${addr.port}/`;
}

beforeAll(async () => {
  fx = await startRailFixture(6);
  uni = await deployUniswapV2(new NonceManager(fx.node.wallet(0)), fx.usdc);
  await startQuoteServer();
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await fx?.close();
});

let n = 0;
const swap = (amountIn: string, maxSlippageBps = 100) => ({
  kind: 'swap',
  idempotencyKey: `agg-${++n}-${Date.now()}`,
  agentId: 'agent-treasurer',
  assetIn: 'USDC',
  assetOut: 'EURC',
  amountIn,
  maxSlippageBps,
});

async function setup() {
  const rail = await fx.rail();
  const swaps = new AggregatorSwapRail({
    rail,
    provider: fx.node.provider(),
    aggregator: '0x',
    baseUrl,
    allowedTargets: [uni.router],
    tokens: { USDC: { address: fx.usdc, decimals: 6 }, EURC: { address: uni.eurc, decimals: 6 } },
  });
  const eurc = new Contract(uni.eurc, compileTestContracts()['TestUSDC']!.abi, fx.node.provider());
  return {
    swaps,
    eurcBalance: async () => (await eurc.getFunction('balanceOf')(fx.node.accounts[fx.payerIndex]!.address)) as bigint,
  };
}

describe('AggregatorSwapRail', () => {
  it('aggregator - a quote within the bound is executed on chain through the quoted calldata', async () => {
    tamper = 'none';
    const { swaps, eurcBalance } = await setup();
    const before = await eurcBalance();
    const receipt = await swaps.swapAssets(swap('500'));
    expect(receipt.status, JSON.stringify(receipt.failure)).toBe('confirmed');
    expect(receipt.rail).toBe('aggregator:0x');
    expect((await eurcBalance()) - before).toBe(BigInt(receipt.details['amountOut'] as string));
    expect(BigInt(receipt.details['amountOut'] as string)).toBeGreaterThan(440_000_000n);
  });

  it('aggregator - high impact, a foreign target or a malformed quote are refused before signing', async () => {
    const { swaps } = await setup();
    tamper = 'none';
    expect((await swaps.swapAssets(swap('150000', 100))).failure?.code).toBe('MANDATE_ERR_SWAP_SLIPPAGE');
    tamper = 'foreign-target';
    const foreign = await swaps.swapAssets(swap('10'));
    expect(foreign.failure?.code).toBe('MANDATE_ERR_SWAP_QUOTE');
    expect(foreign.failure?.message).toContain('allowlist');
    tamper = 'malformed';
    expect((await swaps.swapAssets(swap('10'))).failure?.code).toBe('MANDATE_ERR_SWAP_QUOTE');
    tamper = 'none';
  });
});
