import type { DecisionConflict, ExpectedOutcome, RiskAssessment, ScoredOption } from '../../machines/index.ts';
import { GoalDefinitionError } from '../errors.ts';
import { confidence, dataQualityOf, round } from './computeConfidence.ts';
import type { Constraint } from './constraints.ts';
import { finiteNumber, lookupFact } from './factPath.ts';
import { gapOf, resolveBand, type ResolvedBand } from './goalGap.ts';
import type { DecideConfig, Goal } from './goalSchema.ts';
import type { CandidateOption, OptionGenerator } from './OptionGenerator.ts';
import type { Decider, DraftDecision, TunableDecider } from './RulesDecider.ts';
import { sameAction } from './sameAction.ts';

/** Options of {@link GoalDecider}. */
export interface GoalDeciderOptions {
  goals: readonly Goal[];
  /** The rule set, strategy presets, a model: each proposes candidates. */
  generators: readonly OptionGenerator[];
  constraints?: readonly Constraint[];
  config: DecideConfig;
}

interface Evaluated extends ScoredOption {
  priority: number;
  expect: CandidateOption['expect'];
  risks: CandidateOption['risks'];
}

const HOLD: CandidateOption = {
  id: 'hold',
  source: 'hold',
  action: null,
  expect: {},
  cost: 0,
  risks: [],
  rationale: 'do nothing',
  priority: 0,
};

/**
 * The cognitive decide phase: goals → options → constraints → evaluate → select. Generators propose
 * candidates; constraints reject some (kept in the record with the reason); each survivor is scored
 * `benefit − cost − risk` (benefit: the weighted goal gap it closes; risk: benefit × Σ likelihood ×
 * impact); the best wins unless doing nothing ("hold", score 0) is at least as good. Conflicting rules
 * or a band whose low end exceeds its high end give no action and a `conflict`, never a guess.
 * docs/decisions.md documents the scores and the confidence.
 */
export class GoalDecider implements Decider {
  readonly #o: GoalDeciderOptions;
  /** The first generator with tunable parameters (the rule set), when there is one. */
  readonly tunable: TunableDecider | undefined;

  /** Throws `GoalDefinitionError` for duplicate goal ids or a literal band whose low end exceeds its high end. */
  constructor(options: GoalDeciderOptions) {
    const seen = new Set<string>();
    for (const g of options.goals) {
      if (seen.has(g.id))
        throw new GoalDefinitionError(`goal id "${g.id}" appears twice; give each goal its own id.`, { goal: g.id });
      seen.add(g.id);
      const { min, max } = g.band;
      if (typeof min === 'number' && typeof max === 'number' && min > max)
        throw new GoalDefinitionError(
          `goal ${g.id}: band.min ${min} exceeds band.max ${max}; swap them or fix the typo.`,
          { goal: g.id, field: 'band' },
        );
    }
    this.#o = options;
    this.tunable = options.generators
      .map((g) => (g as { tunable?: TunableDecider }).tunable)
      .find((t) => t !== undefined);
  }

