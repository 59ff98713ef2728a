import { request } from 'node:http';
import { SimulatedClock } from 'xstate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../runtime/index.ts';
import { startGatewayFixture, type GatewayFixture } from '../test/e2e/gatewayFixture.ts';
import { createGateway } from './createGateway.ts';
import type { Role } from './roles.ts';
import { TokenStore } from './TokenStore.ts';
import { pdfPages } from '../test/support/pdfText.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

/** One gateway request of a test: method, path and query, and the JSON body if any. */
interface ApiRequest {
  method: string;
  url: string;
  body?: unknown;
}

async function api(
  role: Role,
  { method, url, body }: ApiRequest,
): Promise<{ status: number; body: any; headers: Headers; raw: Buffer }> {
  const response = await fetch(fx.url + url, {
    method,
    headers: {
      authorization: `Bearer ${fx.tokens[role]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const raw = Buffer.from(await response.arrayBuffer());
  let parsed: any;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, headers: response.headers, raw };
}

async function auditOf(action: string): Promise<any[]> {
  return (await api('observer', { method: 'GET', url: `/api/audit?action=${encodeURIComponent(action)}&limit=500` }))
    .body.entries;
}

describe('gateway - operator overrides through the API', () => {
  it('gateway - pause and resume change the agent and land in the audit log with who and why', async () => {
    const paused = await api('operator', {
      method: 'POST',
      url: '/api/agents/fx-rebalancer/pause',
      body: { reason: 'month-end freeze' },
    });
    expect(paused.status).toBe(200);
    expect(paused.body.agent).toMatchObject({ id: 'fx-rebalancer', paused: true });
    expect((await api('observer', { method: 'GET', url: '/api/agents/fx-rebalancer' })).body.paused).toBe(true);
    const [entry] = await auditOf('operator.pause');
    expect(entry).toMatchObject({
      who: { kind: 'human', id: 'operator' },
      subject: 'fx-rebalancer',
      why: 'month-end freeze',
    });

    const resumed = await api('operator', {
      method: 'POST',
      url: '/api/agents/fx-rebalancer/resume',
      body: { reason: 'books closed' },
    });
    expect(resumed.status).toBe(200);
    expect(fx.runtime.getAgent('fx-rebalancer')?.paused).toBe(false);
    expect((await auditOf('operator.resume'))[0]).toMatchObject({ who: { id: 'operator' }, why: 'books closed' });
  });

  it('gateway - an override the agent state refuses is a 409 with the runtime code', async () => {
    const res = await api('operator', {
      method: 'POST',
      url: '/api/agents/fx-rebalancer/resume',
      body: { reason: 'not paused' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('MANDATE_ERR_STATE_CONFLICT');
  });

  it('gateway - an admin stops an agent for good; stopping it again is a conflict', async () => {
    const res = await api('admin', {
      method: 'POST',
      url: '/api/agents/statement-reconciler/stop',
      body: { reason: 'parser under repair' },
    });
    expect(res.status).toBe(200);
    expect(fx.runtime.getAgent('statement-reconciler')?.state).toBe('stopped');
    expect((await auditOf('operator.stop'))[0]).toMatchObject({
      who: { id: 'admin' },
      subject: 'statement-reconciler',
    });
    expect(
      (await api('admin', { method: 'POST', url: '/api/agents/statement-reconciler/stop', body: { reason: 'again' } }))
        .status,
    ).toBe(409);
  });

  it('gateway - the kill switch stops every agent in scope; only an admin releases it', async () => {
    const engaged = await api('operator', {
      method: 'POST',
      url: '/api/kill-switch',
      body: {
        action: 'engage',
        scope: { all: true },
        reason: 'suspicious outflow',
      },
    });
    expect(engaged.status).toBe(200);
    expect(engaged.body.all).toBe(true);
    const agents = (await api('observer', { method: 'GET', url: '/api/agents' })).body.agents as Array<{
      id: string;
      killed: boolean;
      state: string;
    }>;
    for (const a of agents.filter((x) => x.state !== 'stopped')) expect(a.killed).toBe(true);
    expect(
      (
        await api('operator', {
          method: 'POST',
          url: '/api/kill-switch',
          body: { action: 'release', scope: { all: true }, reason: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(fx.runtime.killSwitchState().all).toBe(true);
    const released = await api('admin', {
      method: 'POST',
      url: '/api/kill-switch',
      body: {
        action: 'release',
        scope: { all: true },
        reason: 'false alarm',
      },
    });
    expect(released.body.all).toBe(false);
    expect(fx.runtime.getAgent('payables')?.killed).toBe(false);
    expect((await auditOf('operator.killswitch.engage'))[0]).toMatchObject({
      who: { id: 'operator' },
      why: 'suspicious outflow',
    });
  });
});

describe('gateway - agent listing', () => {
  it('gateway - agents filter by group, capability and state, and page with limit/offset', async () => {
    const all = (await api('observer', { method: 'GET', url: '/api/agents' })).body;
    expect(all.total).toBe(fx.runtime.listAgents().length);
    const payables = (await api('observer', { method: 'GET', url: '/api/agents?group=payables' })).body.agents
      .map((a: { id: string }) => a.id)
      .sort();
    expect(payables).toEqual(
      fx.runtime
        .listAgents()
        .filter((a) => a.group === 'payables')
        .map((a) => a.id)
        .sort(),
    );
    const swap = (await api('observer', { method: 'GET', url: '/api/agents?capability=fx.swap' })).body.agents;
    expect(swap.map((a: { id: string }) => a.id)).toEqual(['fx-rebalancer']);
    const page = (await api('observer', { method: 'GET', url: '/api/agents?limit=2&offset=1' })).body;
    expect(page.agents.map((a: { id: string }) => a.id)).toEqual(
      all.agents.slice(1, 3).map((a: { id: string }) => a.id),
    );
    expect(page.total).toBe(all.total);
    expect((await api('observer', { method: 'GET', url: '/api/agents?limit=0' })).status).toBe(400);
    expect((await api('observer', { method: 'GET', url: '/api/agents?colour=red' })).body.error.code).toBe(
      'MANDATE_ERR_REQUEST_INVALID',
    );
  });
});

describe('gateway - approvals through the API', () => {
  it('gateway - a pending approval is listed, rejected with a reason, and the task ends rejected', async () => {
    const { approvalId, task } = await fx.pendingApproval();
    const pending = await api('observer', { method: 'GET', url: '/api/approvals?status=pending' });
    expect(pending.body.approvals.map((a: { id: string }) => a.id)).toContain(approvalId);
    const rejected = await api('operator', {
      method: 'POST',
      url: `/api/approvals/${approvalId}/reject`,
      body: {
        reason: 'invoice disputed',
      },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.approval).toMatchObject({
      id: approvalId,
      status: 'rejected',
      decidedBy: { kind: 'human', id: 'operator' },
      decisionReason: 'invoice disputed',
    });
    expect((await task).outcome?.status).toBe('rejected');
    const again = await api('operator', { method: 'POST', url: `/api/approvals/${approvalId}/approve`, body: {} });
    expect(again.status).toBe(409);
  });

  it('gateway - approving runs the action', async () => {
    const { approvalId, task } = await fx.pendingApproval();
    const res = await api('admin', {
      method: 'POST',
      url: `/api/approvals/${approvalId}/approve`,
      body: { reason: 'checked' },
    });
    expect(res.status).toBe(200);
    expect(['succeeded', 'would-have-sent']).toContain((await task).outcome?.status);
  });
});

describe('gateway - tasks through the API', () => {
  it('gateway - a task is run under governance: 200 with the result, 202 with the approval it waits for', async () => {
    await fx.idle('payables');
    const done = await api('operator', { method: 'POST', url: '/api/tasks', body: fx.allowedTask() });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'done',
      result: { agentId: 'payables', verdict: { status: 'approved' } },
    });
    await fx.idle('payables');
    const parked = await api('operator', { method: 'POST', url: '/api/tasks', body: fx.invoiceTask('INV-1003') });
    expect(parked.status).toBe(202);
    expect(parked.body).toMatchObject({ status: 'pending', approval: { agentId: 'payables', status: 'pending' } });
    // Deciding straight away is safe: the answer came once the agent waits.
    const rejected = await api('operator', {
      method: 'POST',
      url: `/api/approvals/${parked.body.approval.id}/reject`,
      body: {
        reason: 'not this one',
      },
    });
    expect(rejected.status).toBe(200);
    await fx.idle('payables');
    const denied = await api('operator', { method: 'POST', url: '/api/tasks', body: fx.deniedTask() });
    expect(denied.body).toMatchObject({ status: 'done', result: { verdict: { status: 'denied' } } });
  });
});

describe('gateway - audit queries and exports', () => {
  it('gateway - pages follow the cursor without gaps or repeats', async () => {
    const all = (await api('observer', { method: 'GET', url: '/api/audit?limit=500' })).body.entries as Array<{
      seq: number;
    }>;
    expect(all.length).toBeGreaterThan(4);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { entries: Array<{ seq: number }>; nextCursor: string | null } } = await api('observer', {
        method: 'GET',
        url: `/api/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(page.body.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.entries.map((e) => e.seq));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.map((e) => e.seq));
  });

  it('gateway - time, currency, counterparty and status filters narrow the entries', async () => {
    const task = fx.allowedTask();
    const before = fx.clock.now();
    fx.clock.increment(1000);
    await fx.submit(task);
    const counterparty = fx.sim.invoices.find((i) => i.id === task.input.invoice)!.counterparty;
    const filtered = (
      await api('observer', {
        method: 'GET',
        url: `/api/audit?currency=USDC&counterparty=${counterparty}&status=would-have-sent&from=${before + 1}`,
      })
    ).body.entries as any[];
    expect(filtered.length).toBe(1);
    expect(filtered[0]).toMatchObject({ currency: 'USDC', counterparty, status: 'would-have-sent' });
    const iso = new Date(before + 1).toISOString();
    expect(
      (
        await api('observer', {
          method: 'GET',
          url: `/api/audit?from=${encodeURIComponent(iso)}&counterparty=${counterparty}`,
        })
      ).body.entries.length,
    ).toBeGreaterThan(0);
    expect(
      (
        await api('observer', {
          method: 'GET',
          url: `/api/audit?to=${before}&counterparty=${counterparty}&status=would-have-sent&currency=USDC`,
        })
      ).body.entries.map((e: any) => e.seq),
    ).not.toContain(filtered[0].seq);
  });

  it('gateway - an amount range narrows the entries to payments within it; a bad bound is a coded 400 naming it', async () => {
    // The entries earlier tests left: payments and approvals carry data.amount as a decimal string.
    type Row = { seq: number; data: { amount?: unknown } };
    const page = (await api('observer', { method: 'GET', url: '/api/audit?limit=500' })).body;
    expect(page.nextCursor, 'the comparison below needs the whole log on one page').toBeNull();
    const all = page.entries as Row[];
    const amounts = [...new Set(all.map((e) => e.data.amount).filter((a): a is string => typeof a === 'string'))];
    expect(amounts.length).toBeGreaterThan(1);
    const amount = amounts.sort((a, b) => Number(a) - Number(b))[0]!;
    const exactly = (
      await api('observer', {
        method: 'GET',
        url: `/api/audit?minAmount=${amount}&maxAmount=${amount}&limit=500`,
      })
    ).body.entries as Row[];
    expect(exactly.map((e) => e.seq)).toEqual(all.filter((e) => e.data.amount === amount).map((e) => e.seq));
    const above = (await api('observer', { method: 'GET', url: `/api/audit?minAmount=${amount}1&limit=500` })).body
      .entries as Row[];
    expect(above.map((e) => e.seq)).toEqual(
      all
        .filter((e) => typeof e.data.amount === 'string' && Number(e.data.amount) >= Number(`${amount}1`))
        .map((e) => e.seq),
    );
    for (const [query, field] of [
      ['minAmount=ten', 'minAmount'],
      ['maxAmount=-1', 'maxAmount'],
      ['minAmount=5&maxAmount=4.99', 'minAmount'],
    ] as const) {
      const bad = await api('observer', { method: 'GET', url: `/api/audit?${query}` });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('MANDATE_ERR_REQUEST_INVALID');
      expect(bad.body.error.message).toContain(field);
      const csv = await api('observer', { method: 'GET', url: `/api/audit/export.csv?${query}` });
      expect(csv.status).toBe(400);
    }
  });

  it('gateway - the CSV export holds exactly the filtered entries', async () => {
    const entries = (await api('observer', { method: 'GET', url: '/api/audit?action=approval.granted&limit=500' })).body
      .entries as Array<{ seq: number; hash: string }>;
    expect(entries.length).toBeGreaterThan(0);
    const csv = await api('observer', { method: 'GET', url: '/api/audit/export.csv?action=approval.granted' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="mandate-audit-.*\.csv"/);
    const lines = csv.raw.toString('utf8').trim().split('\r\n');
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(entries.map((e) => e.seq));
    expect(lines.slice(1).map((l) => l.slice(-64))).toEqual(entries.map((e) => e.hash));
  });

  it('gateway - the PDF export is a PDF', async () => {
    const pdf = await api('observer', { method: 'GET', url: '/api/audit/export.pdf?action=operator.pause' });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.raw.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.raw.subarray(-6).toString('latin1')).toMatch(/%%EOF/);
  });

  it('gateway - the PDF names its filters; an operator export verifies the chain for it, an observer export gives the last verdict', async () => {
    const operator = (
      await pdfPages((await api('operator', { method: 'GET', url: '/api/audit/export.pdf?currency=USDC' })).raw)
    ).join(' ');
    expect(operator).toContain('Filters: currency=USDC');
    expect(operator).toMatch(/Chain verified for this report at [\d-]+ [\d:]+ UTC: \d+ entries, head seq \d+/);
    expect(operator).toMatch(/Page 1 of \d+/);
    const observer = (
      await pdfPages((await api('observer', { method: 'GET', url: '/api/audit/export.pdf' })).raw)
    ).join(' ');
    expect(observer).toContain('Filters: none (every entry)');
    expect(observer).toMatch(/Chain verified last at [\d-]+ [\d:]+ UTC: \d+ entries/);
  });
});

