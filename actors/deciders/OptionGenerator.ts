import type { ProposedAction, RiskFactor } from '../../machines/index.ts';

/** A candidate action before constraints and evaluation. */
export interface CandidateOption {
  /** Unique within one decision: `rule:<name>`, `strategy:<name>:<step>`, `model`. */
  id: string;
  /** The generator's name (`rules`, `strategy`, `model`). */
  source: string;
  /** null: an explicit "hold" (a rule whose event type is `none`). */
  action: ProposedAction | null;
  /**
   * The value each goal metric is expected to have after the action (a boolean: the state of a goal's
   * `when` fact); facts not named stay as they are.
   */
  expect: Record<string, number | boolean>;
  /** Cost of acting in goal-gap units; the pipeline's `defaultCost` when undefined. */
  cost?: number;
  risks: RiskFactor[];
  rationale: string;
  /** Breaks ties between equal scores (higher first). */
  priority: number;
}

/** What one generator proposed for these facts. */
export interface GeneratedOptions {
  options: CandidateOption[];
  /** Rules that fired (rule generators only). */
  rulesFired: string[];
  /** Set when the generator's own inputs contradict each other (two rules firing different actions). */
  conflict?: string;
  /** The model that answered (model generators only). */
  model?: string;
}

/**
 * Proposes candidate actions for the decide pipeline. A rule set is one generator (each fired rule
 * is an option), a treasury strategy preset is another, a model a third.
 */
export interface OptionGenerator {
  readonly name: string;
  generate(facts: Record<string, unknown>): Promise<GeneratedOptions>;
}
