import { RulesDecider } from '../actors/index.ts';
import { defineAgent, type AgentDefinition, type Clock, type RuntimeOptions } from '../runtime/index.ts';
import { bankActuator, chainActuator } from './simActuators.ts';
import type { SimBank } from './SimBank.ts';
import type { SimChain } from './SimChain.ts';
import type { SimIo } from './SimIo.ts';
import type { SimRandom } from './SimRandom.ts';
import { SIM_LIMITS } from './simLimits.ts';

/** What the oracle says now and then instead of an amount. */
const GARBAGE: readonly unknown[] = [
  Number.NaN,
  -250,
  'abc',
  '',
  null,
  1e21,
  '12.345',
  {},
  [],
  0,
  Number.POSITIVE_INFINITY,
  '999999999999',
  '-0.01',
  '1e3',
  '\u0000',
  '\ud800',
];

/** Governance of the simulated node: payments above {@link SIM_LIMITS.approvalAbove} wait for a human. */
export const SIM_GOVERNANCE: RuntimeOptions['governance'] = {
  approvalTimeout: 60_000,
  groupBudgets: {},
  rules: [
    {
      name: 'large',
      priority: 1,
      conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: SIM_LIMITS.approvalAbove }] },
      effect: 'require-approval',
      reason: 'large payments need a human',
    },
  ],
};

function rules(): RulesDecider {
  return RulesDecider.fromObject({
    rules: [
      {
        name: 'pay-due',
        conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
        event: {
          type: 'payment.send',
          capability: 'payments.send',
          account: 'ops',
          amount: { value: '$fact:amount', asset: 'USDC' },
          counterparty: 'cp-1',
          params: { idempotencyKey: '$fact:invoiceId' },
          rationale: 'invoice due',
        },
      },
    ],
  });
}

/** What the agents of one incarnation are built over. */
export interface SimAgentWorld {
  io: SimIo;
  clock: Clock;
  random: SimRandom;
  bank: SimBank;
  chain: SimChain;
  /** Probability that the oracle answers garbage (or fails) instead of the invoice's amount. */
  garbage: number;
}

/** The two simulated agents: `payables` pays invoices at the bank, `treasury` pays orders on chain. */
export function simAgents(w: SimAgentWorld): AgentDefinition[] {
  const perceive = (ctx: { trigger: Record<string, unknown> }): Record<string, unknown> => {
    if (w.random.chance(w.garbage / 4)) throw new Error('simulated fault: oracle unreachable');
    const invoice = (ctx.trigger.data ?? {}) as { invoiceId?: unknown; amount?: unknown };
    const amount = w.random.chance(w.garbage) ? w.random.pick(GARBAGE) : invoice.amount;
    return { due: typeof invoice.invoiceId === 'string', invoiceId: invoice.invoiceId, amount };
  };
  const common = {
    capabilities: ['payments.send'],
    restart: 'permanent' as const,
    permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
    limits: {
      perTransaction: { USDC: String(SIM_LIMITS.perTransaction) },
      daily: { USDC: String(SIM_LIMITS.daily) },
      maxAttempts: 3,
      baseDelay: 500,
      maxDelay: 5_000,
      phaseTimeout: 30_000,
    },
    perceive,
    decide: rules(),
  };
  return [
    defineAgent({ ...common, id: 'payables', group: 'payables', act: bankActuator(w.io, w.bank, w.clock) }),
    defineAgent({
      ...common,
      id: 'treasury',
      group: 'treasury',
      act: chainActuator({ io: w.io, chain: w.chain, clock: w.clock, random: w.random, stuck: 0.1 }),
    }),
  ];
}