  async decide(facts: Record<string, unknown>): Promise<DraftDecision> {
    const bands = new Map<string, ResolvedBand>();
    for (const goal of this.#o.goals) {
      const band = resolveBand(goal, facts);
      if (typeof band === 'string') return conflicted({ kind: 'band', detail: band }, [], null);
      bands.set(goal.id, band);
    }
    const generated = await Promise.all(this.#o.generators.map(async (g) => ({ g, out: await g.generate(facts) })));
    const rulesFired = generated.flatMap(({ out }) => out.rulesFired);
    const model = generated.find(({ out }) => out.model !== undefined)?.out.model ?? null;
    const conflict = generated.find(({ out }) => out.conflict !== undefined);
    if (conflict !== undefined) return conflicted({ kind: 'rules', detail: conflict.out.conflict! }, rulesFired, model);

    const current = new Map(this.#o.goals.map((g) => [g.id, finiteNumber(lookupFact(facts, g.metric))]));
    const gapsFor = (o: { expect: CandidateOption['expect'] }) =>
      this.#o.goals.map((g) => {
        const before = current.get(g.id);
        const expected = o.expect[g.metric];
        const after = typeof expected === 'number' ? expected : before;
        const band = bands.get(g.id)!;
        const gapBefore = before === undefined || !active(g, facts, {}) ? 0 : gapOf(band, before);
        const gapAfter = after === undefined || !active(g, facts, o.expect) ? 0 : gapOf(band, after);
        return { goal: g, before: before ?? null, after: after ?? null, gapBefore, gapAfter };
      });
    const { costWeight, riskWeight } = this.#o.config;

    const all: Evaluated[] = [HOLD, ...generated.flatMap(({ out }) => out.options)].map((o) => {
      const rejected = o === HOLD ? undefined : this.#rejected(o);
      const base = { id: o.id, source: o.source, action: o.action, rationale: o.rationale, priority: o.priority };
      const rest = { expect: o.expect, risks: o.risks };
      if (rejected !== undefined)
        return { ...base, ...rest, score: null, benefit: null, cost: null, risk: null, rejected };
      const benefit = gapsFor(o).reduce((sum, x) => sum + x.goal.weight * (x.gapBefore - x.gapAfter), 0);
      const cost = costWeight * (o.cost ?? (o.action === null ? 0 : this.#o.config.defaultCost));
      const risk = riskWeight * Math.max(0, benefit) * o.risks.reduce((s, r) => s + r.likelihood * r.impact, 0);
      const score = benefit - cost - risk;
      return { ...base, ...rest, score: round(score), benefit: round(benefit), cost: round(cost), risk: round(risk) };
    });

    const ranked = all
      .filter((o) => o.score !== null)
      .sort((a, b) => b.score! - a.score! || holdFirst(a, b) || b.priority - a.priority);
    const best = ranked[0]!;
    // The margin is over the best option doing something else: an explicit hold rule is not an alternative to hold.
    const runnerUp = ranked.find((o) => !sameAction(o.action, best.action));
    const proposers = generated.filter(({ out }) => out.options.length > 0);
    const typeOf = (o: { action: CandidateOption['action'] }) => o.action?.type ?? 'none';
    const agreeing = proposers.filter(({ out }) => {
      const top = ranked.find((r) => out.options.some((o) => o.id === r.id));
      return top !== undefined && typeOf(top) === typeOf(best);
    }).length;
    const c = confidence(
      runnerUp === undefined ? undefined : best.score! - runnerUp.score!,
      this.#o.config.marginScale,
      {
        agreement: proposers.length === 0 ? 1 : agreeing / proposers.length,
        dataQuality: dataQualityOf(facts),
      },
    );
    const gaps = gapsFor(best);
    const expectedOutcome: ExpectedOutcome = {
      goals: gaps.map((x) => ({
        id: x.goal.id,
        metric: x.goal.metric,
        before: x.before,
        after: x.after,
        gapBefore: round(x.gapBefore),
        gapAfter: round(x.gapAfter),
      })),
      cost: best.cost ?? 0,
    };
    const riskSum = best.risks.reduce((s, r) => s + r.likelihood * r.impact, 0);
    const risk: RiskAssessment = {
      score: round(riskSum),
      level: riskSum === 0 ? 'none' : riskSum < 0.05 ? 'low' : riskSum < 0.2 ? 'medium' : 'high',
      factors: best.risks,
      dataQuality: c.factors.dataQuality,
    };
    const vs = runnerUp === undefined ? 'no alternative' : `${runnerUp.id} ${runnerUp.score}`;
    return {
      action: best.action,
      confidence: c.value,
      rationale: `chose ${best.id} (score ${best.score} vs ${vs}; confidence ${c.value} = margin ${c.factors.margin} × agreement ${c.factors.agreement} × data ${c.factors.dataQuality}): ${best.rationale}`,
      rulesFired,
      model,
      options: all.map(({ priority: _p, expect: _e, risks: _r, ...o }) => o),
      chosen: best.id,
      risk,
      expectedOutcome,
    };
  }

  #rejected(o: CandidateOption): string | undefined {
    for (const c of this.#o.constraints ?? []) {
      const reason = c(o);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
}

/** Hold wins a tie: acting must score above doing nothing. */
const holdFirst = (a: { id: string }, b: { id: string }): number => (a.id === 'hold' ? -1 : b.id === 'hold' ? 1 : 0);

/** Whether a goal counts: always without `when`; else while its fact (as `expect` leaves it) equals `when.equals`. */
function active(goal: Goal, facts: Record<string, unknown>, expect: CandidateOption['expect']): boolean {
  if (goal.when === undefined) return true;
  const value = goal.when.fact in expect ? expect[goal.when.fact] : lookupFact(facts, goal.when.fact);
  return value === goal.when.equals;
}

function conflicted(conflict: DecisionConflict, rulesFired: string[], model: string | null): DraftDecision {
  return {
    action: null,
    confidence: 0,
    rationale: `conflict (${conflict.kind}): ${conflict.detail}: no action`,
    rulesFired,
    model,
    options: [],
    chosen: 'hold',
    conflict,
  };
}
