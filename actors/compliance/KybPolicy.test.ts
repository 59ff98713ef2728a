/**
 * The counterparty check: a list file (reloaded on change, a broken edit keeping the last good
 * list), an HTTP provider against a local server speaking its format, and the policy's verdicts —
 * sanctions and blocked jurisdictions deny, verified passes, unknown / pending / expired /
 * unreachable ask a human — with answers cached until the earlier of the TTL and the expiry.
 */
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proposal } from '../policies/SupervisorPolicy.ts';
import { FileKybProvider } from './FileKybProvider.ts';
import { HttpKybProvider } from './HttpKybProvider.ts';
import { KybPolicy } from './KybPolicy.ts';
import type { KybAnswer, KybProvider } from './KybProvider.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const LIST = `counterparties:
  acme-gmbh: { status: verified, jurisdiction: DE, verifiedAt: 2026-06-01T00:00:00Z, expiresAt: 2027-06-01T00:00:00Z }
  lapsed-ltd: { status: verified, jurisdiction: GB, expiresAt: 2026-11-30T00:00:00Z }
  onboarding-sa: { status: pending, reference: C-17 }
  shell-co: { status: rejected, reference: C-9 }
  pyongyang-trading: { status: verified, jurisdiction: KP }
sanctions:
  - { name: Évil Corp, aliases: [EvilCorp Holdings], list: OFAC SDN }
  - { name: Mixer Operator, list: OFAC SDN, addresses: ["0x8589427373D6D84E98730D7795D8f6f8731FDA16"] }
