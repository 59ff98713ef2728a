import { auditEntryHash, GENESIS_HASH } from '../runtime/index.ts';
import type { SimBank } from './SimBank.ts';
import type { SimChain } from './SimChain.ts';
import type { SimDisk } from './SimDisk.ts';
import { SIM_LIMITS } from './simLimits.ts';

/** A broken invariant: which one, and what the world showed. */
export interface Violation {
  readonly invariant:
    'paid-twice' | 'limit-breached' | 'approval-missing' | 'audit-broken' | 'decision-lost' | 'record-contradicts-rail';
  readonly message: string;
}

/** A payment as every rail's own ledger shows it. */
interface RailPayment {
  rail: string;
  key: string;
  agentId: string;
  decisionId: string;
  amount: string;
  at: number;
}

const DAY_MS = 86_400_000;
const DECIMAL = /^\d+(\.\d{1,6})?$/;

/** The rails' own ledgers, merged: what really left the accounts. */
function railPayments(bank: SimBank, chain: SimChain, now: number): RailPayment[] {
  return [
    ...bank.ledger.map((p) => ({ ...p, rail: 'bank' })),
    ...chain.canonical().map((tx) => ({ ...tx, rail: 'chain', at: now })),
  ];
}

/**
 * Checks the world after a step. `audited` is how many audit entries were verified before (the
 * chain is checked incrementally); returns the violation found, or the new verified count.
 */
export function checkInvariants(
  w: { disk: SimDisk; bank: SimBank; chain: SimChain; now: number },
  audited: number,
): Violation | number {
  const paid = railPayments(w.bank, w.chain, w.now);
  const byKey = new Map<string, RailPayment>();
  for (const p of paid) {
    const first = byKey.get(p.key);
    if (first !== undefined)
      return {
        invariant: 'paid-twice',
        message: `idempotency key "${p.key}" paid twice on the ${p.rail} (decisions ${first.decisionId} and ${p.decisionId})`,
      };
    byKey.set(p.key, p);
    if (!DECIMAL.test(p.amount) || Number(p.amount) <= 0 || Number(p.amount) > SIM_LIMITS.perTransaction)
      return {
        invariant: 'limit-breached',
        message: `${p.agentId} paid "${p.amount}" on the ${p.rail} (per-transaction limit ${SIM_LIMITS.perTransaction}, positive decimals only)`,
      };
    if (Number(p.amount) > SIM_LIMITS.approvalAbove) {
      const approved = [...w.disk.approvals.values()].some(
        (a) => a.decisionId === p.decisionId && a.status === 'approved',
      );
      if (!approved)
        return {
          invariant: 'approval-missing',
          message: `${p.agentId} paid ${p.amount} for decision ${p.decisionId} without an approved approval (policy: above ${SIM_LIMITS.approvalAbove})`,
        };
    }
    const intent = w.disk.intents.get(p.key);
    if (intent === undefined || !w.disk.decisions.has(p.decisionId))
      return {
        invariant: 'decision-lost',
        message: `the ${p.rail} paid key "${p.key}" but the store has ${intent === undefined ? 'no write-ahead intent' : 'no decision record'} for it`,
      };
    if (intent.status === 'failed')
      return {
        invariant: 'record-contradicts-rail',
        message: `intent "${p.key}" is recorded failed but the ${p.rail} paid it (${p.amount})`,
      };
  }
  for (const p of w.bank.ledger) {
    const day = w.bank.ledger
      .filter((q) => q.agentId === p.agentId && q.at <= p.at && p.at - q.at < DAY_MS)
      .reduce((sum, q) => sum + Number(q.amount), 0);
    if (day > SIM_LIMITS.daily)
      return {
        invariant: 'limit-breached',
        message: `${p.agentId} paid ${day} in 24 h (daily limit ${SIM_LIMITS.daily})`,
      };
  }
  for (const intent of w.disk.intents.values())
    if (intent.status === 'succeeded' && !byKey.has(intent.key) && w.chain.sentFor(intent.key).length === 0)
      return {
        invariant: 'record-contradicts-rail',
        message: `intent "${intent.key}" is recorded succeeded but no rail has a payment for it`,
      };
  return checkAudit(w.disk, audited);
}

/** The audit hash chain, from entry `from` on: sequence, links and hashes recomputed with the runtime's own hash. */
function checkAudit(disk: SimDisk, from: number): Violation | number {
  for (let i = from; i < disk.audit.length; i++) {
    const e = disk.audit[i]!;
    const prev = i === 0 ? GENESIS_HASH : disk.audit[i - 1]!.hash;
    if (e.seq !== i + 1 || e.prevHash !== prev || auditEntryHash(e) !== e.hash)
      return { invariant: 'audit-broken', message: `audit entry ${i + 1} (${e.action}) does not verify` };
  }
  return disk.audit.length;
}
