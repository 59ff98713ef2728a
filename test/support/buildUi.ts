/**
 * The dashboard built for a test: Vite builds ui/ into a fresh temporary directory (so parallel
 * runs never share ui/dist, and no result depends on a stale build); the gateway serves it as `uiDir`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A built dashboard; `close()` (or `await using`) removes it. */
export interface BuiltUi extends AsyncDisposable {
  readonly dir: string;
  close(): Promise<void>;
}

/** Builds the dashboard into a temporary directory. */
export async function buildUi(): Promise<BuiltUi> {
  const { build } = await import('vite');
  const dir = await mkdtemp(join(tmpdir(), 'mandate-ui-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    await build({
      configFile: join(root, 'ui/vite.config.ts'),
      logLevel: 'error',
      build: { outDir: dir, emptyOutDir: true, sourcemap: false },
    });
  } catch (err) {
    await close();
    throw err;
  }
  return { dir, close, [Symbol.asyncDispose]: close };
}
