import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpReceiver } from '../../test/support/httpReceiver.ts';
import { selfSignedCert } from '../../test/support/selfSignedCert.ts';
import { OtlpHttpExporter } from './OtlpHttpExporter.ts';
import { attribute, spanJson } from './otlpJson.ts';

interface Body {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ scope: { name: string }; spans: Array<{ spanId: string; attributes: unknown[] }> }>;
  }>;
}

const span = (i: number, agent = 'm'): string =>
  spanJson({
    traceId: 'a'.repeat(32),
    spanId: i.toString(16).padStart(16, '0'),
    parentSpanId: undefined,
    name: '"agent.cycle"',
    start: '1000000',
    end: '2000000',
    attrs: attribute('mandate.agent', agent),
    error: false,
  });

const spanIds = (bodies: string[]): string[] =>
  bodies.flatMap((b) => (JSON.parse(b) as Body).resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.spanId));

const exporter = (endpoint: string, more: Partial<ConstructorParameters<typeof OtlpHttpExporter>[0]> = {}) => {
  const problems: string[] = [];
  const e = new OtlpHttpExporter({
    endpoint,
    resource: { 'service.name': 'mandate', 'service.instance.id': 'node-x' },
    onProblem: (m) => problems.push(m),
    intervalMs: 60_000,
    ...more,
  });
  return { e, problems };
};