`;

const payment = (counterparty: string | undefined, capability = 'payments.send'): Proposal => ({
  agentId: 'payables',
  group: 'default',
  capabilities: [capability],
  decision: { id: 'd1', action: null, confidence: 1, rationale: '', rulesFired: [], model: null },
  action: {
    type: 'payment.send',
    capability,
    amount: { value: '100', asset: 'USDC' },
    ...(counterparty === undefined ? {} : { counterparty }),
    params: {},
  },
  facts: {},
  at: NOW,
});

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kyb-'));
  file = join(dir, 'kyb.yaml');
  await writeFile(file, LIST);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('KybPolicy over a list file', () => {
  it('denies sanctioned names (accents, case, punctuation ignored), listed addresses, blocked jurisdictions and rejections', async () => {
    let now = NOW;
    const policy = new KybPolicy({
      provider: await FileKybProvider.open(file),
      clock: { now: () => now },
      blockedJurisdictions: ['KP', 'IR'],
    });
    const verdict = async (c: string) => (await policy.evaluate(payment(c))).result;
    expect(await verdict('acme-gmbh')).toEqual({ status: 'approved', reason: 'acme-gmbh is KYB-verified (DE)' });
    expect(await verdict('EVIL CORP')).toMatchObject({
      status: 'denied',
      reason: expect.stringContaining('OFAC SDN entry "Évil Corp"'),
    });
    expect(await verdict('evilcorp-holdings')).toMatchObject({ status: 'denied' });
    expect(await verdict('0x8589427373d6d84e98730d7795d8f6f8731fda16')).toMatchObject({
      status: 'denied',
      reason: expect.stringContaining('Mixer Operator'),
    });
    expect(await verdict('pyongyang-trading')).toMatchObject({
      status: 'denied',
      reason: expect.stringContaining('KP, a blocked jurisdiction'),
    });
    expect(await verdict('shell-co')).toMatchObject({
      status: 'denied',
      reason: expect.stringContaining('rejected (case C-9)'),
    });
    expect(await verdict('onboarding-sa')).toMatchObject({
      status: 'pending',
      reason: expect.stringContaining('still pending'),
    });
    expect(await verdict('lapsed-ltd')).toMatchObject({
      status: 'pending',
      reason: expect.stringContaining('expired on 2026-11-30'),
    });
    expect(await verdict('nobody-knows')).toMatchObject({
      status: 'pending',
      reason: expect.stringContaining('no KYB record'),
    });
    // A verification that lapses while cached is judged again at its expiry.
    now = Date.parse('2027-06-01T00:00:01Z');
    expect(await verdict('acme-gmbh')).toMatchObject({ status: 'pending', reason: expect.stringContaining('expired') });
  });

  it('checks only actions with a counterparty (and, if set, only the named capabilities)', async () => {
    const policy = new KybPolicy({ provider: await FileKybProvider.open(file), capabilities: ['payments.send'] });
    expect((await policy.evaluate(payment(undefined))).check).toBeUndefined();
    expect((await policy.evaluate(payment('EVIL CORP', 'notes.write'))).result.status).toBe('approved');
    expect((await policy.evaluate(payment('EVIL CORP'))).result.status).toBe('denied');
  });

  it('follows edits to the file; a broken edit keeps the last good list and says why', async () => {
    const f = join(dir, 'edit.yaml');
    await writeFile(f, LIST);
    const provider = await FileKybProvider.open(f);
    expect((await provider.lookup('onboarding-sa')).record?.status).toBe('pending');
    await writeFile(f, LIST.replace('onboarding-sa: { status: pending', 'onboarding-sa: { status: verified'));
    await utimes(f, new Date(), new Date(Date.now() + 5_000));
    expect((await provider.lookup('onboarding-sa')).record?.status).toBe('verified');
    await writeFile(f, 'counterparties:\n  x: { status: maybe }\n');
    await utimes(f, new Date(), new Date(Date.now() + 10_000));
    expect((await provider.lookup('onboarding-sa')).record?.status).toBe('verified');
    expect(provider.lastReloadError).toMatchObject({
      code: 'MANDATE_ERR_KYB_CONFIG',
      message: expect.stringContaining('counterparties.x.status'),
    });
  });

  it('refuses a malformed list or setting at start, naming the entry', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'counterparties:\n  acme: { status: verified, jurisdiction: Germany }\n');
    await expect(FileKybProvider.open(bad)).rejects.toMatchObject({
      code: 'MANDATE_ERR_KYB_CONFIG',
      message: expect.stringContaining('counterparties.acme.jurisdiction'),
    });
    await expect(FileKybProvider.open(join(dir, 'missing.yaml'))).rejects.toMatchObject({
      code: 'MANDATE_ERR_KYB_CONFIG',
    });
    expect(
      () =>
        new KybPolicy({
          provider: { name: 'x', lookup: async () => ({ sanctions: [] }) },
          blockedJurisdictions: ['north korea'],
        }),
    ).toThrow(expect.objectContaining({ code: 'MANDATE_ERR_KYB_CONFIG' }));
  });
});

describe('KybPolicy caching', () => {
  it('reuses answers for the TTL, unknowns for less, and never caches a failure', async () => {
    let now = NOW;
    let calls = 0;
    let fail = false;
    const answers: Record<string, KybAnswer> = { known: { record: { status: 'verified' }, sanctions: [] } };
    const provider: KybProvider = {
      name: 'counting',
      lookup: async (c) => {
        calls += 1;
        if (fail) throw Object.assign(new Error('provider down'), { code: 'MANDATE_ERR_KYB_UNAVAILABLE' });
        return answers[c] ?? { sanctions: [] };
      },
    };
    const policy = new KybPolicy({ provider, clock: { now: () => now }, cacheTtlMs: 60_000, unknownTtlMs: 5_000 });
    expect((await policy.check('known')).cached).toBe(false);
    expect((await policy.check('known')).cached).toBe(true);
    await policy.check('stranger');
    now += 6_000;
    await policy.check('stranger');
    expect(calls).toBe(3);
    now += 60_000;
    fail = true;
    const down = await policy.check('known');
    expect(down).toMatchObject({
      verdict: 'review',
      status: 'unknown',
      error: { code: 'MANDATE_ERR_KYB_UNAVAILABLE' },
    });
    fail = false;
    expect(await policy.check('known')).toMatchObject({ verdict: 'clear', cached: false });
  });
});

describe('HttpKybProvider', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  let flaky = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.headers.authorization} ${req.url}`);
      const id = decodeURIComponent(req.url!.replace('/v1/counterparties/', ''));
      if (id === 'flaky' && flaky++ === 0) return void res.writeHead(503).end();
      const body: Record<string, unknown> = {
        'acme gmbh': { status: 'verified', jurisdiction: 'DE', expiresAt: '2027-06-01T00:00:00Z' },
        flaky: { status: 'verified' },
        'evil corp': {
          status: 'verified',
          sanctions: [{ list: 'EU consolidated', name: 'Evil Corp', matched: 'evil corp' }],
        },
        garbled: { status: 'great' },
      };
      if (id === 'down') return void res.writeHead(500).end('oops');
      if (!(id in body)) return void res.writeHead(404).end();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body[id]));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it('reads records and matches, 404 as unknown, retries a 503, refuses garbage and errors with a code', async () => {
    const provider = new HttpKybProvider({ baseUrl: url, apiKey: 'k1', retries: 1 });
    expect(await provider.lookup('acme gmbh')).toEqual({
      record: { status: 'verified', jurisdiction: 'DE', expiresAt: '2027-06-01T00:00:00Z' },
      sanctions: [],
    });
    expect(seen[0]).toBe('Bearer k1 /v1/counterparties/acme%20gmbh');
    expect(await provider.lookup('unknown')).toEqual({ sanctions: [] });
    expect((await provider.lookup('flaky')).record?.status).toBe('verified');
    await expect(provider.lookup('garbled')).rejects.toMatchObject({
      code: 'MANDATE_ERR_KYB_UNAVAILABLE',
      message: expect.stringContaining('status'),
    });
    await expect(provider.lookup('down')).rejects.toMatchObject({
      code: 'MANDATE_ERR_KYB_UNAVAILABLE',
      message: expect.stringContaining('HTTP 500'),
    });
    const policy = new KybPolicy({ provider, clock: { now: () => NOW } });
    expect((await policy.evaluate(payment('evil corp'))).result).toMatchObject({
      status: 'denied',
      reason: expect.stringContaining('EU consolidated'),
    });
    expect((await policy.evaluate(payment('down'))).result).toMatchObject({
      status: 'pending',
      reason: expect.stringContaining('could not answer'),
    });
  });
});
