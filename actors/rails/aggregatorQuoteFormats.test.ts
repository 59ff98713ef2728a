import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Interface, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregatorSwapRail } from './AggregatorSwapRail.ts';
import type { EvmRail } from './EvmRail.ts';
import { oneInchQuoteFormat } from './oneInchQuoteFormat.ts';
import { paraswapQuoteFormat } from './paraswapQuoteFormat.ts';
import { parseIntent, SwapIntentSchema } from './PaymentIntent.ts';

const TAKER = Wallet.createRandom().address;
const USDC = { address: Wallet.createRandom().address, decimals: 6 };
const EURC = { address: Wallet.createRandom().address, decimals: 6 };
const ROUTER = Wallet.createRandom().address;
const PROXY = Wallet.createRandom().address;
const EXECUTOR = Wallet.createRandom().address;
const ROUTER_V6 = new Interface([
  'function swap(address executor, (address srcToken, address dstToken, address srcReceiver, address dstReceiver, uint256 amount, uint256 minReturnAmount, uint256 flags) desc, bytes data)',
  'function unoswap(uint256 token, uint256 amount, uint256 minReturn, uint256 dex)',
]);

type Mode =
  'valid' | 'unoswap' | 'malformed' | 'impact' | 'loose-minimum' | 'foreign-receiver' | 'rate-limited' | 'slow';
let mode: Mode = 'valid';
let server: Server;
let baseUrl: string;
const seen: { url: URL; headers: IncomingMessage['headers']; body: unknown }[] = [];

/** EURC per USDC of a trade of `amount` base units: 0.92, and 0.9201 at the margin (0.95 when the trade moves the price). */
const rate = (marginal: boolean): bigint => (marginal ? (mode === 'impact' ? 9_500n : 9_201n) : 9_200n);

function oneInch(url: URL): unknown {
  const amount = BigInt(url.searchParams.get('amount')!);
  const marginal = url.pathname.endsWith('/quote');
  const dstAmount = (amount * rate(marginal)) / 10_000n;
  if (marginal) return { dstAmount: dstAmount.toString() };
  const slippage = Number(url.searchParams.get('slippage'));
  const minReturn = (dstAmount * BigInt(Math.round((mode === 'loose-minimum' ? 10 : 100 - slippage) * 100))) / 10_000n;
  const receiver = mode === 'foreign-receiver' ? Wallet.createRandom().address : url.searchParams.get('from')!;
  const data =
    mode === 'unoswap'
      ? ROUTER_V6.encodeFunctionData('unoswap', [BigInt(USDC.address), amount, minReturn, 1n])
      : ROUTER_V6.encodeFunctionData('swap', [
          EXECUTOR,
          [USDC.address, EURC.address, EXECUTOR, receiver, amount, minReturn, 0n],
          '0x',
        ]);
  const token = (t: typeof USDC, symbol: string) => ({
    address: t.address,
    symbol,
    name: symbol,
    decimals: 6,
    logoURI: '',
  });
  const body = {
    srcToken: token(USDC, 'USDC'),
    dstToken: token(EURC, 'EURC'),
    dstAmount: dstAmount.toString(),
    protocols: [[[{ name: 'UNISWAP_V2', part: 100, fromTokenAddress: USDC.address, toTokenAddress: EURC.address }]]],
    tx: { from: url.searchParams.get('from')!, to: ROUTER, data, value: '0', gas: 180_000, gasPrice: '1000000000' },
  };
  return mode === 'malformed' ? { ...body, dstAmount: Number(dstAmount), tx: { ...body.tx, data: undefined } } : body;
}

