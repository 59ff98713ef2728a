/**
 * Compiles the Solidity sources in `contracts/src/` with solc-js (a devDependency; the runtime
 * never needs it) into `contracts/artifacts/<Contract>.json` — ABI, creation bytecode, the solc
 * version and a hash of the source — which are committed, so the runtime and the tests deploy the
 * same bytes. `contracts/artifacts.test.ts` recompiles and fails when an artifact is stale.
 *
 * Run: `npm run contracts:compile`.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One committed artifact. */
export interface CompiledArtifact {
  readonly contractName: string;
  readonly sourceFile: string;
  readonly sourceSha256: string;
  readonly solcVersion: string;
  readonly abi: readonly unknown[];
  readonly bytecode: string;
}

const SRC = join(import.meta.dirname, 'src');
const OUT = join(import.meta.dirname, 'artifacts');

/** Compiles every `.sol` file in `contracts/src/`; throws with solc's messages on an error. */
export function compileContracts(): CompiledArtifact[] {
  const files = readdirSync(SRC)
    .filter((f) => f.endsWith('.sol'))
    .sort();
  const sources = Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(SRC, f), 'utf8') }]));
  const require = createRequire(import.meta.url);
  const solc = require('solc') as { compile(input: string): string; version(): string };
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      metadata: { bytecodeHash: 'none', appendCBOR: false },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const artifacts: CompiledArtifact[] = [];
  for (const [file, contracts] of Object.entries(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      if (c.evm.bytecode.object === '') continue; // interfaces
      artifacts.push({
        contractName: name,
        sourceFile: file,
        sourceSha256: createHash('sha256').update(sources[file]!.content).digest('hex'),
        solcVersion: solc.version(),
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
      });
    }
  }
  return artifacts.sort((a, b) => a.contractName.localeCompare(b.contractName));
}

/** The JSON text committed for an artifact (stable formatting, trailing newline). */
export function artifactText(artifact: CompiledArtifact): string {
  return `${JSON.stringify(artifact, null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const a of compileContracts()) {
    writeFileSync(join(OUT, `${a.contractName}.json`), artifactText(a));
    console.log(`contracts/artifacts/${a.contractName}.json (${(a.bytecode.length - 2) / 2} bytes of creation code)`);
  }
}
