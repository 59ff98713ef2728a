import type { CodeEntry } from './CodeEntry.ts';

/** Codes of the signed wire protocol, the transports, the directory and contract net. Documented in docs/errors.md, "Messaging, registry and coordination (transport, registry)". */
export const MESSAGING_CODES = {
  MANDATE_ERR_ENVELOPE_SIGNATURE: {
    status: 403,
    kind: 'error',
    meaning:
      "the envelope's Ed25519 signature does not verify under `from` over its canonical bytes (docs/protocol.md §3)",
  },
  MANDATE_ERR_ENVELOPE_EXPIRED: {
    status: 403,
    kind: 'error',
    meaning: 'the envelope is past `exp` + skew, or dated more than the skew in the future',
  },
  MANDATE_ERR_ENVELOPE_REPLAY: {
    status: 403,
    kind: 'error',
    meaning: 'an envelope with this sender and nonce was already accepted in this scope',
  },
  MANDATE_ERR_ENVELOPE_TOO_LARGE: {
    status: 413,
    kind: 'error',
    meaning: 'the encoded envelope exceeds the size limit (256 KiB by default)',
  },
  MANDATE_ERR_ENVELOPE_MALFORMED: {
    status: 400,
    kind: 'error',
    meaning:
      "not UTF-8 JSON, a member missing/unknown/mistyped, a bad lifetime, or a body that fails the type's schema",
  },
  MANDATE_ERR_ENVELOPE_UNKNOWN_SIGNER: {
    status: 403,
    kind: 'error',
    meaning: 'the sender is not in the capability registry (never registered or heartbeat expired)',
  },
  MANDATE_ERR_ENVELOPE_REVOKED: { status: 403, kind: 'error', meaning: 'the sender was revoked' },
  MANDATE_ERR_ENVELOPE_VERSION: {
    status: 400,
    kind: 'error',
    meaning:
      'the envelope\'s `v` is not the protocol version this node speaks (`"1.1"`; a v1 peer sends `1`): upgrade the peer (docs/protocol.md §2)',
  },
  MANDATE_ERR_ENVELOPE_ENCRYPTION: {
    status: 403,
    kind: 'error',
    meaning:
      'an encrypted body cannot be opened (sealed to another key, tampered, unknown suite, or not a direct message), or the type requires an encrypted body and got plaintext (docs/protocol.md §3.1)',
  },
  MANDATE_ERR_ENVELOPE_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning:
      'the receiver could not finish its checks (registry or replay store unreachable, or an unexpected failure); nothing was handled: retry with a fresh envelope',
  },
  MANDATE_ERR_ENVELOPE_CAPABILITY: {
    status: 403,
    kind: 'error',
    meaning:
      'the message type needs a capability the envelope does not claim, or the sender does not hold the claimed capability',
  },
  MANDATE_ERR_ENVELOPE_RECIPIENT: {
    status: 403,
    kind: 'error',
    meaning: "the envelope's `to` is not the inbox, capability or broadcast subject it arrived on",
  },
  MANDATE_ERR_ENVELOPE_UNHANDLED: {
    status: 403,
    kind: 'error',
    meaning: 'the receiving agent accepts no messages of that type',
  },
  MANDATE_ERR_IDENTITY_DID: {
    status: 400,
    kind: 'error',
    meaning: 'a `did:key` is not an Ed25519 key in base58btc form',
  },
  MANDATE_ERR_IDENTITY_KEY: {
    status: 400,
    kind: 'error',
    meaning: "an identity's private key is malformed or does not match its did",
  },
  MANDATE_ERR_TRANSPORT_TIMEOUT: { status: 504, kind: 'error', meaning: 'a request got no reply in time' },
  MANDATE_ERR_TRANSPORT_NO_RESPONDERS: {
    status: 503,
    kind: 'error',
    meaning: "nobody listens on the request's subject",
  },
  MANDATE_ERR_TRANSPORT_REMOTE: {
    status: 502,
    kind: 'error',
    meaning: 'the peer answered a request with a coded `mandate.error`; `details.remoteCode` has its code',
  },
  MANDATE_ERR_TRANSPORT_PERMISSION: {
    status: 403,
    kind: 'error',
    meaning: "the NATS server refused a publish or subscription: the node's NKey user is not permitted on that subject",
  },
  MANDATE_ERR_TRANSPORT_USAGE: {
    status: 500,
    kind: 'error',
    meaning:
      'the transport or bus was misused or cannot reach its server (closed, bad address, NATS/JetStream unavailable)',
  },
  MANDATE_ERR_HANDLER_FAILED: {
    status: 500,
    kind: 'error',
    meaning: "an agent's message handler threw an uncoded error while answering a request",
  },
  MANDATE_ERR_REGISTRY_INPUT: {
    status: 400,
    kind: 'error',
    meaning: 'an agent descriptor, revocation or discovery query is invalid; the message names the field',
  },
  MANDATE_ERR_REGISTRY_NOT_FOUND: {
    status: 404,
    kind: 'error',
    meaning: 'heartbeat for an agent that is not registered (or whose registration expired)',
  },
  MANDATE_ERR_REGISTRY_REVOKED: { status: 403, kind: 'error', meaning: 'a revoked agent tried to register again' },
  MANDATE_ERR_REGISTRY_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning: "the registry's NATS KV buckets cannot be reached or created",
  },
  MANDATE_ERR_TASK_FAILED: {
    status: 502,
    kind: 'error',
    meaning: 'a contract-net subtask had no bidder, or every awardee failed or went silent',
  },
  MANDATE_ERR_TASK_FENCED: {
    status: 409,
    kind: 'error',
    meaning:
      "a contract-net manager lost its lease (`<manager>.lease` in `mandate_tasks`) or a task record was written by the manager's new holder; this holder stopped and sent nothing further",
  },
  MANDATE_ERR_TASK_ADOPT_DENIED: {
    status: 403,
    kind: 'error',
    meaning:
      "a contract-net manager may not adopt another manager's tasks: it does not hold `contractnet.adopt` in its registry descriptor, the other manager is still active, the contractor's `adopters` list does not name it, or the award is held by a manager other than `from` (one that adopted it first)",
  },
  MANDATE_ERR_TASK_ADOPT_LOST: {
    status: 409,
    kind: 'error',
    meaning:
      "a contract-net manager lost the race to adopt a dead manager's task: another manager closed that manager's record as adopted by itself first (a compare-and-set on the record's revision); the loser wrote nothing for the task and audited `contractnet.task.adopt.lost`",
  },
} as const satisfies Record<string, CodeEntry>;
