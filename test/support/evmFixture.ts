/**
 * The shared fixture of the rail tests: a local EVM node with TestUSDC deployed and minted to
 * a payer account, a fresh rails database, and a factory for {@link EvmRail}s over them.
 */
import { Contract, NonceManager, parseUnits } from 'ethers';
import { EvmRail } from '../../actors/rails/EvmRail.ts';
import type { EvmRailOptions } from '../../actors/rails/EvmRailOptions.ts';
import { LocalKeystoreSigner } from '../../actors/wallets/LocalKeystoreSigner.ts';
import type { KillSwitch } from '../../actors/wallets/TransactionSigner.ts';
import { compileTestContracts, deployTestUsdc } from './evmContracts.ts';
import { createRailTestDatabase, type RailTestDatabase } from './evmDatabase.ts';
import { startEvmNode, type EvmNode } from './evmNode.ts';

/** A kill switch tests flip. */
export class TestKillSwitch implements KillSwitch {
  engaged = false;
  checks = 0;
  isEngaged(): boolean {
    this.checks += 1;
    return this.engaged;
  }
}

/** Node + database + USDC. */
export interface RailFixture extends AsyncDisposable {
  readonly node: EvmNode;
  readonly db: RailTestDatabase;
  readonly usdc: string;
  /** Index of the funded payer account (holds 1,000,000 USDC). */
  readonly payerIndex: number;
  /** Reads a USDC balance in base units. */
  usdcBalance(address: string): Promise<bigint>;
  /** A rail paying from the payer account; options override the defaults. */
  rail(overrides?: Partial<EvmRailOptions>): Promise<EvmRail>;
  close(): Promise<void>;
}

/** Starts everything the rail tests need. */
export async function startRailFixture(payerIndex = 1): Promise<RailFixture> {
  const node = await startEvmNode();
  let db: RailTestDatabase | undefined;
  try {
    db = await createRailTestDatabase();
    const deployer = new NonceManager(node.wallet(0));
    const usdc = await deployTestUsdc(deployer);
    const token = new Contract(usdc, compileTestContracts()['TestUSDC']!.abi, deployer);
    await (await token.getFunction('mint')(node.accounts[payerIndex]!.address, parseUnits('1000000', 6))).wait();
    const reader = node.provider();
    const readToken = new Contract(usdc, compileTestContracts()['TestUSDC']!.abi, reader);
    const database = db;
    const close = async (): Promise<void> => {
      await database.close();
      await node.close();
    };
    return {
      node,
      db: database,
      usdc,
      payerIndex,
      usdcBalance: async (address) => (await readToken.getFunction('balanceOf')(address)) as bigint,
      rail: (overrides = {}) =>
        EvmRail.create({
          sql: database.sql,
          provider: node.provider(),
          chainId: node.chainId,
          signer: LocalKeystoreSigner.fromPrivateKey(node.accounts[payerIndex]!.privateKey),
          killSwitch: new TestKillSwitch(),
          agentId: 'agent-treasurer',
          assets: { USDC: { kind: 'erc20', address: usdc, decimals: 6 }, ETH: { kind: 'native', decimals: 18 } },
          feeCap: { maxFeePerGas: parseUnits('100', 'gwei'), maxPriorityFeePerGas: parseUnits('5', 'gwei') },
          pollIntervalMs: 20,
          ...overrides,
        }),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await db?.close();
    await node.close();
    throw error;
  }
}
