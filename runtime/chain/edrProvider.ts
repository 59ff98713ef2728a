/**
 * Hardhat's EDR (the Rust EVM behind Hardhat 3, published as `@nomicfoundation/edr` with a
 * native build per platform) as an in-process provider: no Hardhat CLI, no server, no port.
 * Loaded on first use only, so a runtime that never opens the embedded chain never loads it.
 */
import type { EdrContext, Provider } from '@nomicfoundation/edr';
import { ChainConfigError } from './errors.ts';

type Edr = typeof import('@nomicfoundation/edr');

let loaded: Promise<{ edr: Edr; context: EdrContext }> | undefined;

/** EDR allows one context per process; every embedded chain of the process shares it. */
function edrContext(): Promise<{ edr: Edr; context: EdrContext }> {
  loaded ??= (async () => {
    let edr: Edr;
    try {
      edr = await import('@nomicfoundation/edr');
    } catch (cause) {
      throw new ChainConfigError(
        `the embedded chain needs @nomicfoundation/edr with its native build for ${process.platform}-${process.arch} (an optional dependency): install without --omit=optional, or set EVM_RPC_URL to use another chain (${(cause as Error).message.split('\n')[0]})`,
        { cause },
      );
    }
    const context = new edr.EdrContext();
    await context.registerProviderFactory(edr.L1_CHAIN_TYPE, edr.l1ProviderFactory());
    return { edr, context };
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

/** What a new EDR chain starts with. */
export interface EdrGenesis {
  readonly chainId: number;
  /** Seconds since the epoch of the genesis block. */
  readonly genesisTime: number;
  /** Pre-funded accounts: address → wei (decimal string). */
  readonly balances: Readonly<Record<string, string>>;
  readonly hardfork: string;
}

/** Creates a fresh EDR L1 chain (automine, FIFO mempool, EIP-1559 from a 1 gwei base fee). */
export async function createEdrProvider(genesis: EdrGenesis): Promise<Provider> {
  const { edr, context } = await edrContext();
  const accounts = Object.entries(genesis.balances).map(([address, wei]) => ({
    address: Buffer.from(address.slice(2), 'hex'),
    balance: BigInt(wei),
  }));
  return context.createProvider(
    edr.L1_CHAIN_TYPE,
    {
      allowBlocksWithSameTimestamp: true,
      allowUnlimitedContractSize: false,
      bailOnCallFailure: true,
      bailOnTransactionFailure: false,
      chainId: BigInt(genesis.chainId),
      coinbase: Buffer.alloc(20),
      defaultTransactionGasLimit: 30_000_000n,
      genesisState: [...edr.l1GenesisState(edr.l1HardforkFromString(genesis.hardfork)), ...accounts],
      hardfork: genesis.hardfork,
      initialBaseFeePerGas: 1_000_000_000n,
      minGasPrice: 0n,
      mining: { autoMine: true, blockGasLimit: 60_000_000n, memPool: { order: edr.MineOrdering.Fifo } },
      network: { genesisBlockGasLimit: 60_000_000n, genesisBlockTime: BigInt(genesis.genesisTime) },
      networkId: BigInt(genesis.chainId),
      observability: {},
      ownedAccounts: [],
      precompileOverrides: [],
    },
    { enable: false, decodeConsoleLogInputsCallback: () => [], printLineCallback: () => {} },
    { subscriptionCallback: () => {} },
    new edr.ContractDecoder(),
  );
}
