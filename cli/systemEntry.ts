import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './errors.ts';

/**
 * The module URL of the agent system in `dir`: its `index.ts`, else its `index.js`.
 * When the CLI runs from `dist/`, an `index.ts` is loaded by Node's built-in type stripping, so it
 * may use erasable TypeScript only (no enums, no parameter properties) and import `mandate` by name.
 *
 * @example
 * const system = (await import(systemEntry(resolve('examples/treasury')))) as { setup(runtime: MandateRuntime): Promise<unknown> };
 */
export function systemEntry(dir: string): string {
  for (const name of ['index.ts', 'index.js']) {
    const file = join(dir, name);
    if (existsSync(file)) return pathToFileURL(file).href;
  }
  throw new UsageError(
    `"${dir}" has no index.ts or index.js; pass the directory of an agent system, e.g. "mandate run examples/treasury".`,
  );
}
