/**
 * The audit PDF read back with a real PDF parser (pdfjs-dist): every page repeats the header and
 * says "page i of n", rows carry amount, currency, counterparty, status and hash, and the heading
 * names the filters and the chain's verification.
 */
import { describe, expect, it } from 'vitest';
import { pdfPages as pages } from '../test/support/pdfText.ts';
import { auditPdf, PDF_HASH_DIGITS, type AuditPdfTitle } from './auditPdf.ts';
import type { AuditEntry } from './RuntimeApi.ts';

const T0 = Date.UTC(2026, 11, 1, 9, 30);
const entry = (seq: number): AuditEntry => ({
  seq,
  at: T0 + seq * 1000,
  who: { kind: 'agent', id: 'payables' },
  action: 'agent.payment.send.succeeded',
  subject: `INV-${1000 + seq}`,
  where: 'node-1',
  why: seq % 7 === 0 ? 'a long reason '.repeat(30) : `paid invoice ${seq}`,
  data: { amount: `${seq}.50`, currency: 'USDC', counterparty: `cp-${seq}` },
  agentId: 'payables',
  currency: 'USDC',
  counterparty: `cp-${seq}`,
  status: 'succeeded',
  prevHash: 'p'.repeat(64),
  hash: (seq.toString(16).padStart(4, '0') + 'ab').repeat(11).slice(0, 64),
});

async function* list(n: number): AsyncGenerator<AuditEntry> {
  for (let i = 1; i <= n; i++) yield entry(i);
}

const verdict = {
  ok: true,
  entries: 120,
  head: { seq: 120, hash: 'h'.repeat(64) },
  checkpoints: 2,
  latestCheckpoint: null,
  breaks: [],
  checkedAt: T0 + 500_000,
};

const title = (over: Partial<AuditPdfTitle> = {}): AuditPdfTitle => ({
  filters: { currency: 'USDC', minAmount: '10', from: T0 },
  generatedAt: T0 + 600_000,
  truncated: () => false,
  chain: { verdict, ranForReport: true },
  ...over,
});

describe('audit PDF', () => {
  it('audit pdf - every page repeats the header and numbers itself; rows carry amount, currency, counterparty, status, hash', async () => {
    const text = await pages(await auditPdf(list(120), title()));
    expect(text.length).toBeGreaterThan(2);
    text.forEach((page, i) => {
      for (const column of ['When (UTC)', 'Amount', 'Currency', 'Counterparty', 'Status', 'Hash'])
        expect(page, `page ${i + 1} header`).toContain(column);
      expect(page).toContain(`Page ${i + 1} of ${text.length}`);
    });
    const all = text.join(' ');
    for (const seq of [1, 60, 120]) {
      expect(all).toContain(`${seq}.50`);
      expect(all).toContain(`cp-${seq}`);
      expect(all).toContain(entry(seq).hash.slice(0, PDF_HASH_DIGITS));
      expect(all).toContain(`INV-${1000 + seq}`);
    }
    expect(all).not.toContain(entry(1).hash.slice(0, PDF_HASH_DIGITS + 1));
    expect(text[0]).toContain('Filters: currency=USDC, minAmount=10, from=2026-12-01 09:30:00');
    expect(text[0]).toContain(
      'Chain verified for this report at 2026-12-01 09:38:20 UTC: 120 entries, head seq 120, 2 signed checkpoints.',
    );
    expect(text.at(-1)).toContain('120 entries');
    // Whole words: no column too narrow for its action or hash.
    expect(all).toContain('agent.payment.send.succeeded');
  });

  it('audit pdf - one entry is "1 entry"; no filters, a broken chain and an unverified one are said so', async () => {
    const broken = {
      verdict: {
        ...verdict,
        ok: false,
        breaks: [{ seq: 7, reason: 'hash-mismatch' as const, message: 'entry 7 was edited' }],
      },
      ranForReport: false,
    };
    const one = (await pages(await auditPdf(list(1), title({ filters: {}, chain: broken })))).join(' ');
    expect(one).toContain('1 entry');
    expect(one).not.toContain('1 entries');
    expect(one).toContain('Filters: none (every entry)');
    expect(one).toContain(
      'Chain BROKEN at seq 7 (hash-mismatch): entry 7 was edited (checked last at 2026-12-01 09:38:20 UTC).',
    );
    expect(one).toContain('Page 1 of 1');
    const none = (await pages(await auditPdf(list(0), title({ chain: { unverified: 'no store to verify' } })))).join(
      ' ',
    );
    expect(none).toContain('Chain not verified for this report: no store to verify.');
    expect(none).toContain('0 entries');
  });
});
