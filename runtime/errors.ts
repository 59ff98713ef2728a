import { createError, ErrorCode, MandateError } from '../kernel/index.ts';
import type { Phase } from '../machines/index.ts';

/** An agent definition (TypeScript or YAML) failed validation. `details.field` names the field. */
export class AgentDefinitionError extends createError('MANDATE_ERR_AGENT_DEFINITION', 'AgentDefinitionError') {
  constructor(message: string, details: Record<string, unknown>, options: ErrorOptions = {}) {
    super(message, { ...options, details });
  }
}

/** A capability no actuator or catalog entry provides. */
export class UnknownCapabilityError extends createError('MANDATE_ERR_CAPABILITY_UNKNOWN', 'UnknownCapabilityError') {
  constructor(capability: string, known: readonly string[]) {
    super(
      `Unknown capability "${capability}". Known capabilities: ${known.join(', ') || '(none)'}. Register an actuator for it or fix the spelling.`,
      { details: { capability } },
    );
  }
}

/** What a {@link NotFoundError} did not find: how the message names it, and where the known ones are listed. */
const NOT_FOUND = {
  agent: ['agent with id', 'runtime.listAgents() (GET /api/agents) lists the agents this runtime hosts'],
  approval: ['approval with id', 'runtime.listApprovals() (GET /api/approvals) lists the approval requests'],
  supervisor: ['supervisor with id', 'runtime.tree() (GET /api/tree) shows the supervisors'],
  capability: [
    'agent offering the capability',
    'runtime.capabilities() (GET /api/capabilities) lists the capabilities agents offer',
  ],
  'proposal stage': ['proposal stage named', 'pipeline.stages lists the stages'],
  alert: ['alert with id', 'runtime.listAlerts() (GET /api/alerts) lists the alerts'],
  'agent version': [
    'stored version',
    '"mandate agents versions <id>" (GET /api/agents/:id/versions) lists an agent\'s versions',
  ],
  'rule parameter': [
    'tunable rule parameter',
    '"mandate agents params <id>" (GET /api/agents/:id/params) lists an agent\'s rule parameters',
  ],
  'x402 sale': [
    'x402 sale with id',
    '"mandate x402 sales" (GET /api/x402/sales) lists the sales an operator may resolve',
  ],
  payment: [
    'decision, idempotency key or invoice',
    'GET /api/audit and GET /api/approvals show the decision ids and keys of past payments',
  ],
} as const;

/** No agent, approval, supervisor, capability or proposal stage with that id. */
export class NotFoundError extends createError('MANDATE_ERR_NOT_FOUND', 'NotFoundError') {
  /** `fix` replaces the default hint (where the known ids are listed). */
  constructor(what: keyof typeof NOT_FOUND, id: string, fix: string = NOT_FOUND[what][1]) {
    super(`No ${NOT_FOUND[what][0]} "${id}"; ${fix}.`, { details: { what, id } });
  }
}

/** The operation is not possible in the actor's current state (e.g. resume a killed agent). */
export class StateConflictError extends createError('MANDATE_ERR_STATE_CONFLICT', 'StateConflictError') {
  constructor(message: string, details: Record<string, unknown>) {
    super(message, { details });
  }
}

/** The kill switch covers this agent: no new cycles, no effects. */
export class KillSwitchEngagedError extends createError('MANDATE_ERR_KILL_SWITCH', 'KillSwitchEngagedError') {
  constructor(agentId: string) {
    super(
      `The kill switch is engaged for agent "${agentId}"; nothing is signed or sent until an operator releases it (runtime.releaseKillSwitch, POST /api/kill-switch).`,
      { details: { agentId } },
    );
  }
}

/** An act was in flight at a crash and its actuator cannot say whether the effect happened. Needs an operator. */
export class ActUnreconciledError extends createError('MANDATE_ERR_ACT_UNRECONCILED', 'ActUnreconciledError') {
  constructor(key: string) {
    super(
      `The effect with idempotency key "${key}" was in flight at a crash and its actuator has no reconcile step; it is not retried. Check the rail and settle it by hand.`,
      { details: { key } },
    );
  }
}

