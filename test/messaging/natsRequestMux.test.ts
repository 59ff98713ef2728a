import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../kernel/index.ts';
import { NatsTransport, RequestFailedError, TransportUsageError } from '../../transport/index.ts';
import { NatsServer } from '../support/natsServer.ts';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe('NatsTransport request/reply through its own reply mux (real nats-server)', () => {
  let ns: NatsServer;
  let a: NatsTransport;
  let b: NatsTransport;
  beforeAll(async () => {
    ns = await NatsServer.start();
    a = await NatsTransport.connect({ servers: ns.url, name: 'mux-a', inboxPrefix: '_INBOX_mux_a' });
    b = await NatsTransport.connect({ servers: ns.url, name: 'mux-b' });
  });
  afterAll(async () => {
    await a.close().catch(() => undefined);
    await b.close().catch(() => undefined);
    await ns[Symbol.asyncDispose]();
  });

  it('nats mux - concurrent requests each get their own reply, on a subject inside the inbox prefix', async () => {
    const replies: string[] = [];
    b.subscribe('mux.echo', (m) => {
      replies.push(m.reply!);
      // Answer in reverse order of arrival, so a mix-up of tokens would show.
      setTimeout(() => b.publish(m.reply!, text(`re:${str(m.data)}`)), 50 - Number(str(m.data)));
    });
    await b.flush();
    const got = await Promise.all(
      Array.from({ length: 20 }, (_, i) => a.request('mux.echo', text(String(i)), { timeoutMs: 5_000 }).then(str)),
    );
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `re:${i}`));
    expect(replies.every((r) => r.startsWith('_INBOX_mux_a.'))).toBe(true);
    expect(new Set(replies).size).toBe(20);
  });

  it('nats mux - no listener is a coded no-responders error, silence a coded timeout, and a late reply is ignored', async () => {
    const none = await a.request('mux.nobody', text('x'), { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(RequestFailedError);
    expect((none as RequestFailedError).code).toBe(ErrorCode.MANDATE_ERR_TRANSPORT_NO_RESPONDERS);

    let late: (() => void) | undefined;
    b.subscribe('mux.slow', (m) => (late = () => b.publish(m.reply!, text('too late'))));
    await b.flush();
    const slow = await a.request('mux.slow', text('x'), { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(RequestFailedError);
    expect((slow as RequestFailedError).code).toBe(ErrorCode.MANDATE_ERR_TRANSPORT_TIMEOUT);
    late!();
    await b.flush();
    // The late reply reaches nobody; the next request still gets its own answer.
    b.subscribe('mux.fast', (m) => b.publish(m.reply!, text('ok')));
    await b.flush();
    expect(str(await a.request('mux.fast', text('x'), { timeoutMs: 5_000 }))).toBe('ok');
  });

  it('nats mux - closing the connection fails the request still waiting with a coded error', async () => {
    const c = await NatsTransport.connect({ servers: ns.url, name: 'mux-c' });
    b.subscribe('mux.never', () => undefined);
    await b.flush();
    const waiting = c.request('mux.never', text('x'), { timeoutMs: 30_000 }).catch((e: unknown) => e);
    await c.flush();
    await c.close();
    const err = await waiting;
    expect(err).toBeInstanceOf(TransportUsageError);
    expect((err as TransportUsageError).message).toMatch(/mux\.never.*got no reply: the NATS connection closed/);
  });
});
