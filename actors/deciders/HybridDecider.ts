import type { ProposedAction } from '../../machines/index.ts';
import { llmDecisionSchema, LLM_DECISION_JSON_SCHEMA, type LlmProvider } from '../llm/LlmProvider.ts';
import { LlmBudgetError, LlmHttpError, LlmOutputError } from '../llm/errors.ts';
import type { Decider, DraftDecision, RulesDecider, TunableDecider } from './RulesDecider.ts';

/** Options of {@link HybridDecider}. */
export interface HybridDeciderOptions {
  rules: RulesDecider;
  llm: LlmProvider;
  /**
   * `fallback`: rules decide; the model is asked only when no rule fired.
   * `review`: the model must agree with the action the rules propose, or nothing is done.
   */
  mode: 'fallback' | 'review';
  /** Action types the model may propose; anything else becomes "no action". */
  allowedActions: readonly string[];
  /** Below this confidence a model's action is not taken (default 0.6). */
  minConfidence?: number;
  /** The agent's goal and constraints, in plain words, for the system prompt. */
  instructions: string;
}

function none(rationale: string, rulesFired: string[], model: string | null): DraftDecision {
  return { action: null, confidence: 0, rationale, rulesFired, model };
}

/**
 * Rules plus a model. The model's output is parsed with zod; it can never
 * widen what the agent may do (allowed action types only, and the proposal
 * still goes up the supervisor chain), and a disagreement between rules and
 * model means no action — the conflicting-thresholds safeguard.
 */
export class HybridDecider implements Decider {
  readonly #o: HybridDeciderOptions;
  /** Its rules' parameters are what the tuner adjusts. */
  readonly tunable: TunableDecider;

  constructor(options: HybridDeciderOptions) {
    this.#o = options;
    this.tunable = options.rules;
  }

  async decide(facts: Record<string, unknown>): Promise<DraftDecision> {
    const o = this.#o;
    const ruled = await o.rules.decide(facts);
    if (o.mode === 'fallback' && ruled.rulesFired.length > 0) return ruled;
    if (o.mode === 'review' && ruled.action === null) return ruled;

    let answer: Awaited<ReturnType<LlmProvider['complete']>>;
    try {
      answer = await this.#ask(facts, ruled);
    } catch (error) {
      // Rate limits, server errors and timeouts were already retried with backoff by the provider; a spent
      // token budget is not asked at all. Either way the model is out of this cycle.
      const budget = error instanceof LlmBudgetError;
      if (!budget && !(error instanceof LlmHttpError && error.retryable)) throw error;
      const why = budget
        ? `model token budget spent (${(error as Error).message})`
        : `model unreachable after retries (${(error as Error).message})`;
      if (o.mode === 'fallback')
        return { ...ruled, rationale: `${ruled.rationale}; ${why}: rules only`, modelFallback: why };
      // Review mode exists because the rules alone are not trusted to act: without the review, nothing is done.
      return {
        ...none(`rules proposed ${ruled.action!.type} but ${why}: no action`, ruled.rulesFired, null),
        modelFallback: why,
      };
    }
    const parsed = llmDecisionSchema.safeParse(answer.output);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new LlmOutputError(
        answer.model,
        `the decision fails its schema at "${issue.path.join('.')}": ${issue.message}`,
      );
    }
    const d = parsed.data;
    const model = answer.model;
    if (o.mode === 'review') {
      const agreed =
        d.action !== null && d.action.type === ruled.action!.type && d.confidence >= (o.minConfidence ?? 0.6);
      if (!agreed)
        return {
          ...none(
            `rules proposed ${ruled.action!.type} but the model did not agree (${d.rationale}): no action`,
            ruled.rulesFired,
            model,
          ),
          conflict: {
            kind: 'model',
            detail: `rules propose ${ruled.action!.type}, model ${model} answered ${d.action?.type ?? 'no action'} at confidence ${d.confidence}`,
          },
        };
      // The rules' parameters stand: the model reviews, it does not rewrite amounts.
      return {
        action: ruled.action,
        confidence: Math.min(ruled.confidence, d.confidence),
        rationale: `${ruled.rationale}; model agrees: ${d.rationale}`,
        rulesFired: ruled.rulesFired,
        model,
      };
    }
    if (d.action === null)
      return { action: null, confidence: d.confidence, rationale: d.rationale, rulesFired: [], model };
    if (!o.allowedActions.includes(d.action.type))
      return none(`the model proposed ${d.action.type}, which this agent may not do: no action`, [], model);
    if (d.confidence < (o.minConfidence ?? 0.6))
      return none(
        `the model's confidence ${d.confidence} is below ${o.minConfidence ?? 0.6}: no action (${d.rationale})`,
        [],
        model,
      );
    const action: ProposedAction = { type: d.action.type, capability: d.action.capability, params: d.action.params };
    if (d.action.account !== undefined) action.account = d.action.account;
    if (d.action.amount !== undefined) action.amount = d.action.amount;
    if (d.action.counterparty !== undefined) action.counterparty = d.action.counterparty;
    return { action, confidence: d.confidence, rationale: d.rationale, rulesFired: [], model };
  }
  /** Asks the model; the provider retries 429, 5xx and timeouts with backoff before it throws. */
  #ask(facts: Record<string, unknown>, ruled: DraftDecision): ReturnType<LlmProvider['complete']> {
    const o = this.#o;
    return o.llm.complete({
      system: `${o.instructions}\nYou decide for an autonomous treasury agent. Propose at most one action, only of these types: ${o.allowedActions.join(', ')}. Amounts are decimal strings. Answer with the decision object only; use action null to do nothing.`,
      prompt: JSON.stringify(
        o.mode === 'review' ? { facts, proposedByRules: ruled.action, rulesFired: ruled.rulesFired } : { facts },
      ),
      schema: LLM_DECISION_JSON_SCHEMA,
    });
  }
}
