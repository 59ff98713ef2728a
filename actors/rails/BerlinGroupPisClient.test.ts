import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRailTestDatabase, type RailTestDatabase } from '../../test/support/evmDatabase.ts';
import { TestKillSwitch } from '../../test/support/evmFixture.ts';
import { BerlinGroupPisClient } from './BerlinGroupPisClient.ts';
import { OpenBankingRail } from './OpenBankingRail.ts';

/** A local bank speaking NextGenPSD2: payments keyed by X-Request-ID, statuses set by the test. */
const bank = {
  payments: new Map<string, { id: string; body: Record<string, unknown>; status: string }>(),
  requests: [] as { method: string; url: string; headers: Record<string, unknown> }[],
  broken: false,
};
let server: Server;
let baseUrl: string;
let db: RailTestDatabase;

beforeAll(async () => {
  db = await createRailTestDatabase('mandate_pis');
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      bank.requests.push({ method: req.method!, url: req.url!, headers: req.headers });
      res.setHeader('content-type', 'application/json');
      if (req.headers['authorization'] !== 'Bearer token-1') {
        res.statusCode = 401;
        res.end(JSON.stringify({ tppMessages: [{ category: 'ERROR', code: 'TOKEN_INVALID' }] }));
        return;
      }
      if (bank.broken) return res.end(JSON.stringify({ transactionStatus: 'ACSC' })); // no paymentId
      if (req.method === 'POST' && req.url === '/v1/payments/sepa-credit-transfers') {
        const rid = String(req.headers['x-request-id']);
        const existing = bank.payments.get(rid);
        const p = existing ?? {
          id: `pay-${bank.payments.size + 1}`,
          body: JSON.parse(raw) as Record<string, unknown>,
          status: 'RCVD',
        };
        bank.payments.set(rid, p);
        res.statusCode = 201;
        res.end(
          JSON.stringify({
            transactionStatus: p.status,
            paymentId: p.id,
            transactionFees: { currency: 'EUR', amount: '0.20' },
            _links: { status: { href: `/v1/payments/sepa-credit-transfers/${p.id}/status` } },
          }),
        );
        return;
      }
      const m = /^\/v1\/payments\/sepa-credit-transfers\/([^/]+)\/status$/.exec(req.url!);
      const p = m ? [...bank.payments.values()].find((x) => x.id === m[1]) : undefined;
      if (req.method === 'GET' && p) return res.end(JSON.stringify({ transactionStatus: p.status }));
      res.statusCode = 404;
      res.end(JSON.stringify({ tppMessages: [{ code: 'RESOURCE_UNKNOWN' }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await db?.close();
});

let n = 0;
const intent = () => ({
  kind: 'fiat',
  idempotencyKey: `pis-${++n}-${Date.now()}`,
  agentId: 'agent-payroll',
  currency: 'EUR',
  amount: '310.00',
  creditor: { name: 'Acme SARL', iban: 'FR1420041010050500013M02606' },
  reference: 'INV-2026-114',
});

describe('BerlinGroupPisClient', () => {
  it('open banking - a SEPA credit transfer is initiated in NextGenPSD2 format and followed to settlement', async () => {
    let clock = Date.parse('2026-03-02T09:00:00Z');
    const client = new BerlinGroupPisClient({
      baseUrl,
      name: 'bank-xs2a',
      accessToken: async () => 'token-1',
      psuIpAddress: '192.0.2.10',
    });
    const rail = new OpenBankingRail({
      sql: db.sql,
      api: client,
      debtorIban: 'DE89370400440532013000',
      killSwitch: new TestKillSwitch(),
      agentId: 'agent-payroll',
      recheckAfterMs: 60_000,
      now: () => new Date(clock),
    });
    const sent = await rail.sendFiat(intent());
    expect(sent.status).toBe('submitted');
    expect(sent.rail).toBe('bank-xs2a');
    const stored = bank.payments.get(sent.reference!)!;
    expect(stored.body).toMatchObject({
      endToEndIdentification: sent.reference,
      instructedAmount: { currency: 'EUR', amount: '310.00' },
      creditorAccount: { iban: 'FR1420041010050500013M02606' },
      remittanceInformationUnstructured: 'INV-2026-114',
    });
    expect(bank.requests.at(-1)!.headers['psu-ip-address']).toBe('192.0.2.10');
    stored.status = 'ACSP';
    clock += 60_000;
    expect(await rail.processDue()).toEqual([]);
    stored.status = 'ACCC';
    clock += 60_000;
    const [settled] = await rail.processDue();
    expect(settled?.status).toBe('settled');
    expect(settled?.fees).toEqual([{ asset: 'EUR', amount: '20' }]);
  });

  it('open banking - re-initiation reuses the X-Request-ID; rejections, bad tokens and malformed answers are coded', async () => {
    const client = new BerlinGroupPisClient({
      baseUrl,
      name: 'bank-xs2a',
      accessToken: async () => 'token-1',
      psuIpAddress: '192.0.2.10',
    });
    const req = {
      endToEndId: crypto.randomUUID(),
      debtorIban: 'DE89370400440532013000',
      creditor: { name: 'X', iban: 'FR1420041010050500013M02606' },
      amount: '1.00',
      currency: 'EUR',
    };
    const a = (await client.initiate(req)) as { paymentId: string };
    const b = (await client.initiate(req)) as { paymentId: string };
    expect(b.paymentId).toBe(a.paymentId);
    bank.payments.get(req.endToEndId)!.status = 'RJCT';
    expect(await client.status(a.paymentId)).toMatchObject({ status: 'RJCT' });
    const unauthorised = new BerlinGroupPisClient({
      baseUrl,
      name: 'bank-xs2a',
      accessToken: async () => 'expired',
      psuIpAddress: '192.0.2.10',
    });
    await expect(unauthorised.initiate({ ...req, endToEndId: crypto.randomUUID() })).rejects.toMatchObject({
      code: 'MANDATE_ERR_RAIL_BROADCAST',
      details: { status: 401 },
    });
    bank.broken = true;
    try {
      await expect(client.initiate({ ...req, endToEndId: crypto.randomUUID() })).rejects.toMatchObject({
        code: 'MANDATE_ERR_RAIL_BROADCAST',
      });
    } finally {
      bank.broken = false;
    }
  });
});
