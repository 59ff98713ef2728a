/**
 * Salesforce's REST API: OAuth 2.0 client credentials at `/services/oauth2/token`, sObject rows at
 * `/services/data/<version>/sobjects/<type>/<id>` (read with their ETag, `PATCH` with `If-Match`,
 * 412 when the row changed), invocable flows at `/actions/custom/flow/<name>`, and changes from
 * `/sobjects/<type>/updated/?start=…&end=…`. An expired session (401 `INVALID_SESSION_ID`) is
 * re-authenticated once.
 */
import { z } from 'zod';
import { PlatformAuthError, PlatformConflictError, PlatformRequestError } from './errors.ts';
import type { PlatformAdapter, PlatformEvent, PlatformRecord, SubscribeOptions } from './PlatformAdapter.ts';
import { jsonBody, platformFetch, pollEvery, type PlatformHttpOptions } from './platformHttp.ts';

/** Options of {@link SalesforceAdapter}. */
export interface SalesforceAdapterOptions extends PlatformHttpOptions {
  /** The login host, e.g. `https://login.salesforce.com` or a My Domain URL. */
  readonly loginUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** REST API version; default `v60.0`. */
  readonly apiVersion?: string;
}

const Token = z.object({ access_token: z.string().min(1), instance_url: z.url() });
const SfErrors = z.array(z.object({ message: z.string(), errorCode: z.string() }).passthrough());
const FlowResult = z.array(
  z.object({
    isSuccess: z.boolean(),
    outputValues: z.record(z.string(), z.unknown()).nullish(),
    errors: z.array(z.object({ message: z.string() }).passthrough()).nullish(),
  }),
);
const Updated = z.object({ ids: z.array(z.string()), latestDateCovered: z.string() });
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const ID = /^[A-Za-z0-9]{15,18}$/;

/** A {@link PlatformAdapter} over Salesforce's REST API. */
export class SalesforceAdapter implements PlatformAdapter {
  readonly platform = 'salesforce';
  readonly #o: SalesforceAdapterOptions;
  #session: { token: string; instance: string } | undefined;

  constructor(options: SalesforceAdapterOptions) {
    this.#o = options;
  }

