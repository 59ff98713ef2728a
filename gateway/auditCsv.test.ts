import { describe, expect, it } from 'vitest';
import { auditCsv, auditCsvRow, csvCell } from './auditCsv.ts';
import type { AuditEntry } from './RuntimeApi.ts';

const HASH = 'ab'.repeat(32);
const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  seq: 7,
  who: { kind: 'human', id: 'alice' },
  action: 'operator.pause',
  subject: 'treasury-1',
  where: 'node-a',
  why: 'rate looks wrong, "checking"',
  data: { currency: 'USDC' },
  at: Date.UTC(2026, 10, 21, 12, 0, 0),
  agentId: 'treasury-1',
  currency: 'USDC',
  counterparty: null,
  status: null,
  prevHash: '0'.repeat(64),
  hash: HASH,
  ...over,
});

async function collect(gen: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of gen) out += chunk;
  return out;
}

describe('gateway - audit CSV', () => {
  it('gateway - quotes commas, quotes and newlines per RFC 4180', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('gateway - defuses spreadsheet formulas', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('@cmd')).toBe(`"'@cmd"`);
  });

  it('gateway - one row per entry with ISO time, filter columns, JSON data and the chain hash, under a header', async () => {
    async function* entries() {
      yield entry();
      yield entry({ seq: 8, why: 'ok' });
    }
    const text = await collect(auditCsv(entries(), () => false));
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'seq,at,who_kind,who_id,action,subject,where,why,agent,currency,counterparty,status,data,hash',
    );
    expect(lines[1]).toBe(
      `7,2026-11-21T12:00:00.000Z,human,alice,operator.pause,treasury-1,node-a,"rate looks wrong, ""checking""",treasury-1,USDC,,,"{""currency"":""USDC""}",${HASH}`,
    );
    expect(lines[2]?.startsWith('8,')).toBe(true);
    expect(lines).toHaveLength(4);
    expect(auditCsvRow(entry()).endsWith('\r\n')).toBe(true);
  });

  it('gateway - a truncated export says so in its last line', async () => {
    async function* none() {}
    expect(await collect(auditCsv(none(), () => true))).toContain('export truncated');
  });
});
