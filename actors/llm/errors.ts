/**
 * Errors of the LLM providers. Each has a stable code listed in docs/errors.md.
 */
import { createError } from '../../kernel/index.ts';

/** A model answered, but not with a usable decision (wrong format, not JSON, refused, or failing the decision schema). */
export class LlmOutputError extends createError('MANDATE_ERR_LLM_OUTPUT', 'LlmOutputError') {
  constructor(provider: string, message: string) {
    super(`${provider}: ${message}. The decision is not used; the cycle retries or takes no action.`, {
      details: { provider },
    });
  }
}

/** How to fix a failed model call, by the HTTP status it got (undefined: no answer at all). */
function httpFix(status: number | undefined, retryable: boolean): string {
  if (status !== undefined && status < 300) return "check that the base URL points at the provider's API";
  if (status === 401 || status === 403) return 'check the API key the provider was given';
  if (status === 404) return 'check the base URL and the model name';
  if (retryable) return 'the provider is overloaded or unreachable; it was retried with backoff, try again later';
  return 'the provider refused the request as sent; check the model name and options';
}

/** What went wrong calling a model API: which provider, what happened, the HTTP status (undefined: no answer), and whether a retry may help. */
export interface LlmHttpFailure {
  provider: string;
  message: string;
  status: number | undefined;
  retryable: boolean;
}

/** A model API answered with an error status, or could not be reached. */
export class LlmHttpError extends createError('MANDATE_ERR_LLM_HTTP', 'LlmHttpError') {
  readonly retryable: boolean;
  constructor({ provider, message, status, retryable }: LlmHttpFailure, options: ErrorOptions = {}) {
    super(`${provider}: ${message}; ${httpFix(status, retryable)}.`, {
      ...options,
      details: { provider, httpStatus: status ?? null },
    });
    this.retryable = retryable;
  }
}

/** An agent's model token budget is spent for the current period (`BudgetedLlmProvider`). */
export class LlmBudgetError extends createError('MANDATE_ERR_LLM_BUDGET', 'LlmBudgetError') {
  constructor(details: { provider: string; used: number; budget: number; resetsAt: number }) {
    super(
      `${details.provider}: the token budget of ${details.budget} tokens for this period is spent (${details.used} used); the model is asked again from ${new Date(details.resetsAt).toISOString()}, or raise llm.budget.tokens.`,
      { details },
    );
  }
}
