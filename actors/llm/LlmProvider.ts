import { z } from 'zod';

/** What a model is asked: the agent's situation and the actions it may propose. */
export interface LlmRequest {
  system: string;
  prompt: string;
  /** JSON schema of the answer (a decision). */
  schema: Record<string, unknown>;
}

/** A model's answer before validation, with what it cost. */
export interface LlmAnswer {
  /** The raw JSON value the model produced (validated by the caller). */
  output: unknown;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
}

/** A hosted or local model behind one interface (OpenAI-style chat completions, Anthropic messages, …). */
export interface LlmProvider {
  readonly name: string;
  complete(request: LlmRequest, signal?: AbortSignal): Promise<LlmAnswer>;
}

/** The decision a model must return (validated with zod before use). */
export const llmDecisionSchema = z.strictObject({
  action: z
    .strictObject({
      type: z.string().regex(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)*$/),
      capability: z.string().min(1),
      account: z.string().min(1).optional(),
      amount: z
        .strictObject({
          value: z.string().regex(/^\d{1,30}(\.\d{1,18})?$/),
          asset: z.string().regex(/^[A-Z0-9]{2,12}$/),
        })
        .optional(),
      counterparty: z.string().min(1).optional(),
      params: z.record(z.string(), z.unknown()).default({}),
    })
    .nullable(),
  confidence: z.number().min(0).max(1),
  rationale: z.string().min(1).max(4000),
});

/** A validated model decision. */
export type LlmDecision = z.infer<typeof llmDecisionSchema>;

/** The JSON schema sent to models for {@link llmDecisionSchema} (strict: every field listed). */
export const LLM_DECISION_JSON_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'confidence', 'rationale'],
  properties: {
    action: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'capability', 'params'],
          properties: {
            type: { type: 'string' },
            capability: { type: 'string' },
            account: { type: 'string' },
            amount: {
              type: 'object',
              additionalProperties: false,
              required: ['value', 'asset'],
              properties: { value: { type: 'string' }, asset: { type: 'string' } },
            },
            counterparty: { type: 'string' },
            params: { type: 'object' },
          },
        },
      ],
    },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    rationale: { type: 'string' },
  },
};
