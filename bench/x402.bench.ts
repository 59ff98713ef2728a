/**
 * x402 benchmark: `npm run bench -- x402`
 *
 * Paid requests/s on one local setup — the embedded chain, a resource server whose facilitator is
 * the x402 packages' own (verify, simulate, submit `transferWithAuthorization`, wait for the receipt) —
 * through a governed Mandate agent (a full cycle per purchase: the 402 quote as a fact, the proposal
 * through sandbox → reputation → governance with limits, the authorization written ahead, the paid
 * request, learn) against raw `@x402/fetch` (`wrapFetchWithPayment` with the exact EVM scheme and a
 * viem account), sequentially, alternating rounds; medians and the ratio. `BENCH_X402_REQUESTS` sets
 * the requests per round (default 10).
 */
import { performance } from 'node:perf_hooks';
import { x402Client } from '@x402/core/client';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment } from '@x402/fetch';
import { parseUnits, Wallet } from 'ethers';
import { privateKeyToAccount } from 'viem/accounts';
import { createX402Actuator, Eip3009Authorizations, quoteX402, type X402QuoteFact } from '../actors/index.ts';
import { createRuntime, defineAgent } from '../runtime/index.ts';
import { startEmbeddedTreasury } from '../test/support/embeddedTreasury.ts';
import { startX402Server } from '../test/support/x402Server.ts';

const REQUESTS = Number(process.env.BENCH_X402_REQUESTS ?? 10);
const ROUNDS = 3;
const who = { kind: 'system' as const, id: 'bench' };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function rate(n: number, one: () => Promise<void>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await one();
  return n / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const t = await startEmbeddedTreasury();
  const usdc = t.chain.contracts.tokens.USDC!;
  const asset = { chainId: t.chain.chainId, address: usdc, symbol: 'USDC', decimals: 6 };
  const facilitator = Wallet.createRandom();
  await t.fund(facilitator.address, {});
  const server = await startX402Server({
    provider: t.chain.provider(),
    chainId: t.chain.chainId,
    token: { address: usdc, name: 'USD Coin', version: '2' },
    payTo: Wallet.createRandom().address,
    amount: parseUnits('0.01', 6),
    facilitatorKey: facilitator.privateKey as `0x${string}`,
  });

  const rawKey = Wallet.createRandom();
  await t.fund(rawKey.address, { usdc: '100' });
  // The raw client's own spend control allows this (non-default) token, as a user of it would configure.
  const client = x402Client.fromConfig({
    schemes: [],
    spendControls: { allowedAssets: [{ network: `eip155:${t.chain.chainId}`, asset: usdc }] },
  });
  registerExactEvmScheme(client, { signer: privateKeyToAccount(rawKey.privateKey as `0x${string}`) });
  const paidFetch = wrapFetchWithPayment(fetch, client);
  const raw = async () => {
    const res = await paidFetch(server.url);
    if (res.status !== 200) throw new Error(`raw @x402/fetch got ${res.status}: ${await res.text()}`);
    await res.text();
  };

  const runtime = await createRuntime({ mode: 'live', chain: t.chain });
  await t.fund(t.chain.walletOf('buyer'), { usdc: '100' });
  const authorizations = new Eip3009Authorizations({
    sql: t.db.sql,
    provider: t.chain.provider(),
    chainId: t.chain.chainId,
    token: { address: usdc, name: 'USD Coin', version: '2' },
    killSwitch: runtime.railKillSwitch(),
  });
  await runtime.spawn(
    defineAgent({
      id: 'buyer',
      capabilities: ['data.buy'],
      permissions: [{ capability: 'data.buy', accounts: ['data'] }],
      limits: { perTransaction: { USDC: '1' }, daily: { USDC: '1000' } },
      perceive: async () => ({ quote: await quoteX402(server.url, asset) }),
      decide: {
        async decide(facts) {
          const q = facts.quote as X402QuoteFact;
          const action = {
            type: 'x402.pay',
            capability: 'data.buy',
            account: 'data',
            amount: { value: q.price, asset: 'USDC' },
            counterparty: q.payTo,
            params: { url: q.url, requirements: q.requirements },
          };
          return { action, confidence: 1, rationale: 'buy data', rulesFired: ['buy'], model: null };
        },
      },
      act: createX402Actuator({ authorizations, asset, signerOf: (id) => t.chain.wallets.forAgent(id) }),
    }),
  );
  const governed = async () => {
    const r = await runtime.submitTask('data.buy', {}, who);
    if (r.outcome?.status !== 'succeeded') throw new Error(`governed purchase ended ${JSON.stringify(r.outcome)}`);
  };

  await rate(3, raw); // warm-up
  await rate(3, governed);
  const raws: number[] = [];
  const governedRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    raws.push(await rate(REQUESTS, raw));
    governedRates.push(await rate(REQUESTS, governed));
  }
  const r = median(raws);
  const g = median(governedRates);
  console.log(
    `x402 paid requests/s on the embedded chain: raw @x402/fetch ${r.toFixed(1)}   governed Mandate agent (full cycle, write-ahead authorization) ${g.toFixed(1)}   ratio ${(g / r).toFixed(2)} (${REQUESTS} requests × ${ROUNDS} rounds, medians; ${server.settlements.length} settlements on chain)`,
  );
  await runtime.shutdown();
  await server.close();
  await t.close();
}

await main();
