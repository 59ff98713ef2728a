import { MandateError } from '../kernel/index.ts';

/** A descriptor, revocation or discovery query failed validation. */
export class RegistryInputError extends MandateError {
  constructor(message: string, options: ErrorOptions & { details?: Record<string, unknown> } = {}) {
    super('MANDATE_ERR_REGISTRY_INPUT', message, { ...options, status: 400 });
    this.name = 'RegistryInputError';
  }
}

/** The agent is not registered (or its registration expired without heartbeats). */
export class AgentNotRegisteredError extends MandateError {
  constructor(did: string, options: ErrorOptions = {}) {
    super(
      'MANDATE_ERR_REGISTRY_NOT_FOUND',
      `Agent ${did} is not registered (or its heartbeat expired); register it again before sending heartbeats.`,
      { ...options, status: 404, details: { did } },
    );
    this.name = 'AgentNotRegisteredError';
  }
}

/** A revoked agent tried to register again. */
export class AgentRevokedError extends MandateError {
  constructor(did: string, reason: string, options: ErrorOptions = {}) {
    super(
      'MANDATE_ERR_REGISTRY_REVOKED',
      `Agent ${did} was revoked ("${reason}") and cannot register; give the agent a new identity after review.`,
      { ...options, status: 403, details: { did, reason } },
    );
    this.name = 'AgentRevokedError';
  }
}

/** A contract-net task could not be completed: no bidders, or every awardee failed. */
export class TaskFailedError extends MandateError {
  constructor(message: string, options: ErrorOptions & { details?: Record<string, unknown> } = {}) {
    super('MANDATE_ERR_TASK_FAILED', message, { ...options, status: 502 });
    this.name = 'TaskFailedError';
  }
}

/** The registry backend (NATS KV) could not be reached or set up. */
export class RegistryUnavailableError extends MandateError {
  constructor(message: string, options: ErrorOptions & { details?: Record<string, unknown> } = {}) {
    super('MANDATE_ERR_REGISTRY_UNAVAILABLE', message, { ...options, status: 503 });
    this.name = 'RegistryUnavailableError';
  }
}
