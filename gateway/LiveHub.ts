/**
 * Fans the runtime's inspection events out to live clients.
 *
 * One runtime subscription serves every client; each event is serialised once.
 * A client whose socket buffers more than `maxBufferedBytes` is cut off
 * (close code 1013) rather than letting memory grow without bound. A
 * heartbeat pings every client; one that has not answered the previous ping
 * is dropped, so half-open connections do not pile up.
 */
import type { InspectionEvent } from '../runtime/index.ts';
import type { MandateRuntime } from './RuntimeApi.ts';

/** The part of a WebSocket the hub uses. */
export interface LiveSocket {
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  terminate(): void;
}

/** Fan-out of inspection events to sockets. */
export class LiveHub {
  private readonly clients = new Set<LiveSocket>();
  private readonly unanswered = new Set<LiveSocket>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly runtime: Pick<MandateRuntime, 'subscribe'>,
    private readonly maxBufferedBytes = 4 * 1024 * 1024,
  ) {}

  /** Adds a client; returns a function that removes it. */
  add(socket: LiveSocket): () => void {
    this.clients.add(socket);
    this.unsubscribe ??= this.runtime.subscribe((event) => this.broadcast(event));
    return () => this.remove(socket);
  }

  /** Records a client's pong. */
  pong(socket: LiveSocket): void {
    this.unanswered.delete(socket);
  }

  /** One heartbeat round: drops clients that missed the last ping, pings the rest. */
  heartbeat(): void {
    for (const socket of this.clients) {
      if (this.unanswered.has(socket)) {
        this.remove(socket);
        socket.terminate();
        continue;
      }
      this.unanswered.add(socket);
      socket.ping();
    }
  }

  /** How many clients are connected. */
  get size(): number {
    return this.clients.size;
  }

  /** Disconnects every client and drops the runtime subscription. */
  close(): void {
    for (const socket of this.clients) socket.close(1001, 'gateway shutting down');
    this.clients.clear();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private remove(socket: LiveSocket): void {
    this.clients.delete(socket);
    this.unanswered.delete(socket);
    if (this.clients.size === 0) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    }
  }

  private broadcast(event: InspectionEvent): void {
    const data = JSON.stringify(event);
    for (const socket of this.clients) {
      if (socket.bufferedAmount > this.maxBufferedBytes) {
        this.remove(socket);
        socket.close(1013, 'client too slow: reconnect and reload state');
        continue;
      }
      socket.send(data);
    }
  }
}
