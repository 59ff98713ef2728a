import type { Clock } from '../../kernel/index.ts';
import { LlmBudgetError } from './errors.ts';
import type { LlmAnswer, LlmProvider, LlmRequest } from './LlmProvider.ts';

/** Options of {@link BudgetedLlmProvider}. */
export interface TokenBudgetOptions {
  /** Input plus output tokens one agent may use per period. */
  tokens: number;
  /** The period's length; periods are fixed windows counted from the epoch (a `1d` budget resets at 00:00 UTC). */
  periodMs: number;
  clock: Clock;
}

/** What a budget has used in its current period. */
export interface TokenUsage {
  used: number;
  budget: number;
  /** When the current period ends (epoch ms). */
  resetsAt: number;
}

/** A rough count of the tokens a request will send: 4 characters per token, rounded up. */
const estimate = (r: LlmRequest): number =>
  Math.ceil((r.system.length + r.prompt.length + JSON.stringify(r.schema).length) / 4);

/**
 * One agent's model behind a token budget: before a call, the tokens used in the current period
 * plus an estimate of the request's input (4 characters per token) must fit the budget, else the
 * call is refused with `MANDATE_ERR_LLM_BUDGET` without reaching the model; after it, the tokens the
 * provider reports (input + output) are counted. Usage is kept in memory on the node that runs the agent.
 *
 * @example new BudgetedLlmProvider(openai, { tokens: 200_000, periodMs: 86_400_000, clock })
 */
export class BudgetedLlmProvider implements LlmProvider {
  readonly name: string;
  readonly #inner: LlmProvider;
  readonly #o: TokenBudgetOptions;
  #period = -1;
  #used = 0;

  constructor(inner: LlmProvider, options: TokenBudgetOptions) {
    this.#inner = inner;
    this.#o = options;
    this.name = inner.name;
  }

  /** Tokens used in the current period. */
  usage(): TokenUsage {
    this.#roll();
    return { used: this.#used, budget: this.#o.tokens, resetsAt: (this.#period + 1) * this.#o.periodMs };
  }

  async complete(request: LlmRequest, signal?: AbortSignal): Promise<LlmAnswer> {
    const { used, budget, resetsAt } = this.usage();
    if (used + estimate(request) > budget) throw new LlmBudgetError({ provider: this.name, used, budget, resetsAt });
    const answer = await this.#inner.complete(request, signal);
    this.#roll();
    this.#used += answer.usage.inputTokens + answer.usage.outputTokens;
    return answer;
  }

  #roll(): void {
    const period = Math.floor(this.#o.clock.now() / this.#o.periodMs);
    if (period !== this.#period) {
      this.#period = period;
      this.#used = 0;
    }
  }
}
