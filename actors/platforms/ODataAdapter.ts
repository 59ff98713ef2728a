/**
 * An OData service the way SAP Gateway serves one: JSON (V2 `{ d: … }` or V4 `@odata.etag`),
 * entities at `<service>/<EntitySet>('<key>')` with their ETag, `PATCH` with `If-Match` (412 when
 * the entity changed), function imports / actions by `POST <service>/<Name>`, and changes by
 * polling `$filter=<changedField> gt datetimeoffset'…'`. Writes carry the CSRF token fetched with
 * `x-csrf-token: Fetch` and its session cookies; a 403 `x-csrf-token: Required` fetches a new one
 * once.
 */
import { z } from 'zod';
import { PlatformAuthError, PlatformConflictError, PlatformRequestError } from './errors.ts';
import type { PlatformAdapter, PlatformEvent, PlatformRecord, SubscribeOptions } from './PlatformAdapter.ts';
import { jsonBody, platformFetch, pollEvery, type PlatformHttpOptions } from './platformHttp.ts';

/** Options of {@link ODataAdapter}. */
export interface ODataAdapterOptions extends PlatformHttpOptions {
  /** The service root, e.g. `https://sap.example/sap/opu/odata/sap/API_BUSINESS_PARTNER`. */
  readonly serviceUrl: string;
  /** Basic credentials or a bearer token. */
  readonly auth: { readonly user: string; readonly password: string } | { readonly bearer: string };
  /** Names it in results; default `sap`. */
  readonly platform?: string;
  /** The property that holds each entity's last change, for {@link ODataAdapter.subscribe}; default `LastChangeDateTime`. */
  readonly changedField?: string;
  /** The key property of changed entities; default the key in each entity's V2 `__metadata.uri`. */
  readonly keyField?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const Entity = z.record(z.string(), z.unknown());

/** A {@link PlatformAdapter} over an OData service with SAP's CSRF protocol. */
export class ODataAdapter implements PlatformAdapter {
  readonly platform: string;
  readonly #o: ODataAdapterOptions;
  readonly #root: string;
  #csrf: { token: string; cookie: string } | undefined;

  constructor(options: ODataAdapterOptions) {
    this.#o = options;
    this.platform = options.platform ?? 'sap';
    this.#root = options.serviceUrl.endsWith('/') ? options.serviceUrl : `${options.serviceUrl}/`;
  }

  /** Fetches a CSRF token and its session cookies (writes need them). */
  async authenticate(): Promise<void> {
    const res = await this.#send('GET', new URL(this.#root), { headers: { 'x-csrf-token': 'Fetch' } });
    if (res.status === 401 || res.status === 403)
      throw new PlatformAuthError(`${this.platform} refused the credentials at ${this.#root} (HTTP ${res.status})`, {
        details: { platform: this.platform, status: res.status },
      });
    await res.body?.cancel();
    const token = res.headers.get('x-csrf-token');
    if (token === null || token === 'Required')
      throw new PlatformAuthError(
        `${this.platform} at ${this.#root} gave no CSRF token; is it an SAP Gateway service?`,
      );
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    this.#csrf = { token, cookie };
  }

  async read(type: string, id: string): Promise<PlatformRecord> {
    const res = await this.#send('GET', this.#entity(type, id));
    const body = await this.#ok(res, `read ${type}('${id}')`);
    const entity = unwrap(body);
    return { type, id, fields: strip(entity), version: etagOf(res, entity, `${type}('${id}')`) };
  }

