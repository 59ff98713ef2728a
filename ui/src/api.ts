/**
 * HTTP calls to the gateway with the operator's bearer token. Errors come back
 * as `ApiError` carrying the gateway's code, for display.
 */
import type {
  AgentDetail,
  AgentReputationReport,
  AlertRecord,
  ClusterInfo,
  AgentSummary,
  ApprovalRecord,
  AuditEntry,
  AuditFilters,
  AuditVerdict,
  KillScope,
  KillSwitchState,
  Me,
  PaymentStory,
  RuntimeMetrics,
  SeriesResult,
  TreeNode,
} from './types.ts';

/** A failed gateway call. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The query string for audit filters (empty fields left out). `from` and `to` are absolute
 * already (ISO with a zone, or epoch ms): the view converted what the operator typed in the zone shown.
 */
export function auditQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, ...extra })) {
    if (value === undefined || value === '') continue;
    params.set(key, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** A client bound to one token. */
export function createApi(token: string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!response.ok) {
      const payload = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new ApiError(
        response.status,
        payload.error?.code ?? `HTTP_${response.status}`,
        payload.error?.message ?? response.statusText,
      );
    }
    return (await response.json()) as T;
  }
  return {
    /** Readiness needs no token and answers 503 with the failing checks. */
    ready: async (): Promise<{ ok: boolean; checks: Record<string, { ok: boolean; error?: string }> }> => {
      const response = await fetch('/ready');
      const body = (await response.json().catch(() => ({}))) as {
        checks?: Record<string, { ok: boolean }>;
        error?: { details?: { checks?: Record<string, { ok: boolean }> } };
      };
      return { ok: response.ok, checks: body.checks ?? body.error?.details?.checks ?? {} };
    },
    me: () => call<Me>('GET', '/api/me'),
    agents: () => call<{ agents: AgentSummary[] }>('GET', '/api/agents').then((r) => r.agents),
    agent: (id: string) => call<AgentDetail>('GET', `/api/agents/${encodeURIComponent(id)}`),
    tree: () => call<TreeNode>('GET', '/api/tree'),
    /** The agent's reputation dimensions, standing, limit factor and stake (newest `limit` history and stake entries). */
    reputation: (id: string, limit = 5) =>
      call<AgentReputationReport>('GET', `/api/agents/${encodeURIComponent(id)}/reputation?limit=${limit}`),
    cluster: () => call<ClusterInfo>('GET', '/api/cluster'),
    override: (id: string, verb: 'pause' | 'resume' | 'stop', reason: string) =>
      call<unknown>('POST', `/api/agents/${encodeURIComponent(id)}/${verb}`, { reason }),
    approvals: () => call<{ approvals: ApprovalRecord[] }>('GET', '/api/approvals').then((r) => r.approvals),
    approve: (id: string, reason?: string) =>
      call<unknown>('POST', `/api/approvals/${encodeURIComponent(id)}/approve`, reason ? { reason } : {}),
    reject: (id: string, reason: string) =>
      call<unknown>('POST', `/api/approvals/${encodeURIComponent(id)}/reject`, { reason }),
    /** One payment's story by decision id, idempotency key or invoice. */
    payment: (id: string) => call<PaymentStory>('GET', `/api/payments/${encodeURIComponent(id)}`),
    killSwitch: () => call<KillSwitchState>('GET', '/api/kill-switch'),
    setKillSwitch: (action: 'engage' | 'release', scope: KillScope, reason: string) =>
      call<KillSwitchState>('POST', '/api/kill-switch', { action, scope, reason }),
    metrics: () => call<RuntimeMetrics & { liveClients: number }>('GET', '/api/metrics'),
    /** The runtime's stored rates over time (`seriesQuery` builds the query). */
    metricSeries: (q: Record<string, string>) => call<SeriesResult>('GET', `/api/metrics/series${auditQuery({}, q)}`),
    alerts: (q: { status?: string; limit: number }) =>
      call<{ alerts: AlertRecord[] }>('GET', `/api/alerts${auditQuery({}, { ...q, limit: String(q.limit) })}`).then(
        (r) => r.alerts,
      ),
    ackAlert: (id: string) => call<unknown>('POST', `/api/alerts/${encodeURIComponent(id)}/ack`, {}),
    audit: (filters: AuditFilters, limit = 100, cursor?: string) =>
      call<{ entries: AuditEntry[]; nextCursor: string | null }>(
        'GET',
        `/api/audit${auditQuery(filters, { limit: String(limit), ...(cursor ? { cursor } : {}) })}`,
      ),
    /** Re-reads and checks the whole audit chain (operators and admins). */
    verifyAudit: () => call<AuditVerdict>('POST', '/api/audit/verify'),
    /** Downloads an export with the token (a plain link cannot carry the header). */
    download: async (format: 'csv' | 'pdf', filters: AuditFilters): Promise<{ blob: Blob; filename: string }> => {
      const response = await fetch(`/api/audit/export.${format}${auditQuery(filters)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!response.ok) {
        const payload = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
        throw new ApiError(
          response.status,
          payload.error?.code ?? `HTTP_${response.status}`,
          payload.error?.message ?? response.statusText,
        );
      }
      const disposition = response.headers.get('content-disposition') ?? '';
      return {
        blob: await response.blob(),
        filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? `mandate-audit.${format}`,
      };
    },
  };
}

/** The client type. */
export type Api = ReturnType<typeof createApi>;
