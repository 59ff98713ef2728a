import { describe, expect, it } from 'vitest';
import { InspectionStream } from '../runtime/inspection/InspectionStream.ts';
import { LiveHub, type LiveSocket } from './LiveHub.ts';

class RecordingSocket implements LiveSocket {
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closed: { code?: number; reason?: string } | undefined;
  pings = 0;
  terminated = false;
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }
}

const transition = (actorId: string) =>
  ({
    type: 'transition',
    actorId,
    parentId: 'gov',
    actorKind: 'agent',
    from: 'idle',
    to: 'perceive',
    event: 'agent.tick',
    summary: {},
    at: 1,
  }) as const;

describe('gateway - live hub', () => {
  it('gateway - every client gets every event once, as JSON, in order', () => {
    const stream = new InspectionStream();
    const hub = new LiveHub(stream);
    const a = new RecordingSocket();
    const b = new RecordingSocket();
    hub.add(a);
    hub.add(b);
    stream.publish(transition('x'));
    stream.publish(transition('y'));
    for (const socket of [a, b])
      expect(socket.sent.map((s) => (JSON.parse(s) as { actorId: string; seq: number }).actorId)).toEqual(['x', 'y']);
    expect(JSON.parse(a.sent[1] ?? '{}').seq).toBe(2);
  });

  it('gateway - the runtime subscription exists only while clients are connected', () => {
    const stream = new InspectionStream();
    const hub = new LiveHub(stream);
    expect(stream.active).toBe(false);
    const removeA = hub.add(new RecordingSocket());
    const removeB = hub.add(new RecordingSocket());
    expect(stream.active).toBe(true);
    removeA();
    expect(stream.active).toBe(true);
    removeB();
    expect(stream.active).toBe(false);
    expect(hub.size).toBe(0);
  });

  it('gateway - a client that stops reading is cut off with 1013 and the others keep receiving', () => {
    const stream = new InspectionStream();
    const hub = new LiveHub(stream, 100);
    const slow = new RecordingSocket();
    const fast = new RecordingSocket();
    hub.add(slow);
    hub.add(fast);
    slow.bufferedAmount = 101;
    stream.publish(transition('x'));
    expect(slow.closed?.code).toBe(1013);
    expect(slow.sent).toHaveLength(0);
    expect(fast.sent).toHaveLength(1);
    expect(hub.size).toBe(1);
  });

  it('gateway - closing the hub closes clients with 1001 and unsubscribes', () => {
    const stream = new InspectionStream();
    const hub = new LiveHub(stream);
    const a = new RecordingSocket();
    hub.add(a);
    hub.close();
    expect(a.closed?.code).toBe(1001);
    expect(stream.active).toBe(false);
  });

  it('gateway - the heartbeat drops a client that did not answer the previous ping and keeps one that did', () => {
    const stream = new InspectionStream();
    const hub = new LiveHub(stream);
    const alive = new RecordingSocket();
    const dead = new RecordingSocket();
    hub.add(alive);
    hub.add(dead);
    hub.heartbeat();
    expect([alive.pings, dead.pings]).toEqual([1, 1]);
    hub.pong(alive);
    hub.heartbeat();
    expect(dead.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(alive.pings).toBe(2);
    expect(hub.size).toBe(1);
    stream.publish(transition('x'));
    expect(dead.sent).toHaveLength(0);
    expect(alive.sent).toHaveLength(1);
  });
});
