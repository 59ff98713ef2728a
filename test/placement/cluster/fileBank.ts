/**
 * A bank shared by every node process of the cluster test: a ledger file it appends one fsynced
 * line to per payment (`<key> <agent> <token> <node>`), paying every request it gets (not
 * idempotent), but fenced: it refuses a payment whose lease token is lower than the highest it has
 * recorded for the agent. A lock file makes check-and-append atomic across processes.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { Actuator } from '../../../actors/index.ts';
import type { Outcome } from '../../../machines/index.ts';

/** One line of the ledger. */
export interface LedgerLine {
  key: string;
  agentId: string;
  token: number;
  node: string;
}

/** Every payment in the ledger file, in order. */
export function readLedger(path: string): LedgerLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [key, agentId, token, node] = l.split(' ');
      return { key: key!, agentId: agentId!, token: Number(token), node: node! };
    });
}

async function locked<T>(lock: string, work: () => T): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      if (i > 2_000) rmSync(lock, { force: true }); // a holder SIGKILLed inside the lock
      await delay(2);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** The bank's actuator for the node `node`. */
export function fileBank(path: string, node: string): Actuator {
  return {
    name: 'test.file-bank',
    effect: 'external',
    async execute(_action, ctx): Promise<Outcome> {
      await delay(Math.random() * 20); // the request in flight: a kill may land here
      const token = ctx.fence ?? 0;
      const paid = await locked(`${path}.lock`, () => {
        const highest = Math.max(
          0,
          ...readLedger(path)
            .filter((l) => l.agentId === ctx.agentId)
            .map((l) => l.token),
        );
        if (token < highest) return false;
        const fd = openSync(path, 'a');
        writeSync(fd, `${ctx.idempotencyKey} ${ctx.agentId} ${token} ${node}\n`);
        fsyncSync(fd);
        closeSync(fd);
        return true;
      });
      await delay(Math.random() * 20);
      return paid
        ? { status: 'succeeded', receipt: { reference: ctx.idempotencyKey } }
        : { status: 'failed', error: { code: 'MANDATE_ERR_FENCE_STALE', message: `lease token ${token} is stale` } };
    },
    async reconcile(_action, ctx): Promise<Outcome | undefined> {
      return readLedger(path).some((l) => l.key === ctx.idempotencyKey)
        ? { status: 'succeeded', receipt: { reference: ctx.idempotencyKey, reconciled: true } }
        : undefined;
    },
  };
}
