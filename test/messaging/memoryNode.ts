import type { Clock } from '../../kernel/index.ts';
import { MemoryCapabilityRegistry } from '../../registry/index.ts';
import {
  AgentIdentity,
  MemoryReplayStore,
  MemoryTransport,
  MessageBus,
  ReplayGuard,
  type CapabilityRegistry,
  type Rejection,
  type Transport,
} from '../../transport/index.ts';

/** A settable clock for deterministic expiry tests. */
export class TestClock implements Pick<Clock, 'now'> {
  constructor(public t = 1_750_000_000_000) {}
  now(): number {
    return this.t;
  }
}

/** One in-memory runtime node for tests: a bus over a (possibly shared) transport and registry, recording rejections. */
export async function memoryNode(
  options: {
    transport?: Transport;
    registry?: CapabilityRegistry;
    clock?: Pick<Clock, 'now'>;
    id?: string;
    controlAuthority?: boolean;
    inboundConcurrency?: number;
  } = {},
) {
  const transport = options.transport ?? new MemoryTransport();
  const registry =
    options.registry ?? new MemoryCapabilityRegistry(options.clock === undefined ? {} : { clock: options.clock });
  const rejections: Rejection[] = [];
  const bus = await MessageBus.start({
    transport,
    registry,
    replay: new ReplayGuard(new MemoryReplayStore()),
    node: {
      id: options.id ?? 'node-1',
      identity: AgentIdentity.generate(),
      controlAuthority: options.controlAuthority ?? false,
    },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    onReject: (r) => rejections.push(r),
    ...(options.inboundConcurrency === undefined ? {} : { inboundConcurrency: options.inboundConcurrency }),
  });
  return { transport, registry, bus, rejections };
}

/** Resolves after pending microtasks and one macrotask: in-memory delivery has happened. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Polls `predicate` until it holds (rejects after `ms`, with `what` in the message). */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
