/**
 * Deploys the Safe contracts (v1.5.0 artifacts shipped in `@safe-global/safe-smart-account`)
 * on the local node and returns the `contractNetworks` entry protocol-kit needs for it.
 */
import { createRequire } from 'node:module';
import { NonceManager, type Signer } from 'ethers';
import { deployArtifact, type ContractArtifact } from './evmContracts.ts';

/** protocol-kit's per-chain contract addresses. */
export interface SafeContractNetwork {
  readonly safeSingletonAddress: string;
  readonly safeProxyFactoryAddress: string;
  readonly multiSendAddress: string;
  readonly multiSendCallOnlyAddress: string;
  readonly fallbackHandlerAddress: string;
  readonly signMessageLibAddress: string;
  readonly createCallAddress: string;
  readonly simulateTxAccessorAddress: string;
}

function safeArtifact(path: string): ContractArtifact {
  const require = createRequire(import.meta.url);
  const json = require(`@safe-global/safe-smart-account/build/artifacts/contracts/${path}`) as {
    abi: ContractArtifact['abi'];
    bytecode: string;
  };
  return { abi: json.abi, bytecode: json.bytecode };
}

/** Deploys the Safe singleton (L2 flavour), proxy factory and libraries. */
export async function deploySafeContracts(deployer: Signer): Promise<SafeContractNetwork> {
  const signer = deployer instanceof NonceManager ? deployer : new NonceManager(deployer);
  const deploy = async (path: string) => (await deployArtifact(safeArtifact(path), signer)).target;
  return {
    safeSingletonAddress: await deploy('SafeL2.sol/SafeL2.json'),
    safeProxyFactoryAddress: await deploy('proxies/SafeProxyFactory.sol/SafeProxyFactory.json'),
    multiSendAddress: await deploy('libraries/MultiSend.sol/MultiSend.json'),
    multiSendCallOnlyAddress: await deploy('libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json'),
    fallbackHandlerAddress: await deploy('handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json'),
    signMessageLibAddress: await deploy('libraries/SignMessageLib.sol/SignMessageLib.json'),
    createCallAddress: await deploy('libraries/CreateCall.sol/CreateCall.json'),
    simulateTxAccessorAddress: await deploy('accessors/SimulateTxAccessor.sol/SimulateTxAccessor.json'),
  };
}

/**
 * Deploys a Safe proxy with `owners` and `threshold` through protocol-kit's predicted-Safe
 * flow, sending the deployment from `deployer`. Returns the Safe address.
 */
export async function createTestSafe(options: {
  rpcUrl: string;
  chainId: number;
  contracts: SafeContractNetwork;
  owners: string[];
  threshold: number;
  deployerKey: string;
  deployer: Signer;
}): Promise<string> {
  const require = createRequire(import.meta.url);
  const Safe = (
    require('@safe-global/protocol-kit') as {
      default: {
        init(config: unknown): Promise<{
          getAddress(): Promise<string>;
          createSafeDeploymentTransaction(): Promise<{ to: string; data: string; value: string }>;
        }>;
      };
    }
  ).default;
  const kit = await Safe.init({
    provider: options.rpcUrl,
    signer: options.deployerKey,
    predictedSafe: {
      safeAccountConfig: { owners: options.owners, threshold: options.threshold },
      safeDeploymentConfig: { safeVersion: '1.5.0', saltNonce: String(Date.now()) },
    },
    contractNetworks: { [String(options.chainId)]: options.contracts },
  });
  const tx = await kit.createSafeDeploymentTransaction();
  await (await options.deployer.sendTransaction({ to: tx.to, data: tx.data, value: BigInt(tx.value) })).wait();
  return kit.getAddress();
}
