/**
 * The embedded-chain fixture: a fresh embedded chain in a temp directory with the standard
 * contracts deployed (openChain), the operator funded with both stablecoins, a rails database on
 * the test PostgreSQL, and helpers to fund agents and build their rails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, parseEther, parseUnits } from 'ethers';
import { EvmRail } from '../../actors/rails/EvmRail.ts';
import type { EvmRailOptions } from '../../actors/rails/EvmRailOptions.ts';
import { openChain, type ChainConnection } from '../../runtime/chain/index.ts';
import { mandateArtifacts, packagedArtifact } from '../../contracts/index.ts';
import { createRailTestDatabase, type RailTestDatabase } from './evmDatabase.ts';

/** Chain + database. */
export interface EmbeddedTreasury extends AsyncDisposable {
  readonly chain: ChainConnection;
  readonly db: RailTestDatabase;
  readonly dir: string;
  /** Mints `usdc`/`eurc` (whole units) and 10 ETH to `address`. */
  fund(address: string, amounts: { usdc?: string; eurc?: string }): Promise<void>;
  /** Base units of a token held by `address`. */
  balance(symbol: 'USDC' | 'EURC', address: string): Promise<bigint>;
  /** An EVM rail signing with `agentId`'s HD wallet. */
  rail(agentId: string, overrides?: Partial<EvmRailOptions>): Promise<EvmRail>;
  /** Seeds the USDC/EURC pool with liquidity from the operator. */
  seedPool(usdc: string, eurc: string): Promise<void>;
  close(): Promise<void>;
}

/** Only the chain part: opens (or creates) the embedded chain in `dir` with funding helpers, no database. */
export async function startEmbeddedTreasuryChain(
  dir: string,
  seed: string,
): Promise<Pick<EmbeddedTreasury, 'chain' | 'fund' | 'seedPool'>> {
  const chain = await openChain({ dir, seed, env: {} });
  const helpers = treasuryHelpers(chain);
  return { chain, fund: helpers.fund, seedPool: helpers.seedPool };
}

/** Funding and pool helpers over the operator of `chain`. */
function treasuryHelpers(chain: ChainConnection) {
  const op = chain.operator();
  const token = (symbol: string) =>
    new Contract(chain.contracts.tokens[symbol]!, mandateArtifacts.StableToken.abi as never, op);
  const fund = async (address: string, amounts: { usdc?: string; eurc?: string }) => {
    await (await op.sendTransaction({ to: address, value: parseEther('10') })).wait();
    if (amounts.usdc) await (await token('USDC').getFunction('mint')(address, parseUnits(amounts.usdc, 6))).wait();
    if (amounts.eurc) await (await token('EURC').getFunction('mint')(address, parseUnits(amounts.eurc, 6))).wait();
  };
  const seedPool = async (usdc: string, eurc: string) => {
    const me = await op.getAddress();
    await fund(me, { usdc, eurc });
    const router = chain.contracts.uniswap.router;
    await (await token('USDC').getFunction('approve')(router, parseUnits(usdc, 6))).wait();
    await (await token('EURC').getFunction('approve')(router, parseUnits(eurc, 6))).wait();
    const r = new Contract(router, packagedArtifact('UniswapV2Router02').abi as never, op);
    const deadline = Math.floor(Date.now() / 1000) + 600;
    const { USDC, EURC } = chain.contracts.tokens;
    await (
      await r.getFunction('addLiquidity')(USDC, EURC, parseUnits(usdc, 6), parseUnits(eurc, 6), 0n, 0n, me, deadline)
    ).wait();
  };
  return { token, fund, seedPool };
}

/** Opens a fresh embedded treasury chain. */
export async function startEmbeddedTreasury(options: { dir?: string; keep?: boolean } = {}): Promise<EmbeddedTreasury> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mandate-embedded-'));
  const chain = await openChain({
    dir,
    seed: `0x${'7e'.repeat(32)}`,
    feeds: { EURUSD: { decimals: 8, initial: '1.08', description: 'EUR / USD' } },
    env: {},
  });
  const db = await createRailTestDatabase('mandate_chain');
  const { token, fund, seedPool } = treasuryHelpers(chain);
  const close = async () => {
    await db.close();
    await chain.close();
    if (options.keep !== true) rmSync(dir, { recursive: true, force: true });
  };
  return {
    chain,
    db,
    dir,
    fund,
    seedPool,
    balance: async (symbol, address) => (await token(symbol).getFunction('balanceOf')(address)) as bigint,
    rail: (agentId, overrides = {}) =>
      EvmRail.create({
        sql: db.sql,
        provider: chain.provider(),
        chainId: chain.chainId,
        signer: chain.wallets.forAgent(agentId),
        killSwitch: { isEngaged: () => false },
        agentId,
        assets: {
          USDC: { kind: 'erc20', address: chain.contracts.tokens.USDC!, decimals: 6 },
          EURC: { kind: 'erc20', address: chain.contracts.tokens.EURC!, decimals: 6 },
          ETH: { kind: 'native', decimals: 18 },
        },
        feeCap: { maxFeePerGas: parseUnits('100', 'gwei'), maxPriorityFeePerGas: parseUnits('5', 'gwei') },
        pollIntervalMs: 5,
        ...overrides,
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
