import { z } from 'zod';
import type { LlmAnswer, LlmProvider, LlmRequest } from './LlmProvider.ts';
import { LlmOutputError } from './errors.ts';
import { postJson } from './postJson.ts';

const completion = z.object({
  model: z.string(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable(), refusal: z.string().nullable().optional() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).optional(),
});

/** Options of {@link OpenAiChatProvider}. */
export interface OpenAiChatOptions {
  apiKey: string;
  model: string;
  /** API base without `/v1` (default the hosted API; any OpenAI-compatible server, e.g. a local model, works). */
  baseUrl: string;
  timeoutMs?: number;
  attempts?: number;
}

/**
 * OpenAI-style chat completions (`POST /v1/chat/completions`) with a strict
 * JSON-schema response format, so the model must answer with a decision.
 */
export class OpenAiChatProvider implements LlmProvider {
  readonly name: string;
  readonly #options: OpenAiChatOptions;

  constructor(options: OpenAiChatOptions) {
    this.#options = options;
    this.name = `openai:${options.model}`;
  }

  async complete(request: LlmRequest, signal?: AbortSignal): Promise<LlmAnswer> {
    const o = this.#options;
    const raw = await postJson({
      provider: this.name,
      url: `${o.baseUrl.replace(/\/$/, '')}/v1/chat/completions`,
      headers: { authorization: `Bearer ${o.apiKey}` },
      body: {
        model: o.model,
        temperature: 0,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.prompt },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'decision', strict: true, schema: request.schema },
        },
      },
      timeoutMs: o.timeoutMs ?? 30_000,
      ...(o.attempts === undefined ? {} : { attempts: o.attempts }),
      ...(signal === undefined ? {} : { signal }),
    });
    const parsed = completion.safeParse(raw);
    if (!parsed.success)
      throw new LlmOutputError(
        this.name,
        `the completion is not in the chat-completions format (${parsed.error.issues[0]!.path.join('.')})`,
      );
    const choice = parsed.data.choices[0]!;
    if (choice.message.refusal) throw new LlmOutputError(this.name, `the model refused: ${choice.message.refusal}`);
    if (choice.message.content === null)
      throw new LlmOutputError(this.name, `no content (finish_reason ${choice.finish_reason})`);
    let output: unknown;
    try {
      output = JSON.parse(choice.message.content);
    } catch {
      throw new LlmOutputError(this.name, `content is not JSON: ${choice.message.content.slice(0, 200)}`);
    }
    return {
      output,
      model: parsed.data.model,
      usage: {
        inputTokens: parsed.data.usage?.prompt_tokens ?? 0,
        outputTokens: parsed.data.usage?.completion_tokens ?? 0,
      },
    };
  }
}
