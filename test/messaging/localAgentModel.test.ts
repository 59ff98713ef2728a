import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HybridDecider, LocalAgentProvider, MODEL_COMPLETE, RulesDecider } from '../../actors/index.ts';
import { AgentIdentity } from '../../transport/index.ts';
import { memoryNode } from './memoryNode.ts';

const rules = RulesDecider.fromObject({
  rules: [
    {
      name: 'pay-due',
      conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
      event: { type: 'payment.send', capability: 'payments.send', amount: { value: '10.00', asset: 'USD' } },
    },
  ],
});

/**
 * Two agents on one in-process bus: `advisor` answers `model.complete` with `answer(prompt facts)`;
 * `payer` asks it through a LocalAgentProvider.
 */
async function pair(answer: (facts: Record<string, unknown>) => unknown) {
  const { bus } = await memoryNode();
  const asked: { from: string; system: string }[] = [];
  const advisor = await bus.attach({
    identity: AgentIdentity.generate(),
    descriptor: { id: 'advisor', capabilities: [{ name: 'model.complete', version: '1.0.0' }] },
    accepts: {
      [MODEL_COMPLETE]: {
        body: z.strictObject({ system: z.string(), prompt: z.string(), schema: z.record(z.string(), z.unknown()) }),
      },
    },
    handler: async (m) => {
      const body = m.body as { system: string; prompt: string };
      asked.push({ from: m.envelope.from, system: body.system });
      return answer((JSON.parse(body.prompt) as { facts: Record<string, unknown> }).facts);
    },
  });
  const payer = await bus.attach({
    identity: AgentIdentity.generate(),
    descriptor: { id: 'payer', capabilities: [] },
    accepts: {},
    handler: async () => undefined,
  });
  const decider = (to = advisor.did) =>
    new HybridDecider({
      rules,
      llm: new LocalAgentProvider({ endpoint: payer, to, timeoutMs: 500 }),
      mode: 'fallback',
      allowedActions: ['payment.send'],
      instructions: 'pay what is due',
    });
  return { bus, advisor, payer, asked, decider };
}

const pay = {
  action: {
    type: 'payment.send',
    capability: 'payments.send',
    amount: { value: '25.00', asset: 'USD' },
    counterparty: 'acme',
    params: {},
  },
  confidence: 0.8,
  rationale: 'the advisor saw an overdue invoice',
};

describe('local-agent model provider (in-process transport)', () => {
  it('local agent - a Mandate agent on the bus answers as the model; its decision is parsed and used, signed by its did', async () => {
    const { bus, advisor, payer, asked, decider } = await pair((facts) => ({
      output: facts.overdue === true ? pay : { action: null, confidence: 0.9, rationale: 'nothing overdue' },
      model: 'advisor-rules-v1',
      usage: { inputTokens: 42, outputTokens: 7 },
    }));
    const d = await decider().decide({ due: false, overdue: true });
    expect(d).toMatchObject({ action: pay.action, confidence: 0.8, model: 'advisor-rules-v1', rulesFired: [] });
    expect(asked).toEqual([{ from: payer.did, system: expect.stringContaining('pay what is due') }]);
    const idle = await decider().decide({ due: false, overdue: false });
    expect(idle).toMatchObject({ action: null, rationale: 'nothing overdue' });
    expect(advisor.did).not.toBe(payer.did);
    await bus.close();
  });

  it('local agent - a malformed reply or a decision failing its schema is refused with MANDATE_ERR_LLM_OUTPUT', async () => {
    const shapes = [{ decision: pay }, { output: { ...pay, confidence: 3 } }];
    let i = 0;
    const { bus, decider } = await pair(() => shapes[i++]);
    await expect(decider().decide({ due: false })).rejects.toMatchObject({ code: 'MANDATE_ERR_LLM_OUTPUT' });
    await expect(decider().decide({ due: false })).rejects.toMatchObject({ code: 'MANDATE_ERR_LLM_OUTPUT' });
    await bus.close();
  });

  it('local agent - an action the asking agent may not take is refused: no action', async () => {
    const { bus, decider } = await pair(() => ({
      output: { ...pay, action: { ...pay.action, type: 'fx.swap', capability: 'fx.swap' } },
    }));
    const d = await decider().decide({ due: false });
    expect(d).toMatchObject({ action: null, rationale: expect.stringContaining('may not do') });
    await bus.close();
  });

  it('local agent - an agent that does not answer (unknown did) makes the decider fall back to the rules', async () => {
    const { bus, decider } = await pair(() => ({ output: pay }));
    const stranger = AgentIdentity.generate().did;
    const d = await decider(stranger).decide({ due: true });
    // The rules fired, so fallback mode never asked; with nothing fired the model is asked and unreachable.
    expect(d).toMatchObject({ action: { type: 'payment.send' }, rulesFired: ['pay-due'] });
    const unreachable = await decider(stranger).decide({ due: false });
    expect(unreachable).toMatchObject({ action: null, modelFallback: expect.stringContaining('did not answer') });
    await bus.close();
  });
});
