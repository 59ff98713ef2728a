/**
 * Test contracts for the local EVM node: compiles the Solidity sources in `test/contracts/`
 * with solc-js (the wasm compiler shipped on npm, no download) and deploys them, plus the
 * pre-compiled Uniswap V2 artifacts shipped inside `@uniswap/v2-core` / `@uniswap/v2-periphery`.
 * Compiled output is cached in the OS temp folder keyed by a hash of the sources.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractFactory, type BaseContract, type InterfaceAbi, type Signer } from 'ethers';

/** ABI and creation bytecode of one contract. */
export interface ContractArtifact {
  readonly abi: InterfaceAbi;
  readonly bytecode: string;
}

const CONTRACTS_DIR = join(import.meta.dirname, '..', 'contracts');
const SOURCES = ['TestUSDC.sol', 'MockV3Aggregator.sol'] as const;

/** Compiles (or loads from cache) every contract in `test/contracts/`, by contract name. */
export function compileTestContracts(): Record<string, ContractArtifact> {
  const sources: Record<string, { content: string }> = {};
  for (const file of SOURCES) sources[file] = { content: readFileSync(join(CONTRACTS_DIR, file), 'utf8') };
  const require = createRequire(import.meta.url);
  const solcVersion = (require('solc/package.json') as { version: string }).version;
  const hash = createHash('sha256').update(solcVersion).update(JSON.stringify(sources)).digest('hex').slice(0, 16);
  const cachePath = join(tmpdir(), `mandate-test-contracts-${hash}.json`);
  if (existsSync(cachePath)) return JSON.parse(readFileSync(cachePath, 'utf8')) as Record<string, ContractArtifact>;
  const solc = require('solc') as { compile(input: string): string };
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: InterfaceAbi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const artifacts: Record<string, ContractArtifact> = {};
  for (const file of Object.values(output.contracts)) {
    for (const [name, c] of Object.entries(file))
      artifacts[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  }
  writeFileSync(cachePath, JSON.stringify(artifacts));
  return artifacts;
}

/** Loads a pre-compiled artifact shipped in an npm package (`@uniswap/v2-core/build/UniswapV2Factory.json`). */
export function packagedArtifact(specifier: string): ContractArtifact {
  const require = createRequire(import.meta.url);
  const json = require(specifier) as { abi: InterfaceAbi; bytecode?: string; evm?: { bytecode: { object: string } } };
  const raw = json.bytecode ?? json.evm?.bytecode.object ?? '';
  return { abi: json.abi, bytecode: raw.startsWith('0x') ? raw : `0x${raw}` };
}

/** Deploys `artifact` from `signer` and waits until it is mined. */
export async function deployArtifact(
  artifact: ContractArtifact,
  signer: Signer,
  args: unknown[] = [],
): Promise<BaseContract & { readonly target: string }> {
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract as BaseContract & { readonly target: string };
}

/** Deploys the 6-decimals TestUSDC and returns its address. */
export async function deployTestUsdc(signer: Signer): Promise<string> {
  const c = await deployArtifact(compileTestContracts()['TestUSDC']!, signer);
  return c.target;
}