  async authenticate(): Promise<void> {
    const url = new URL('/services/oauth2/token', this.#o.loginUrl);
    const res = await platformFetch(
      this.platform,
      {
        url,
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: this.#o.clientId,
            client_secret: this.#o.clientSecret,
          }).toString(),
        },
      },
      this.#o,
    );
    const body = await jsonBody(this.platform, res);
    const token = Token.safeParse(body);
    if (!res.ok || !token.success)
      throw new PlatformAuthError(
        `salesforce refused the client credentials at ${url.origin} (HTTP ${res.status}: ${JSON.stringify(body).slice(0, 200)}); check the connected app's client id and secret`,
        { details: { platform: this.platform, status: res.status } },
      );
    this.#session = { token: token.data.access_token, instance: token.data.instance_url };
  }

  async read(type: string, id: string): Promise<PlatformRecord> {
    const res = await this.#call('GET', this.#row(type, id));
    const body = await this.#ok(res, `read ${type}/${id}`);
    const fields = z.record(z.string(), z.unknown()).parse(body);
    const { attributes: _attributes, ...rest } = fields;
    return { type, id, fields: rest, version: versionOf(res, rest) };
  }

  async write(
    target: { type: string; id: string; ifMatch?: string },
    fields: Readonly<Record<string, unknown>>,
  ): Promise<PlatformRecord> {
    const res = await this.#call('PATCH', this.#row(target.type, target.id), {
      body: fields,
      ...(target.ifMatch === undefined ? {} : { headers: { 'if-match': target.ifMatch } }),
    });
    if (res.status === 412)
      throw new PlatformConflictError(
        `salesforce ${target.type}/${target.id} changed since version ${target.ifMatch}; read it again and resolve`,
        { details: { platform: this.platform, type: target.type, id: target.id, ifMatch: target.ifMatch } },
      );
    await this.#ok(res, `write ${target.type}/${target.id}`);
    return this.read(target.type, target.id);
  }

  async execute(action: string, input: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const res = await this.#call('POST', this.#api(`actions/custom/flow/${name(action, 'flow')}`), {
      body: { inputs: [input] },
    });
    const result = FlowResult.safeParse(await this.#ok(res, `run flow ${action}`));
    if (!result.success || result.data.length !== 1)
      throw new PlatformRequestError(`salesforce flow ${action} answered something that is not one flow result`);
    const [first] = result.data;
    if (!first!.isSuccess)
      throw new PlatformRequestError(
        `salesforce flow ${action} failed: ${(first!.errors ?? []).map((e) => e.message).join('; ') || 'no message'}`,
        { details: { platform: this.platform, action } },
      );
    return first!.outputValues ?? {};
  }

  subscribe(type: string, onEvent: (event: PlatformEvent) => void, options: SubscribeOptions = {}): () => void {
    let start = options.since ?? new Date().toISOString();
    return pollEvery(
      options.intervalMs ?? 30_000,
      async () => {
        const url = this.#api(`sobjects/${name(type, 'sObject type')}/updated/`);
        url.search = new URLSearchParams({ start, end: new Date().toISOString() }).toString();
        const body = Updated.safeParse(await this.#ok(await this.#call('GET', url), `changes of ${type}`));
        if (!body.success) throw new PlatformRequestError(`salesforce answered ${type} changes without ids`);
        for (const id of body.data.ids) onEvent({ type, id, at: body.data.latestDateCovered });
        start = body.data.latestDateCovered;
      },
      options.onError,
    );
  }

  #api(path: string): URL {
    if (this.#session === undefined) throw new PlatformAuthError('salesforce: not authenticated');
    return new URL(`/services/data/${this.#o.apiVersion ?? 'v60.0'}/${path}`, this.#session.instance);
  }

  #row(type: string, id: string): () => URL {
    name(type, 'sObject type');
    if (!ID.test(id))
      throw new PlatformRequestError(`salesforce id ${JSON.stringify(id)} is not a 15- or 18-character id`);
    return () => this.#api(`sobjects/${type}/${id}`);
  }

  /** One authenticated call; a 401 re-authenticates once. `url` may be built after authentication. */
  async #call(
    method: string,
    url: URL | (() => URL),
    extra: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    for (let attempt = 0; ; attempt += 1) {
      if (this.#session === undefined) await this.authenticate();
      const res = await platformFetch(
        this.platform,
        {
          url: typeof url === 'function' ? url() : url,
          init: {
            method,
            headers: {
              authorization: `Bearer ${this.#session!.token}`,
              accept: 'application/json',
              ...(extra.body === undefined ? {} : { 'content-type': 'application/json' }),
              ...extra.headers,
            },
            ...(extra.body === undefined ? {} : { body: JSON.stringify(extra.body) }),
          },
        },
        this.#o,
      );
      if (res.status !== 401 || attempt > 0) return res;
      await res.body?.cancel();
      this.#session = undefined;
    }
  }

  async #ok(res: Response, what: string): Promise<unknown> {
    const body = await jsonBody(this.platform, res);
    if (res.ok) return body;
    const errors = SfErrors.safeParse(body);
    const message = errors.success
      ? errors.data.map((e) => `${e.errorCode}: ${e.message}`).join('; ')
      : JSON.stringify(body);
    const Err = res.status === 401 ? PlatformAuthError : PlatformRequestError;
    throw new Err(`salesforce could not ${what} (HTTP ${res.status}: ${message?.slice(0, 300)})`, {
      details: { platform: this.platform, status: res.status },
    });
  }
}

function name(value: string, what: string): string {
  if (!NAME.test(value))
    throw new PlatformRequestError(`salesforce ${what} ${JSON.stringify(value)} is not an API name`);
  return value;
}

/** The row's ETag, or its `SystemModstamp` when the org sends none. */
function versionOf(res: Response, fields: Record<string, unknown>): string {
  const etag = res.headers.get('etag');
  if (etag !== null) return etag;
  const stamp = fields['SystemModstamp'] ?? fields['LastModifiedDate'];
  if (typeof stamp === 'string') return stamp;
  throw new PlatformRequestError('salesforce answered a row with neither an ETag nor a SystemModstamp');
}
