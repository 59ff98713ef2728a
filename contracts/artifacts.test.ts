import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactText, compileContracts } from './compileContracts.ts';
import { mandateArtifacts, packagedArtifact } from './index.ts';

describe('contracts', () => {
  it('contracts - the committed artifacts are exactly what solc makes of the sources (run npm run contracts:compile)', () => {
    const compiled = compileContracts();
    const committed = readdirSync(join(import.meta.dirname, 'artifacts')).filter((f) => f.endsWith('.json'));
    expect(committed.sort()).toEqual(compiled.map((a) => `${a.contractName}.json`).sort());
    for (const a of compiled)
      expect(readFileSync(join(import.meta.dirname, 'artifacts', `${a.contractName}.json`), 'utf8')).toBe(
        artifactText(a),
      );
  });

  it('contracts - the runtime loads its own and the packaged artifacts without solc', () => {
    expect(mandateArtifacts.StableToken.bytecode).toMatch(/^0x[0-9a-f]{1000,}$/);
    const abi = mandateArtifacts.StableToken.abi as { name?: string }[];
    for (const fn of ['transferWithAuthorization', 'cancelAuthorization', 'authorizationState', 'DOMAIN_SEPARATOR'])
      expect(abi.some((e) => e.name === fn)).toBe(true);
    expect(packagedArtifact('SafeL2').bytecode.length).toBeGreaterThan(1000);
    expect(packagedArtifact('UniswapV2Router02').bytecode.length).toBeGreaterThan(1000);
  });
});
