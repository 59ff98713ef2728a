/**
 * Starts a real local EVM node for tests: Hardhat 3's EDR simulated network, served over
 * HTTP JSON-RPC on a random 127.0.0.1 port. It runs fully offline (EDR ships as a native npm
 * package), supports `evm_snapshot`/`evm_revert`/`evm_setAutomine`/`evm_mine`, and is disposed
 * with `await node.close()` or `await using`.
 */
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Wallet } from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';

/** Hardhat's well-known development mnemonic: its accounts are pre-funded on the node. */
export const EVM_TEST_MNEMONIC = 'test test test test test test test test test test test junk';

/** A funded development account of the local node. */
export interface EvmTestAccount {
  /** Checksummed address. */
  readonly address: string;
  /** 0x-prefixed private key (test-only key, publicly known). */
  readonly privateKey: string;
}

/** A running local EVM node. */
export interface EvmNode extends AsyncDisposable {
  /** HTTP JSON-RPC endpoint, e.g. `http://127.0.0.1:40871`. */
  readonly url: string;
  /** Chain id the node reports. */
  readonly chainId: number;
  /** The pre-funded development accounts (index 0 is the deployer by convention). */
  readonly accounts: readonly EvmTestAccount[];
  /** A new ethers provider for this node (no request batching). */
  provider(): JsonRpcProvider;
  /** A wallet for account `index`, connected to a new provider. */
  wallet(index: number): Wallet;
  /** Stops the node. */
  close(): Promise<void>;
}

/** Options of {@link startEvmNode}. */
export interface StartEvmNodeOptions {
  /** Chain id; default 31337. */
  readonly chainId?: number;
}

/** Returns the development account `index` derived from {@link EVM_TEST_MNEMONIC}. */
export function evmTestAccount(index: number): EvmTestAccount {
  const w = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(EVM_TEST_MNEMONIC), `m/44'/60'/0'/0/${index}`);
  return { address: w.address, privateKey: w.privateKey };
}

/** Creates a JSON-RPC provider that sends every call at once (ethers would otherwise wait to batch). */
export function evmProvider(url: string, chainId: number): JsonRpcProvider {
  return new JsonRpcProvider(url, chainId, { batchMaxCount: 1, staticNetwork: true, pollingInterval: 50 });
}

/**
 * Starts a Hardhat 3 EDR node on 127.0.0.1 and a random port.
 * @example
 * await using node = await startEvmNode();
 * const balance = await node.provider().getBalance(node.accounts[0].address);
 */
export async function startEvmNode(options: StartEvmNodeOptions = {}): Promise<EvmNode> {
  const chainId = options.chainId ?? 31337;
  const hre = await createHardhatRuntimeEnvironment({
    networks: { default: { type: 'edr-simulated', chainId, accounts: { mnemonic: EVM_TEST_MNEMONIC, count: 10 } } },
  });
  const server = await hre.network.createServer('default', '127.0.0.1', 0);
  const { port } = await server.listen();
  const url = `http://127.0.0.1:${port}`;
  const accounts = Array.from({ length: 10 }, (_, i) => evmTestAccount(i));
  const providers: JsonRpcProvider[] = [];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const p of providers) p.destroy();
    await server.close();
  };
  return {
    url,
    chainId,
    accounts,
    provider() {
      const p = evmProvider(url, chainId);
      providers.push(p);
      return p;
    },
    wallet(index: number) {
      const account = accounts[index];
      if (account === undefined) throw new Error(`evmNode: no development account ${index}; use 0..9`);
      const p = evmProvider(url, chainId);
      providers.push(p);
      return new Wallet(account.privateKey, p);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