  async write(
    target: { type: string; id: string; ifMatch?: string },
    fields: Readonly<Record<string, unknown>>,
  ): Promise<PlatformRecord> {
    const res = await this.#modify('PATCH', this.#entity(target.type, target.id), {
      body: fields,
      ...(target.ifMatch === undefined ? {} : { headers: { 'if-match': target.ifMatch } }),
    });
    if (res.status === 412)
      throw new PlatformConflictError(
        `${this.platform} ${target.type}('${target.id}') changed since version ${target.ifMatch}; read it again and resolve`,
        { details: { platform: this.platform, type: target.type, id: target.id, ifMatch: target.ifMatch } },
      );
    await this.#ok(res, `write ${target.type}('${target.id}')`);
    return this.read(target.type, target.id);
  }

  async execute(action: string, input: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const res = await this.#modify('POST', new URL(name(action, 'action'), this.#root), { body: input });
    const body = await this.#ok(res, `run ${action}`);
    if (body === undefined) return {};
    const result = unwrap(body);
    return strip(result);
  }

  subscribe(type: string, onEvent: (event: PlatformEvent) => void, options: SubscribeOptions = {}): () => void {
    const field = name(this.#o.changedField ?? 'LastChangeDateTime', 'changedField');
    let since = options.since ?? new Date().toISOString();
    return pollEvery(
      options.intervalMs ?? 30_000,
      async () => {
        const url = new URL(name(type, 'entity set'), this.#root);
        url.search = new URLSearchParams({
          $filter: `${field} gt datetimeoffset'${since}'`,
          $orderby: field,
          $format: 'json',
        }).toString();
        const body = await this.#ok(await this.#send('GET', url), `list changes of ${type}`);
        for (const entity of listOf(body, type)) {
          const key = this.#o.keyField === undefined ? keyOf(entity) : entity[this.#o.keyField];
          const at = entity[field];
          onEvent({ type, id: String(key), ...(typeof at === 'string' ? { at } : {}) });
          if (typeof at === 'string' && at > since) since = at;
        }
      },
      options.onError,
    );
  }

  #entity(type: string, id: string): URL {
    return new URL(`${name(type, 'entity set')}('${encodeURIComponent(id.replaceAll("'", "''"))}')`, this.#root);
  }

  async #send(method: string, url: URL, extra: { body?: unknown; headers?: Record<string, string> } = {}) {
    const a = this.#o.auth;
    const authorization =
      'bearer' in a ? `Bearer ${a.bearer}` : `Basic ${Buffer.from(`${a.user}:${a.password}`).toString('base64')}`;
    return platformFetch(
      this.platform,
      {
        url,
        init: {
          method,
          headers: {
            authorization,
            accept: 'application/json',
            ...(extra.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...extra.headers,
          },
          ...(extra.body === undefined ? {} : { body: JSON.stringify(extra.body) }),
        },
      },
      this.#o,
    );
  }

  /** A modifying request with the CSRF token; a 403 asking for one fetches it again, once. */
  async #modify(method: string, url: URL, extra: { body?: unknown; headers?: Record<string, string> }) {
    for (let attempt = 0; ; attempt += 1) {
      if (this.#csrf === undefined) await this.authenticate();
      const res = await this.#send(method, url, {
        ...extra,
        headers: { ...extra.headers, 'x-csrf-token': this.#csrf!.token, cookie: this.#csrf!.cookie },
      });
      if (res.status !== 403 || res.headers.get('x-csrf-token') !== 'Required' || attempt > 0) return res;
      await res.body?.cancel();
      this.#csrf = undefined;
    }
  }

  async #ok(res: Response, what: string): Promise<unknown> {
    const body = await jsonBody(this.platform, res);
    if (res.ok) return body;
    const error = z
      .object({ error: z.object({ message: z.union([z.string(), z.object({ value: z.string() })]) }).passthrough() })
      .safeParse(body);
    const message = error.success
      ? typeof error.data.error.message === 'string'
        ? error.data.error.message
        : error.data.error.message.value
      : JSON.stringify(body);
    const Err = res.status === 401 ? PlatformAuthError : PlatformRequestError;
    throw new Err(`${this.platform} could not ${what} (HTTP ${res.status}: ${String(message).slice(0, 300)})`, {
      details: { platform: this.platform, status: res.status },
    });
  }
}

function name(value: string, what: string): string {
  if (!NAME.test(value)) throw new PlatformRequestError(`OData ${what} ${JSON.stringify(value)} is not an OData name`);
  return value;
}

/** The entity of a V2 (`{ d: entity }`) or V4 (the entity itself) answer. */
function unwrap(body: unknown): Record<string, unknown> {
  const v2 = z.object({ d: Entity }).safeParse(body);
  if (v2.success) return v2.data.d;
  const v4 = Entity.safeParse(body);
  if (v4.success) return v4.data;
  throw new PlatformRequestError(
    `OData answered something that is not an entity (${JSON.stringify(body).slice(0, 200)})`,
  );
}

/** The entities of a V2 (`{ d: { results } }`) or V4 (`{ value }`) collection. */
function listOf(body: unknown, type: string): Record<string, unknown>[] {
  const parsed = z
    .union([z.object({ d: z.object({ results: z.array(Entity) }) }), z.object({ value: z.array(Entity) })])
    .safeParse(body);
  if (!parsed.success) throw new PlatformRequestError(`OData answered ${type} changes that are not a collection`);
  return 'd' in parsed.data ? parsed.data.d.results : parsed.data.value;
}

/** Fields without OData's annotations (`__metadata`, `@odata.*`). */
function strip(entity: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entity).filter(([k]) => !k.startsWith('__') && !k.startsWith('@odata.')));
}

function etagOf(res: Response, entity: Record<string, unknown>, what: string): string {
  const header = res.headers.get('etag');
  if (header !== null) return header;
  const meta = z.object({ etag: z.string() }).safeParse(entity['__metadata']);
  if (meta.success) return meta.data.etag;
  if (typeof entity['@odata.etag'] === 'string') return entity['@odata.etag'];
  throw new PlatformRequestError(`OData answered ${what} without an ETag; conditional writes need one`);
}

/** The key of a V2 entity from its `__metadata.uri` (`…/Set('KEY')`). */
function keyOf(entity: Record<string, unknown>): string {
  const uri = z.object({ uri: z.string() }).safeParse(entity['__metadata']);
  const match = uri.success ? /\('([^']*(?:''[^']*)*)'\)$/.exec(uri.data.uri) : null;
  if (match === null)
    throw new PlatformRequestError('OData answered a changed entity without a key in its __metadata.uri');
  return decodeURIComponent(match[1]!).replaceAll("''", "'");
}
