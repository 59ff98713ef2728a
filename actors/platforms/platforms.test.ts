/**
 * The platform adapters against local servers speaking Salesforce's REST API and an SAP Gateway
 * style OData V2 service, and state sync across both: conditional writes, each conflict policy,
 * per-platform results, sessions and CSRF tokens renewed, changes seen by subscribers.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startOData,
  startSalesforce,
  type ODataState,
  type SalesforceState,
  type StoredRecord,
} from '../../test/support/platformServers.ts';
import { createPlatformSyncActuator } from './createPlatformSyncActuator.ts';
import { ODataAdapter } from './ODataAdapter.ts';
import type { PlatformEvent } from './PlatformAdapter.ts';
import { SalesforceAdapter } from './SalesforceAdapter.ts';
import { StateSync, type ConflictPolicy, type SyncConflict } from './StateSync.ts';

const SF_ID = '0015g00000ABCDEAA1';
const rec = (fields: Record<string, unknown>): StoredRecord => ({
  fields,
  version: 1,
  changedAt: '2026-01-01T00:00:00Z',
});
const sf: SalesforceState = {
  clientId: 'cid',
  clientSecret: 'secret',
  records: new Map(),
  tokens: new Set(),
  requests: [],
};
const sap: ODataState = { user: 'MANDATE', password: 'pw', records: new Map(), csrf: new Map(), requests: [] };
const servers: Server[] = [];
let sfUrl: string;
let sapUrl: string;

beforeAll(async () => {
  const a = await startSalesforce(sf);
  const b = await startOData(sap);
  servers.push(a.server, b.server);
  sfUrl = a.url;
  sapUrl = b.url;
});
afterAll(() => servers.forEach((s) => s.close()));
beforeEach(() => {
  sf.records = new Map([[`Invoice__c/${SF_ID}`, rec({ Status__c: 'Open', Amount__c: 1200, Memo__c: 'Q4' })]]);
  sap.records = new Map([['Invoices/INV-7', rec({ Status: 'Open', Amount: '1200.00', Memo: 'Q4' })]]);
  sf.requests = [];
  sap.requests = [];
});

const salesforce = () =>
  new SalesforceAdapter({ loginUrl: sfUrl, clientId: 'cid', clientSecret: 'secret', retries: 0 });
const odata = () => new ODataAdapter({ serviceUrl: sapUrl, auth: { user: 'MANDATE', password: 'pw' }, retries: 0 });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('SalesforceAdapter', () => {
  it('authenticates, reads with the ETag, writes conditionally (412 is a coded conflict), runs a flow', async () => {
    const a = salesforce();
    const row = await a.read('Invoice__c', SF_ID);
    expect(row).toMatchObject({ fields: { Id: SF_ID, Status__c: 'Open' }, version: '"1--gzip"' });
    expect(row.fields).not.toHaveProperty('attributes');
    const paid = await a.write({ type: 'Invoice__c', id: SF_ID, ifMatch: row.version }, { Status__c: 'Paid' });
    expect(paid).toMatchObject({ fields: { Status__c: 'Paid' }, version: '"2--gzip"' });
    await expect(
      a.write({ type: 'Invoice__c', id: SF_ID, ifMatch: row.version }, { Status__c: 'Void' }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_PLATFORM_CONFLICT',
    });
    expect(await a.execute('Approve_Invoice', { invoiceId: SF_ID })).toEqual({ approved: true, invoice: SF_ID });
    await expect(a.execute('Old_Flow', {})).rejects.toMatchObject({
      code: 'MANDATE_ERR_PLATFORM_REQUEST',
      message: expect.stringContaining('no such flow version'),
    });
    expect(sf.requests.filter((r) => r.includes('oauth2'))).toHaveLength(1);
  });

  it('re-authenticates once on an expired session; bad credentials and ids are coded', async () => {
    const a = salesforce();
    await a.read('Invoice__c', SF_ID);
    sf.tokens.clear();
    expect((await a.read('Invoice__c', SF_ID)).fields['Status__c']).toBe('Open');
    expect(sf.requests.filter((r) => r.includes('oauth2'))).toHaveLength(2);
    const wrong = new SalesforceAdapter({ loginUrl: sfUrl, clientId: 'cid', clientSecret: 'nope', retries: 0 });
    await expect(wrong.read('Invoice__c', SF_ID)).rejects.toMatchObject({ code: 'MANDATE_ERR_PLATFORM_AUTH' });
    await expect(a.read('Invoice__c', '../../x')).rejects.toMatchObject({ code: 'MANDATE_ERR_PLATFORM_REQUEST' });
    await expect(a.read('Invoice__c', '0015g00000ZZZZZAA1')).rejects.toMatchObject({
      code: 'MANDATE_ERR_PLATFORM_REQUEST',
      message: expect.stringContaining('NOT_FOUND'),
    });
  });

  it('reports changed records to a subscriber', async () => {
    const a = salesforce();
    await a.authenticate();
    const events: PlatformEvent[] = [];
    const stop = a.subscribe('Invoice__c', (e) => events.push(e), { since: '2026-06-01T00:00:00Z', intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 60));
    expect(events).toEqual([]);
    await a.write({ type: 'Invoice__c', id: SF_ID }, { Memo__c: 'changed' });
    await until(() => events.length > 0);
    stop();
    expect(events[0]).toMatchObject({ type: 'Invoice__c', id: SF_ID });
  });
});

describe('ODataAdapter', () => {
  it('fetches a CSRF token with its cookie, reads V2 entities with their ETag, writes conditionally, runs a function import', async () => {
    const a = odata();
    const inv = await a.read('Invoices', 'INV-7');
    expect(inv).toMatchObject({ fields: { Status: 'Open', Amount: '1200.00' }, version: `W/"datetimeoffset'1'"` });
    expect(inv.fields).not.toHaveProperty('__metadata');
    const paid = await a.write({ type: 'Invoices', id: 'INV-7', ifMatch: inv.version }, { Status: 'Paid' });
    expect(paid.fields['Status']).toBe('Paid');
    await expect(
      a.write({ type: 'Invoices', id: 'INV-7', ifMatch: inv.version }, { Status: 'Void' }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_PLATFORM_CONFLICT',
    });
    expect(await a.execute('ReleaseInvoice', { InvoiceId: 'INV-7' })).toEqual({ Released: true, InvoiceId: 'INV-7' });
    expect(sap.requests.filter((r) => r === 'GET /sap/opu/odata/sap/API_TEST/')).toHaveLength(1);
  });

  it('fetches a new CSRF token once when the session expired; bad credentials are coded', async () => {
    const a = odata();
    await a.write({ type: 'Invoices', id: 'INV-7' }, { Memo: 'one' });
    sap.csrf.clear();
    await a.write({ type: 'Invoices', id: 'INV-7' }, { Memo: 'two' });
    expect(sap.records.get('Invoices/INV-7')!.fields['Memo']).toBe('two');
    expect(sap.requests.filter((r) => r === 'GET /sap/opu/odata/sap/API_TEST/')).toHaveLength(2);
    const wrong = new ODataAdapter({ serviceUrl: sapUrl, auth: { user: 'MANDATE', password: 'x' }, retries: 0 });
    await expect(wrong.authenticate()).rejects.toMatchObject({ code: 'MANDATE_ERR_PLATFORM_AUTH' });
    await expect(a.read('Invoices', 'INV-404')).rejects.toMatchObject({
      code: 'MANDATE_ERR_PLATFORM_REQUEST',
      message: expect.stringContaining('Resource not found'),
    });
    await expect(a.read("Invoices') or 1 eq 1 or ('", 'x')).rejects.toMatchObject({
      code: 'MANDATE_ERR_PLATFORM_REQUEST',
    });
  });

  it('reports changed entities by their change time, keys read from __metadata', async () => {
    sap.records.set("Invoices/O'BRIEN-1", rec({ Status: 'Open' }));
    const a = odata();
    const events: PlatformEvent[] = [];
    const stop = a.subscribe('Invoices', (e) => events.push(e), { since: '2026-06-01T00:00:00Z', intervalMs: 20 });
    await a.write({ type: 'Invoices', id: "O'BRIEN-1" }, { Status: 'Paid' });
    await until(() => events.length > 0);
    stop();
    expect(events[0]).toMatchObject({ type: 'Invoices', id: "O'BRIEN-1" });
  });
});

describe('StateSync', () => {
  const sync = (
    policy: ConflictPolicy,
    ask?: (c: SyncConflict) => Promise<'remote' | 'local' | { fields: Record<string, unknown> }>,
  ) =>
    new StateSync({
      adapters: { salesforce: salesforce(), sap: odata() },
      entities: {
        'invoice-7': [
          { platform: 'salesforce', type: 'Invoice__c', id: SF_ID },
          { platform: 'sap', type: 'Invoices', id: 'INV-7' },
        ],
      },
      policy,
      ...(ask === undefined ? {} : { ask }),
    });
  const remoteEdit = () => {
    // Someone edits both platforms after the agent synced.
    Object.assign(sf.records.get(`Invoice__c/${SF_ID}`)!, { version: 9 });
    sf.records.get(`Invoice__c/${SF_ID}`)!.fields['Memo__c'] = 'edited in Salesforce';
    Object.assign(sap.records.get('Invoices/INV-7')!, { version: 9 });
    sap.records.get('Invoices/INV-7')!.fields['Status'] = 'Blocked';
  };

  it('propagates a change to every platform with one result each', async () => {
    const s = sync('merge');
    await s.pull('invoice-7');
    const results = await s.propagate('invoice-7', { Status: 'Paid' });
    expect(results.map((r) => [r.platform, r.status])).toEqual([
      ['salesforce', 'written'],
      ['sap', 'written'],
    ]);
    expect(s.view('invoice-7', 'sap')?.fields['Status']).toBe('Paid');
  });

  it('merge keeps their other edits and applies ours; a field both changed is a conflict, nothing written', async () => {
    const s = sync('merge');
    await s.pull('invoice-7');
    remoteEdit();
    const [onSf, onSap] = await s.propagate('invoice-7', { Status__c: 'Paid', Status: 'Paid' });
    expect(onSf).toMatchObject({ status: 'merged', conflicts: [] });
    expect(sf.records.get(`Invoice__c/${SF_ID}`)!.fields).toMatchObject({
      Status__c: 'Paid',
      Memo__c: 'edited in Salesforce',
    });
    expect(onSap).toMatchObject({ status: 'conflict', conflicts: ['Status'] });
    expect(sap.records.get('Invoices/INV-7')!.fields['Status']).toBe('Blocked');
  });

  it('remote-wins keeps theirs, local-wins writes ours over theirs', async () => {
    const keep = sync('remote-wins');
    await keep.pull('invoice-7');
    remoteEdit();
    const [, kept] = await keep.propagate('invoice-7', { Status: 'Paid' });
    expect(kept).toMatchObject({ status: 'kept-remote', conflicts: ['Status'] });
    expect(sap.records.get('Invoices/INV-7')!.fields['Status']).toBe('Blocked');
    expect(keep.view('invoice-7', 'sap')?.fields['Status']).toBe('Blocked');

    const force = sync('local-wins');
    await force.pull('invoice-7');
    sap.records.get('Invoices/INV-7')!.version += 1;
    const [, overwritten] = await force.propagate('invoice-7', { Status: 'Paid' });
    expect(overwritten).toMatchObject({ status: 'overwritten' });
    expect(sap.records.get('Invoices/INV-7')!.fields['Status']).toBe('Paid');
  });

  it('ask hands the conflict to a human and applies the answer', async () => {
    const asked: SyncConflict[] = [];
    const s = sync('ask', async (c) => {
      asked.push(c);
      return { fields: { Status: 'Paid', Memo: 'paid; block lifted by ops' } };
    });
    await s.pull('invoice-7');
    remoteEdit();
    const [, onSap] = await s.propagate('invoice-7', { Status: 'Paid' });
    expect(onSap).toMatchObject({ status: 'resolved', conflicts: ['Status'] });
    expect(asked.find((c) => c.target.platform === 'sap')).toMatchObject({
      base: { Status: 'Open' },
      local: { Status: 'Paid' },
      remote: { Status: 'Blocked' },
      fields: ['Status'],
    });
    expect(sap.records.get('Invoices/INV-7')!.fields).toMatchObject({
      Status: 'Paid',
      Memo: 'paid; block lifted by ops',
    });
  });

  it('a platform that fails is one failed result; the others are still written', async () => {
    const s = sync('merge');
    await s.pull('invoice-7');
    sap.password = 'rotated';
    const results = await s.propagate('invoice-7', { Status: 'Paid' });
    sap.password = 'pw';
    expect(results[0]).toMatchObject({ platform: 'salesforce', status: 'written' });
    expect(results[1]).toMatchObject({
      platform: 'sap',
      status: 'failed',
      error: { code: 'MANDATE_ERR_PLATFORM_AUTH' },
    });
  });

  it('refuses a mapping without an adapter, an ask policy without ask, an unknown entity', async () => {
    expect(
      () =>
        new StateSync({ adapters: {}, entities: { x: [{ platform: 'sap', type: 'T', id: '1' }] }, policy: 'merge' }),
    ).toThrow(expect.objectContaining({ code: 'MANDATE_ERR_PLATFORM_CONFIG' }));
    expect(() => sync('ask')).toThrow(/no ask function/);
    await expect(sync('merge').propagate('invoice-8', {})).rejects.toMatchObject({
      code: 'MANDATE_ERR_PLATFORM_CONFIG',
    });
  });
});

describe('createPlatformSyncActuator', () => {
  const sync = () =>
    new StateSync({
      adapters: { salesforce: salesforce(), sap: odata() },
      entities: {
        'invoice-7': [
          { platform: 'salesforce', type: 'Invoice__c', id: SF_ID },
          { platform: 'sap', type: 'Invoices', id: 'INV-7' },
        ],
      },
      policy: 'merge',
    });
  const action = (params: Record<string, unknown>) => ({ type: 'platform.sync', capability: 'platform.write', params });
  const ctx = { agentId: 'a', decisionId: 'd', idempotencyKey: 'k', mode: 'live' as const, now: 0 };

  it('succeeds when every platform took the change, fails naming the platform that did not', async () => {
    const act = createPlatformSyncActuator(sync());
    const prepared = await act.prepare!(action({ entity: 'invoice-7', fields: { Status: 'Paid' } }), ctx);
    expect(prepared).toMatchObject({ entity: 'invoice-7', platforms: [{ type: 'Invoice__c' }, { type: 'Invoices' }] });
    const done = await act.execute(action({ entity: 'invoice-7', fields: { Status: 'Paid' } }), ctx);
    expect(done).toMatchObject({
      status: 'succeeded',
      receipt: { results: [{ status: 'written' }, { status: 'written' }] },
    });
    sap.records.get('Invoices/INV-7')!.version += 1;
    sap.records.get('Invoices/INV-7')!.fields['Status'] = 'Blocked';
    const lost = await act.execute(action({ entity: 'invoice-7', fields: { Status: 'Void' } }), ctx);
    expect(lost).toMatchObject({
      status: 'failed',
      error: { code: 'MANDATE_ERR_PLATFORM_CONFLICT', message: expect.stringContaining('sap (conflict)') },
    });
    await expect(act.execute(action({ entity: 'invoice-7' }), ctx)).rejects.toMatchObject({
      code: 'MANDATE_ERR_PLATFORM_CONFIG',
    });
  });
});
