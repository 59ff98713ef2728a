import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../kernel/index.ts';
import { startGatewayFixture, type GatewayFixture } from '../test/e2e/gatewayFixture.ts';
import { ROLES, type Role } from './roles.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

type Call = { method: 'GET' | 'POST' | 'DELETE'; url: string; body?: unknown };
async function call(c: Call, token?: string): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const response = await fetch(fx.url + c.url, {
    method: c.method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: c.body === undefined ? null : typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, headers: response.headers, text };
}

const GHOST = 'no-such-agent';
const MCP_INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
/** Every authenticated route, with the roles allowed to use it. Mutations target ids that do not exist, so an allowed call proves auth passed (404) without changing the system. */
const ROUTES: Array<Call & { allowed: Role[] }> = [
  { method: 'GET', url: '/api/me', allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: '/api/agents', allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: `/api/agents/${GHOST}`, allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: '/api/tree', allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: '/api/cluster', allowed: ['admin', 'operator', 'observer'] },
  { method: 'POST', url: `/api/agents/${GHOST}/pause`, body: { reason: 'matrix' }, allowed: ['admin', 'operator'] },
  { method: 'POST', url: `/api/agents/${GHOST}/resume`, body: { reason: 'matrix' }, allowed: ['admin', 'operator'] },
  { method: 'POST', url: `/api/agents/${GHOST}/stop`, body: { reason: 'matrix' }, allowed: ['admin'] },
  { method: 'GET', url: `/api/agents/${GHOST}/versions`, allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: `/api/agents/${GHOST}/reputation`, allowed: ['admin', 'operator', 'observer'] },
  {
    method: 'POST',
    url: `/api/agents/${GHOST}/rollback`,
    body: { to: 1, reason: 'matrix' },
    allowed: ['admin', 'operator'],
  },
  { method: 'GET', url: '/api/kill-switch', allowed: ['admin', 'operator', 'observer'] },
  {
    method: 'POST',
    url: '/api/kill-switch',
    body: { action: 'engage', scope: { agents: [GHOST] }, reason: 'matrix' },
    allowed: ['admin', 'operator'],
  },
  {
    method: 'POST',
    url: '/api/kill-switch',
    body: { action: 'release', scope: { agents: [GHOST] }, reason: 'matrix' },
    allowed: ['admin'],
  },
  { method: 'GET', url: '/api/approvals', allowed: ['admin', 'operator', 'observer'] },
  { method: 'POST', url: '/api/approvals/no-such-approval/approve', body: {}, allowed: ['admin', 'operator'] },
  {
    method: 'POST',
    url: '/api/approvals/no-such-approval/reject',
    body: { reason: 'matrix' },
    allowed: ['admin', 'operator'],
  },
  { method: 'GET', url: '/api/alerts', allowed: ['admin', 'operator', 'observer'] },
  { method: 'POST', url: '/api/alerts/no-such-alert/ack', allowed: ['admin', 'operator'] },
  { method: 'GET', url: '/api/audit', allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: '/api/audit/export.csv', allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: '/api/audit/export.pdf', allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: '/api/metrics', allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: '/api/capabilities', allowed: ['admin', 'operator', 'observer'] },
  {
    method: 'POST',
    url: '/api/tasks',
    body: { capability: 'no-such-capability', input: {} },
    allowed: ['admin', 'operator'],
  },
  // An invalid body: an allowed role gets 400 before any simulation runs.
  { method: 'POST', url: '/api/simulate', body: { set: { 'no such path': 1 } }, allowed: ['admin', 'operator'] },
  { method: 'GET', url: '/api/payments/no-such-payment', allowed: ['admin', 'operator', 'observer'] },
  { method: 'GET', url: '/api/tokens', allowed: ['admin'] },
  { method: 'POST', url: '/api/tokens', body: { name: 'not a name!', role: 'observer' }, allowed: ['admin'] },
  { method: 'DELETE', url: '/api/tokens/no-such-token', allowed: ['admin'] },
  { method: 'GET', url: '/metrics', allowed: ['admin', 'operator', 'observer'] },
  { method: 'POST', url: '/mcp', body: MCP_INIT, allowed: ['admin', 'operator', 'observer'] },
];

