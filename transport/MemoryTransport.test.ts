import { describe, expect, it } from 'vitest';
import { MemoryTransport } from './MemoryTransport.ts';
import { subjectMatches } from './subjectMatches.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const tick = () => new Promise<void>((r) => setImmediate(r));

describe('MemoryTransport', () => {
  it('memory transport - wildcards, queue groups, unsubscribe and request/reply behave like NATS', async () => {
    const t = new MemoryTransport();
    const got: string[] = [];
    t.subscribe('a.*.c', (m) => got.push(`star:${m.subject}`));
    t.subscribe('a.>', (m) => got.push(`tail:${m.subject}`));
    const exact = t.subscribe('a.b.c', (m) => got.push(`exact:${m.subject}`));
    t.subscribe('q', () => got.push('q1'), { queue: 'g' });
    t.subscribe('q', () => got.push('q2'), { queue: 'g' });
    t.publish('a.b.c', bytes('x'));
    t.publish('a.b', bytes('x'));
    t.publish('q', bytes('x'));
    t.publish('q', bytes('x'));
    await tick();
    expect(got.sort()).toEqual(['exact:a.b.c', 'q1', 'q2', 'star:a.b.c', 'tail:a.b', 'tail:a.b.c']);
    await exact.unsubscribe();
    got.length = 0;
    t.publish('a.b.c', bytes('x'));
    await tick();
    expect(got.sort()).toEqual(['star:a.b.c', 'tail:a.b.c']);
    t.subscribe('svc', (m) => m.reply && t.publish(m.reply, bytes(`re:${text(m.data)}`)));
    expect(text(await t.request('svc', bytes('ping'), { timeoutMs: 1_000 }))).toBe('re:ping');
    await expect(t.request('nobody', bytes('x'), { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'MANDATE_ERR_TRANSPORT_NO_RESPONDERS',
    });
    t.subscribe('slow', () => undefined);
    await expect(t.request('slow', bytes('x'), { timeoutMs: 20 })).rejects.toMatchObject({
      code: 'MANDATE_ERR_TRANSPORT_TIMEOUT',
    });
    await t.close();
    expect(() => t.publish('a', bytes('x'))).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_TRANSPORT_USAGE' }),
    );
  });

  it('memory transport - a durable consumer resumes where it stopped and redelivers what was never acked', async () => {
    const t = new MemoryTransport();
    const seen: string[] = [];
    const first = await t.consumeDurable(
      'd.>',
      async (m) => {
        seen.push(`${text(m.data)}#${m.deliveryCount}`);
        if (text(m.data) === 'one') m.ack();
      },
      { durable: 'c1', ackWaitMs: 60_000 },
    );
    await t.publishDurable('d.x', bytes('one'), { msgId: 'id-1' });
    await t.publishDurable('d.x', bytes('two'), { msgId: 'id-2' });
    await tick();
    await first.unsubscribe();
    await t.publishDurable('d.x', bytes('three'), { msgId: 'id-3' });
    await t.consumeDurable(
      'd.>',
      async (m) => {
        seen.push(`${text(m.data)}#${m.deliveryCount}`);
        m.ack();
      },
      { durable: 'c1' },
    );
    await tick();
    expect(seen).toEqual(['one#1', 'two#1', 'two#2', 'three#1']);
    await t.close();
  });

  it('subjects - NATS wildcard matching', () => {
    expect(subjectMatches('a.*', 'a.b')).toBe(true);
    expect(subjectMatches('a.*', 'a.b.c')).toBe(false);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('*.b', 'a.b')).toBe(true);
    expect(subjectMatches('a.b', 'a.c')).toBe(false);
  });
});
