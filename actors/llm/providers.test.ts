import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HybridDecider } from '../deciders/HybridDecider.ts';
import { RulesDecider } from '../deciders/RulesDecider.ts';
import { AnthropicMessagesProvider } from './AnthropicMessagesProvider.ts';
import { LLM_DECISION_JSON_SCHEMA } from './LlmProvider.ts';
import { OpenAiChatProvider } from './OpenAiChatProvider.ts';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
}

/** A local server answering with the given responses in turn, recording each request. */
async function serve(
  responses: Array<{ status: number; body: unknown; headers?: Record<string, string> }>,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(data) });
      const r = responses[Math.min(seen.length - 1, responses.length - 1)]!;
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const decision = {
  action: {
    type: 'payment.send',
    capability: 'payments.send',
    account: 'ops-usd',
    amount: { value: '120.00', asset: 'USD' },
    counterparty: 'cp-1',
    params: {},
  },
  confidence: 0.8,
  rationale: 'invoice due',
};
const chat = (content: string | null, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, ...extra }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
});
const anthropic = (input: unknown) => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-test',
  content: [{ type: 'tool_use', id: 'toolu_1', name: 'decide', input }],
  stop_reason: 'tool_use',
  usage: { input_tokens: 12, output_tokens: 7 },
});
const request = { system: 'sys', prompt: '{"facts":{}}', schema: LLM_DECISION_JSON_SCHEMA };

describe('llm providers', () => {
  it('llm providers - OpenAI chat completions: strict json_schema request, decision parsed from the content', async () => {
    const { url, seen } = await serve([{ status: 200, body: chat(JSON.stringify(decision)) }]);
    const p = new OpenAiChatProvider({ apiKey: 'sk-test', model: 'gpt-test', baseUrl: url });
    const answer = await p.complete(request);
    expect(answer).toEqual({ output: decision, model: 'gpt-test', usage: { inputTokens: 10, outputTokens: 5 } });
    expect(seen[0]!.path).toBe('/v1/chat/completions');
    expect(seen[0]!.headers.authorization).toBe('Bearer sk-test');
    expect(seen[0]!.body).toMatchObject({
      model: 'gpt-test',
      messages: [{ role: 'system', content: 'sys' }, { role: 'user' }],
      response_format: { type: 'json_schema', json_schema: { strict: true } },
    });
  });

  it('llm providers - Anthropic messages: the decision is the forced tool call input', async () => {
    const { url, seen } = await serve([{ status: 200, body: anthropic(decision) }]);
    const p = new AnthropicMessagesProvider({ apiKey: 'ak-test', model: 'claude-test', baseUrl: url });
    expect((await p.complete(request)).output).toEqual(decision);
    expect(seen[0]!.path).toBe('/v1/messages');
    expect(seen[0]!.headers['x-api-key']).toBe('ak-test');
    expect(seen[0]!.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen[0]!.body).toMatchObject({
      tool_choice: { type: 'tool', name: 'decide' },
      tools: [{ name: 'decide', input_schema: LLM_DECISION_JSON_SCHEMA }],
    });
  });

  it('llm providers - a 429 with retry-after is retried; a 400 fails at once with a code', async () => {
    const { url, seen } = await serve([
      { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '0' } },
      { status: 200, body: chat(JSON.stringify(decision)) },
    ]);
    const p = new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: url });
    expect((await p.complete(request)).output).toEqual(decision);
    expect(seen).toHaveLength(2);
    const bad = await serve([{ status: 400, body: { error: { message: 'bad schema' } } }]);
    const q = new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: bad.url });
    await expect(q.complete(request)).rejects.toMatchObject({ code: 'MANDATE_ERR_LLM_HTTP' });
    expect(bad.seen).toHaveLength(1);
  });

  it('llm providers - malformed answers are refused with MANDATE_ERR_LLM_OUTPUT', async () => {
    for (const body of [
      chat('not json'),
      chat(null, { refusal: 'I cannot help' }),
      { choices: 'nope' },
      { ...anthropic(decision), content: [{ type: 'text', text: 'no tool call' }] },
    ]) {
      const { url } = await serve([{ status: 200, body }]);
      const provider =
        'content' in (body as object)
          ? new AnthropicMessagesProvider({ apiKey: 'k', model: 'm', baseUrl: url })
          : new OpenAiChatProvider({ apiKey: 'k', model: 'm', baseUrl: url });
      await expect(provider.complete(request)).rejects.toMatchObject({ code: 'MANDATE_ERR_LLM_OUTPUT' });
    }
  });
});

describe('llm providers - timeouts', () => {
  it('llm providers - a model that never answers times out, is retried with backoff, then fails with a retryable code', async () => {
    const open: import('node:http').ServerResponse[] = [];
    const silent = createServer((req, res) => {
      req.resume();
      open.push(res); // never answered
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    // Attempts are counted where they are made: on a loaded machine a 100 ms attempt can time out
    // before the server has even accepted its connection.
    const attempts = vi.spyOn(globalThis, 'fetch');
    try {
      for (const provider of [
        new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: url, timeoutMs: 100 }),
        new AnthropicMessagesProvider({ apiKey: 'k', model: 'claude-test', baseUrl: url, timeoutMs: 100 }),
      ]) {
        attempts.mockClear();
        await expect(provider.complete(request)).rejects.toMatchObject({
          code: 'MANDATE_ERR_LLM_HTTP',
          retryable: true,
          message: expect.stringContaining('request failed'),
        });
        expect(attempts.mock.calls.map(([target]) => String(target).startsWith(url))).toEqual([true, true, true]);
      }
    } finally {
      attempts.mockRestore();
      for (const res of open) res.destroy();
      silent.close();
    }
  });

  it('llm providers - Anthropic: a 429 is retried like OpenAI', async () => {
    const { url, seen } = await serve([
      { status: 429, body: { type: 'error', error: { type: 'rate_limit_error' } }, headers: { 'retry-after': '0' } },
      { status: 200, body: anthropic(decision) },
    ]);
    const p = new AnthropicMessagesProvider({ apiKey: 'k', model: 'claude-test', baseUrl: url });
    expect((await p.complete(request)).output).toEqual(decision);
    expect(seen).toHaveLength(2);
  });
});

