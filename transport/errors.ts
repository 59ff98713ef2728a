import { MandateError } from '../kernel/index.ts';

/** Why an inbound envelope was refused. Each value is a stable error code listed in docs/errors.md. */
export const RejectCode = {
  signature: 'MANDATE_ERR_ENVELOPE_SIGNATURE',
  expired: 'MANDATE_ERR_ENVELOPE_EXPIRED',
  replay: 'MANDATE_ERR_ENVELOPE_REPLAY',
  tooLarge: 'MANDATE_ERR_ENVELOPE_TOO_LARGE',
  malformed: 'MANDATE_ERR_ENVELOPE_MALFORMED',
  unknownSigner: 'MANDATE_ERR_ENVELOPE_UNKNOWN_SIGNER',
  revoked: 'MANDATE_ERR_ENVELOPE_REVOKED',
  capability: 'MANDATE_ERR_ENVELOPE_CAPABILITY',
  recipient: 'MANDATE_ERR_ENVELOPE_RECIPIENT',
  unhandled: 'MANDATE_ERR_ENVELOPE_UNHANDLED',
  version: 'MANDATE_ERR_ENVELOPE_VERSION',
  encryption: 'MANDATE_ERR_ENVELOPE_ENCRYPTION',
  unavailable: 'MANDATE_ERR_ENVELOPE_UNAVAILABLE',
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

const STATUS: Partial<Record<RejectCodeValue, number>> = {
  MANDATE_ERR_ENVELOPE_TOO_LARGE: 413,
  MANDATE_ERR_ENVELOPE_MALFORMED: 400,
  MANDATE_ERR_ENVELOPE_VERSION: 400,
  MANDATE_ERR_ENVELOPE_UNAVAILABLE: 503,
};

/** An inbound envelope was refused before any handler saw it. */
export class EnvelopeRejectedError extends MandateError {
  override readonly code: RejectCodeValue;
  /** Who to answer and what it answers, as far as the envelope could be read. */
  readonly peer: RefusedPeer;
  constructor(
    code: RejectCodeValue,
    message: string,
    options: ErrorOptions & { details?: Record<string, unknown>; peer?: RefusedPeer } = {},
  ) {
    const { peer, ...rest } = options;
    super(code, message, { ...rest, status: STATUS[code] ?? 403 });
    this.code = code;
    this.peer = peer ?? {};
    this.name = 'EnvelopeRejectedError';
  }
}

/** A request got no reply in time, or no agent listens on the subject. */
export class RequestFailedError extends MandateError {
  constructor(
    code: 'MANDATE_ERR_TRANSPORT_TIMEOUT' | 'MANDATE_ERR_TRANSPORT_NO_RESPONDERS',
    message: string,
    options: ErrorOptions & { details?: Record<string, unknown> } = {},
  ) {
    super(code, message, { ...options, status: code === 'MANDATE_ERR_TRANSPORT_TIMEOUT' ? 504 : 503 });
    this.name = 'RequestFailedError';
  }
}

/** The remote agent answered a request with a coded error reply (`mandate.error`). */
export class RemoteError extends MandateError {
  constructor(remoteCode: string, message: string, options: ErrorOptions & { details?: Record<string, unknown> } = {}) {
    super('MANDATE_ERR_TRANSPORT_REMOTE', `The peer refused the request with ${remoteCode}: ${message}`, {
      ...options,
      status: 502,
      details: { ...options.details, remoteCode },
    });
    this.name = 'RemoteError';
  }
}

/** The transport or bus was used wrongly (closed, bad subject, agent not attached, duplicate attach). */
export class TransportUsageError extends MandateError {
  constructor(message: string, options: ErrorOptions & { details?: Record<string, unknown> } = {}) {
    super('MANDATE_ERR_TRANSPORT_USAGE', message, { ...options, status: 500 });
    this.name = 'TransportUsageError';
  }
}

/** The NATS server refused a publish or subscription: the node's credentials do not allow that subject. */
export class TransportPermissionError extends MandateError {
  constructor(operation: string, subject: string, options: ErrorOptions = {}) {
    super(
      'MANDATE_ERR_TRANSPORT_PERMISSION',
      `The NATS server refused ${operation} on "${subject}": this node's NKey user is not permitted. Regenerate the auth config (natsAuthConfig) if the agent moved here.`,
      {
        ...options,
        status: 403,
        details: { operation, subject },
      },
    );
    this.name = 'TransportPermissionError';
  }
}
