/**
 * The NATS subject scheme (docs/protocol.md §4). Every subject starts with `mandate.`.
 * A did:key's suffix (`z6Mk…`, base58btc) is subject- and consumer-name-safe.
 */

/** The did without its `did:key:` prefix. */
export function didSuffix(did: string): string {
  return did.startsWith('did:key:') ? did.slice('did:key:'.length) : did;
}

/** Direct (core NATS, at-most-once) messages to one agent. */
export function agentInboxSubject(did: string): string {
  return `mandate.agent.${didSuffix(did)}.inbox`;
}

/** Durable (JetStream) messages to one agent: task assignments, payment requests. */
export function agentDurableSubject(did: string): string {
  return `mandate.durable.${didSuffix(did)}`;
}

/** Durable consumer name of one agent's durable inbox. */
export function agentDurableConsumer(did: string): string {
  return `agent_${didSuffix(did)}`;
}

/** Messages to any one holder of a capability; subscribers join the queue group of the same name. */
export function capabilitySubject(capability: string): string {
  return `mandate.cap.${capability}`;
}

/** Broadcasts: `to: "*"` envelopes with a signed `filter`; every node receives, each matching agent handles. */
export const BROADCAST_SUBJECT = 'mandate.broadcast';

/** Control messages between runtime nodes (kill switch engage/release). Every node receives. */
export const CONTROL_KILLSWITCH_SUBJECT = 'mandate.control.killswitch';

/** Inspection events published by runtime node `node`. */
export function inspectionSubject(node: string): string {
  return `mandate.inspect.${node}`;
}

/** All inspection events of all nodes. */
export const INSPECTION_WILDCARD = 'mandate.inspect.*';

/** The JetStream stream holding every durable subject. */
export const DURABLE_STREAM = 'MANDATE_DURABLE';

/** Subjects captured by {@link DURABLE_STREAM}. */
export const DURABLE_STREAM_SUBJECTS: readonly string[] = ['mandate.durable.>'];

/** NATS KV bucket of live agent descriptors (bucket TTL = heartbeat expiry). */
export const REGISTRY_BUCKET = 'mandate_registry';

/** NATS KV bucket of revocations (no TTL: revocation is permanent). */
export const REVOCATION_BUCKET = 'mandate_revoked';

/** NATS KV bucket of accepted nonces (TTL = longest envelope lifetime + 2 × skew). */
export const REPLAY_BUCKET = 'mandate_replay';

/** NATS KV bucket of contract-net managers' tasks (no TTL; a manager resumes its open tasks from it). */
export const TASKS_BUCKET = 'mandate_tasks';

/** NATS KV bucket of per-sender replay high-water marks (a receiver's local window survives its restart through them). */
export const REPLAY_CHECKPOINT_BUCKET = 'mandate_replay_hw';
