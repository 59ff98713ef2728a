export { AnthropicMessagesProvider } from './AnthropicMessagesProvider.ts';
export type { AnthropicMessagesOptions } from './AnthropicMessagesProvider.ts';
export { LLM_DECISION_JSON_SCHEMA, llmDecisionSchema } from './LlmProvider.ts';
export type { LlmAnswer, LlmDecision, LlmProvider, LlmRequest } from './LlmProvider.ts';
export { LlmHttpError, LlmOutputError } from './errors.ts';
export { OpenAiChatProvider } from './OpenAiChatProvider.ts';
export type { OpenAiChatOptions } from './OpenAiChatProvider.ts';
export { postJson } from './postJson.ts';
