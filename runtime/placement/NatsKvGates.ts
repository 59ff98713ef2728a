import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { ErrorCode } from '../../kernel/index.ts';
import { principalSchema } from '../control/checkInput.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { Gate, GateBoard } from '../control/GateBoard.ts';
import { PlacementUnavailableError } from './errors.ts';

/** The JetStream KV bucket of dependency gates shared by placed nodes. */
export const GATES_BUCKET = 'mandate_gates';

const gateValue = z.object({
  name: z.string().min(1).max(200),
  open: z.boolean(),
  reason: z.string().max(2000),
  by: principalSchema,
  at: z.number(),
});

const keyOf = (name: string): string => `g.${Buffer.from(name).toString('base64url')}`;

/** Options of {@link shareGates}. */
export interface ShareGatesOptions {
  replicas: number;
  alert(alert: AlertInput): void;
  bucket?: string;
}

/**
 * Shares this node's dependency gates with the other nodes of its placement: every local change
 * (audited before it is set) is put in the `mandate_gates` KV bucket, and every change there is
 * set here. With agents placed on different nodes, a pre-check agent (the treasury's fee watcher)
 * may open the gate on one node that a dependent agent (payables) waits for on another; a node
 * that joins, or takes an agent over, reads the gates as they are. A change that cannot be put is
 * alerted (the gate is set on this node all the same). Resolves once the current gates are read;
 * the returned function stops sharing.
 */
export async function shareGates(
  nc: NatsConnection,
  gates: GateBoard,
  options: ShareGatesOptions,
): Promise<() => void> {
  let kv: KV;
  try {
    kv = await new Kvm(jetstream(nc)).create(options.bucket ?? GATES_BUCKET, {
      history: 1,
      replicas: options.replicas,
    });
  } catch (cause) {
    throw new PlacementUnavailableError(
      `Cannot open the gates bucket in NATS KV: ${(cause as Error).message}. Start nats-server with JetStream (-js), with at least ${options.replicas} servers for ${options.replicas} replicas.`,
      { cause },
    );
  }
  const seen = new Map<string, number>();
  const iter = await kv.watch({ key: 'g.>' });
  let ready!: () => void;
  const initial = new Promise<void>((resolve) => (ready = resolve));
  // The watcher reports the current entries first; an empty bucket reports nothing, so also settle on a short wait.
  const settle = setTimeout(() => ready(), 250);
  void (async () => {
    for await (const e of iter) {
      if (e.delta === 0) ready();
      if (e.operation !== 'PUT') continue;
      const v = gateValue.safeParse(e.json());
      if (!v.success || (seen.get(v.data.name) ?? 0) >= e.revision) continue;
      seen.set(v.data.name, e.revision);
      gates.receive(v.data);
    }
  })().catch(() => undefined);
  await initial;
  clearTimeout(settle);
  gates.onSet((gate: Gate) => {
    kv.put(keyOf(gate.name), new TextEncoder().encode(JSON.stringify(gate))).then(
      (revision) => seen.set(gate.name, Math.max(seen.get(gate.name) ?? 0, revision)),
      (error: Error) =>
        options.alert({
          severity: 'warning',
          code: ErrorCode.MANDATE_ERR_PLACEMENT_UNAVAILABLE,
          message: `gate "${gate.name}" ${gate.open ? 'opened' : 'closed'} here but not shared with the other nodes: ${error.message}`,
        }),
    );
  });
  return () => {
    gates.onSet(undefined);
    iter.stop();
  };
}
