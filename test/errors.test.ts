import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', 'dist', 'test-results', '.git', '.mandate', 'compose-schema']);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const CODE = /MANDATE_ERR_[A-Z0-9_]*[A-Z0-9]/g;
/** Codes built from a phase name at run time (`MANDATE_ERR_${phase}_FAILED`). */
const PHASE_CODES = ['PERCEIVE', 'DECIDE', 'PROPOSE', 'ACT', 'LEARN'].map((p) => `MANDATE_ERR_${p}_FAILED`);

describe('error codes', () => {
  const docs = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  const documented = new Set(docs.match(CODE) ?? []);
  const used = new Map<string, string>();
  for (const file of sources(root))
    for (const code of readFileSync(file, 'utf8').match(CODE) ?? []) used.set(code, relative(root, file));

  it('error codes - every code raised in the source is listed in docs/errors.md', () => {
    const missing = [...used].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it('error codes - every code in docs/errors.md exists in the source', () => {
    const stale = [...documented].filter((code) => !used.has(code) && !PHASE_CODES.includes(code));
    expect(stale).toEqual([]);
  });
});