describe('gateway - metrics, health, live stream, headers', () => {
  it('gateway - /metrics reports the runtime counters in Prometheus text', async () => {
    await fx.drive(2);
    const res = await fetch(`${fx.url}/metrics`, { headers: { authorization: `Bearer ${fx.tokens.observer}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const cycles = fx.runtime.metrics().agents.find((a) => a.id === 'fx-rebalancer')!.cycles;
    expect(cycles).toBeGreaterThanOrEqual(2);
    expect(text).toContain(`mandate_agent_cycles_total{agent="fx-rebalancer"} ${cycles}`);
    expect(text).toContain(`mandate_approvals_pending ${fx.runtime.metrics().approvalsPending}`);
    // An FX swap is an action, not a payment (dry-run swaps used to show up as paid volume).
    expect(text).toMatch(
      /mandate_actions_total\{agent="fx-rebalancer",action="fx\.swap",mode="dry-run",status="would-have-sent"\} [1-9]/,
    );
    expect(text).not.toMatch(/mandate_payments_total\{agent="fx-rebalancer"/);
    expect(text).toMatch(/mandate_phase_duration_seconds_count\{agent="fx-rebalancer",phase="act"\} [1-9]/);
  });

  it('gateway - the live stream authenticates by subprotocol and carries transitions as they happen', async () => {
    const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/api/live`, [
      'mandate.v1',
      `bearer.${fx.tokens.observer}`,
    ]);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error('live socket failed'));
    });
    expect(ws.protocol).toBe('mandate.v1');
    const events: any[] = [];
    ws.onmessage = (m) => events.push(JSON.parse(String(m.data)));
    await fx.drive(1);
    await new Promise<void>((resolve) => {
      const check = () =>
        events.some((e) => e.type === 'transition' && e.actorId === 'fx-rebalancer' && e.to === 'idle')
          ? resolve()
          : setTimeout(check, 10);
      check();
    });
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    ws.close();
  });

  it('gateway - the live stream refuses a connection without a valid token', async () => {
    for (const protocols of [['mandate.v1'], ['mandate.v1', 'bearer.mdt_wrong']]) {
      const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/api/live`, protocols);
      const outcome = await new Promise<string>((resolve) => {
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      });
      expect(outcome).toBe('refused');
    }
    // At the HTTP level the upgrade is answered 401 with the coded body, and the socket is closed.
    const { statusCode, body } = await new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
      const req = request(`${fx.url}/api/live`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: text }));
      });
      req.on('upgrade', () => reject(new Error('upgraded without a token')));
      req.on('error', reject);
      req.end();
    });
    expect(statusCode).toBe(401);
    expect(JSON.parse(body).error.code).toBe('MANDATE_ERR_AUTH_MISSING');
  });

  it('gateway - responses carry security headers; the dashboard route says how to build it when missing', async () => {
    const res = await fetch(`${fx.url}/`);
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe('MANDATE_ERR_UI_NOT_BUILT');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('gateway - /ready fails with a coded 503 naming the unreachable dependency', async () => {
    const app = await createGateway({
      runtime: fx.runtime,
      tokens: new TokenStore(),
      readiness: { transport: async () => Promise.reject(new Error('nats down')) },
    });
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({
      code: 'MANDATE_ERR_NOT_READY',
      details: { checks: { transport: { ok: false, error: 'nats down' }, database: { ok: true } } },
    });
    await app.close();
  });

  it('gateway - audit routes answer 503 with a code when the runtime has no store', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    const tokens = new TokenStore();
    const { token } = tokens.issue('a', 'admin');
    const app = await createGateway({ runtime, tokens });
    const res = await app.inject({ method: 'GET', url: '/api/audit', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('MANDATE_ERR_AUDIT_UNAVAILABLE');
    await app.close();
    await runtime.shutdown();
  });
});
