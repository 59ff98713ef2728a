import { MandateError } from '../kernel/index.ts';

/** A rule file (YAML) that is not a valid json-rules-engine rule set. */
export class RuleDefinitionError extends MandateError {
  constructor(message: string, details: Record<string, unknown>, options: ErrorOptions = {}) {
    super('MANDATE_ERR_RULE_INVALID', message, { ...options, status: 400, details });
    this.name = 'RuleDefinitionError';
  }
}

/** An amount that is not a plain decimal string. */
export class AmountError extends MandateError {
  constructor(value: unknown) {
    super(
      'MANDATE_ERR_AMOUNT_INVALID',
      `Invalid amount ${JSON.stringify(value)}: use a decimal string such as "1250.00" (at most 18 decimals, no exponent).`,
      {
        status: 400,
        details: { value },
      },
    );
    this.name = 'AmountError';
  }
}

/** A policy that could not be evaluated (a rule threw, a fact was missing). The proposal is not approved. */
export class PolicyEvaluationError extends MandateError {
  constructor(policy: string, message: string, options: ErrorOptions = {}) {
    super('MANDATE_ERR_POLICY_EVALUATION', `${policy} policy could not evaluate the proposal: ${message}`, {
      ...options,
      status: 500,
      details: { policy },
    });
    this.name = 'PolicyEvaluationError';
  }
}
