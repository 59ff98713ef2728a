import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { HybridDecider } from '../deciders/HybridDecider.ts';
import { RulesDecider } from '../deciders/RulesDecider.ts';
import { BudgetedLlmProvider } from './BudgetedLlmProvider.ts';
import { LLM_DECISION_JSON_SCHEMA } from './LlmProvider.ts';
import { OpenAiChatProvider } from './OpenAiChatProvider.ts';

const DAY = 86_400_000;
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A local chat-completions server: every answer holds no action and reports 600 + 400 tokens. */
async function chatServer(): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          model: 'gpt-test',
          choices: [
            {
              message: {
                content: JSON.stringify({ action: null, confidence: 0.9, rationale: 'nothing due' }),
                refusal: null,
              },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 600, completion_tokens: 400 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls };
}

const request = { system: 'sys', prompt: '{"facts":{}}', schema: LLM_DECISION_JSON_SCHEMA };

describe('token budgets', () => {
  it('token budget - counts the tokens each answer reports and refuses, without calling the model, once the period is spent; a new period starts afresh', async () => {
    const { url, calls } = await chatServer();
    const clock = new SimulatedClock();
    clock.set(10 * DAY);
    const llm = new BudgetedLlmProvider(new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: url }), {
      tokens: 2_500,
      periodMs: DAY,
      clock,
    });
    await llm.complete(request);
    await llm.complete(request);
    expect(llm.usage()).toEqual({ used: 2_000, budget: 2_500, resetsAt: 11 * DAY });
    // 2,000 used + the request's estimate (its characters / 4, here > 500) exceeds 2,500.
    await expect(llm.complete({ ...request, prompt: 'x'.repeat(2_000) })).rejects.toMatchObject({
      code: 'MANDATE_ERR_LLM_BUDGET',
      details: { used: 2_000, budget: 2_500, resetsAt: 11 * DAY },
    });
    await llm.complete(request); // a small request still fits: 2,000 + ~300 estimated
    await expect(llm.complete(request)).rejects.toMatchObject({ code: 'MANDATE_ERR_LLM_BUDGET' });
    expect(calls()).toBe(3);
    clock.set(11 * DAY);
    await llm.complete(request);
    expect(llm.usage()).toMatchObject({ used: 1_000, resetsAt: 12 * DAY });
    expect(calls()).toBe(4);
  });

  it('token budget - a spent budget makes the hybrid decider fall back to the rules, with modelFallback saying why', async () => {
    const { url, calls } = await chatServer();
    const clock = new SimulatedClock();
    const llm = new BudgetedLlmProvider(new OpenAiChatProvider({ apiKey: 'k', model: 'gpt-test', baseUrl: url }), {
      tokens: 1_000,
      periodMs: DAY,
      clock,
    });
    const rules = RulesDecider.fromObject({
      rules: [
        {
          name: 'pay-due',
          conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
          event: { type: 'payment.send', capability: 'payments.send', amount: { value: '10.00', asset: 'USD' } },
        },
      ],
    });
    const d = new HybridDecider({ rules, llm, mode: 'fallback', allowedActions: ['payment.send'], instructions: 'x' });
    expect(await d.decide({ due: false })).toMatchObject({ action: null, model: 'gpt-test', rationale: 'nothing due' });
    const spent = await d.decide({ due: false });
    expect(spent).toMatchObject({
      action: null,
      model: null,
      modelFallback: expect.stringMatching(/^model token budget spent/),
    });
    expect(spent.modelFallback).toContain('token budget of 1000 tokens');
    expect(calls()).toBe(1);
  });
});