describe('gateway - RBAC on every route', () => {
  for (const route of ROUTES) {
    const name = `${route.method} ${route.url}${route.body && typeof route.body === 'object' && 'action' in route.body ? ` (${String(route.body.action)})` : ''}`;
    it(`gateway - ${name} answers 401 without a token and with an unknown one`, async () => {
      const missing = await call(route);
      expect(missing.status).toBe(401);
      expect(missing.body.error.code).toBe('MANDATE_ERR_AUTH_MISSING');
      const invalid = await call(route, 'mdt_not-a-real-token');
      expect(invalid.status).toBe(401);
      expect(invalid.body.error.code).toBe('MANDATE_ERR_AUTH_INVALID');
    });
    for (const role of ROLES) {
      const allowed = route.allowed.includes(role);
      it(`gateway - ${name} as ${role} is ${allowed ? 'allowed' : 'refused with 403'}`, async () => {
        const res = await call(route, fx.tokens[role]);
        if (allowed) {
          expect([401, 403]).not.toContain(res.status);
          expect(res.status).toBeLessThan(500);
        } else {
          expect(res.status).toBe(403);
          expect(res.body.error.code).toBe('MANDATE_ERR_AUTH_FORBIDDEN');
        }
      });
    }
  }

  it('gateway - health and readiness need no token', async () => {
    const health = await call({ method: 'GET', url: '/health' });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', mode: fx.runtime.mode, nodeId: fx.runtime.nodeId });
    const ready = await call({ method: 'GET', url: '/ready' });
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database.ok).toBe(true);
  });

  it('gateway - a malformed Authorization header is refused, not crashed on', async () => {
    const res = await fetch(`${fx.url}/api/agents`, { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
  });
});

describe('gateway - alerts', () => {
  it('gateway - GET /api/alerts lists kept alerts by status; POST /api/alerts/:id/ack acknowledges one, audited', async () => {
    fx.runtime.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_ACTOR_CRASHED,
      message: 'gateway test: reconciler restarted',
      actorId: 'sandbox:gw',
    });
    const open = await call({ method: 'GET', url: '/api/alerts?status=open' }, fx.tokens.observer);
    expect(open.status).toBe(200);
    const alert = (open.body.alerts as Array<{ id: string; message: string }>).find((a) =>
      a.message.startsWith('gateway test'),
    );
    expect(alert).toMatchObject({ status: 'open', code: 'MANDATE_ERR_ACTOR_CRASHED', actorId: 'sandbox:gw', count: 1 });
    const acked = await call({ method: 'POST', url: `/api/alerts/${alert!.id}/ack` }, fx.tokens.operator);
    expect(acked.status).toBe(200);
    expect(acked.body.alert).toMatchObject({
      id: alert!.id,
      status: 'acknowledged',
      acknowledgedBy: { kind: 'human' },
    });
    const listed = await call({ method: 'GET', url: '/api/alerts?status=acknowledged&limit=5' }, fx.tokens.observer);
    expect(listed.body.alerts.map((a: { id: string }) => a.id)).toContain(alert!.id);
    const audit = await call({ method: 'GET', url: '/api/audit?limit=20' }, fx.tokens.admin);
    expect(JSON.stringify(audit.body)).toContain('alert.acknowledged');
    const bad = await call({ method: 'GET', url: '/api/alerts?status=closed' }, fx.tokens.observer);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('MANDATE_ERR_REQUEST_INVALID');
    const unknown = await call({ method: 'POST', url: '/api/alerts/no-such-alert/ack' }, fx.tokens.admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('MANDATE_ERR_NOT_FOUND');
  });
});

