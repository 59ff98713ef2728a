/**
 * Payments per second through the EVM rail (write-ahead ledger, persisted nonce, spending-limit
 * reservation, kill-switch check, confirmation) vs raw ethers ERC-20 transfers on the same
 * local node. Run: `npx tsx bench/rails.bench.ts` (env BENCH_PAYMENTS, default 200).
 */
import { randomBytes } from 'node:crypto';
import { Contract, NonceManager, Wallet } from 'ethers';
import { SpendingLimits } from '../actors/limits/SpendingLimits.ts';
import { compileTestContracts } from '../test/support/evmContracts.ts';
import { startRailFixture } from '../test/support/evmFixture.ts';

const N = Number(process.env['BENCH_PAYMENTS'] ?? 200);
const fx = await startRailFixture(4);
try {
  const recipients = Array.from({ length: N }, () => Wallet.createRandom().address);

  // Raw ethers: one wallet, explicit nonces, wait for one confirmation each (what the rail does).
  const raw = new NonceManager(fx.node.wallet(4));
  const token = new Contract(fx.usdc, compileTestContracts()['TestUSDC']!.abi, raw);
  const transfer = token.getFunction('transfer');
  for (let i = 0; i < 5; i++) await (await transfer(recipients[i]!, 1n)).wait(); // warm-up
  let t0 = performance.now();
  for (const to of recipients) await (await transfer(to, 1_000_000n)).wait();
  const rawSeconds = (performance.now() - t0) / 1000;

  const limits = new SpendingLimits({
    sql: fx.db.sql,
    rules: [
      { scope: 'agent:agent-bench', window: 'transaction', unit: 'native', asset: 'USDC', max: '1000' },
      { scope: 'agent:agent-bench', window: 'rolling-24h', unit: 'reference', max: '1000000' },
      { scope: 'supervisor:gov-bench', window: 'rolling-24h', unit: 'reference', perCounterparty: true, max: '10000' },
    ],
    assetDecimals: { USDC: 6 },
    referenceDecimals: 6,
    counterpartyKey: randomBytes(32),
  });
  const rail = await fx.rail({ limits, agentId: 'agent-bench', toReference: (_a, base) => base, pollIntervalMs: 1 });
  const pay = (i: number, to: string) =>
    rail.sendCrypto({
      kind: 'crypto',
      idempotencyKey: `bench-${Date.now()}-${i}`,
      agentId: 'agent-bench',
      supervisorIds: ['gov-bench'],
      asset: 'USDC',
      amount: '1',
      to,
    });
  for (let i = 0; i < 5; i++) await pay(-i - 1, recipients[i]!); // warm-up
  t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const receipt = await pay(i, recipients[i]!);
    if (receipt.status !== 'confirmed')
      throw new Error(`bench payment ${i} ended ${receipt.status}: ${receipt.failure?.message}`);
  }
  const railSeconds = (performance.now() - t0) / 1000;

  const rawRate = N / rawSeconds;
  const railRate = N / railSeconds;
  console.log(
    `rails bench: ${N} sequential USDC transfers, 1 confirmation each, Hardhat EDR node + PostgreSQL on loopback`,
  );
  console.log(`  raw ethers (NonceManager, tx.wait):             ${rawRate.toFixed(1)} payments/s`);
  console.log(`  EvmRail (ledger + nonce + limits + kill switch): ${railRate.toFixed(1)} payments/s`);
  console.log(`  ratio rail/raw: ${(railRate / rawRate).toFixed(2)}`);
} finally {
  await fx.close();
}
