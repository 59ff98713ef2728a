import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { FamilySnapshot } from '../metrics/MetricFamily.ts';
import { TracingConfigError } from './errors.ts';
import { batchFrame } from './otlpJson.ts';
import { SpanBatch } from './SpanBatch.ts';

/** Where spans go and how many wait; every bound has the OpenTelemetry batch span processor's default. */
export interface OtlpExporterOptions {
  /** The OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  resource: Record<string, string>;
  /** Told of failed exports and of drops (at most once per interval for drops). */
  onProblem: (message: string) => void;
  /** A batch goes out at least this often (default 2 s). */
  intervalMs?: number;
  /** Spans waiting at most (default 2,048): more are dropped and counted. */
  maxQueue?: number;
  /** Spans per request at most (default 512); a full batch is sent at once, off the cycle. */
  batchSize?: number;
  /** Requests in flight at most (default 2). */
  maxInFlight?: number;
  /** A request not answered within this is abandoned, its spans counted as failed (default 10 s). */
  timeoutMs?: number;
  /** PEM CA certificate(s) the https endpoint's certificate is checked against (besides the system's). */
  ca?: string | Buffer;
}

/** What the exporter did: spans the collector took, dropped (queue full), lost in a failed request. */
export interface ExporterStats {
  exported: number;
  dropped: number;
  failed: number;
  requests: number;
  /** TCP/TLS connections opened: with keep-alive, one per request in flight at once, not one per request. */
  connections: number;
}

/**
 * Exports spans over OTLP/HTTP with the JSON encoding (`POST <endpoint>/v1/traces`), spans arriving
 * already encoded (see otlpJson.ts). Batched every `intervalMs` or `batchSize` spans, on `node:http`
 * or `node:https` with a keep-alive agent, from a bounded queue: a span past `maxQueue` is dropped and
 * counted, never waited for. A failed export is logged and its spans counted as failed: tracing must
 * never hold money up.
 */
export class OtlpHttpExporter {
  readonly #url: URL;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;
  readonly #prefix: Buffer;
  readonly #suffix: Buffer;
  readonly #onProblem: (message: string) => void;
  readonly #maxQueue: number;
  readonly #batchSize: number;
  readonly #maxInFlight: number;
  readonly #timeoutMs: number;
  readonly #timer: NodeJS.Timeout;
  /** Full batches waiting for a request, and the one being filled. */
  readonly #full: SpanBatch[] = [];
  #filling: SpanBatch | undefined;
  /** Spans in `#full` and `#filling`. */
  #waiting = 0;
  #scheduled = false;
  #inFlight = 0;
  #idle: Array<() => void> = [];
  #unreported = 0;
  readonly #stats: ExporterStats = { exported: 0, dropped: 0, failed: 0, requests: 0, connections: 0 };

  constructor(options: OtlpExporterOptions) {
    this.#url = endpointUrl(options.endpoint);
    const https = this.#url.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: options.maxInFlight ?? 2 };
    this.#agent = https
      ? new HttpsAgent({ ...agentOptions, ...(options.ca === undefined ? {} : { ca: options.ca }) })
      : new HttpAgent(agentOptions);
    this.#request = https ? httpsRequest : httpRequest;
    const frame = batchFrame(options.resource);
    this.#prefix = Buffer.from(frame.prefix, 'latin1');
    this.#suffix = Buffer.from(frame.suffix, 'latin1');
    this.#onProblem = options.onProblem;
    this.#maxQueue = options.maxQueue ?? 2_048;
    this.#batchSize = options.batchSize ?? 512;
    this.#maxInFlight = options.maxInFlight ?? 2;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#timer = setInterval(() => this.#tick(), options.intervalMs ?? 2_000);
    this.#timer.unref();
  }

  /** `<endpoint>/v1/traces`. */
  get url(): string {
    return this.#url.href;
  }

