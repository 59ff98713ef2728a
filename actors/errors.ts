import { createError, type MandateErrorOptions } from '../kernel/index.ts';

/** A rule file (YAML) that is not a valid json-rules-engine rule set. */
export class RuleDefinitionError extends createError('MANDATE_ERR_RULE_INVALID', 'RuleDefinitionError') {
  constructor(message: string, details: Record<string, unknown>, options: ErrorOptions = {}) {
    super(message, { ...options, details });
  }
}

/** An agent's `goals:` or `decision:` block that cannot be used (a band inverted at load, duplicate ids). */
export class GoalDefinitionError extends createError('MANDATE_ERR_GOAL_INVALID', 'GoalDefinitionError') {
  constructor(message: string, details: Record<string, unknown>, options: ErrorOptions = {}) {
    super(message, { ...options, details });
  }
}

/** An agent's `strategy:` block that names no known preset or sets a setting it cannot take. */
export class StrategyPresetError extends createError('MANDATE_ERR_STRATEGY_INVALID', 'StrategyPresetError') {
  constructor(message: string, details: Record<string, unknown>, options: ErrorOptions = {}) {
    super(message, { ...options, details });
  }
}

/** An amount that is not a plain decimal string. */
export class AmountError extends createError('MANDATE_ERR_AMOUNT_INVALID', 'AmountError') {
  constructor(value: unknown, options: MandateErrorOptions = {}) {
    super(
      `Invalid amount ${JSON.stringify(value)}: use a decimal string such as "1250.00" (at most 18 decimals, no exponent).`,
      { ...options, details: { value, ...options.details } },
    );
  }
}

/** A policy that could not be evaluated (a rule threw, a fact was missing). The proposal is not approved. */
export class PolicyEvaluationError extends createError('MANDATE_ERR_POLICY_EVALUATION', 'PolicyEvaluationError') {
  constructor(policy: string, message: string, options: ErrorOptions = {}) {
    super(`${policy} policy could not evaluate the proposal: ${message}`, { ...options, details: { policy } });
  }
}

/** An action that cannot be turned into a payment intent (no amount, no counterparty, no payee details). */
export class PaymentActionError extends createError('MANDATE_ERR_PAYMENT_ACTION', 'PaymentActionError') {}
