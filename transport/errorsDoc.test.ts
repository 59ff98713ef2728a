import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const sources = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(root, dir, f), 'utf8'));

describe('messaging error codes', () => {
  it('errors - every code raised in transport, registry and kernel is documented in docs/errors.md, and every documented messaging code exists', () => {
    const code = new Set(
      [...sources('transport'), ...sources('registry'), ...sources('kernel')].flatMap(
        (s) => s.match(/MANDATE_ERR_[A-Z_]+/g) ?? [],
      ),
    );
    const docs = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    const start = docs.indexOf('## Messaging, registry and coordination');
    expect(start).toBeGreaterThan(0);
    const end = docs.indexOf('\n## ', start + 1);
    const section = docs.slice(start, end === -1 ? undefined : end);
    // Only this area's families: rows of other areas may follow in the same table.
    const ours = /^MANDATE_ERR_(ENVELOPE|TRANSPORT|REGISTRY|TASK|CANONICAL|HANDLER)_/;
    const documented = new Set((section.match(/MANDATE_ERR_[A-Z_]+/g) ?? []).filter((c) => ours.test(c)));
    // Codes of other areas this code only forwards (e.g. a contractor reporting a perceiver failure) are documented there.
    const undocumented = [...code].filter((c) => !docs.includes(`\`${c}\``));
    expect(undocumented).toEqual([]);
    expect([...documented].filter((c) => !code.has(c))).toEqual([]);
    expect(documented.size).toBeGreaterThanOrEqual(20);
  });
});

describe('protocol §6 and the refusal codes', () => {
  it('errors - the §6 table of docs/protocol.md lists exactly the refusal codes the transport raises, each in docs/errors.md', async () => {
    const { RejectCode } = await import('./errors.ts');
    const protocol = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
    const start = protocol.indexOf('## 6. Admission');
    const section = protocol.slice(start, protocol.indexOf('\n## ', start + 1));
    const listed = new Set(section.match(/MANDATE_ERR_[A-Z_]+/g) ?? []);
    expect([...listed].sort()).toEqual([...new Set(Object.values(RejectCode))].sort());
    const docs = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    for (const code of listed) expect(docs).toContain(`\`${code}\``);
  });
});
