export { agentMachine, phaseStep, WORKING_STATES } from './agentMachine.ts';
export type { AgentContext, AgentInput, AgentMachine, AgentOutput } from './agentMachine.ts';
export { phaseDone, phaseFailed } from './agentEvents.ts';
export type { AgentEvent, AgentEventType } from './agentEvents.ts';
export { supervisorMachine } from './supervisorMachine.ts';
export type {
  SupervisorContext,
  SupervisorEmitted,
  SupervisorEvent,
  SupervisorInput,
  SupervisorMachine,
  SupervisorOutput,
  SupervisorRole,
} from './supervisorMachine.ts';
export { recordRestart, restartSet, shouldRestart } from './supervision.ts';
export type { RestartIntensity, RestartStrategy } from './supervision.ts';
export { nextRandom, retryDelay } from './retryDelay.ts';
export { InvalidEventError } from './errors.ts';
export type {
  AgentLimits,
  Amount,
  ApprovalGrant,
  Decision,
  DecisionConflict,
  ShadowComparison,
  ExpectedOutcome,
  Outcome,
  PositionHolding,
  PositionValue,
  Phase,
  PhaseError,
  Principal,
  ProposedAction,
  RestartKind,
  RiskAssessment,
  RiskFactor,
  ScoredOption,
  Trigger,
  Verdict,
  StageVerdict,
} from './types.ts';
export { approvalMachine, grantCompletes, mayAnswer } from './approvalMachine.ts';
export type {
  ApprovalAnswer,
  ApprovalContext,
  ApprovalEvent,
  ApprovalInput,
  ApprovalMachine,
  ApprovalOutcome,
} from './approvalMachine.ts';
