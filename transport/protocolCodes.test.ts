import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RejectCode } from './errors.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

describe('protocol §6 and the refusal codes', () => {
  it('protocol codes - the §6 table of docs/protocol.md lists exactly the refusal codes the transport raises, each in docs/errors.md', () => {
    const protocol = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
    const start = protocol.indexOf('## 6. Admission');
    const section = protocol.slice(start, protocol.indexOf('\n## ', start + 1));
    const listed = new Set(section.match(/MANDATE_ERR_[A-Z_]+/g) ?? []);
    expect([...listed].sort()).toEqual([...new Set(Object.values(RejectCode))].sort());
    const docs = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    for (const code of listed) expect(docs).toContain(`\`${code}\``);
  });
});
