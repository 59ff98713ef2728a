import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built dashboard (`ui/dist`) of the mandate package that `moduleUrl` belongs to. It walks up
 * to the nearest `package.json` named `mandate`, so the answer is the same whether the gateway runs
 * from the sources (`gateway/`), from the build (`dist/gateway/`) or from an installed copy
 * (`node_modules/mandate/dist/gateway/`). Without such a package.json it falls back to `../ui/dist`.
 */
export function findUiDir(moduleUrl: string | URL): string {
  for (let dir = dirname(fileURLToPath(moduleUrl)); ; dir = dirname(dir)) {
    if (isMandatePackage(join(dir, 'package.json'))) return join(dir, 'ui', 'dist');
    if (dirname(dir) === dir) return fileURLToPath(new URL('../ui/dist/', moduleUrl));
  }
}

function isMandatePackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'mandate';
  } catch {
    return false;
  }
}
