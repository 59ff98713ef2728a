import { z } from 'zod';
import { LlmHttpError, LlmOutputError } from './errors.ts';
import type { LlmAnswer, LlmProvider, LlmRequest } from './LlmProvider.ts';

/** The message type a local-agent model is asked with; its reply is `model.complete.reply`. */
export const MODEL_COMPLETE = 'model.complete';

/** What a peer answering as a model replies: the decision object, and optionally its name and token use. */
export const modelReplySchema = z.strictObject({
  output: z.unknown(),
  model: z.string().min(1).max(200).optional(),
  usage: z.strictObject({ inputTokens: z.number().int().min(0), outputTokens: z.number().int().min(0) }).optional(),
});

/** The sending side this provider needs: an attached agent's signed `request` (the transport's `AgentEndpoint`). */
export interface ModelRequester {
  request(message: {
    to: string;
    type: string;
    body: unknown;
    timeoutMs?: number;
  }): Promise<{ body: unknown; envelope: { from: string } }>;
}

/** Options of {@link LocalAgentProvider}. */
export interface LocalAgentProviderOptions {
  /** The asking agent's endpoint on the bus. */
  endpoint: ModelRequester;
  /** The did of the Mandate agent that answers as the model. */
  to: string;
  timeoutMs?: number;
}

/**
 * A "local agent" model: another Mandate agent, reached over the signed transport (in-process or
 * NATS), answers `model.complete` requests `{ system, prompt, schema }` with `{ output, model?, usage? }`.
 * The answer is checked like any model's (the decider parses `output` with zod and allows only its
 * actions); a reply that is not of this shape is `MANDATE_ERR_LLM_OUTPUT`, a request that fails on the
 * transport (no answer, refused) `MANDATE_ERR_LLM_HTTP` marked retryable, so the decider falls back.
 */
export class LocalAgentProvider implements LlmProvider {
  readonly name: string;
  readonly #o: LocalAgentProviderOptions;

  constructor(options: LocalAgentProviderOptions) {
    this.#o = options;
    this.name = `agent:${options.to}`;
  }

  async complete(request: LlmRequest): Promise<LlmAnswer> {
    let reply: { body: unknown; envelope: { from: string } };
    try {
      reply = await this.#o.endpoint.request({
        to: this.#o.to,
        type: MODEL_COMPLETE,
        body: { system: request.system, prompt: request.prompt, schema: request.schema },
        ...(this.#o.timeoutMs === undefined ? {} : { timeoutMs: this.#o.timeoutMs }),
      });
    } catch (cause) {
      throw new LlmHttpError(
        {
          provider: this.name,
          message: `the agent did not answer: ${(cause as Error).message}`,
          status: undefined,
          retryable: true,
        },
        { cause },
      );
    }
    const parsed = modelReplySchema.safeParse(reply.body);
    if (!parsed.success)
      throw new LlmOutputError(
        this.name,
        `the reply is not { output, model?, usage? } (${parsed.error.issues[0]!.path.join('.') || 'body'}: ${parsed.error.issues[0]!.message})`,
      );
    return {
      output: parsed.data.output,
      model: parsed.data.model ?? this.name,
      usage: parsed.data.usage ?? { inputTokens: 0, outputTokens: 0 },
    };
  }
}