describe('OTLP/HTTP exporter', () => {
  it('otlp - a batch is one ExportTraceServiceRequest (JSON) at <endpoint>/v1/traces; non-ASCII text goes escaped, sent as it was given', async () => {
    await using rx = await httpReceiver(() => ({ status: 200, body: '{}' }));
    const { e } = exporter(`${rx.url}/`);
    e.enqueue(span(1, 'zahlungsprüfer-€'));
    e.enqueue(span(2));
    await e.flush();
    expect(rx.received).toHaveLength(1);
    const r = rx.received[0]!;
    expect([r.method, r.path, r.headers['content-type']]).toEqual(['POST', '/v1/traces', 'application/json']);
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
    const body = JSON.parse(r.body) as Body;
    expect(body.resourceSpans[0]!.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'mandate' } },
      { key: 'service.instance.id', value: { stringValue: 'node-x' } },
    ]);
    expect(body.resourceSpans[0]!.scopeSpans[0]!.scope).toEqual({ name: 'mandate' });
    expect(body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes).toEqual([
      { key: 'mandate.agent', value: { stringValue: 'zahlungsprüfer-€' } },
    ]);
    expect(spanIds(rx.received.map((x) => x.body))).toEqual(['0000000000000001', '0000000000000002']);
    expect(e.stats()).toMatchObject({ exported: 2, dropped: 0, failed: 0, requests: 1 });
    await e.close();
  });

  it('otlp - a full batch goes out by itself (after the cycle, not in it), the rest on flush; one keep-alive connection carries them all', async () => {
    await using rx = await httpReceiver(() => ({ status: 200, body: '{}' }));
    const { e } = exporter(rx.url, { batchSize: 4, maxInFlight: 1 });
    for (let i = 0; i < 4; i++) e.enqueue(span(i + 1));
    expect(rx.received).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    await e.flush();
    expect(rx.received).toHaveLength(1);
    for (let round = 0; round < 3; round++) {
      e.enqueue(span(10 + round));
      await e.flush();
    }
    expect(rx.received).toHaveLength(4);
    expect(spanIds(rx.received.map((x) => x.body))).toHaveLength(7);
    expect(e.stats()).toMatchObject({ exported: 7, requests: 4, connections: 1 });
    expect(rx.received.map((r) => r.headers.connection)).toEqual(rx.received.map(() => 'keep-alive'));
    await e.close();
  });

  it('otlp - the keep-alive socket is the same one on the server side too', async () => {
    const sockets = new Set<string>();
    const { cert, key } = selfSignedCert();
    const server = createHttps({ cert, key }, (req, res) => {
      sockets.add(`${req.socket.remotePort}`);
      req.resume();
      req.on('end', () => res.writeHead(200).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { e, problems } = exporter(url, { ca: cert });
    for (let round = 0; round < 3; round++) {
      e.enqueue(span(round + 1));
      await e.flush();
    }
    expect(problems).toEqual([]);
    expect(e.stats()).toMatchObject({ exported: 3, requests: 3, connections: 1 });
    expect(sockets.size).toBe(1);
    await e.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('otlp - https: exported to a receiver whose self-signed certificate is the CA given; refused (and counted failed) without it', async () => {
    const { cert, key } = selfSignedCert();
    const bodies: string[] = [];
    const server = createHttps({ cert, key }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const trusted = exporter(url, { ca: cert });
    trusted.e.enqueue(span(7));
    await trusted.e.flush();
    expect(spanIds(bodies)).toEqual(['0000000000000007']);
    expect(trusted.e.stats()).toMatchObject({ exported: 1, failed: 0 });
    expect(trusted.e.url).toBe(`${url}/v1/traces`);

    const untrusted = exporter(url);
    untrusted.e.enqueue(span(8));
    await untrusted.e.flush();
    expect(bodies).toHaveLength(1);
    expect(untrusted.e.stats()).toMatchObject({ exported: 0, failed: 1 });
    expect(untrusted.problems[0]).toMatch(/failed: .*certificate.*; 1 spans dropped$/);
    await trusted.e.close();
    await untrusted.e.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('otlp - past maxQueue spans are dropped and counted, never waited for; the drop counter is in the metric families and reported once', async () => {
    await using rx = await httpReceiver(() => ({ status: 200, body: '{}' }));
    const { e, problems } = exporter(rx.url, { maxQueue: 3, batchSize: 100 });
    for (let i = 0; i < 5; i++) e.enqueue(span(i + 1));
    expect(e.full()).toBe(true);
    expect(e.stats()).toMatchObject({ dropped: 3 });
    await e.flush();
    expect(spanIds(rx.received.map((x) => x.body))).toEqual([
      '0000000000000001',
      '0000000000000002',
      '0000000000000003',
    ]);
    expect(e.full()).toBe(false);
    await e.close();
    expect(problems).toEqual(['3 spans dropped: more than 3 waited for the OTLP exporter']);
    expect(e.families()).toEqual([
      expect.objectContaining({ name: 'mandate_otlp_spans_exported_total', series: [{ labels: {}, value: 3 }] }),
      expect.objectContaining({
        name: 'mandate_otlp_spans_dropped_total',
        type: 'counter',
        series: [
          { labels: { reason: 'queue_full' }, value: 3 },
          { labels: { reason: 'export_failed' }, value: 0 },
        ],
      }),
    ]);
  });

  it('otlp - a refused export (5xx), a timeout and a closed port are logged and counted failed; later exports still go', async () => {
    await using rx = await httpReceiver((i) =>
      i === 0 ? { status: 503, body: 'busy' } : i === 1 ? 'hang' : { status: 200 },
    );
    const { e, problems } = exporter(rx.url, { timeoutMs: 200 });
    e.enqueue(span(1));
    await e.flush();
    e.enqueue(span(2));
    await e.flush();
    e.enqueue(span(3));
    await e.flush();
    expect(problems[0]).toBe(`OTLP export to ${rx.url}/v1/traces answered 503; 1 spans dropped`);
    expect(problems[1]).toMatch(/failed: no answer within 200 ms; 1 spans dropped$/);
    expect(e.stats()).toMatchObject({ exported: 1, failed: 2, requests: 3 });
    await e.close();
    const closed = exporter('http://127.0.0.1:9');
    closed.e.enqueue(span(4));
    await closed.e.flush();
    expect(closed.problems[0]).toMatch(/^OTLP export to http:\/\/127\.0\.0\.1:9\/v1\/traces failed: .*ECONNREFUSED/);
    await closed.e.close();
  });

  it('otlp - an endpoint that is not an http(s) URL is MANDATE_ERR_TRACING_CONFIG naming the variable', () => {
    for (const endpoint of ['127.0.0.1:4318', 'grpc://collector:4317', 'not a url'])
      expect(() => exporter(endpoint)).toThrow(
        expect.objectContaining({
          code: 'MANDATE_ERR_TRACING_CONFIG',
          details: { variable: 'OTEL_EXPORTER_OTLP_ENDPOINT' },
          message: expect.stringContaining(endpoint),
        }),
      );
  });
});