  /**
   * True (and one span counted as dropped) when the queue is full: the caller skips building the span
   * it was about to export, which would be dropped anyway.
   */
  full(): boolean {
    if (this.#waiting < this.#maxQueue) return false;
    this.#drop();
    return true;
  }

  /** Queues one encoded span (dropped and counted when the queue is full); a full batch is sent off the cycle. */
  enqueue(span: string): void {
    if (this.#waiting >= this.#maxQueue) return this.#drop();
    const batch = (this.#filling ??= new SpanBatch(this.#prefix, this.#batchSize));
    batch.add(span);
    this.#waiting += 1;
    if (batch.count < this.#batchSize) return;
    this.#full.push(batch);
    this.#filling = undefined;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#pump(false);
      });
    }
  }

  /** Sends everything queued; resolves when no request is in flight (failures are reported, not thrown). */
  flush(): Promise<void> {
    this.#pump(true);
    return this.#inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  stats(): Readonly<ExporterStats> {
    return { ...this.#stats };
  }

  /** The exporter's counters for `/metrics`: spans exported and dropped (by why). */
  families(): FamilySnapshot[] {
    const s = this.#stats;
    return [
      {
        name: 'mandate_otlp_spans_exported_total',
        type: 'counter',
        help: 'Spans the OTLP collector accepted',
        series: [{ labels: {}, value: s.exported }],
      },
      {
        name: 'mandate_otlp_spans_dropped_total',
        type: 'counter',
        help: 'Spans not exported: the queue was full, or the request carrying them failed',
        series: [
          { labels: { reason: 'queue_full' }, value: s.dropped },
          { labels: { reason: 'export_failed' }, value: s.failed },
        ],
      },
    ];
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    this.#reportDrops();
    this.#agent.destroy();
  }

  #drop(): void {
    this.#stats.dropped += 1;
    this.#unreported += 1;
  }

  #tick(): void {
    this.#reportDrops();
    this.#pump(true);
  }

  #reportDrops(): void {
    if (this.#unreported === 0) return;
    this.#onProblem(`${this.#unreported} spans dropped: more than ${this.#maxQueue} waited for the OTLP exporter`);
    this.#unreported = 0;
  }

  /** Sends full batches (and, with `all`, the partial last one) while fewer than `maxInFlight` are out. */
  #pump(all: boolean): void {
    while (this.#inFlight < this.#maxInFlight) {
      let batch = this.#full.shift();
      if (batch === undefined && all && this.#filling !== undefined) {
        batch = this.#filling;
        this.#filling = undefined;
      }
      if (batch === undefined) return;
      this.#waiting -= batch.count;
      this.#send(batch);
    }
  }

  #send(batch: SpanBatch): void {
    const body = batch.seal(this.#suffix);
    const count = batch.count;
    this.#inFlight += 1;
    this.#stats.requests += 1;
    let settled = false;
    const done = (problem: string | undefined): void => {
      if (settled) return;
      settled = true;
      if (problem === undefined) this.#stats.exported += count;
      else {
        this.#stats.failed += count;
        this.#onProblem(`OTLP export to ${this.#url.href} ${problem}; ${count} spans dropped`);
      }
      this.#inFlight -= 1;
      this.#pump(this.#idle.length > 0);
      if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    };
    const req: ClientRequest = this.#request(
      this.#url,
      {
        method: 'POST',
        agent: this.#agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => done(res.statusCode! < 300 ? undefined : `answered ${res.statusCode}`));
        res.on('error', (e) => done(`failed: ${e.message}`));
      },
    );
    req.on('socket', () => {
      if (!req.reusedSocket) this.#stats.connections += 1;
    });
    req.setTimeout(this.#timeoutMs, () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
    req.on('error', (e) => done(`failed: ${e.message}`));
    req.end(body);
  }
}

/** `<endpoint>/v1/traces` of an http(s) base URL; anything else is `MANDATE_ERR_TRACING_CONFIG`. */
function endpointUrl(endpoint: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(`${endpoint.replace(/\/+$/, '')}/v1/traces`);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new TracingConfigError(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      `OTEL_EXPORTER_OTLP_ENDPOINT is "${endpoint}"; it must be an http:// or https:// URL (for example http://127.0.0.1:4318).`,
    );
  return url;
}
