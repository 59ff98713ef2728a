import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, parseUnits } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { GovernancePolicy } from 'mandate/actors';
import { mandateArtifacts } from 'mandate/contracts';
import { createRuntime, openChain, type ChainConnection, type MandateRuntime } from 'mandate';
import { paymentStory } from '../../gateway/paymentStory.ts';
import { openStore } from '../../runtime/persistence/index.ts';
import { onChainFacts } from '../../ui/src/views/chainReceipt.ts';
import { setup } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'mandate-treasury-live-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dataDir = join(root, 'data');
const CLOUDHOST = '0x8eC5FfA314080209c30114bd18dBF80fCF525332';

/** One live run of the example on the embedded chain in `root`, for `ms` of wall time. */
async function liveRun(
  ms: number,
  check: (runtime: MandateRuntime, chain: ChainConnection) => Promise<void>,
): Promise<number> {
  const store = await openStore({ dataDir, env: {} });
  const chain = await openChain({
    dir: join(root, 'chain'),
    seed: await store.walletSeed(),
    feeds: { EURUSD: { decimals: 8, initial: '1.085', description: 'EUR / USD' } },
    env: {},
  });
  const text = readFileSync(join(import.meta.dirname, 'governance.yaml'), 'utf8');
  const runtime = await createRuntime({
    mode: 'live',
    store,
    chain,
    governance: GovernancePolicy.fromYaml(text, () => undefined).config,
  });
  const system = await setup(runtime, { chain, dataDir });
  await new Promise((r) => setTimeout(r, ms));
  await check(runtime, chain);
  await runtime.shutdown();
  await system.close();
  const head = await chain.provider().getBlockNumber();
  await chain.close();
  return head;
}

describe('treasury example, live on the embedded chain', () => {
  it('treasury live - pays an invoice in USDC from the payables wallet, swaps on the pool and provides pool liquidity; a second run continues the chain without paying it again', async () => {
    let paid = 0n;
    let lpShares = 0n;
    const first = await liveRun(12_000, async (runtime) => {
      const payables = runtime.listAgents().find((a) => a.id === 'payables')!;
      expect(payables.wallet?.chain).toBe('eip155:31337');
      const recent = runtime.recentTransitions('payables');
      expect(recent.some((t) => (t.summary.effect as { key?: string } | undefined)?.key === 'INV-1001')).toBe(true);
      // The payment page's data: the intent's reference is the transaction, and its block is on the receipt.
      const story = await paymentStory(runtime, 'INV-1001');
      const facts = new Map(onChainFacts(story.intent?.receipt) ?? []);
      expect(story.intent?.reference).toMatch(/^0x[0-9a-f]{64}$/);
      expect(facts.get('transaction')).toBe(story.intent?.reference);
      expect(Number(facts.get('block'))).toBeGreaterThan(0);
      expect(facts.get('from')).toBe(payables.wallet?.address);
      const swaps = runtime.recentTransitions('fx-rebalancer');
      expect(swaps.some((t) => (t.summary.effect as { rail?: string } | undefined)?.rail === 'uniswap-v2:31337')).toBe(
        true,
      );
    });
    const book = JSON.parse(readFileSync(join(root, 'treasury', 'invoices.json'), 'utf8')) as {
      settled: Record<string, { reference: string }>;
    };
    expect(book.settled['INV-1001']?.reference).toMatch(/^0x[0-9a-f]{64}$/);
    const second = await liveRun(8_000, async (runtime) => {
      const chain = (runtime.chain as unknown as { provider(): import('ethers').JsonRpcApiProvider }).provider();
      const contracts = JSON.parse(readFileSync(join(root, 'chain', 'contracts.json'), 'utf8')) as {
        tokens: { USDC: string };
        pools: { 'USDC/EURC': string };
      };
      const usdc = new Contract(contracts.tokens.USDC, mandateArtifacts.StableToken.abi as never, chain);
      paid = (await usdc.getFunction('balanceOf')(CLOUDHOST)) as bigint;
      // The pair is an ERC-20 of its LP shares: what the strategist's liquidity steps hold.
      const pair = new Contract(contracts.pools['USDC/EURC'], mandateArtifacts.StableToken.abi as never, chain);
      const strategist = runtime.listAgents().find((a) => a.id === 'treasury-strategist')!;
      lpShares = (await pair.getFunction('balanceOf')(strategist.wallet!.address)) as bigint;
    });
    // INV-1001 (1,840 USDC to Cloudhost) once, across both runs; the chain went on from where it was.
    expect(paid).toBe(parseUnits('1840', 6));
    // The strategist's balanced preset (strategy.allocate) put USDC to work on chain: all liquid at the
    // start, its first step adds liquidity to the Uniswap V2 pair (staking would be an ERC-4626 deposit).
    // It cycles every 7 s: the second run is long enough for a cycle of its own if the first had none.
    expect(lpShares).toBeGreaterThan(0n);
    expect(second).toBeGreaterThan(first);
  }, 120_000);
});
