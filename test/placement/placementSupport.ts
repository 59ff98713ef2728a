import { RulesDecider, type Actuator } from '../../actors/index.ts';
import type { Outcome } from '../../machines/index.ts';
import { defineAgent } from '../../runtime/index.ts';

/** One payment the fenced test bank made. */
export interface Paid {
  key: string;
  agentId: string;
  token: number;
  node: string;
}

/**
 * A bank outside the nodes that pays every request it gets (not idempotent) but is fenced: it
 * remembers the highest lease token it has seen per agent and refuses a lower one — the check a
 * rail or signer holding state makes with `ActContext.fence`.
 */
export class FencedBank {
  readonly paid: Paid[] = [];
  refused = 0;
  readonly #highest = new Map<string, number>();

  actuator(node: string): Actuator {
    return {
      name: 'test.fenced-bank',
      effect: 'external',
      execute: async (action, ctx): Promise<Outcome> => {
        const token = ctx.fence ?? 0;
        if (token < (this.#highest.get(ctx.agentId) ?? 0)) {
          this.refused++;
          return { status: 'failed', error: { code: 'MANDATE_ERR_FENCE_STALE', message: `token ${token} is stale` } };
        }
        this.#highest.set(ctx.agentId, token);
        this.paid.push({ key: ctx.idempotencyKey, agentId: ctx.agentId, token, node });
        return { status: 'succeeded', receipt: { reference: ctx.idempotencyKey, amount: action.amount?.value ?? '' } };
      },
      reconcile: async (_action, ctx): Promise<Outcome | undefined> =>
        this.paid.some((p) => p.key === ctx.idempotencyKey)
          ? { status: 'succeeded', receipt: { reference: ctx.idempotencyKey, reconciled: true } }
          : undefined,
    };
  }
}

/** A payer agent paying 10 USDC through `act` every `everyMs`. */
export function payer(id: string, act: Actuator, everyMs = 150): ReturnType<typeof defineAgent> {
  return defineAgent({
    id,
    capabilities: ['payments.send'],
    group: 'payables',
    triggers: [{ every: everyMs }],
    permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
    limits: {
      perTransaction: { USDC: '1000000' },
      daily: { USDC: '100000000' },
      maxAttempts: 2,
      baseDelay: 10,
      maxDelay: 50,
    },
    perceive: async () => ({ due: true, amount: '10' }),
    decide: RulesDecider.fromObject({
      rules: [
        {
          name: 'pay',
          conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
          event: {
            type: 'payment.send',
            capability: 'payments.send',
            account: 'ops',
            amount: { value: '$fact:amount', asset: 'USDC' },
            counterparty: 'subj_bank',
            rationale: 'due',
          },
        },
      ],
    }),
    act,
  });
}

/** Polls `check` until it returns true (or throws after `ms`, naming `what`). */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting until ${what}`);
}
