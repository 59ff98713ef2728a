import { MandateError } from '../kernel/index.ts';

/** An agent definition (TypeScript or YAML) failed validation. `details.field` names the field. */
export class AgentDefinitionError extends MandateError {
  constructor(message: string, details: Record<string, unknown>, options: ErrorOptions = {}) {
    super('MANDATE_ERR_AGENT_DEFINITION', message, { ...options, status: 400, details });
    this.name = 'AgentDefinitionError';
  }
}

/** A capability no actuator or catalog entry provides. */
export class UnknownCapabilityError extends MandateError {
  constructor(capability: string, known: readonly string[]) {
    super(
      'MANDATE_ERR_CAPABILITY_UNKNOWN',
      `Unknown capability "${capability}". Known capabilities: ${known.join(', ') || '(none)'}. Register an actuator for it or fix the spelling.`,
      {
        status: 400,
        details: { capability },
      },
    );
    this.name = 'UnknownCapabilityError';
  }
}

/** No agent, approval or supervisor with that id. */
export class NotFoundError extends MandateError {
  constructor(what: 'agent' | 'approval' | 'supervisor' | 'capability', id: string) {
    super('MANDATE_ERR_NOT_FOUND', `No ${what} with id "${id}".`, { status: 404, details: { what, id } });
    this.name = 'NotFoundError';
  }
}

/** The operation is not possible in the actor's current state (e.g. resume a killed agent). */
export class StateConflictError extends MandateError {
  constructor(message: string, details: Record<string, unknown>) {
    super('MANDATE_ERR_STATE_CONFLICT', message, { status: 409, details });
    this.name = 'StateConflictError';
  }
}

/** The kill switch covers this agent: no new cycles, no effects. */
export class KillSwitchEngagedError extends MandateError {
  constructor(agentId: string) {
    super(
      'MANDATE_ERR_KILL_SWITCH',
      `The kill switch is engaged for agent "${agentId}"; nothing is signed or sent until it is released.`,
      {
        status: 409,
        details: { agentId },
      },
    );
    this.name = 'KillSwitchEngagedError';
  }
}

/** An act was in flight at a crash and its actuator cannot say whether the effect happened. Needs an operator. */
export class ActUnreconciledError extends MandateError {
  constructor(key: string) {
    super(
      'MANDATE_ERR_ACT_UNRECONCILED',
      `The effect with idempotency key "${key}" was in flight at a crash and its actuator has no reconcile step; it is not retried. Check the rail and settle it by hand.`,
      {
        status: 409,
        details: { key },
      },
    );
    this.name = 'ActUnreconciledError';
  }
}

/** A phase implementation threw or returned something invalid. */
export class PhaseError extends MandateError {
  constructor(phase: string, agentId: string, message: string, options: ErrorOptions = {}) {
    super(`MANDATE_ERR_${phase.toUpperCase()}_FAILED`, `${phase} of agent "${agentId}" failed: ${message}`, {
      ...options,
      status: 500,
      details: { phase, agentId },
    });
    this.name = 'PhaseError';
  }
}

/** Two agents with one id, or a duplicate supervisor. */
export class DuplicateIdError extends MandateError {
  constructor(what: string, id: string) {
    super('MANDATE_ERR_DUPLICATE_ID', `A ${what} with id "${id}" already exists; ids must be unique in a runtime.`, {
      status: 409,
      details: { what, id },
    });
    this.name = 'DuplicateIdError';
  }
}
