import { z } from 'zod';
import type { LlmAnswer, LlmProvider, LlmRequest } from './LlmProvider.ts';
import { LlmOutputError } from './errors.ts';
import { postJson } from './postJson.ts';

const message = z.object({
  model: z.string(),
  content: z.array(
    z.union([
      z.object({ type: z.literal('tool_use'), name: z.string(), input: z.unknown() }),
      z.object({ type: z.string() }).passthrough(),
    ]),
  ),
  stop_reason: z.string().nullable(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).optional(),
});

/** Options of {@link AnthropicMessagesProvider}. */
export interface AnthropicMessagesOptions {
  apiKey: string;
  model: string;
  baseUrl: string;
  maxTokens?: number;
  timeoutMs?: number;
  attempts?: number;
}

/**
 * Anthropic Messages API (`POST /v1/messages`): the decision schema is given
 * as the one tool the model must call (`tool_choice`), so its answer is the
 * tool call's input.
 */
export class AnthropicMessagesProvider implements LlmProvider {
  readonly name: string;
  readonly #options: AnthropicMessagesOptions;

  constructor(options: AnthropicMessagesOptions) {
    this.#options = options;
    this.name = `anthropic:${options.model}`;
  }

  async complete(request: LlmRequest, signal?: AbortSignal): Promise<LlmAnswer> {
    const o = this.#options;
    const raw = await postJson({
      provider: this.name,
      url: `${o.baseUrl.replace(/\/$/, '')}/v1/messages`,
      headers: { 'x-api-key': o.apiKey, 'anthropic-version': '2023-06-01' },
      body: {
        model: o.model,
        max_tokens: o.maxTokens ?? 1024,
        system: request.system,
        messages: [{ role: 'user', content: request.prompt }],
        tools: [{ name: 'decide', description: 'Return the decision for this cycle.', input_schema: request.schema }],
        tool_choice: { type: 'tool', name: 'decide' },
      },
      timeoutMs: o.timeoutMs ?? 30_000,
      ...(o.attempts === undefined ? {} : { attempts: o.attempts }),
      ...(signal === undefined ? {} : { signal }),
    });
    const parsed = message.safeParse(raw);
    if (!parsed.success)
      throw new LlmOutputError(
        this.name,
        `the answer is not in the Messages format (${parsed.error.issues[0]!.path.join('.')})`,
      );
    const call = parsed.data.content.find(
      (c): c is { type: 'tool_use'; name: string; input: unknown } =>
        c.type === 'tool_use' && (c as { name?: string }).name === 'decide',
    );
    if (call === undefined)
      throw new LlmOutputError(
        this.name,
        `the model did not call the decide tool (stop_reason ${parsed.data.stop_reason})`,
      );
    return {
      output: call.input,
      model: parsed.data.model,
      usage: { inputTokens: parsed.data.usage?.input_tokens ?? 0, outputTokens: parsed.data.usage?.output_tokens ?? 0 },
    };
  }
}
