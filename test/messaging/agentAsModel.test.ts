import { afterAll, describe, expect, it } from 'vitest';
import type { ProposedAction } from '../../machines/index.ts';
import { createRuntime, parseAgentYaml, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf, servicesOf } from '../support/agentOf.ts';
import { NatsServer } from '../support/natsServer.ts';

/**
 * `llm: { provider: agent }` end to end: `payer` (YAML) asks `advisor` (YAML, holding `model.complete`)
 * as its model over the runtime's signed messaging; the advisor answers from its own rules on the payer's
 * facts, and the payer's decision (model `agent:advisor@1`) goes through its own chain and is paid.
 */
const paid: ProposedAction[] = [];
const plugins = new PluginRegistry()
  .perceiver('invoices.overdue', () => ({ invoice: { id: 'inv-7', overdue: true }, due: false }))
  .perceiver('nothing', () => ({}))
  .actuator(
    {
      name: 'pay',
      effect: 'internal',
      execute: async (a) => {
        paid.push(a);
        return { status: 'succeeded', receipt: { reference: `paid-${paid.length}` } };
      },
    },
    ['payments.send'],
  );

const advisor = `id: advisor
capabilities: [model.complete]
perceive: [nothing]
rules:
  rules:
    - name: overdue-pay
      conditions: { all: [ { fact: invoice, path: $.overdue, operator: equal, value: true } ] }
      event: { type: payment.send, capability: payments.send, amount: { value: "25.00", asset: USD }, counterparty: acme, confidence: 0.9 }
`;

const payer = (llm: string) => `id: payer
capabilities: [payments.send]
permissions: [ { capability: payments.send, accounts: ["*"] } ]
limits: { perTransaction: { USD: "100.00" }, daily: { USD: "500.00" } }
perceive: [invoices.overdue]
rules:
  rules:
    - name: pay-due
      conditions: { all: [ { fact: due, operator: equal, value: true } ] }
      event: { type: payment.send, capability: payments.send, amount: { value: "10.00", asset: USD } }
llm:
${llm}
act: pay
`;
const askAdvisor = `  provider: agent
  agent: advisor
  timeout: 2s
  mode: fallback
  allowedActions: [payment.send]
  instructions: pay what is overdue`;

const load = (text: string, source: string) =>
  parseAgentYaml({ text, source, plugins, readRelative: async (p) => Promise.reject(new Error(`no file ${p}`)) });

async function cycle(runtime: MandateRuntime, id: string) {
  const host = agentOf(runtime, id);
  const before = host.cycles;
  await runtime.trigger(id, { kind: 'human', id: 'tester' });
  const end = Date.now() + 10_000;
  while (!(host.cycles > before && host.state === 'idle')) {
    if (Date.now() > end) throw new Error(`${id} did not finish its cycle (state ${host.state})`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return host.context;
}

describe('a Mandate agent as the model (llm.provider: agent)', () => {
  const runtimes: MandateRuntime[] = [];
  let ns: NatsServer | undefined;
  afterAll(async () => {
    for (const r of runtimes) await r.shutdown();
    await ns?.stop();
  });

  it('agent model - in process: the payer asks the advisor, whose rules answer; the payer acts on it through its own chain', async () => {
    const runtime = await createRuntime({ messaging: { publishInspection: false } });
    runtimes.push(runtime);
    await runtime.spawn(await load(advisor, 'advisor.yaml'));
    await runtime.spawn(await load(payer(askAdvisor), 'payer.yaml'));
    paid.length = 0;
    const ctx = await cycle(runtime, 'payer');
    expect(ctx.decision).toMatchObject({
      action: { type: 'payment.send', amount: { value: '25.00', asset: 'USD' }, counterparty: 'acme' },
      confidence: 0.9,
      model: 'agent:advisor@1',
      rulesFired: [],
    });
    expect(ctx.decision?.rationale).toContain('overdue-pay');
    expect(ctx.outcome?.status).toBe('succeeded');
    expect(paid).toHaveLength(1);
    // The advisor only advised: it ran no cycle of its own.
    expect(agentOf(runtime, 'advisor').cycles).toBe(0);

    // A killed advisor does not answer: the payer's rules alone decide (none fired), with an alert.
    await runtime.engageKillSwitch({ agents: ['advisor'] }, { kind: 'human', id: 'tester' }, 'test');
    const fallback = await cycle(runtime, 'payer');
    expect(fallback.decision).toMatchObject({ action: null, modelFallback: expect.stringContaining('unreachable') });
    expect(runtime.listAlerts().map((a) => a.code)).toContain('MANDATE_DECISION_MODEL_FALLBACK');
    expect(paid).toHaveLength(1);
  });

  it('agent model - an agent that is not a model holder, or a runtime without messaging, falls back to the rules', async () => {
    const runtime = await createRuntime({ messaging: { publishInspection: false } });
    runtimes.push(runtime);
    await runtime.spawn(await load(payer(askAdvisor.replace('agent: advisor', 'agent: nobody')), 'payer.yaml'));
    const missing = await cycle(runtime, 'payer');
    expect(missing.decision?.modelFallback).toContain('no agent "nobody" holding model.complete');
    const alone = await createRuntime({});
    runtimes.push(alone);
    await alone.spawn(await load(payer(askAdvisor), 'payer.yaml'));
    const unattached = await cycle(alone, 'payer');
    expect(unattached.decision?.modelFallback).toContain('not attached to the message bus');
  });

  it('agent model - over NATS: the advisor on one node answers the payer on another', async () => {
    ns = await NatsServer.start({ jetstream: true });
    const a = await createRuntime({ nodeId: 'node-a', messaging: { natsUrl: ns.url, publishInspection: false } });
    runtimes.push(a);
    const b = await createRuntime({ nodeId: 'node-b', messaging: { natsUrl: ns.url, publishInspection: false } });
    runtimes.push(b);
    await a.spawn(await load(advisor, 'advisor.yaml'));
    await b.spawn(await load(payer(askAdvisor), 'payer.yaml'));
    // Node b's registry is fed by a KV watcher: wait until it lists the advisor.
    const registry = servicesOf(b).messaging!.registry;
    const end = Date.now() + 10_000;
    while (!(await registry.discover('model.complete')).some((d) => d.id === 'advisor')) {
      if (Date.now() > end) throw new Error('node b never saw the advisor');
      await new Promise((r) => setTimeout(r, 20));
    }
    paid.length = 0;
    const ctx = await cycle(b, 'payer');
    expect(ctx.decision).toMatchObject({ model: 'agent:advisor@1', action: { amount: { value: '25.00' } } });
    expect(ctx.outcome?.status).toBe('succeeded');
    expect(paid).toHaveLength(1);
  });

  it('agent model - the llm block is checked: provider agent needs agent, the others need model', async () => {
    const bad = [
      [askAdvisor.replace('  agent: advisor\n', ''), 'llm.agent'],
      [askAdvisor.replace('provider: agent', 'provider: openai'), 'llm.model'],
      [`${askAdvisor}\n  baseUrlEnv: LOCAL_URL`, 'llm.baseUrlEnv'],
    ] as const;
    for (const [llm, field] of bad)
      await expect(load(payer(llm), 'payer.yaml')).rejects.toMatchObject({
        code: 'MANDATE_ERR_AGENT_DEFINITION',
        details: { field },
      });
  });
});