function paraswap(url: URL, body: unknown): unknown {
  if (url.pathname.endsWith('/prices')) {
    const amount = BigInt(url.searchParams.get('amount')!);
    const destAmount = (amount * rate(false)) / 10_000n;
    const srcUSD = Number(amount) / 1e6;
    const priceRoute = {
      blockNumber: 19_000_000,
      network: Number(url.searchParams.get('network')),
      srcToken: url.searchParams.get('srcToken')!,
      srcDecimals: Number(url.searchParams.get('srcDecimals')),
      srcAmount: amount.toString(),
      destToken: url.searchParams.get('destToken')!,
      destDecimals: Number(url.searchParams.get('destDecimals')),
      destAmount: destAmount.toString(),
      bestRoute: [{ percent: 100, swaps: [] }],
      gasCostUSD: '1.2',
      gasCost: '150000',
      side: 'SELL',
      tokenTransferProxy: PROXY,
      contractAddress: ROUTER,
      contractMethod: 'swapExactAmountIn',
      srcUSD: srcUSD.toFixed(6),
      destUSD: (mode === 'impact' ? srcUSD * 0.95 : srcUSD * 0.9995).toFixed(6),
      partner: 'anon',
      partnerFee: 0,
      maxImpactReached: false,
      hmac: 'ab12',
    };
    return mode === 'malformed' ? { priceRoute: { ...priceRoute, destAmount: undefined } } : { priceRoute };
  }
  const tx = body as { userAddress: string; destAmount: string; priceRoute: { destAmount: string } };
  if (BigInt(tx.destAmount) > BigInt(tx.priceRoute.destAmount)) throw new Error('destAmount above the price route');
  return { from: tx.userAddress, to: ROUTER, value: '0', data: '0xe3ead59e00', gasPrice: '1000000000', chainId: 1 };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const url = new URL(req.url!, 'http://local');
      const body: unknown = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
      seen.push({ url, headers: req.headers, body });
      if (mode === 'rate-limited') {
        res.writeHead(429, { 'retry-after': '2', 'content-type': 'application/json' });
        return res.end(JSON.stringify({ statusCode: 429, description: 'Too Many Requests' }));
      }
      if (mode === 'slow') await new Promise((r) => setTimeout(r, 1_000));
      const answer = url.pathname.startsWith('/swap/v6.0/') ? oneInch(url) : paraswap(url, body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    })().catch((error: unknown) => {
      res.writeHead(400);
      res.end(JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** The quote path of the rail only reads the EVM rail's address and chain id. */
const evm = { address: TAKER, chainId: 1 } as unknown as EvmRail;
const railFor = (aggregator: '1inch' | 'paraswap') =>
  new AggregatorSwapRail({
    rail: evm,
    provider: undefined as never,
    aggregator,
    baseUrl,
    apiKey: aggregator === '1inch' ? 'k-1inch' : 'k-psp',
    allowedTargets: [ROUTER, PROXY],
    tokens: {},
    timeoutMs: 300,
    format: aggregator === '1inch' ? oneInchQuoteFormat : paraswapQuoteFormat,
  });
let n = 0;
const quote = (aggregator: '1inch' | 'paraswap', amount = 1_000_000_000n, maxSlippageBps = 100) => {
  const intent = parseIntent(SwapIntentSchema, {
    kind: 'swap',
    idempotencyKey: `fmt-${++n}-${Date.now()}`,
    agentId: 'agent-treasurer',
    assetIn: 'USDC',
    assetOut: 'EURC',
    amountIn: '1000',
    maxSlippageBps,
  });
  return railFor(aggregator).quote(intent, { tokenIn: USDC, tokenOut: EURC, amountIn: amount });
};

describe('aggregator quote formats', () => {
  it('1inch - a v6 swap answer maps onto the checked quote, minimum and amount read from the calldata', async () => {
    for (const m of ['valid', 'unoswap'] as const) {
      mode = m;
      seen.length = 0;
      const q = await quote('1inch');
      expect(q).toMatchObject({
        sellAmount: '1000000000',
        buyAmount: '920000000',
        to: ROUTER,
        allowanceTarget: ROUTER,
      });
      expect(q.sellTokenAddress.toLowerCase()).toBe(USDC.address.toLowerCase());
      expect(Number(q.price)).toBeCloseTo(0.92, 9);
      expect(Number(q.guaranteedPrice)).toBeCloseTo(0.92 * 0.99, 9);
      expect(Number(q.estimatedPriceImpact)).toBeGreaterThan(0);
      expect(Number(q.estimatedPriceImpact)).toBeLessThan(0.02);
      const swap = seen.find((s) => s.url.pathname === '/swap/v6.0/1/swap')!;
      expect(swap.url.searchParams.get('slippage')).toBe('1');
      expect(swap.url.searchParams.get('from')).toBe(TAKER);
      expect(swap.headers.authorization).toBe('Bearer k-1inch');
    }
  });

  it('paraswap - prices then transactions map onto the checked quote; the minimum sent is the bound', async () => {
    mode = 'valid';
    seen.length = 0;
    const q = await quote('paraswap');
    expect(q).toMatchObject({ sellAmount: '1000000000', buyAmount: '920000000', to: ROUTER, allowanceTarget: PROXY });
    expect(Number(q.guaranteedPrice)).toBeCloseTo(0.92 * 0.99, 9);
    expect(Number(q.estimatedPriceImpact)).toBeCloseTo(0.05, 6);
    const tx = seen.find((s) => s.url.pathname === '/transactions/1')!;
    expect((tx.body as { destAmount: string }).destAmount).toBe('910800000');
    expect(tx.headers['x-api-key']).toBe('k-psp');
    expect(seen.find((s) => s.url.pathname === '/prices')!.url.searchParams.get('side')).toBe('SELL');
  });

  it('both - a malformed answer is a coded quote error naming the field', async () => {
    mode = 'malformed';
    await expect(quote('1inch')).rejects.toMatchObject({
      code: 'MANDATE_ERR_SWAP_QUOTE',
      message: expect.stringMatching(/dstAmount/),
    });
    await expect(quote('paraswap')).rejects.toMatchObject({
      code: 'MANDATE_ERR_SWAP_QUOTE',
      message: expect.stringMatching(/priceRoute\.destAmount/),
    });
  });

  it('both - slippage beyond the bound is refused (price impact, or a calldata minimum looser than the bound)', async () => {
    mode = 'impact';
    await expect(quote('1inch')).rejects.toMatchObject({ code: 'MANDATE_ERR_SWAP_SLIPPAGE' });
    await expect(quote('paraswap')).rejects.toMatchObject({ code: 'MANDATE_ERR_SWAP_SLIPPAGE' });
    // Within a 6% bound the same impact passes.
    expect(Number((await quote('paraswap', 1_000_000_000n, 600)).estimatedPriceImpact)).toBeCloseTo(5, 3);
    mode = 'loose-minimum';
    await expect(quote('1inch')).rejects.toMatchObject({ code: 'MANDATE_ERR_SWAP_SLIPPAGE' });
  });

  it('1inch - calldata paying a stranger is refused', async () => {
    mode = 'foreign-receiver';
    await expect(quote('1inch')).rejects.toMatchObject({
      code: 'MANDATE_ERR_SWAP_QUOTE',
      message: expect.stringMatching(/not for the taker/),
    });
  });

  it('both - HTTP 429 and a slow API are coded quote errors saying so', async () => {
    mode = 'rate-limited';
    for (const a of ['1inch', 'paraswap'] as const)
      await expect(quote(a)).rejects.toMatchObject({
        code: 'MANDATE_ERR_SWAP_QUOTE',
        message: expect.stringMatching(/HTTP 429 .*rate limited, retry after 2/),
      });
    mode = 'slow';
    for (const a of ['1inch', 'paraswap'] as const)
      await expect(quote(a)).rejects.toMatchObject({
        code: 'MANDATE_ERR_SWAP_QUOTE',
        message: expect.stringMatching(/within 300 ms/),
      });
    mode = 'valid';
  });
});
