import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, auditColumns, auditEntryHash, chainEntries, parseAuditInput } from './auditEntry.ts';

const input = (n: number) => ({
  who: { kind: 'agent' as const, id: 'did:key:z6Mk' },
  action: 'agent.act.succeeded',
  subject: `a-${n}`,
  where: 'node',
  why: 'w',
  data: { n, asset: 'USDC' },
  at: n,
});

describe('audit entries', () => {
  it('audit - entries chain from the genesis hash, each carrying the previous hash', () => {
    const chain = chainEntries({ seq: 0, hash: GENESIS_HASH }, [input(1), input(2), input(3)]);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(chain[0]!.prevHash).toBe(GENESIS_HASH);
    expect(chain[1]!.prevHash).toBe(chain[0]!.hash);
    expect(chain[2]!.prevHash).toBe(chain[1]!.hash);
    for (const e of chain) expect(auditEntryHash(e)).toBe(e.hash);
  });

  it('audit - changing any hashed field changes the hash', () => {
    const [e] = chainEntries({ seq: 0, hash: GENESIS_HASH }, [input(1)]);
    fc.assert(
      fc.property(
        fc.constantFrom('seq', 'at', 'action', 'subject', 'where', 'why', 'prevHash', 'who', 'data'),
        fc.string({ minLength: 1 }),
        (field, value) => {
          const changed = {
            ...e!,
            [field]:
              field === 'seq' || field === 'at'
                ? e![field] + 1
                : field === 'who'
                  ? { kind: 'human', id: value }
                  : field === 'data'
                    ? { ...e!.data, x: value }
                    : `${String(e![field as 'why'])}${value}`,
          };
          expect(auditEntryHash(changed as typeof e & object)).not.toBe(e!.hash);
        },
      ),
    );
  });

  it('audit - filter columns are derived from the data', () => {
    expect(
      auditColumns({
        action: 'agent.act.failed',
        subject: 'payer',
        data: { asset: 'EUR', counterparty: 'subj_1', status: 'failed' },
      }),
    ).toEqual({
      agentId: 'payer',
      currency: 'EUR',
      counterparty: 'subj_1',
      status: 'failed',
    });
    expect(
      auditColumns({ action: 'operator.pause', subject: 'payer', data: { agentId: 'x', currency: 'USD' } }),
    ).toMatchObject({ agentId: 'x', currency: 'USD', counterparty: null });
  });

  it('audit - inputs with personal data, non-JSON data or bad shape are refused with MANDATE_ERR_AUDIT_INPUT', () => {
    for (const bad of [
      { ...input(1), data: { beneficiary: { IBAN: 'DE89370400440532013000' } } },
      { ...input(1), data: { list: [{ e_mail: 'a@b.c' }] } },
      { ...input(1), data: { counterparty: { id: 'x' } } },
      { ...input(1), data: { n: Number.POSITIVE_INFINITY } },
      { ...input(1), who: { kind: 'robot', id: 'x' } },
      { ...input(1), at: -1 },
      // Lone surrogates: jsonb refuses them and text columns turn them into U+FFFD, so the hash could never be re-verified.
      { ...input(1), data: { note: 'x\ud800' } },
      { ...input(1), why: 'broken \udc00 text' },
    ]) {
      expect(() => parseAuditInput(bad), JSON.stringify(bad)).toThrowError(
        expect.objectContaining({ code: 'MANDATE_ERR_AUDIT_INPUT' }),
      );
    }
    expect(parseAuditInput({ ...input(1), data: { b: 1, a: { d: 2, c: 3 } } }).data).toEqual({
      a: { c: 3, d: 2 },
      b: 1,
    });
  });
});
