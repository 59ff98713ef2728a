import { AlertDeliveryError } from '../../errors.ts';
import { atLeast, type SinkDelivery } from '../AlertRecord.ts';
import type { AlertNotification, AlertSink } from './AlertSink.ts';

/** Retry and queue settings of the {@link AlertDispatcher}. */
export interface DispatchOptions {
  /** Attempts per notification and sink, the first included (default 6). */
  attempts?: number;
  /** First backoff in ms, doubled per retry with jitter (default 1,000), capped at `maxDelayMs` (default 60,000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-request timeout in ms (default 10,000). */
  timeoutMs?: number;
  /** Notifications waiting per sink (default 500); past it the oldest is dropped and reported failed. */
  queueSize?: number;
  /** Injected time (the token buckets) and waiting (backoff, rate limits) for deterministic tests. */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

const realSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

/** Told of a notification's final state on one sink (the alert book persists it). */
export type OnDelivery = (sink: string, delivery: SinkDelivery) => void;

/** A queued notification and whom to tell how it went. */
interface Queued {
  n: AlertNotification;
  onDelivery: OnDelivery;
}

/** One sink's queue, token bucket and worker. */
interface Lane {
  sink: AlertSink;
  queue: Queued[];
  tokens: number;
  refilledAt: number;
  /** No request before this time (a 429's Retry-After holds the whole lane). */
  holdUntil: number;
  running: Promise<void> | undefined;
}

/**
 * Delivers notifications to every sink whose minimum severity they reach, off the agent loop:
 * one queue per sink, worked one request at a time, each sink rate-limited by a token bucket
 * (`perMinute`, burst of the same size up to 10), failures retried with exponential backoff and
 * jitter, a `Retry-After` honoured, a final refusal (4xx) not retried. `notify` never throws and
 * never waits; `sinksFor` says which sinks an alert's severity reaches.
 */
export class AlertDispatcher {
  readonly #lanes: Lane[];
  readonly #o: Required<DispatchOptions>;
  readonly #closing = new AbortController();

  constructor(sinks: readonly AlertSink[], options: DispatchOptions = {}) {
    this.#o = {
      attempts: options.attempts ?? 6,
      baseDelayMs: options.baseDelayMs ?? 1_000,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      queueSize: options.queueSize ?? 500,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? realSleep,
      random: options.random ?? Math.random,
    };
    const now = this.#o.now();
    this.#lanes = sinks.map((sink) => ({
      sink,
      queue: [],
      tokens: burstOf(sink),
      refilledAt: now,
      holdUntil: 0,
      running: undefined,
    }));
  }

  /** The sinks' names, for the start banner. */
  get sinks(): string[] {
    return this.#lanes.map((l) => l.sink.name);
  }

  /** The sinks an alert of this severity goes to. */
  sinksFor(severity: AlertNotification['alert']['severity']): string[] {
    return this.#lanes.filter((l) => atLeast(severity, l.sink.minSeverity)).map((l) => l.sink.name);
  }

  /** Queues `n` on the named sinks (unknown names are ignored); `onDelivery` hears how each went. */
  notify(n: AlertNotification, sinks: readonly string[], onDelivery: OnDelivery = () => {}): void {
    if (this.#closing.signal.aborted) return;
    for (const lane of this.#lanes) {
      if (!sinks.includes(lane.sink.name)) continue;
      lane.queue.push({ n, onDelivery });
      if (lane.queue.length > this.#o.queueSize) {
        const dropped = lane.queue.shift()!;
        dropped.onDelivery(lane.sink.name, {
          status: 'failed',
          attempts: 0,
          error: `dropped: more than ${this.#o.queueSize} notifications waiting for ${lane.sink.name}`,
        });
      }
      lane.running ??= this.#work(lane).finally(() => (lane.running = undefined));
    }
  }

  /** Resolves once every queue is empty (tests, and shutdown before `close`). */
  async drain(): Promise<void> {
    while (this.#lanes.some((l) => l.running !== undefined)) await Promise.all(this.#lanes.map(async (l) => l.running));
  }

  /** Stops the workers: waits and requests in flight are cut short, queued notifications are left. */
  close(): void {
    this.#closing.abort();
  }

  async #work(lane: Lane): Promise<void> {
    const signal = this.#closing.signal;
    while (lane.queue.length > 0 && !signal.aborted) {
      const item = lane.queue[0]!;
      const delivery = await this.#deliver(lane, item.n);
      lane.queue.shift();
      item.onDelivery(lane.sink.name, delivery);
    }
  }

  async #deliver(lane: Lane, n: AlertNotification): Promise<SinkDelivery> {
    const o = this.#o;
    const signal = this.#closing.signal;
    let last = '';
    for (let attempt = 1; attempt <= o.attempts && !signal.aborted; attempt++) {
      await this.#takeToken(lane);
      if (signal.aborted) break;
      try {
        await lane.sink.send(n, AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]));
        return { status: 'sent', attempts: attempt };
      } catch (error) {
        const failure =
          error instanceof AlertDeliveryError
            ? error.failure
            : { sink: lane.sink.name, retryable: true, retryAfterMs: undefined };
        last = (error as Error).message;
        if (!failure.retryable) return { status: 'failed', attempts: attempt, error: last };
        if (attempt === o.attempts) break;
        const backoff = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + o.random() / 2);
        if (failure.retryAfterMs !== undefined) lane.holdUntil = o.now() + failure.retryAfterMs;
        await o.sleep(Math.max(backoff, failure.retryAfterMs ?? 0), signal);
      }
    }
    if (signal.aborted) return { status: 'pending', attempts: 0, error: 'the runtime shut down before it was sent' };
    return { status: 'failed', attempts: o.attempts, error: `gave up after ${o.attempts} attempts: ${last}` };
  }

  /** Waits for the lane's hold and for a token of its bucket, then takes it. */
  async #takeToken(lane: Lane): Promise<void> {
    const o = this.#o;
    const signal = this.#closing.signal;
    const perMs = lane.sink.perMinute / 60_000;
    for (;;) {
      const now = o.now();
      if (now < lane.holdUntil) {
        await o.sleep(lane.holdUntil - now, signal);
        continue;
      }
      lane.tokens = Math.min(burstOf(lane.sink), lane.tokens + (now - lane.refilledAt) * perMs);
      lane.refilledAt = now;
      if (lane.tokens >= 1 || signal.aborted) {
        lane.tokens -= 1;
        return;
      }
      await o.sleep(Math.ceil((1 - lane.tokens) / perMs), signal);
    }
  }
}

/** A bucket holds up to a minute's worth, at most 10. */
function burstOf(sink: AlertSink): number {
  return Math.max(1, Math.min(10, sink.perMinute));
}
