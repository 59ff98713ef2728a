/**
 * Deploys, on first start, everything the treasury rails use: two EIP-3009 stablecoins (USDC,
 * EURC), the Safe v1.5.0 suite (singleton, proxy factory, fallback handler and libraries), WETH9 +
 * Uniswap V2 (factory, router) with a USDC/EURC pair, an ERC-4626 vault over USDC, and one
 * Chainlink-style feed per requested pair. Third-party contracts come from the build artifacts
 * their npm packages ship; Mandate's own from the committed `contracts/artifacts/`.
 */
import { Contract, ContractFactory, NonceManager, parseUnits, type Signer } from 'ethers';
import {
  mandateArtifacts,
  packagedArtifact,
  type ContractArtifact,
  type PackagedContract,
} from '../../contracts/index.ts';
import type { ChainContracts } from './ChainContracts.ts';

/** A feed to deploy: decimals and the first answer (decimal string, e.g. `"1.085"`). */
export interface FeedSpec {
  readonly decimals: number;
  readonly initial: string;
  readonly description: string;
}

async function deploy(signer: Signer, artifact: ContractArtifact, args: unknown[] = []): Promise<string> {
  const factory = new ContractFactory(artifact.abi as never, artifact.bytecode, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract.getAddress();
}

/** Deploys the set from `operator` (it becomes the tokens' minter and the feeds' reporter). */
export async function deployChainContracts(
  operator: Signer,
  chainId: number,
  feeds: Readonly<Record<string, FeedSpec>>,
): Promise<ChainContracts> {
  const signer = operator instanceof NonceManager ? operator : new NonceManager(operator);
  const me = await signer.getAddress();
  const pkg = (name: PackagedContract, args: unknown[] = []) => deploy(signer, packagedArtifact(name), args);
  const tokens = {
    USDC: await deploy(signer, mandateArtifacts.StableToken, ['USD Coin', 'USDC']),
    EURC: await deploy(signer, mandateArtifacts.StableToken, ['Euro Coin', 'EURC']),
  };
  const safe = {
    safeSingletonAddress: await pkg('SafeL2'),
    safeProxyFactoryAddress: await pkg('SafeProxyFactory'),
    fallbackHandlerAddress: await pkg('CompatibilityFallbackHandler'),
    multiSendAddress: await pkg('MultiSend'),
    multiSendCallOnlyAddress: await pkg('MultiSendCallOnly'),
    signMessageLibAddress: await pkg('SignMessageLib'),
    createCallAddress: await pkg('CreateCall'),
    simulateTxAccessorAddress: await pkg('SimulateTxAccessor'),
  };
  const weth = await pkg('WETH9');
  const factory = await pkg('UniswapV2Factory', [me]);
  const router = await pkg('UniswapV2Router02', [factory, weth]);
  const f = new Contract(factory, packagedArtifact('UniswapV2Factory').abi as never, signer);
  await (await f.getFunction('createPair').send(tokens.USDC, tokens.EURC)).wait();
  const pair = String(await f.getFunction('getPair')(tokens.USDC, tokens.EURC));
  const vault = await deploy(signer, mandateArtifacts.YieldVault, [tokens.USDC, 'Mandate USDC Vault', 'mvUSDC']);
  const deployedFeeds: ChainContracts['feeds'] = {};
  for (const [pairName, spec] of Object.entries(feeds)) {
    const answer = parseUnits(spec.initial, spec.decimals);
    deployedFeeds[pairName] = {
      address: await deploy(signer, mandateArtifacts.PriceFeed, [spec.decimals, spec.description, answer]),
      decimals: spec.decimals,
    };
  }
  return {
    chainId,
    tokens,
    safe,
    uniswap: { factory, router, weth },
    pools: { 'USDC/EURC': pair },
    vaults: { USDC: vault },
    feeds: deployedFeeds,
  };
}
