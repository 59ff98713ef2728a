/**
 * The contracts the embedded chain deploys and the rails call, as ABI + creation bytecode:
 * Mandate's own (compiled from `contracts/src/` into committed `contracts/artifacts/`, so nothing
 * here needs solc) and the audited third-party ones shipped as build artifacts inside their npm
 * packages (Safe v1.5.0 from `@safe-global/safe-smart-account`, Uniswap V2 and WETH9 from
 * `@uniswap/v2-core` / `@uniswap/v2-periphery`). Imports nothing of ours.
 */
import { createRequire } from 'node:module';
import priceFeed from './artifacts/PriceFeed.json' with { type: 'json' };
import stableToken from './artifacts/StableToken.json' with { type: 'json' };
import yieldVault from './artifacts/YieldVault.json' with { type: 'json' };

/** ABI and creation bytecode of one contract. */
export interface ContractArtifact {
  readonly abi: readonly unknown[];
  readonly bytecode: string;
}

/** Mandate's own contracts: the EIP-3009 stablecoin, the Chainlink-style feed, the ERC-4626 vault. */
export const mandateArtifacts = {
  StableToken: stableToken as ContractArtifact,
  PriceFeed: priceFeed as ContractArtifact,
  YieldVault: yieldVault as ContractArtifact,
} as const;

/** The third-party contracts the embedded chain deploys, by name. */
export type PackagedContract =
  | 'SafeL2'
  | 'SafeProxyFactory'
  | 'CompatibilityFallbackHandler'
  | 'MultiSend'
  | 'MultiSendCallOnly'
  | 'SignMessageLib'
  | 'CreateCall'
  | 'SimulateTxAccessor'
  | 'WETH9'
  | 'UniswapV2Factory'
  | 'UniswapV2Router02'
  | 'UniswapV2Pair';

const SAFE = '@safe-global/safe-smart-account/build/artifacts/contracts/';
const PACKAGED: Record<PackagedContract, string> = {
  SafeL2: `${SAFE}SafeL2.sol/SafeL2.json`,
  SafeProxyFactory: `${SAFE}proxies/SafeProxyFactory.sol/SafeProxyFactory.json`,
  CompatibilityFallbackHandler: `${SAFE}handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json`,
  MultiSend: `${SAFE}libraries/MultiSend.sol/MultiSend.json`,
  MultiSendCallOnly: `${SAFE}libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json`,
  SignMessageLib: `${SAFE}libraries/SignMessageLib.sol/SignMessageLib.json`,
  CreateCall: `${SAFE}libraries/CreateCall.sol/CreateCall.json`,
  SimulateTxAccessor: `${SAFE}accessors/SimulateTxAccessor.sol/SimulateTxAccessor.json`,
  WETH9: '@uniswap/v2-periphery/build/WETH9.json',
  UniswapV2Factory: '@uniswap/v2-core/build/UniswapV2Factory.json',
  UniswapV2Router02: '@uniswap/v2-periphery/build/UniswapV2Router02.json',
  UniswapV2Pair: '@uniswap/v2-core/build/UniswapV2Pair.json',
};

/** Loads a third-party artifact from the package that ships it. */
export function packagedArtifact(name: PackagedContract): ContractArtifact {
  const json = createRequire(import.meta.url)(PACKAGED[name]) as {
    abi: unknown[];
    bytecode?: string;
    evm?: { bytecode: { object: string } };
  };
  const raw = json.bytecode ?? json.evm?.bytecode.object ?? '';
  return { abi: json.abi, bytecode: raw.startsWith('0x') ? raw : `0x${raw}` };
}
