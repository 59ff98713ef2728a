import type { Decision, Outcome, PhaseError, Principal, Trigger, Verdict } from './types.ts';

/**
 * Every event an agent actor accepts: a union tagged by dot-named `type`.
 * Phase results carry the `step` they answer (`phaseStep` of the context
 * when the phase started) so a late result from an abandoned phase (after
 * pause, kill, timeout or retry) is ignored.
 */
export type AgentEvent =
  | { type: 'agent.trigger'; trigger: Trigger }
  | { type: 'agent.perceive.done'; step: number; facts: Record<string, unknown> }
  | { type: 'agent.perceive.failed'; step: number; error: PhaseError }
  | { type: 'agent.decide.done'; step: number; decision: Decision }
  | { type: 'agent.decide.failed'; step: number; error: PhaseError }
  | { type: 'agent.propose.done'; step: number; verdict: Verdict }
  | { type: 'agent.propose.failed'; step: number; error: PhaseError }
  | { type: 'agent.act.done'; step: number; outcome: Outcome }
  | { type: 'agent.act.failed'; step: number; error: PhaseError; retryable: boolean }
  | { type: 'agent.learn.done'; step: number }
  | { type: 'agent.learn.failed'; step: number; error: PhaseError }
  /** The running phase (named by its step) outlived `limits.phaseTimeoutMs`; sent by the runtime's watchdog. */
  | { type: 'agent.phase.timeout'; step: number }
  | { type: 'governance.approval.granted'; approvalId: string; by: Principal; at: number }
  | { type: 'governance.approval.rejected'; approvalId: string; by: Principal; reason: string; at: number }
  | { type: 'governance.approval.expired'; approvalId: string; at: number }
  | { type: 'agent.pause' }
  | { type: 'agent.resume' }
  | { type: 'agent.retry' }
  | { type: 'agent.stop'; reason?: string }
  | { type: 'agent.kill' }
  | { type: 'agent.release' };

/** The `type` strings of {@link AgentEvent}. */
export type AgentEventType = AgentEvent['type'];

/** Builds the success event of a phase. */
export function phaseDone(phase: 'perceive', step: number, payload: { facts: Record<string, unknown> }): AgentEvent;
export function phaseDone(phase: 'decide', step: number, payload: { decision: Decision }): AgentEvent;
export function phaseDone(phase: 'propose', step: number, payload: { verdict: Verdict }): AgentEvent;
export function phaseDone(phase: 'act', step: number, payload: { outcome: Outcome }): AgentEvent;
export function phaseDone(phase: 'learn', step: number, payload?: Record<string, never>): AgentEvent;
export function phaseDone(phase: string, step: number, payload: Record<string, unknown> = {}): AgentEvent {
  return { type: `agent.${phase}.done`, step, ...payload } as AgentEvent;
}

/** Builds the failure event of a phase. */
export function phaseFailed({
  phase,
  step,
  error,
  retryable = true,
}: {
  phase: string;
  step: number;
  error: PhaseError;
  retryable?: boolean;
}): AgentEvent {
  return (
    phase === 'act'
      ? { type: 'agent.act.failed', step, error, retryable }
      : { type: `agent.${phase}.failed`, step, error }
  ) as AgentEvent;
}