/** The code each phase fails with when what it ran threw without a code of its own. */
const PHASE_FAILED = {
  perceive: ErrorCode.MANDATE_ERR_PERCEIVE_FAILED,
  decide: ErrorCode.MANDATE_ERR_DECIDE_FAILED,
  propose: ErrorCode.MANDATE_ERR_PROPOSE_FAILED,
  act: ErrorCode.MANDATE_ERR_ACT_FAILED,
  learn: ErrorCode.MANDATE_ERR_LEARN_FAILED,
} as const satisfies Record<Phase, ErrorCode>;

/** `MANDATE_ERR_<PHASE>_FAILED` for a phase, from the code table. */
export function phaseFailedCode<P extends Phase>(phase: P): (typeof PHASE_FAILED)[P] {
  return PHASE_FAILED[phase];
}

/** A phase implementation threw or returned something invalid; the code names the phase. */
export class PhaseError extends MandateError<(typeof PHASE_FAILED)[Phase]> {
  constructor(phase: Phase, agentId: string, message: string) {
    super(phaseFailedCode(phase), `${phase} of agent "${agentId}" failed: ${message}`, {
      details: { phase, agentId },
    });
    this.name = 'PhaseError';
  }
}

/** Two agents with one id, a duplicate supervisor, or two proposal stages with one name. */
export class DuplicateIdError extends createError('MANDATE_ERR_DUPLICATE_ID', 'DuplicateIdError') {
  constructor(what: string, id: string, fix = 'ids must be unique in a runtime; choose another') {
    super(`A ${what} with id "${id}" already exists; ${fix}.`, { details: { what, id } });
  }
}

/** A persisted agent snapshot is not a state of the agent's current machine; the agent starts fresh. */
export class SnapshotIncompatibleError extends createError(
  'MANDATE_ERR_SNAPSHOT_INCOMPATIBLE',
  'SnapshotIncompatibleError',
) {}

/** A rollback names a stored version this runtime cannot rebuild into a running definition. */
export class VersionUnavailableError extends createError('MANDATE_ERR_VERSION_UNAVAILABLE', 'VersionUnavailableError') {
  constructor(message: string, details: Record<string, unknown>) {
    super(message, { details });
  }
}

/** A `gate.set` action without `{ gate: string, open: boolean }` params. */
export class GateParamsError extends createError('MANDATE_ERR_GATE_PARAMS', 'GateParamsError') {}

/** An alert sink setting is malformed or incomplete; `details.variable` names it. */
export class AlertSinkConfigError extends createError('MANDATE_ERR_ALERT_SINK_CONFIG', 'AlertSinkConfigError') {
  constructor(variable: string, message: string) {
    super(message, { details: { variable } });
  }
}

/** A `metricSeries` setting is out of range; `details.setting` names it. */
export class SeriesConfigError extends createError('MANDATE_ERR_SERIES_CONFIG', 'SeriesConfigError') {
  constructor(setting: string, message: string) {
    super(message, { details: { setting } });
  }
}

/** What a failed delivery tells the dispatcher: whether to retry, and not before when. */
export interface DeliveryFailure {
  sink: string;
  /** The HTTP status, or undefined for a network error or timeout. */
  status?: number;
  retryable: boolean;
  /** The service's own wait (`Retry-After`, Telegram's `retry_after`), in ms. */
  retryAfterMs?: number;
}

/** A sink refused an alert or could not be reached; `details` say whether a retry may help. */
export class AlertDeliveryError extends createError('MANDATE_ERR_ALERT_DELIVERY', 'AlertDeliveryError') {
  readonly failure: DeliveryFailure;
  constructor(message: string, failure: DeliveryFailure, options: ErrorOptions = {}) {
    super(message, { ...options, details: { ...failure } });
    this.failure = failure;
  }
}

/** A what-if scenario (`--set`, `--sweep`, POST /api/simulate) that cannot be used; `details.token` quotes the bad part. */
export class ScenarioInvalidError extends createError('MANDATE_ERR_SCENARIO_INVALID', 'ScenarioInvalidError') {
  constructor(message: string, token: string) {
    super(message, { details: { token } });
  }
}

/** Invalid `passivation` runtime options. */
export class PassivationConfigError extends createError('MANDATE_ERR_PASSIVATION_CONFIG', 'PassivationConfigError') {}
