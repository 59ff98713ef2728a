/**
 * The embedded chain: `npx tsx bench/chain.bench.ts` (env BENCH_PAYMENTS, default 200;
 * BENCH_SAFE_PAYMENTS, default 20; BENCH_BLOCKS, default 10: raw and rail payments alternate in that many blocks; BENCH_NO_AUDIT=1 leaves the audit entry out, to see the rail alone). Two ratios, each measured against the raw library on the
 * same in-process chain (Hardhat EDR, blocks fsynced to the chain's log) in one run:
 *
 * 1. USDC payments/s through an agent's EvmRail — write-ahead ledger, persisted nonce, spending
 *    limits reserved in PostgreSQL, kill switch at signing, one confirmation — plus one audit
 *    entry per payment in the runtime's hash-chained trail (PostgresStore), vs raw ethers
 *    (Wallet + NonceManager, `transfer`, `tx.wait()`) on a provider with no request batching.
 * 2. Safe 2-of-3 payments/s through SafePaymentRail (propose, two approver signatures checked
 *    against the owners, `execTransaction` through the agent's EvmRail) vs raw protocol-kit
 *    (`createTransaction`, `signTransaction` by each owner, `executeTransaction`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, Interface, NonceManager, Wallet } from 'ethers';
import { SpendingLimits } from '../actors/limits/SpendingLimits.ts';
import { SafePaymentRail } from '../actors/rails/SafePaymentRail.ts';
import { LocalKeystoreSigner } from '../actors/wallets/LocalKeystoreSigner.ts';
import { SafeMultisig } from '../actors/wallets/SafeMultisig.ts';
import { mandateArtifacts } from '../contracts/index.ts';
import { openStore } from '../runtime/persistence/index.ts';
import { createTestDatabase } from '../test/support/db.ts';
import { startEmbeddedTreasury } from '../test/support/embeddedTreasury.ts';

const N = Number(process.env['BENCH_PAYMENTS'] ?? 200);
const SAFE_N = Number(process.env['BENCH_SAFE_PAYMENTS'] ?? 20);
const BLOCKS = Number(process.env['BENCH_BLOCKS'] ?? 10);
const t = await startEmbeddedTreasury();
await using storeDb = await createTestDatabase();
const storeDir = mkdtempSync(join(tmpdir(), 'mandate-chain-bench-'));
const store = await openStore({ databaseUrl: storeDb.url, dataDir: join(storeDir, 'data'), env: {} });
try {
  const usdc = t.chain.contracts.tokens.USDC!;
  const recipients = Array.from({ length: N }, () => Wallet.createRandom().address);

  // 1a. Raw ethers.
  const rawKey = Wallet.createRandom();
  await t.fund(rawKey.address, { usdc: '1000000' });
  const raw = new NonceManager(new Wallet(rawKey.privateKey, t.chain.provider()));
  const transfer = new Contract(usdc, mandateArtifacts.StableToken.abi as never, raw).getFunction('transfer');
  for (let i = 0; i < 5; i++) await (await transfer(recipients[i]!, 1n)).wait();
  const rawPay = async (i: number) => void (await (await transfer(recipients[i]!, 1_000_000n)).wait());

  // 1b. The agent's rail with limits and audit.
  await t.fund(t.chain.walletOf('agent-bench'), { usdc: '1000000' });
  const limits = new SpendingLimits({
    sql: t.db.sql,
    rules: [
      { scope: 'agent:agent-bench', window: 'transaction', unit: 'native', asset: 'USDC', max: '1000' },
      { scope: 'agent:agent-bench', window: 'rolling-24h', unit: 'native', asset: 'USDC', max: '1000000' },
    ],
    assetDecimals: { USDC: 6 },
    referenceDecimals: 6,
    counterpartyKey: randomBytes(32),
  });
  const rail = await t.rail('agent-bench', { limits, pollIntervalMs: 1 });
  const pay = async (i: number, to: string) => {
    const receipt = await rail.sendCrypto({
      kind: 'crypto',
      idempotencyKey: `bench-${Date.now()}-${i}`,
      agentId: 'agent-bench',
      asset: 'USDC',
      amount: '1',
      to,
    });
    if (receipt.status !== 'confirmed')
      throw new Error(`bench payment ${i} ended ${receipt.status}: ${receipt.failure?.message}`);
    if (process.env['BENCH_NO_AUDIT'] === '1') return; // diagnostic: the rail alone
    await store.appendAudit({
      who: { kind: 'agent', id: 'agent-bench' },
      action: 'agent.payment.send.succeeded',
      subject: receipt.idempotencyKey,
      where: 'bench',
      why: 'bench payment',
      data: { tx: receipt.reference, amount: '1', currency: 'USDC' },
      at: Date.now(),
    });
  };
  for (let i = 0; i < 5; i++) await pay(-i - 1, recipients[i]!);
  // Raw and rail alternate in BLOCKS blocks (the machine is shared: a slow minute then hits both sides alike).
  let rawMs = 0;
  let railMs = 0;
  const per = Math.ceil(N / BLOCKS);
  for (let from = 0; from < N; from += per) {
    const to = Math.min(N, from + per);
    let t0 = performance.now();
    for (let i = from; i < to; i++) await rawPay(i);
    rawMs += performance.now() - t0;
    t0 = performance.now();
    for (let i = from; i < to; i++) await pay(i, recipients[i]!);
    railMs += performance.now() - t0;
  }
  const rawRate = N / (rawMs / 1000);
  const railRate = N / (railMs / 1000);
  let t0: number;

  // 2. Safe 2-of-3.
  const owners = [Wallet.createRandom(), Wallet.createRandom()];
  const agentAddress = t.chain.walletOf('safe-bench');
  await t.fund(agentAddress, {});
  const networks = { [String(t.chain.chainId)]: t.chain.contracts.safe };
  const deploySafe = (salt: string) =>
    SafeMultisig.deploy({
      rpcUrl: t.chain.eip1193,
      contractNetworks: networks,
      chainId: t.chain.chainId,
      owners: [agentAddress, ...owners.map((o) => o.address)],
      threshold: 2,
      saltNonce: salt,
      send: async (tx) => void (await (await t.chain.operator().sendTransaction(tx)).wait()),
    });
  const oursSafe = await deploySafe('101');
  const rawSafe = await deploySafe('102');
  await t.fund(oursSafe, { usdc: '100000' });
  await t.fund(rawSafe, { usdc: '100000' });
  const erc20 = new Interface(['function transfer(address,uint256) returns (bool)']);
  const payee = Wallet.createRandom().address;

  const Safe = (
    createRequire(import.meta.url)('@safe-global/protocol-kit') as { default: { init(c: unknown): Promise<any> } }
  ).default;
  const kitOf = (key: string) =>
    Safe.init({ provider: t.chain.eip1193, signer: key, safeAddress: rawSafe, contractNetworks: networks });
  const kits = [
    await kitOf(owners[0]!.privateKey),
    await kitOf(owners[1]!.privateKey),
    await kitOf(await agentKey('safe-bench')),
  ];
  t0 = performance.now();
  for (let i = 0; i < SAFE_N; i++) {
    let tx = await kits[0]!.createTransaction({
      transactions: [{ to: usdc, value: '0', data: erc20.encodeFunctionData('transfer', [payee, 1_000_000n]) }],
    });
    tx = await kits[0]!.signTransaction(tx);
    tx = await kits[1]!.signTransaction(tx);
    const result = await kits[2]!.executeTransaction(tx);
    await t.chain.provider().waitForTransaction(result.hash);
  }
  const rawSafeRate = SAFE_N / ((performance.now() - t0) / 1000);

  const safeRail = await t.rail('safe-bench', { pollIntervalMs: 1 });
  const multisig = new SafePaymentRail({
    safe: await SafeMultisig.connect({
      rpcUrl: t.chain.eip1193,
      chainId: t.chain.chainId,
      safeAddress: oursSafe,
      killSwitch: { isEngaged: () => false },
      contractNetworks: networks,
    }),
    safeAddress: oursSafe,
    chainId: t.chain.chainId,
    rail: safeRail,
    tokens: { USDC: { address: usdc, decimals: 6 } },
    approvers: { 'human:a': owners[0]!.address, 'human:b': owners[1]!.address },
    payee: async () => payee,
  });
  const signers = owners.map((o) => LocalKeystoreSigner.fromPrivateKey(o.privateKey));
  t0 = performance.now();
  for (let i = 0; i < SAFE_N; i++) {
    const request = (await multisig.request({
      type: 'payment.send',
      capability: 'payments.send',
      amount: { value: '1', asset: 'USDC' },
      counterparty: 'cp',
      params: {},
    }))!;
    const signatures: Record<string, { address: string; signature: string; at: number }> = {};
    for (const [j, who] of ['human:a', 'human:b'].entries()) {
      const signature = await signers[j]!.signDigest(request.digest);
      signatures[who] = { address: await multisig.verify(request, signature), signature, at: Date.now() };
    }
    const receipt = await multisig.execute(
      { idempotencyKey: `safe-bench-${Date.now()}-${i}`, agentId: 'safe-bench', supervisorIds: [] },
      { request, signatures },
    );
    if (receipt.status !== 'confirmed')
      throw new Error(`Safe payment ${i} ended ${receipt.status}: ${receipt.failure?.message}`);
  }
  const oursSafeRate = SAFE_N / ((performance.now() - t0) / 1000);

  console.log(`chain bench: embedded chain (Hardhat EDR in process, fsynced block log), PostgreSQL on loopback`);
  console.log(`  ${N} sequential USDC payments, 1 confirmation each (raw and rail alternating in ${BLOCKS} blocks)`);
  console.log(`    raw ethers (NonceManager, tx.wait):                         ${rawRate.toFixed(1)} payments/s`);
  console.log(`    EvmRail (ledger + nonce + limits + kill switch) + audit entry: ${railRate.toFixed(1)} payments/s`);
  console.log(`    ratio rail/raw: ${(railRate / rawRate).toFixed(2)} (target >= 0.8)`);
  console.log(`  ${SAFE_N} Safe 2-of-3 payments`);
  console.log(`    raw protocol-kit (create, 2 x sign, execute):                ${rawSafeRate.toFixed(1)} payments/s`);
  console.log(
    `    SafePaymentRail (propose, 2 checked signatures, EvmRail):     ${oursSafeRate.toFixed(1)} payments/s`,
  );
  console.log(`    ratio ours/raw: ${(oursSafeRate / rawSafeRate).toFixed(2)}`);
} finally {
  await store.close();
  await t.close();
  rmSync(storeDir, { recursive: true, force: true });
}

/** The agent's HD private key, for the raw protocol-kit executor (the rail never exposes it). */
async function agentKey(agentId: string): Promise<string> {
  const { HDNodeWallet, getBytes } = await import('ethers');
  const { HdWallets } = await import('../actors/wallets/HdWallets.ts');
  return HDNodeWallet.fromSeed(getBytes(`0x${'7e'.repeat(32)}`)).derivePath(HdWallets.pathOf(agentId)).privateKey;
}
