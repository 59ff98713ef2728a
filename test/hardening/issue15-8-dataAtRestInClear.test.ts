/**
 * Issue 15 #8: data and credentials at rest. Creditor IBANs and names were stored in clear in
 * `rail_intents`, outside the personal-data vault; the node's messaging key was stored unsealed
 * beside the data directory; a key file others could read was used as it was.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenBankingRail, SandboxBank } from '../../actors/index.ts';
import type { CreditTransferRequest } from '../../actors/rails/index.ts';
import { canonicalJson } from '../../kernel/index.ts';
import { SecretBox, openStore } from '../../runtime/persistence/index.ts';
import { AgentIdentity } from '../../runtime/index.ts';
import { createRailTestDatabase, type RailTestDatabase } from '../support/evmDatabase.ts';
import { TestKillSwitch } from '../support/evmFixture.ts';
import { openTestStore, type TestStore } from '../support/db.ts';

const IBAN = 'FR1420041010050500013M02606';
const NAME = 'Jeanne Dupont';
const DEBTOR = 'DE89370400440532015000';

let rails: RailTestDatabase;
let t: TestStore;
beforeAll(async () => {
  rails = await createRailTestDatabase('mandate_at_rest');
  t = await openTestStore('postgresql');
});
afterAll(async () => {
  await t?.[Symbol.asyncDispose]();
  await rails?.close();
});

const now = () => new Date('2026-03-02T09:00:00Z');
/** One bank for every rail instance below (each instance stands for one process). */
const bank = new SandboxBank({ balances: { [DEBTOR]: '10000.00' }, settlementLagMs: 3_600_000, now });

function rail(initiate?: (r: CreditTransferRequest) => Promise<unknown>) {
  const seen: CreditTransferRequest[] = [];
  const api = {
    name: bank.name,
    initiate: (r: CreditTransferRequest) => (seen.push(r), initiate ? initiate(r) : bank.initiate(r)),
    status: (id: string) => bank.status(id),
  };
  const r = new OpenBankingRail({
    sql: rails.sql,
    payees: t.store.vault,
    api,
    debtorIban: DEBTOR,
    killSwitch: new TestKillSwitch(),
    agentId: 'agent-payroll',
    now,
  });
  return { rail: r, seen };
}

let n = 0;
const fiat = (over: Record<string, unknown> = {}) => ({
  kind: 'fiat' as const,
  idempotencyKey: `at-rest-${++n}-${Date.now()}`,
  agentId: 'agent-payroll',
  currency: 'EUR',
  amount: '99.10',
  creditor: { name: NAME, iban: IBAN },
  ...over,
});

