import type { Outcome, ProposedAction } from '../machines/types.ts';

/** What an actuator is told about the effect it is asked to make. */
export interface ActContext {
  agentId: string;
  decisionId: string;
  /** Stable across retries and restarts: the rail must treat a repeat as the same effect. */
  idempotencyKey: string;
  mode: 'dry-run' | 'live';
  now: number;
}

/**
 * Executes approved actions. `external` effects (payments, swaps, messages to
 * banks) are never executed in dry-run: the runtime calls `prepare` and records
 * "would have sent". `internal` effects (opening a gate, a note) always run.
 */
export interface Actuator {
  readonly name: string;
  readonly effect: 'external' | 'internal';
  /** Everything except the effect: validation, quotes, fee estimates. Its result is what dry-run reports. */
  prepare?(action: ProposedAction, ctx: ActContext): Promise<Record<string, unknown>>;
  execute(action: ProposedAction, ctx: ActContext): Promise<Outcome>;
  /** After a crash during act: what happened to the effect with this key? `undefined` = it never happened. */
  reconcile?(action: ProposedAction, ctx: ActContext): Promise<Outcome | undefined>;
}

/** Facts gatherer run in the perceive phase. Its output is validated before use. */
export type Perceiver = (ctx: {
  agentId: string;
  now: number;
  trigger: Record<string, unknown>;
}) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** What a learner may report: actions a human should review, with why. */
export interface LearnReport {
  flags?: string[];
}

/** Learner run in the learn phase: adjusts thresholds, flags suboptimal actions for human review. */
export type Learner = (ctx: {
  agentId: string;
  facts: Record<string, unknown>;
  decision: unknown;
  outcome: Outcome;
}) => Promise<LearnReport | void> | LearnReport | void;
