import { parseUnits } from 'ethers';
import { EvmRail, SpendingLimits, type RailSql, type ReceiptCache } from 'mandate/actors';
import type { ChainConnection, MandateRuntime } from 'mandate';

/** An agent's limits as its YAML states them (decimal strings per asset). */
export interface AgentLimits {
  readonly perTransaction?: Readonly<Record<string, string>>;
  readonly daily?: Readonly<Record<string, string>>;
}

/**
 * The EVM rail of one agent's own wallet: it signs with the agent's HD-derived key only, asks the
 * runtime's kill switch before every signature, and reserves the agent's own per-transaction and
 * rolling-24h limits in the database before signing (so the chain-side limits hold even if
 * governance's in-memory budgets were bypassed). Both are fenced by the agent's placement lease (the
 * rails share the runtime's database, where `mandate_fence` lives): a node that lost the agent to another
 * node can neither reserve nor sign for it. In-flight payments are recovered on open, by the lease holder.
 */
export async function openAgentRail(options: {
  runtime: MandateRuntime;
  chain: ChainConnection;
  sql: RailSql;
  agentId: string;
  limits: AgentLimits;
  /** Where its final receipts are cached (Redis with `REDIS_URL`). */
  receiptCache?: ReceiptCache | undefined;
}): Promise<EvmRail> {
  const { runtime, chain, sql, agentId, limits } = options;
  // limit_reservations names each payee by its keyed hash under the store's vault key, never in clear.
  const counterpartyKey = runtime.store?.vault?.counterpartyKey;
  if (counterpartyKey === undefined)
    throw new Error(
      `The live rail of "${agentId}" needs the runtime's store: its vault key hashes payees in the limits`,
    );
  const tokens = chain.contracts.tokens;
  const rules = [
    ...Object.entries(limits.perTransaction ?? {}).map(([asset, max]) => ({
      scope: `agent:${agentId}`,
      window: 'transaction',
      unit: 'native',
      asset,
      max,
    })),
    ...Object.entries(limits.daily ?? {}).map(([asset, max]) => ({
      scope: `agent:${agentId}`,
      window: 'rolling-24h',
      unit: 'native',
      asset,
      max,
    })),
  ].filter((r) => tokens[r.asset] !== undefined);
  const rail = await EvmRail.create({
    sql,
    provider: chain.provider(),
    chainId: chain.chainId,
    signer: chain.wallets.forAgent(agentId),
    killSwitch: runtime.railKillSwitch(),
    agentId,
    assets: {
      ...Object.fromEntries(
        Object.entries(tokens).map(([symbol, address]) => [symbol, { kind: 'erc20' as const, address, decimals: 6 }]),
      ),
      ETH: { kind: 'native', decimals: 18 },
    },
    feeCap: { maxFeePerGas: parseUnits('200', 'gwei'), maxPriorityFeePerGas: parseUnits('5', 'gwei') },
    limits: new SpendingLimits({
      sql,
      rules,
      assetDecimals: { ...Object.fromEntries(Object.keys(tokens).map((s) => [s, 6])), ETH: 18 },
      referenceDecimals: 6,
      counterpartyKey,
      now: () => new Date(runtime.clock.now()),
      fenced: true,
    }),
    // Several nodes (MANDATE_PLACEMENT=on): every write and signature carries the agent's lease token.
    fenced: true,
    ...(options.receiptCache === undefined ? {} : { receiptCache: options.receiptCache }),
    pollIntervalMs: 20,
    maxWaitMs: 30_000,
    now: () => new Date(runtime.clock.now()),
  });
  await rail.recover();
  return rail;
}