describe('issue 15 #8: data at rest', () => {
  it('hardening - rail_intents holds a vault pseudonym, never the creditor name or IBAN, and the bank still gets them', async () => {
    const { rail: r, seen } = rail();
    const intent = fiat();
    expect((await r.sendFiat(intent)).status).toBe('submitted');
    const row = (
      await rails.pool.query<{ params: unknown; fingerprint: string; receipt: unknown }>(
        'SELECT params, fingerprint, receipt FROM rail_intents WHERE idempotency_key = $1',
        [intent.idempotencyKey],
      )
    ).rows[0]!;
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(IBAN);
    expect(stored).not.toContain(NAME);
    expect(stored).not.toContain('Dupont');
    const subject = (row.params as { creditor: { subject: string } }).creditor.subject;
    expect(subject).toMatch(/^subj_/);
    // Nor can the IBAN be confirmed from the fingerprint: it is not the hash of the clear intent.
    expect(row.fingerprint).not.toBe(createHash('sha256').update(canonicalJson(intent)).digest('hex'));
    expect(await t.store.vault.get(subject)).toMatchObject({ erased: false, data: { name: NAME, iban: IBAN } });
    expect(seen.at(-1)!.creditor).toEqual({ name: NAME, iban: IBAN });
    // The same intent again is the same payment; the same key with another creditor name is a conflict.
    expect((await r.sendFiat(intent)).status).toBe('submitted');
    expect(seen).toHaveLength(1);
    await expect(r.sendFiat({ ...intent, creditor: { name: 'J. Dupont', iban: IBAN } })).rejects.toMatchObject({
      code: 'MANDATE_ERR_IDEMPOTENCY_CONFLICT',
    });
  });

  it('hardening - a payment recorded before a crash is initiated after it with the creditor from the vault; after erasure it is refused with a code', async () => {
    const dying = rail(() => Promise.reject(new Error('process killed')));
    const intent = fiat();
    await expect(dying.rail.sendFiat(intent)).rejects.toThrow('process killed');
    const restarted = rail();
    const receipts = await restarted.rail.recover();
    expect(receipts.find((x) => x.idempotencyKey === intent.idempotencyKey)!.status).toBe('submitted');
    expect(restarted.seen.at(-1)!.creditor).toEqual({ name: NAME, iban: IBAN });

    const other = fiat({ creditor: { name: 'Paul Martin', iban: 'GB29NWBK60161331926819' } });
    await expect(rail(() => Promise.reject(new Error('process killed'))).rail.sendFiat(other)).rejects.toThrow();
    const subject = (
      await rails.pool.query<{ params: { creditor: { subject: string } } }>(
        'SELECT params FROM rail_intents WHERE idempotency_key = $1',
        [other.idempotencyKey],
      )
    ).rows[0]!.params.creditor.subject;
    await t.store.eraseSubject(subject);
    const afterErasure = rail();
    await expect(afterErasure.rail.recover()).rejects.toMatchObject({ code: 'MANDATE_ERR_RAIL_PAYEE_VAULT' });
    expect(afterErasure.seen).toHaveLength(0);
  });

  it('hardening - a row written before the vault (creditor in clear) is still the same payment', async () => {
    const intent = { ...fiat(), supervisorIds: [] }; // as the rail parsed it
    const { IntentLedger } = await import('../../actors/rails/IntentLedger.ts');
    const old = new IntentLedger(rails.sql); // no vault: the form rows had before
    await old.begin(intent, { rail: `fiat:sandbox-bank:${DEBTOR}`, now: new Date() });
    const { rail: r, seen } = rail();
    expect((await r.sendFiat(intent)).status).toBe('submitted');
    expect(seen.at(-1)!.creditor).toEqual(intent.creditor);
  });

  it('hardening - the node identity file holds the key sealed with the data key; an older clear file is sealed on first read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-identity-'));
    try {
      const file = join(dir, 'node-identity.json');
      const first = await t.store.nodeIdentity(file);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain(first.toJSON().privateKey);
      expect(JSON.parse(text)).toEqual({ did: first.did, sealed: expect.stringMatching(/^v1\./) });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect((await t.store.nodeIdentity(file)).did).toBe(first.did);

      const legacy = AgentIdentity.generate();
      writeFileSync(file, JSON.stringify(legacy.toJSON()), { mode: 0o600 });
      const migrated = await t.store.nodeIdentity(file);
      expect(migrated.did).toBe(legacy.did);
      expect(readFileSync(file, 'utf8')).not.toContain(legacy.toJSON().privateKey);
      expect((await t.store.nodeIdentity(file)).did).toBe(legacy.did);
      // Opened with another data key, the sealed file gives nothing.
      await expect(
        (async () => {
          const { loadNodeIdentity } = await import('../../runtime/persistence/loadNodeIdentity.ts');
          return loadNodeIdentity(file, new SecretBox(new Uint8Array(32).fill(9)));
        })(),
      ).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_SECRET' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hardening - a data key file or node identity others can read is refused at start with a code naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-modes-'));
    try {
      const keyFile = join(dir, 'secret.key');
      SecretBox.load({ keyFile });
      chmodSync(keyFile, 0o644);
      expect(() => SecretBox.load({ keyFile })).toThrowError(
        expect.objectContaining({ code: 'MANDATE_ERR_STORE_FILE_MODE', message: expect.stringContaining(keyFile) }),
      );
      await expect(openStore({ dataDir: join(dir, 'data'), keyFile, env: {} })).rejects.toMatchObject({
        code: 'MANDATE_ERR_STORE_FILE_MODE',
      });
      chmodSync(keyFile, 0o600);
      chmodSync(dir, 0o777);
      expect(() => SecretBox.load({ keyFile })).toThrowError(
        expect.objectContaining({ code: 'MANDATE_ERR_STORE_FILE_MODE', message: expect.stringContaining('go-w') }),
      );
      chmodSync(dir, 0o700);
      const identity = join(dir, 'node-identity.json');
      await t.store.nodeIdentity(identity);
      chmodSync(identity, 0o640);
      await expect(t.store.nodeIdentity(identity)).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_FILE_MODE' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
