/**
 * The process the crash test SIGKILLs: a live runtime on the persistent store, with payer agents
 * whose act is an external, NON-idempotent effect (a line appended and fsynced to a ledger file,
 * like a bank that pays every request it gets). Reconciliation looks the key up in that ledger.
 * Runs until every agent has completed CRASH_CYCLES cycles, then shuts down and prints "done".
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { RulesDecider, type Actuator } from '../../../actors/index.ts';
import type { Outcome } from '../../../machines/index.ts';
import { createRuntime, defineAgent } from '../../../runtime/index.ts';
import { openStore } from '../../../runtime/persistence/index.ts';
import { agentOf } from '../../support/agentOf.ts';

const env = process.env;
const ledger = env.CRASH_LEDGER!;
const agents = Number(env.CRASH_AGENTS ?? 3);
const cycles = Number(env.CRASH_CYCLES ?? 4);
const principal = { kind: 'system' as const, id: 'crash-test' };

function ledgerKeys(): string[] {
  return existsSync(ledger)
    ? readFileSync(ledger, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]!)
    : [];
}

const bank: Actuator = {
  name: 'crash.bank',
  effect: 'external',
  async execute(action, ctx): Promise<Outcome> {
    await delay(Math.random() * 15);
    const fd = openSync(ledger, 'a');
    writeSync(fd, `${ctx.idempotencyKey} ${ctx.agentId} ${action.amount?.value ?? ''}\n`);
    fsyncSync(fd);
    closeSync(fd);
    await delay(Math.random() * 15);
    return { status: 'succeeded', receipt: { reference: ctx.idempotencyKey } };
  },
  async reconcile(_action, ctx): Promise<Outcome | undefined> {
    return ledgerKeys().includes(ctx.idempotencyKey)
      ? { status: 'succeeded', receipt: { reference: ctx.idempotencyKey, reconciled: true } }
      : undefined;
  },
};

const store = await openStore({ env, retry: { attempts: 20, baseDelayMs: 50 } });
const runtime = await createRuntime({ mode: 'live', store, nodeId: `crash-${process.pid}` });
const hosts = [];
for (let i = 0; i < agents; i++) {
  await runtime.spawn(
    defineAgent({
      id: `payer-${i}`,
      capabilities: ['payments.send'],
      group: 'payables',
      permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
      limits: {
        perTransaction: { USDC: '1000000' },
        daily: { USDC: '100000000' },
        maxAttempts: 3,
        baseDelay: 10,
        maxDelay: 100,
      },
      perceive: async () => {
        await delay(Math.random() * 10);
        return { due: true, amount: String(10 + i) };
      },
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
      act: bank,
    }),
  );
  hosts.push(agentOf(runtime, `payer-${i}`));
}
runtime.subscribe((e) => {
  if (e.type === 'transition' && e.actorKind === 'agent') process.stdout.write(`t ${e.actorId} ${e.to}\n`);
});
process.stdout.write('ready\n');
for (;;) {
  let finished = 0;
  for (const h of hosts) {
    if (h.context.cycle >= cycles && h.state === 'idle') finished++;
    else if (h.state === 'idle') await runtime.trigger(h.id, principal);
  }
  if (finished === hosts.length) break;
  await delay(5);
}
await runtime.shutdown();
process.stdout.write(`done ${hosts.map((h) => `${h.id}:${h.context.cycle}`).join(' ')}\n`);