describe('hybrid decider', () => {
  const rules = RulesDecider.fromObject({
    rules: [
      {
        name: 'pay-due',
        conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
        event: {
          type: 'payment.send',
          capability: 'payments.send',
          account: 'ops-usd',
          amount: { value: '$fact:amount', asset: 'USD' },
          confidence: 0.9,
        },
      },
    ],
  });

  it('hybrid decider - fallback: rules decide when they fire; the model decides otherwise, within the allowed actions and confidence', async () => {
    const { url, seen } = await serve([{ status: 200, body: chat(JSON.stringify(decision)) }]);
    const d = new HybridDecider({
      rules,
      llm: new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: url }),
      mode: 'fallback',
      allowedActions: ['payment.send'],
      instructions: 'Pay due invoices.',
    });
    const ruled = await d.decide({ due: true, amount: '10.00' });
    expect(ruled).toMatchObject({ rulesFired: ['pay-due'], model: null, action: { amount: { value: '10.00' } } });
    expect(seen).toHaveLength(0);
    const modeled = await d.decide({ due: false });
    expect(modeled).toMatchObject({
      model: 'gpt-test',
      confidence: 0.8,
      action: { type: 'payment.send', amount: { value: '120.00', asset: 'USD' } },
    });
    const strict = new HybridDecider({
      rules,
      llm: new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: url }),
      mode: 'fallback',
      allowedActions: ['fx.swap'],
      instructions: 'x',
    });
    expect((await strict.decide({ due: false })).action).toBeNull();
    const shy = new HybridDecider({
      rules,
      llm: new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: url }),
      mode: 'fallback',
      allowedActions: ['payment.send'],
      minConfidence: 0.9,
      instructions: 'x',
    });
    expect((await shy.decide({ due: false })).action).toBeNull();
  });

  it("hybrid decider - review: a model that disagrees with the rules means no action; agreement keeps the rules' amounts", async () => {
    const disagree = await serve([
      { status: 200, body: anthropic({ action: null, confidence: 0.9, rationale: 'duplicate invoice' }) },
    ]);
    const d = new HybridDecider({
      rules,
      llm: new AnthropicMessagesProvider({ apiKey: 'k', model: 'claude-test', baseUrl: disagree.url }),
      mode: 'review',
      allowedActions: ['payment.send'],
      instructions: 'x',
    });
    const r = await d.decide({ due: true, amount: '10.00' });
    expect(r.action).toBeNull();
    expect(r.rationale).toContain('did not agree');
    expect(r.conflict).toEqual({
      kind: 'model',
      detail: 'rules propose payment.send, model claude-test answered no action at confidence 0.9',
    });
    expect(disagree.seen[0]!.body.messages[0].content).toContain('proposedByRules');
    const agree = await serve([{ status: 200, body: anthropic({ ...decision, amount: undefined }) }]);
    const e = new HybridDecider({
      rules,
      llm: new AnthropicMessagesProvider({ apiKey: 'k', model: 'claude-test', baseUrl: agree.url }),
      mode: 'review',
      allowedActions: ['payment.send'],
      instructions: 'x',
    });
    expect(await e.decide({ due: true, amount: '10.00' })).toMatchObject({
      model: 'claude-test',
      confidence: 0.8,
      action: { amount: { value: '10.00', asset: 'USD' } },
    });
  });

  it('hybrid decider - a decision failing the schema is refused with a code (never acted on)', async () => {
    const { url } = await serve([
      {
        status: 200,
        body: chat(
          JSON.stringify({
            action: {
              type: 'payment.send',
              capability: 'payments.send',
              amount: { value: '1e9', asset: 'USD' },
              params: {},
            },
            confidence: 2,
            rationale: 'x',
          }),
        ),
      },
    ]);
    const d = new HybridDecider({
      rules,
      llm: new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: url }),
      mode: 'fallback',
      allowedActions: ['payment.send'],
      instructions: 'x',
    });
    await expect(d.decide({ due: false })).rejects.toMatchObject({ code: 'MANDATE_ERR_LLM_OUTPUT' });
  });

  it('hybrid decider - a model rate-limited through its retries falls back to rules only (fallback) or no action (review)', async () => {
    const limited = { status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after': '0' } };
    const { url, seen } = await serve([limited, limited, limited, limited, limited, limited]);
    const llm = new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: url });
    const fallback = new HybridDecider({
      rules,
      llm,
      mode: 'fallback',
      allowedActions: ['payment.send'],
      instructions: 'x',
    });
    const ruled = await fallback.decide({ due: false });
    expect(ruled).toMatchObject({ action: null, model: null, modelFallback: expect.stringContaining('429') });
    expect(ruled.rationale).toMatch(/rules only$/);
    expect(seen).toHaveLength(3);
    const review = new HybridDecider({
      rules,
      llm,
      mode: 'review',
      allowedActions: ['payment.send'],
      instructions: 'x',
    });
    const held = await review.decide({ due: true, amount: '10.00' });
    expect(held).toMatchObject({
      action: null,
      rulesFired: ['pay-due'],
      modelFallback: expect.stringContaining('unreachable'),
    });
    expect(seen).toHaveLength(6);
  });
});
