import { createError } from '../kernel/index.ts';

/** A descriptor, revocation or discovery query failed validation. */
export class RegistryInputError extends createError('MANDATE_ERR_REGISTRY_INPUT', 'RegistryInputError') {}

/** The agent is not registered (or its registration expired without heartbeats). */
export class AgentNotRegisteredError extends createError('MANDATE_ERR_REGISTRY_NOT_FOUND', 'AgentNotRegisteredError') {
  constructor(did: string, options: ErrorOptions = {}) {
    super(`Agent "${did}" is not registered (or its heartbeat expired); register it again before sending heartbeats.`, {
      ...options,
      details: { did },
    });
  }
}

/** A revoked agent tried to register again. */
export class AgentRevokedError extends createError('MANDATE_ERR_REGISTRY_REVOKED', 'AgentRevokedError') {
  constructor(did: string, reason: string, options: ErrorOptions = {}) {
    super(`Agent "${did}" was revoked ("${reason}") and cannot register; give the agent a new identity after review.`, {
      ...options,
      details: { did, reason },
    });
  }
}

/** A contract-net task could not be completed: no bidders, or every awardee failed. */
export class TaskFailedError extends createError('MANDATE_ERR_TASK_FAILED', 'TaskFailedError') {}

/** The registry backend (NATS KV) could not be reached or set up. */
export class RegistryUnavailableError extends createError(
  'MANDATE_ERR_REGISTRY_UNAVAILABLE',
  'RegistryUnavailableError',
) {}

/** This manager no longer holds its lease, or its task record was written by the manager's new holder: it must stop. */
export class TaskFencedError extends createError('MANDATE_ERR_TASK_FENCED', 'TaskFencedError') {}

/** A manager may not adopt another manager's tasks (it lacks the capability, the other is still active, or a contractor's governance does not allow it). */
export class TaskAdoptDeniedError extends createError('MANDATE_ERR_TASK_ADOPT_DENIED', 'TaskAdoptDeniedError') {}

/** Another manager adopted a dead manager's task first: this one wrote nothing for it (audited as `contractnet.task.adopt.lost`). */
export class TaskAdoptLostError extends createError('MANDATE_ERR_TASK_ADOPT_LOST', 'TaskAdoptLostError') {}
