/** One finished span, in OTLP's terms (ids hex, times epoch ms). */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number>;
  error: boolean;
}

/**
 * Exports spans over OTLP/HTTP with the JSON encoding (`POST <endpoint>/v1/traces`, an
 * `ExportTraceServiceRequest`), batched: every `intervalMs` (default 2 s) or 512 spans, off the
 * agent loop, at most 2,048 queued (more are dropped and counted). A failed export is dropped
 * after one report: tracing must never hold money up.
 */
export class OtlpHttpExporter {
  readonly #url: string;
  readonly #resource: Record<string, string>;
  readonly #onProblem: (message: string) => void;
  #queue: SpanRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #sending = false;
  #dropped = 0;

  constructor(options: {
    endpoint: string;
    resource: Record<string, string>;
    onProblem: (message: string) => void;
    intervalMs?: number;
  }) {
    this.#url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
    this.#resource = options.resource;
    this.#onProblem = options.onProblem;
    this.#timer = setInterval(() => void this.flush(), options.intervalMs ?? 2_000);
    this.#timer.unref();
  }

  /**
   * True (and one span counted as dropped) when 2,048 spans already wait: the caller skips building the
   * span it was about to export. Under a flood that the collector cannot take, this saves the cost of
   * spans that would be dropped anyway.
   */
  dropIfFull(): boolean {
    if (this.#queue.length < 2_048) return false;
    this.#dropped += 1;
    return true;
  }

  /** Queues a span: past 2,048 waiting it is dropped and counted (as OpenTelemetry's batch processor does). */
  export(span: SpanRecord): void {
    if (this.#queue.length >= 2_048) {
      this.#dropped += 1;
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= 512 && !this.#sending) void this.flush();
  }

  /** Sends what is queued; resolves when the request (and any before it) finished. */
  flush(): Promise<void> {
    const spans = this.#queue;
    this.#queue = [];
    if (this.#dropped > 0) {
      this.#onProblem(`${this.#dropped} spans dropped: more than 2,048 waited for the OTLP exporter`);
      this.#dropped = 0;
    }
    if (spans.length > 0) {
      this.#sending = true;
      this.#inFlight = this.#inFlight.then(() => this.#send(spans)).finally(() => (this.#sending = false));
    }
    return this.#inFlight;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #send(spans: SpanRecord[]): Promise<void> {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: attributes(this.#resource) },
          scopeSpans: [{ scope: { name: 'mandate' }, spans: spans.map(otlpSpan) }],
        },
      ],
    });
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok)
        this.#onProblem(`OTLP export to ${this.#url} answered ${response.status}; ${spans.length} spans dropped`);
    } catch (error) {
      this.#onProblem(`OTLP export to ${this.#url} failed: ${(error as Error).message}; ${spans.length} spans dropped`);
    }
  }
}

function attributes(values: Record<string, string | number>) {
  return Object.entries(values).map(([key, v]) => ({
    key,
    value:
      typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : { stringValue: v },
  }));
}

function nanos(ms: number): string {
  return `${BigInt(Math.round(ms)) * 1_000_000n}`;
}

function otlpSpan(s: SpanRecord) {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
    name: s.name,
    kind: 1,
    startTimeUnixNano: nanos(s.startMs),
    endTimeUnixNano: nanos(s.endMs),
    attributes: attributes(s.attributes),
    status: { code: s.error ? 2 : 1 },
  };
}
