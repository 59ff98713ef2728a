import { MandateError } from '../../kernel/index.ts';

/** A model answered, but not with a usable decision (wrong format, not JSON, refused, or failing the decision schema). */
export class LlmOutputError extends MandateError {
  constructor(provider: string, message: string) {
    super(
      'MANDATE_ERR_LLM_OUTPUT',
      `${provider}: ${message}. The decision is not used; the cycle retries or takes no action.`,
      { status: 502, details: { provider } },
    );
    this.name = 'LlmOutputError';
  }
}
