/**
 * Child process of the embedded-chain fault test: opens the embedded chain in CHAIN_DIR (replaying
 * its block log) and the rails database, then executes the plan — Safe payments with signatures
 * collected beforehand, and pool swaps — through the agent's EVM rail. The parent SIGKILLs it at
 * random moments and starts it again: both the chain and the ledger must come back consistent.
 * Environment: CHAIN_DIR, CHAIN_SEED, RAIL_DB_URL, FAULT_PLAN (JSON: { safe, items, signed }).
 */
import { readFileSync } from 'node:fs';
import { parseUnits } from 'ethers';
import pg from 'pg';
import type { CollectedSignatures } from '../../actors/Actuator.ts';
import { EvmRail } from '../../actors/rails/EvmRail.ts';
import { pgRailSql } from '../../actors/rails/RailSql.ts';
import { SafePaymentRail } from '../../actors/rails/SafePaymentRail.ts';
import { UniswapV2SwapRail } from '../../actors/rails/UniswapV2SwapRail.ts';
import { SafeMultisig } from '../../actors/wallets/SafeMultisig.ts';
import { openChain } from '../../runtime/chain/index.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`chainFaultWorker: ${name} is not set`);
  return value;
};
interface Plan {
  safe: string;
  items: ({ kind: 'safe'; key: string } | { kind: 'swap'; key: string; amountIn: string })[];
  signed: Record<string, CollectedSignatures>;
}
const plan = JSON.parse(readFileSync(env('FAULT_PLAN'), 'utf8')) as Plan;
const chain = await openChain({ dir: env('CHAIN_DIR'), seed: env('CHAIN_SEED'), env: {} });
const pool = new pg.Pool({ connectionString: env('RAIL_DB_URL'), max: 2 });
const c = chain.contracts;
const rail = await EvmRail.create({
  sql: pgRailSql(pool),
  provider: chain.provider(),
  chainId: chain.chainId,
  signer: chain.wallets.forAgent('agent-fault'),
  killSwitch: { isEngaged: () => false },
  agentId: 'agent-fault',
  assets: { USDC: { kind: 'erc20', address: c.tokens.USDC!, decimals: 6 } },
  feeCap: { maxFeePerGas: parseUnits('100', 'gwei'), maxPriorityFeePerGas: parseUnits('5', 'gwei') },
  pollIntervalMs: 2,
});
const safe = await SafeMultisig.connect({
  rpcUrl: chain.eip1193,
  chainId: chain.chainId,
  safeAddress: plan.safe,
  killSwitch: { isEngaged: () => false },
  contractNetworks: { [String(chain.chainId)]: c.safe },
});
const multisig = new SafePaymentRail({
  safe,
  safeAddress: plan.safe,
  chainId: chain.chainId,
  rail,
  tokens: { USDC: { address: c.tokens.USDC!, decimals: 6 } },
  approvers: {},
  payee: async () => Promise.reject(new Error('unused')),
});
const swaps = new UniswapV2SwapRail({
  rail,
  provider: chain.provider(),
  chainId: chain.chainId,
  router: c.uniswap.router,
  tokens: { USDC: { address: c.tokens.USDC!, decimals: 6 }, EURC: { address: c.tokens.EURC!, decimals: 6 } },
});
process.stdout.write('READY\n');
await rail.recover();
for (const item of plan.items) {
  const receipt =
    item.kind === 'safe'
      ? await multisig.execute(
          { idempotencyKey: item.key, agentId: 'agent-fault', supervisorIds: [] },
          plan.signed[item.key]!,
        )
      : await swaps.swapAssets({
          kind: 'swap',
          idempotencyKey: item.key,
          agentId: 'agent-fault',
          assetIn: 'USDC',
          assetOut: 'EURC',
          amountIn: item.amountIn,
          maxSlippageBps: 300,
        });
  if (receipt.status !== 'confirmed')
    throw new Error(`${item.key} ended ${receipt.status}: ${receipt.failure?.message}`);
}
process.stdout.write('DONE\n');
await pool.end();
await chain.close();
process.exit(0);
