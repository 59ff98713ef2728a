/**
 * Opens the chain a live runtime pays on: the embedded chain under the data directory by
 * default, or any EVM chain at `EVM_RPC_URL` with the operator key from an encrypted keystore
 * (`MANDATE_OPERATOR_KEYSTORE`, `MANDATE_OPERATOR_KEYSTORE_PASSWORD`). Contracts are deployed on
 * first start and their addresses kept beside the chain (`contracts.json`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonRpcProvider, NonceManager, Wallet, parseEther, type JsonRpcApiProvider, type Signer } from 'ethers';
import { HdWallets } from '../../actors/index.ts';
import { parseOrThrow } from '../../kernel/index.ts';
import { chainContractsSchema, type ChainContracts } from './ChainContracts.ts';
import { deployChainContracts, type FeedSpec } from './deployChainContracts.ts';
import { EmbeddedChain } from './EmbeddedChain.ts';
import { ChainConfigError } from './errors.ts';
import type { Eip1193Request } from './InProcessProvider.ts';

/** A chain the runtime's rails pay on. */
export interface ChainConnection {
  readonly kind: 'embedded' | 'rpc';
  readonly chainId: number;
  /** For the start banner: which chain this is. */
  readonly description: string;
  readonly contracts: ChainContracts;
  /** Agents' accounts (and the operator's), derived from the node seed. */
  readonly wallets: HdWallets;
  /** `agentId`'s own address (what the runtime publishes in its registry descriptor). */
  walletOf(agentId: string): string;
  /** True when the contracts were deployed by this start (the example funds its agents then). */
  readonly firstStart: boolean;
  /** What protocol-kit takes as `provider`: the RPC URL, or the embedded chain's EIP-1193 object. */
  readonly eip1193: string | { request: Eip1193Request };
  /** A new ethers provider on the chain (no request batching). */
  provider(): JsonRpcApiProvider;
  /** The operator as an ethers signer (one nonce manager for the whole process: use only this one). */
  operator(): Signer;
  close(): Promise<void>;
}

/** Options of {@link openChain}. */
export interface OpenChainOptions {
  /** Directory for the embedded chain and the contract addresses (e.g. `.mandate/chain`). */
  readonly dir: string;
  /** The node's wallet seed (the store's `walletSeed()`). */
  readonly seed: string;
  /** Feeds to deploy on first start, by pair. */
  readonly feeds?: Readonly<Record<string, FeedSpec>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
}

/** Opens the embedded chain, or the one at `EVM_RPC_URL`. */
export async function openChain(options: OpenChainOptions): Promise<ChainConnection> {
  const env = options.env ?? process.env;
  const wallets = HdWallets.fromSeed(options.seed);
  mkdirSync(options.dir, { recursive: true });
  const rpcUrl = env.EVM_RPC_URL;
  if (rpcUrl === undefined || rpcUrl === '') {
    const operatorKey = wallets.operatorKey();
    const operatorAddress = new Wallet(operatorKey).address;
    const chain = await EmbeddedChain.open({
      dir: options.dir,
      balances: { [operatorAddress]: parseEther('1000000') },
      now: options.now,
    });
    const operator = new NonceManager(new Wallet(operatorKey, chain.provider()));
    const connect = (): Signer => operator;
    const { contracts, firstStart } = await ensureContracts({ options, chainId: chain.chainId, operator: connect });
    return {
      kind: 'embedded',
      chainId: chain.chainId,
      description: `embedded EVM (Hardhat EDR, in process) chain ${chain.chainId} in ${chain.dir}, block ${chain.head.n}${chain.replayed > 0 ? ` (${chain.replayed} blocks replayed)` : ''}`,
      contracts,
      wallets,
      walletOf: (id) => wallets.addressOf(id),
      firstStart,
      eip1193: { request: chain.request },
      provider: () => chain.provider(),
      operator: connect,
      close: () => chain.close(),
    };
  }
  const providers: JsonRpcProvider[] = [];
  const provider = (): JsonRpcProvider => {
    const p = new JsonRpcProvider(rpcUrl, undefined, { batchMaxCount: 1, pollingInterval: 250 });
    providers.push(p);
    return p;
  };
  let chainId: number;
  try {
    chainId = Number((await provider().getNetwork()).chainId);
  } catch (cause) {
    throw new ChainConfigError(
      `EVM_RPC_URL "${rpcUrl}" does not answer eth_chainId; check the URL and that the node runs`,
      { cause },
    );
  }
  const operatorKey = await keystoreKey(env);
  const operator = new NonceManager(new Wallet(operatorKey, provider()));
  const connect = (): Signer => operator;
  const { contracts, firstStart } = await ensureContracts({
    options,
    chainId,
    operator: connect,
    file: `contracts-${chainId}.json`,
  });
  return {
    kind: 'rpc',
    chainId,
    description: `EVM chain ${chainId} at EVM_RPC_URL ${rpcUrl}`,
    contracts,
    wallets,
    walletOf: (id) => wallets.addressOf(id),
    firstStart,
    eip1193: rpcUrl,
    provider,
    operator: connect,
    close: async () => providers.forEach((p) => p.destroy()),
  };
}

async function ensureContracts({
  options,
  chainId,
  operator,
  file = 'contracts.json',
}: {
  options: OpenChainOptions;
  chainId: number;
  operator: () => Signer;
  /** The deployment record's file name in `options.dir`. */
  file?: string;
}): Promise<{ contracts: ChainContracts; firstStart: boolean }> {
  const path = join(options.dir, file);
  if (existsSync(path)) {
    const contracts = parseOrThrow(chainContractsSchema, JSON.parse(readFileSync(path, 'utf8')), {
      what: `contract addresses in ${path}`,
      error: ChainConfigError,
      fix: 'restore the file, or move the chain directory away to deploy anew',
    });
    if (contracts.chainId !== chainId)
      throw new ChainConfigError(
        `${path} lists contracts of chain ${contracts.chainId}, but the chain is ${chainId}; point EVM_RPC_URL at chain ${contracts.chainId} or use another data directory`,
      );
    return { contracts, firstStart: false };
  }
  const contracts = await deployChainContracts(operator(), chainId, options.feeds ?? {});
  writeFileSync(path, `${JSON.stringify(contracts, null, 2)}\n`);
  return { contracts, firstStart: true };
}

async function keystoreKey(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const file = env.MANDATE_OPERATOR_KEYSTORE;
  const password = env.MANDATE_OPERATOR_KEYSTORE_PASSWORD;
  if (file === undefined || password === undefined)
    throw new ChainConfigError(
      'EVM_RPC_URL is set but no operator key: set MANDATE_OPERATOR_KEYSTORE (a Web3 Secret Storage JSON file) and MANDATE_OPERATOR_KEYSTORE_PASSWORD',
    );
  try {
    return (await Wallet.fromEncryptedJson(readFileSync(file, 'utf8'), password)).privateKey;
  } catch (cause) {
    throw new ChainConfigError(
      `MANDATE_OPERATOR_KEYSTORE "${file}" does not open with MANDATE_OPERATOR_KEYSTORE_PASSWORD: ${(cause as Error).message}`,
      { cause },
    );
  }
}
