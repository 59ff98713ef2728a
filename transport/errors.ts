import { createError, ErrorCode, MandateError, type MandateErrorOptions } from '../kernel/index.ts';

/** Why an inbound envelope was refused. Each value is a stable error code listed in docs/errors.md. */
export const RejectCode = {
  signature: ErrorCode.MANDATE_ERR_ENVELOPE_SIGNATURE,
  expired: ErrorCode.MANDATE_ERR_ENVELOPE_EXPIRED,
  replay: ErrorCode.MANDATE_ERR_ENVELOPE_REPLAY,
  tooLarge: ErrorCode.MANDATE_ERR_ENVELOPE_TOO_LARGE,
  malformed: ErrorCode.MANDATE_ERR_ENVELOPE_MALFORMED,
  unknownSigner: ErrorCode.MANDATE_ERR_ENVELOPE_UNKNOWN_SIGNER,
  revoked: ErrorCode.MANDATE_ERR_ENVELOPE_REVOKED,
  capability: ErrorCode.MANDATE_ERR_ENVELOPE_CAPABILITY,
  recipient: ErrorCode.MANDATE_ERR_ENVELOPE_RECIPIENT,
  unhandled: ErrorCode.MANDATE_ERR_ENVELOPE_UNHANDLED,
  version: ErrorCode.MANDATE_ERR_ENVELOPE_VERSION,
  encryption: ErrorCode.MANDATE_ERR_ENVELOPE_ENCRYPTION,
  unavailable: ErrorCode.MANDATE_ERR_ENVELOPE_UNAVAILABLE,
} as const;

/** One of the {@link RejectCode} values. */
export type RejectCodeValue = (typeof RejectCode)[keyof typeof RejectCode];

/** What a refusal may echo of the refused envelope: only values that are themselves valid (§5). */
export interface RefusedPeer {
  /** The sender, when `from` was a valid did:key. */
  from?: string;
  /** The envelope id, when it was a valid id. */
  id?: string;
}

/** Why an envelope is refused: its §6 code, the message, and details for the log (internal to the checks that throw {@link EnvelopeRejectedError}). */
export interface EnvelopeRefusal {
  code: RejectCodeValue;
  message: string;
  details?: Record<string, unknown>;
}

/** An inbound envelope was refused before any handler saw it; the code says why (and gives the HTTP status). */
export class EnvelopeRejectedError extends MandateError<RejectCodeValue> {
  /** Who to answer and what it answers, as far as the envelope could be read. */
  readonly peer: RefusedPeer;
  constructor(code: RejectCodeValue, message: string, options: MandateErrorOptions & { peer?: RefusedPeer } = {}) {
    const { peer, ...rest } = options;
    super(code, message, rest);
    this.peer = peer ?? {};
    this.name = 'EnvelopeRejectedError';
  }
}

/** A request got no reply in time, or no agent listens on the subject. */
export class RequestFailedError extends MandateError<
  typeof ErrorCode.MANDATE_ERR_TRANSPORT_TIMEOUT | typeof ErrorCode.MANDATE_ERR_TRANSPORT_NO_RESPONDERS
> {
  constructor(
    code: typeof ErrorCode.MANDATE_ERR_TRANSPORT_TIMEOUT | typeof ErrorCode.MANDATE_ERR_TRANSPORT_NO_RESPONDERS,
    message: string,
    options: MandateErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'RequestFailedError';
  }
}

/** The remote agent answered a request with a coded error reply (`mandate.error`). */
export class RemoteError extends createError('MANDATE_ERR_TRANSPORT_REMOTE', 'RemoteError') {
  /** `remoteCode` is the peer's code as it sent it: a peer on another version may send a code this table lacks. */
  constructor(remoteCode: string, message: string, options: MandateErrorOptions = {}) {
    super(`The peer refused the request with ${remoteCode}: ${message}`, {
      ...options,
      details: { ...options.details, remoteCode },
    });
  }
}

/** An agent's message handler threw an uncoded error while answering a request; the requester gets this code. */
export class HandlerFailedError extends createError('MANDATE_ERR_HANDLER_FAILED', 'HandlerFailedError') {}

/** The transport or bus was used wrongly (closed, bad subject, agent not attached, duplicate attach). */
export class TransportUsageError extends createError('MANDATE_ERR_TRANSPORT_USAGE', 'TransportUsageError') {}

/** The NATS server refused a publish or subscription: the node's credentials do not allow that subject. */
export class TransportPermissionError extends createError(
  'MANDATE_ERR_TRANSPORT_PERMISSION',
  'TransportPermissionError',
) {
  constructor(operation: string, subject: string, options: ErrorOptions = {}) {
    super(
      `The NATS server refused ${operation} on "${subject}": this node's NKey user is not permitted. Regenerate the auth config (natsAuthConfig) if the agent moved here.`,
      { ...options, details: { operation, subject } },
    );
  }
}

/** A `did:key` that is not an Ed25519 key in base58btc multibase form. */
export class InvalidDidError extends createError('MANDATE_ERR_IDENTITY_DID', 'InvalidDidError') {
  constructor(did: string, reason: string) {
    super(`Invalid did:key "${did}": ${reason}. Expected did:key:z6Mk… (Ed25519, base58btc).`, { details: { did } });
  }
}

/** An identity's private key is malformed, or does not belong to the did it is saved with. */
export class IdentityKeyError extends createError('MANDATE_ERR_IDENTITY_KEY', 'IdentityKeyError') {}
