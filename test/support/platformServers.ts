/**
 * Local servers speaking two platforms' real formats for the adapter and sync tests: Salesforce's
 * REST API (OAuth client credentials, sObject rows with ETags and `If-Match`, invocable flows, the
 * `updated` changes resource, `[{ message, errorCode }]` errors, expiring sessions) and an SAP
 * Gateway style OData V2 service (Basic auth, `x-csrf-token: Fetch` with a session cookie, entities
 * in `{ d: … }` with `__metadata.etag`, `If-Match`, function imports, `$filter` on the change time).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A record and its version counter. */
export interface StoredRecord {
  fields: Record<string, unknown>;
  version: number;
  changedAt: string;
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>) {
  const server = createServer(
    (req, res) => void handler(req, res).catch((e: unknown) => res.writeHead(500).end(String(e))),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const json = (res: ServerResponse, status: number, value: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
/** `res` with `headers` set, for {@link json}. */
const withHeaders = (res: ServerResponse, headers: Record<string, string>) => {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  return res;
};

/** What the Salesforce-style server holds. */
export interface SalesforceState {
  clientId: string;
  clientSecret: string;
  records: Map<string, StoredRecord>;
  tokens: Set<string>;
  requests: string[];
}

/** Starts it; records are keyed `Type/Id`. */
export async function startSalesforce(state: SalesforceState): Promise<{ server: Server; url: string }> {
  let issued = 0;
  let url = '';
  const started = await listen(async (req, res) => {
    const u = new URL(req.url!, 'http://x');
    state.requests.push(`${req.method} ${u.pathname}`);
    if (u.pathname === '/services/oauth2/token') {
      const form = new URLSearchParams(await body(req));
      if (form.get('client_id') !== state.clientId || form.get('client_secret') !== state.clientSecret)
        return json(res, 400, { error: 'invalid_client', error_description: 'invalid client credentials' });
      const token = `00D!tok${++issued}`;
      state.tokens.add(token);
      return json(res, 200, {
        access_token: token,
        instance_url: url,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
      });
    }
    if (!state.tokens.has((req.headers.authorization ?? '').replace('Bearer ', '')))
      return json(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const flow = /^\/services\/data\/v60\.0\/actions\/custom\/flow\/(\w+)$/.exec(u.pathname);
    if (flow !== null) {
      const { inputs } = JSON.parse(await body(req)) as { inputs: Record<string, unknown>[] };
      const ok = flow[1] === 'Approve_Invoice';
      return json(res, 200, [
        {
          actionName: flow[1],
          isSuccess: ok,
          errors: ok ? null : [{ statusCode: 'UNKNOWN_EXCEPTION', message: 'no such flow version' }],
          outputValues: ok ? { approved: true, invoice: inputs[0]!['invoiceId'] } : null,
        },
      ]);
    }
    const updated = /^\/services\/data\/v60\.0\/sobjects\/(\w+)\/updated\/$/.exec(u.pathname);
    if (updated !== null) {
      const start = u.searchParams.get('start')!;
      const ids = [...state.records.entries()]
        .filter(([k, r]) => k.startsWith(`${updated[1]}/`) && r.changedAt > start)
        .map(([k]) => k.split('/')[1]!);
      return json(res, 200, { ids, latestDateCovered: u.searchParams.get('end') });
    }
    const row = /^\/services\/data\/v60\.0\/sobjects\/(\w+)\/(\w+)$/.exec(u.pathname);
    const record = row === null ? undefined : state.records.get(`${row[1]}/${row[2]}`);
    if (row === null || record === undefined)
      return json(res, 404, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    const etag = `"${record.version}--gzip"`;
    if (req.method === 'GET')
      return json(withHeaders(res, { etag }), 200, {
        attributes: { type: row[1], url: u.pathname },
        Id: row[2],
        ...record.fields,
      });
    if (req.method !== 'PATCH') return json(res, 405, [{ message: 'method', errorCode: 'METHOD_NOT_ALLOWED' }]);
    if (req.headers['if-match'] !== undefined && req.headers['if-match'] !== etag)
      return json(res, 412, [{ message: 'The ETag does not match', errorCode: 'PRECONDITION_FAILED' }]);
    Object.assign(record.fields, JSON.parse(await body(req)) as Record<string, unknown>);
    record.version += 1;
    record.changedAt = new Date().toISOString();
    return void res.writeHead(204).end();
  });
  url = started.url;
  return started;
}

/** What the OData service holds. */
export interface ODataState {
  user: string;
  password: string;
  records: Map<string, StoredRecord>;
  csrf: Map<string, string>;
  requests: string[];
}

/** Starts it at `<url>/sap/opu/odata/sap/API_TEST/`; records keyed `Set/Key`. */
export async function startOData(state: ODataState): Promise<{ server: Server; url: string }> {
  const root = '/sap/opu/odata/sap/API_TEST/';
  let sessions = 0;
  const started = await listen(async (req, res) => {
    const u = new URL(req.url!, 'http://x');
    state.requests.push(`${req.method} ${decodeURIComponent(u.pathname)}`);
    if (req.headers.authorization !== `Basic ${Buffer.from(`${state.user}:${state.password}`).toString('base64')}`)
      return json(res, 401, { error: { code: '/IWFND/401', message: { lang: 'en', value: 'Unauthorized' } } });
    const session = /SAP_SESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (req.method === 'GET' && req.headers['x-csrf-token'] === 'Fetch') {
      const id = `s${++sessions}`;
      const token = `csrf-${id}`;
      state.csrf.set(id, token);
      const headers = { 'x-csrf-token': token, 'set-cookie': `SAP_SESSIONID=${id}; path=/; HttpOnly` };
      return json(withHeaders(res, headers), 200, { d: { EntitySets: ['Invoices'] } });
    }
    if (req.method !== 'GET' && (session === undefined || state.csrf.get(session) !== req.headers['x-csrf-token']))
      return json(withHeaders(res, { 'x-csrf-token': 'Required' }), 403, {
        error: { message: { value: 'CSRF token validation failed' } },
      });
    const path = decodeURIComponent(u.pathname.slice(root.length));
    if (path === 'ReleaseInvoice') {
      const input = JSON.parse(await body(req)) as Record<string, unknown>;
      return json(res, 200, {
        d: { __metadata: { type: 'API_TEST.Result' }, Released: true, InvoiceId: input['InvoiceId'] },
      });
    }
    const set = /^(\w+)$/.exec(path);
    if (set !== null && req.method === 'GET') {
      const since = /datetimeoffset'([^']+)'/.exec(u.searchParams.get('$filter') ?? '')?.[1] ?? '';
      const results = [...state.records.entries()]
        .filter(([k, r]) => k.startsWith(`${set[1]}/`) && r.changedAt > since)
        .map(([k, r]) => ({
          __metadata: { uri: `${root}${set[1]}('${k.split('/')[1]!.replaceAll("'", "''")}')` },
          ...r.fields,
          LastChangeDateTime: r.changedAt,
        }));
      return json(res, 200, { d: { results } });
    }
    const entity = /^(\w+)\('((?:[^']|'')*)'\)$/.exec(path);
    const key = entity === null ? '' : `${entity[1]}/${entity[2]!.replaceAll("''", "'")}`;
    const record = state.records.get(key);
    if (record === undefined)
      return json(res, 404, { error: { message: { value: `Resource not found for ${path}` } } });
    const etag = `W/"datetimeoffset'${record.version}'"`;
    if (req.method === 'GET')
      return json(withHeaders(res, { etag }), 200, {
        d: { __metadata: { uri: `${root}${path}`, etag }, ...record.fields },
      });
    if (req.headers['if-match'] !== undefined && req.headers['if-match'] !== etag)
      return json(res, 412, { error: { message: { value: 'Precondition failed' } } });
    Object.assign(record.fields, JSON.parse(await body(req)) as Record<string, unknown>);
    record.version += 1;
    record.changedAt = new Date().toISOString();
    return void res.writeHead(204).end();
  });
  return { server: started.server, url: `${started.url}${root}` };
}
