/**
 * Runs the benchmarks in bench/ one after another (each in its own process, so
 * they do not share a heap or a JIT): `npm run bench` for all, or
 * `npm run bench -- runtime messaging` for some. Each prints its own ratios
 * against the raw library it wraps.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ALL = [
  'runtime',
  'decisions',
  'persistence',
  'messaging',
  'rails',
  'chain',
  'gateway',
  'observability',
  'mcp',
  'x402',
  'placement',
  'passivation',
  'sandbox',
  'series',
];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
let failed = 0;
for (const name of wanted) {
  const file = join(import.meta.dirname, `${name}.bench.ts`);
  if (!existsSync(file)) {
    console.error(`no benchmark "${name}" (known: ${ALL.join(', ')})`);
    failed++;
    continue;
  }
  console.log(`\n### ${name}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--conditions=mandate-source', '--import', 'tsx', file], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
