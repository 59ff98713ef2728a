import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_UI_DIR } from './createGateway.ts';
import { findUiDir } from './findUiDir.ts';

const root = join(import.meta.dirname, '..');

describe('findUiDir', () => {
  it('gateway - the default dashboard directory is ui/dist at the package root, from the sources and from dist/', () => {
    expect(DEFAULT_UI_DIR).toBe(join(root, 'ui', 'dist'));
    expect(findUiDir(pathToFileURL(join(root, 'dist', 'gateway', 'createGateway.js')))).toBe(join(root, 'ui', 'dist'));
  });

  it('gateway - an installed copy finds its own ui/dist, not the ui/dist of the project that installed it', async () => {
    const project = await mkdtemp(join(tmpdir(), 'mandate-ui-dir-'));
    try {
      const installed = join(project, 'node_modules', 'mandate');
      await mkdir(join(installed, 'dist', 'gateway'), { recursive: true });
      await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer' }));
      await writeFile(join(installed, 'package.json'), JSON.stringify({ name: 'mandate' }));
      expect(findUiDir(pathToFileURL(join(installed, 'dist', 'gateway', 'createGateway.js')))).toBe(
        join(installed, 'ui', 'dist'),
      );
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
