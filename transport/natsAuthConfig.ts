import { createUser, fromSeed } from '@nats-io/nkeys';
import { z } from 'zod';
import { parseOrThrow } from '../kernel/index.ts';
import { TransportUsageError } from './errors.ts';
import {
  agentDurableConsumer,
  agentInboxSubject,
  BROADCAST_SUBJECT,
  capabilitySubject,
  CONTROL_KILLSWITCH_SUBJECT,
  didSuffix,
  DURABLE_STREAM,
  INSPECTION_WILDCARD,
  inspectionSubject,
  REGISTRY_BUCKET,
  REPLAY_BUCKET,
  REPLAY_CHECKPOINT_BUCKET,
  REVOCATION_BUCKET,
  TASKS_BUCKET,
} from './subjects.ts';

/** One NATS user: a runtime node or a group of agents, with exactly the subjects it needs. */
export const NatsAuthUserSchema = z.strictObject({
  /** Human name (used in the generated comment). */
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.-]+$/),
  /** The node id whose inspection subject it may publish on. */
  node: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/),
  /** The node's own did and the dids of the agents it hosts: it may read only their inboxes and write only their registry entries. */
  dids: z.array(z.string().startsWith('did:key:z')).min(1),
  /** Capabilities it serves (queue subscriptions). */
  serves: z.array(z.string()).default([]),
  /** May send kill-switch orders and revoke agents. */
  control: z.boolean().default(false),
  /** May read every node's inspection events (a gateway). */
  inspect: z.boolean().default(false),
  /** An existing user seed (`SU…`); omitted → a new key pair is generated. */
  seed: z.string().startsWith('SU').optional(),
});
/** Input for one user. */
export type NatsAuthUser = z.input<typeof NatsAuthUserSchema>;

/** The generated server config and the credentials to hand to each node (seeds are secrets). */
export interface NatsAuthConfigResult {
  /** An `authorization { users = [...] }` block for nats-server.conf. */
  config: string;
  /** Per user: its NKey (seed is secret) and the reply-inbox prefix it must connect with (`NatsTransport` `inboxPrefix`). */
  users: Array<{ name: string; publicKey: string; seed: string; inboxPrefix: string }>;
}

/**
 * Generates nats-server authorization with one NKey user per runtime node or agent group
 * (docs/protocol.md §10). Each user may subscribe only to its own agents' inboxes, durable consumers and
 * the capabilities it serves, write only its own registry entries, publish inspection events only as its
 * node and control orders only when `control` is set, and read replies only under its own inbox prefix;
 * everyone may send to any inbox or capability.
 * Re-run it when agents move between nodes.
 *
 * @example
 * const { config, users } = natsAuthConfig([{ name: 'node-a', node: 'a', dids: [nodeDid, agentDid], serves: ['fx.quote'] }]);
 */
export function natsAuthConfig(input: NatsAuthUser[]): NatsAuthConfigResult {
  const users = input.map((u, i) =>
    parseOrThrow(NatsAuthUserSchema, u, { what: `NATS auth user #${i}`, error: TransportUsageError }),
  );
  const out: NatsAuthConfigResult['users'] = [];
  const blocks = users.map((u) => {
    const kp = u.seed === undefined ? createUser() : fromSeed(new TextEncoder().encode(u.seed));
    const publicKey = kp.getPublicKey();
    const inboxPrefix = `_INBOX_${u.name.replace(/\./g, '_')}`;
    out.push({ name: u.name, publicKey, seed: new TextDecoder().decode(kp.getSeed()), inboxPrefix });
    const own = u.dids.map(didSuffix);
    const consumers = u.dids.map(agentDurableConsumer);
    const kvStreams = [REGISTRY_BUCKET, REVOCATION_BUCKET, REPLAY_BUCKET, REPLAY_CHECKPOINT_BUCKET, TASKS_BUCKET].map(
      (b) => `KV_${b}`,
    );
    const publish = [
      'mandate.agent.*.inbox',
      'mandate.durable.*',
      'mandate.cap.>',
      BROADCAST_SUBJECT,
      inspectionSubject(u.node),
      ...(u.control ? [CONTROL_KILLSWITCH_SUBJECT, `$KV.${REVOCATION_BUCKET}.>`] : []),
      ...own.map((s) => `$KV.${REGISTRY_BUCKET}.${s}`),
      // Revocations are signed records (docs/protocol.md §9): a node may write those of its own agents.
      ...(u.control ? [] : own.map((s) => `$KV.${REVOCATION_BUCKET}.${s}`)),
      ...own.map((s) => `$KV.${TASKS_BUCKET}.${s}.>`),
      `$KV.${REPLAY_BUCKET}.>`,
      `$KV.${REPLAY_CHECKPOINT_BUCKET}.>`,
      '$JS.API.INFO',
      '$JS.API.STREAM.INFO.*',
      ...[DURABLE_STREAM, ...kvStreams].map((s) => `$JS.API.STREAM.CREATE.${s}`),
      ...kvStreams.flatMap((s) => [
        `$JS.API.DIRECT.GET.${s}.>`,
        `$JS.API.STREAM.MSG.GET.${s}`,
        `$JS.API.CONSUMER.CREATE.${s}`,
        `$JS.API.CONSUMER.CREATE.${s}.>`,
        `$JS.API.CONSUMER.DELETE.${s}.>`,
      ]),
      ...consumers.flatMap((c) => [
        `$JS.API.CONSUMER.CREATE.${DURABLE_STREAM}.${c}`,
        `$JS.API.CONSUMER.CREATE.${DURABLE_STREAM}.${c}.>`,
        `$JS.API.CONSUMER.DURABLE.CREATE.${DURABLE_STREAM}.${c}`,
        `$JS.API.CONSUMER.UPDATE.${DURABLE_STREAM}.${c}.>`,
        `$JS.API.CONSUMER.INFO.${DURABLE_STREAM}.${c}`,
        `$JS.API.CONSUMER.MSG.NEXT.${DURABLE_STREAM}.${c}`,
        `$JS.ACK.${DURABLE_STREAM}.${c}.>`,
      ]),
      '$JS.FC.>',
    ];
    const subscribe = [
      ...u.dids.map(agentInboxSubject),
      ...u.serves.map(capabilitySubject),
      BROADCAST_SUBJECT,
      CONTROL_KILLSWITCH_SUBJECT,
      `${inboxPrefix}.>`,
      ...(u.inspect ? [INSPECTION_WILDCARD] : []),
    ];
    const list = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(', ');
    return `    # ${u.name} (node ${u.node})\n    { nkey: ${JSON.stringify(publicKey)}, permissions: { publish: { allow: [${list(publish)}] }, subscribe: { allow: [${list(subscribe)}] }, allow_responses: { max: 1, expires: "1m" } } }`;
  });
  return { config: `authorization {\n  users = [\n${blocks.join(',\n')}\n  ]\n}\n`, users: out };
}