describe('gateway - bad input gets a 4xx with a code, never a 500', () => {
  const admin = (): string => fx.tokens.admin;
  const cases: Array<[string, Call, number, string]> = [
    ['malformed agent id', { method: 'GET', url: '/api/agents/bad%20id!' }, 400, 'MANDATE_ERR_REQUEST_INVALID'],
    [
      'over-long agent id',
      { method: 'GET', url: `/api/agents/${'a'.repeat(300)}` },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    ['unknown agent', { method: 'GET', url: '/api/agents/nobody-here' }, 404, 'MANDATE_ERR_NOT_FOUND'],
    ['pause without a body', { method: 'POST', url: '/api/agents/x/pause' }, 400, 'MANDATE_ERR_REQUEST_INVALID'],
    [
      'pause without a reason',
      { method: 'POST', url: '/api/agents/x/pause', body: {} },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'pause with a blank reason',
      { method: 'POST', url: '/api/agents/x/pause', body: { reason: '   ' } },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'pause with extra fields',
      { method: 'POST', url: '/api/agents/x/pause', body: { reason: 'r', force: true } },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'broken JSON',
      { method: 'POST', url: '/api/agents/x/pause', body: '{"reason":' },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'kill switch with an empty scope',
      { method: 'POST', url: '/api/kill-switch', body: { action: 'engage', scope: {}, reason: 'r' } },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'kill switch with an unknown action',
      { method: 'POST', url: '/api/kill-switch', body: { action: 'explode', scope: { all: true }, reason: 'r' } },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'kill switch without a reason',
      { method: 'POST', url: '/api/kill-switch', body: { action: 'engage', scope: { all: true } } },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'reject without a reason',
      { method: 'POST', url: '/api/approvals/a1/reject', body: {} },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'approvals with an unknown status',
      { method: 'GET', url: '/api/approvals?status=maybe' },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    ['audit with a bad time', { method: 'GET', url: '/api/audit?from=yesterday' }, 400, 'MANDATE_ERR_REQUEST_INVALID'],
    [
      'audit with from after to',
      { method: 'GET', url: '/api/audit?from=2000&to=1000' },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    ['audit with a huge limit', { method: 'GET', url: '/api/audit?limit=100000' }, 400, 'MANDATE_ERR_REQUEST_INVALID'],
    ['audit with a zero limit', { method: 'GET', url: '/api/audit?limit=0' }, 400, 'MANDATE_ERR_REQUEST_INVALID'],
    [
      'audit with a forged cursor',
      { method: 'GET', url: '/api/audit?cursor=DROP%20TABLE' },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'audit with an unknown filter',
      { method: 'GET', url: '/api/audit?colour=red' },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'CSV export with a bad currency',
      { method: 'GET', url: '/api/audit/export.csv?currency=%3Cscript%3E' },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'PDF export with a bad time',
      { method: 'GET', url: '/api/audit/export.pdf?to=soon' },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    [
      'task without input',
      { method: 'POST', url: '/api/tasks', body: { capability: 'x' } },
      400,
      'MANDATE_ERR_REQUEST_INVALID',
    ],
    ['unknown route', { method: 'GET', url: '/api/nothing-here' }, 404, 'MANDATE_ERR_ROUTE_NOT_FOUND'],
    ['MCP over GET', { method: 'GET', url: '/mcp' }, 405, 'MANDATE_ERR_METHOD_NOT_ALLOWED'],
  ];
  for (const [what, c, status, code] of cases) {
    it(`gateway - ${what} → ${status} ${code}`, async () => {
      const res = await call(c, admin());
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(typeof res.body.error.message).toBe('string');
    });
  }

  it('gateway - an oversized body is refused with 413 and a code', async () => {
    const res = await call(
      { method: 'POST', url: '/api/agents/x/pause', body: { reason: 'x'.repeat(100_000) } },
      fx.tokens.admin,
    );
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('MANDATE_ERR_REQUEST_TOO_LARGE');
  });
});
