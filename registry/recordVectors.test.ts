import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../kernel/index.ts';
import { AgentIdentity } from '../transport/index.ts';
import { RecordBook, type RecordProblem } from './RecordBook.ts';

const file = JSON.parse(readFileSync(new URL('../docs/protocol-vectors.json', import.meta.url), 'utf8')) as {
  records: Array<{
    name: string;
    key: string;
    seed: string | null;
    record: { type?: string; sig?: string };
    canonical: string;
    valid: boolean;
  }>;
};

describe('registry record vectors (docs/protocol-vectors.json)', () => {
  for (const r of file.records) {
    it(`registry vectors - ${r.name}: ${r.valid ? 'used' : 'ignored and reported'}`, () => {
      const problems: RecordProblem[] = [];
      // A fixed clock inside the records' heartbeat window; revocation evidence needs no descriptor in the book.
      const book = new RecordBook({
        clock: { now: () => 1767225615000 },
        ttlMs: 30_000,
        onProblem: (p) => problems.push(p),
      });
      const bytes = new TextEncoder().encode(JSON.stringify(r.record));
      const used =
        r.record.type === 'registry.revocation'
          ? book.putRevocation(r.key, bytes)
          : book.putDescriptor(r.key, bytes, Date.now());
      expect(used !== undefined, r.name).toBe(r.valid);
      expect(problems.length, r.name).toBe(r.valid ? 0 : 1);
      if (r.seed !== null && r.valid) {
        const { sig, ...unsigned } = r.record;
        expect(canonicalJson(unsigned)).toBe(r.canonical);
        const signer = AgentIdentity.fromSeed(new Uint8Array(Buffer.from(r.seed, 'hex')));
        expect(Buffer.from(signer.sign(new TextEncoder().encode(r.canonical))).toString('base64url')).toBe(sig);
      }
    });
  }
});
