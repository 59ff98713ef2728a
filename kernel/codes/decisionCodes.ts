import type { CodeEntry } from './CodeEntry.ts';

/** Codes of the cognitive decide pipeline (goals, options, confidence). Documented in docs/errors.md, "Decision pipeline (actors/deciders)". */
export const DECISION_CODES = {
  MANDATE_ERR_GOAL_INVALID: {
    status: 400,
    kind: 'error',
    meaning:
      'an agent\'s `goals:` or `decision:` block cannot be used (a band whose "min" exceeds its "max", a duplicate goal id); the message names the goal and field',
  },
  MANDATE_ERR_STRATEGY_INVALID: {
    status: 400,
    kind: 'error',
    meaning:
      "an agent's `strategy:` block cannot be used (an unknown preset, an unknown key, a weight or floor out of range, a bad `allocate:` block, or beside `decision:` or without `goals:` or `allocate:`); the message names the field (`strategy.preset`, `strategy.allocate.account`, …) and lists the presets",
  },
  MANDATE_ERR_SCENARIO_INVALID: {
    status: 400,
    kind: 'error',
    meaning:
      'a what-if scenario cannot be used (`--set path=value`, `--sweep path=from..to:step`, or the body of POST /api/simulate); the message quotes the bad token and the form it should take',
  },
  MANDATE_DECISION_CONFLICT: {
    status: null,
    kind: 'alert',
    meaning:
      'the decide pipeline found conflicting rules or thresholds (two rules firing different actions, a band whose low end exceeds its high end, a model disagreeing in review mode) and took no action',
  },
  MANDATE_DECISION_MODEL_FALLBACK: {
    status: null,
    kind: 'alert',
    meaning:
      "the agent's model could not be reached after its retries (429, 5xx, timeouts), or its token budget (`llm.budget`) is spent for the period: the rules alone decided (fallback mode), or nothing was done (review mode)",
  },
  MANDATE_LEARN_TUNING_FAILED: {
    status: null,
    kind: 'alert',
    meaning:
      "tuning an agent's rule parameters failed (the outcome query or the audit write threw): its values are unchanged and the next period tries again",
  },
  MANDATE_LEARN_TUNING_RESTORE_SKIPPED: {
    status: null,
    kind: 'alert',
    meaning:
      "audited tuning events no longer fit the agent's rules (a parameter gone, a value outside new bounds) and were not restored at start: the declared values stand for those parameters",
  },
} as const satisfies Record<string, CodeEntry>;
