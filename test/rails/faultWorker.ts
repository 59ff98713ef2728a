/**
 * Child process of the exactly-once fault test: recovers, then pays every intent of the plan
 * through a real EvmRail. The parent SIGKILLs it at random moments and starts it again.
 * Environment: RAIL_DB_URL, RAIL_NODE_URL, RAIL_CHAIN_ID, RAIL_USDC, RAIL_PAYER_KEY, RAIL_PLAN (JSON file).
 */
import { readFileSync } from 'node:fs';
import { parseUnits } from 'ethers';
import pg from 'pg';
import { EvmRail } from '../../actors/rails/EvmRail.ts';
import { pgRailSql } from '../../actors/rails/RailSql.ts';
import { LocalKeystoreSigner } from '../../actors/wallets/LocalKeystoreSigner.ts';
import { evmProvider } from '../support/evmNode.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`faultWorker: ${name} is not set`);
  return value;
};

const pool = new pg.Pool({ connectionString: env('RAIL_DB_URL'), max: 2 });
const chainId = Number(env('RAIL_CHAIN_ID'));
const rail = await EvmRail.create({
  sql: pgRailSql(pool),
  provider: evmProvider(env('RAIL_NODE_URL'), chainId),
  chainId,
  signer: LocalKeystoreSigner.fromPrivateKey(env('RAIL_PAYER_KEY')),
  killSwitch: { isEngaged: () => false },
  agentId: 'agent-fault',
  assets: { USDC: { kind: 'erc20', address: env('RAIL_USDC'), decimals: 6 } },
  feeCap: { maxFeePerGas: parseUnits('100', 'gwei'), maxPriorityFeePerGas: parseUnits('5', 'gwei') },
  // Two confirmations (blocks also come every 40 ms) keep payments a while between broadcast and final.
  confirmations: 2,
  pollIntervalMs: 5,
});
const plan = JSON.parse(readFileSync(env('RAIL_PLAN'), 'utf8')) as unknown[];
process.stdout.write('READY\n');
await rail.recover();
for (const intent of plan) await rail.sendCrypto(intent);
process.stdout.write('DONE\n');
await pool.end();
process.exit(0);
