/**
 * Fixtures of test/persistence/oneStatementBatch.test.ts: rows to write, a recorder of the
 * statements the store's driver sends, and a second writer appending to the chain by hand.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { vi } from 'vitest';
import { AuditLog, parseAuditInput, type AuditInput, type SqlExecutor } from '../../runtime/audit/index.ts';
import type { TransitionEvent } from '../../runtime/inspection/InspectionEvent.ts';
import type { DecisionRecord, SnapshotRow } from '../../runtime/persistence/index.ts';
import { toPgPlaceholders } from '../../runtime/persistence/PgExecutor.ts';
import { AgentIdentity } from '../../transport/index.ts';

export const T0 = 1_790_000_000_000;

export const entry = (i: number, over: Partial<AuditInput> = {}): AuditInput => ({
  who: { kind: 'agent', id: 'did:key:z6MkpayAgent' },
  action: 'agent.decide.done',
  subject: `payer-${i % 3}`,
  where: 'node-1/governance',
  why: `cycle ${i}`,
  data: { status: 'proposed', currency: 'USDC', amount: String(i), decisionId: `d-${i}` },
  at: T0 + i,
  ...over,
});

export const decision = (id: string, over: Partial<DecisionRecord> = {}): DecisionRecord => ({
  id,
  agentId: 'agent-1',
  cycle: 1,
  trigger: { type: 'interval' },
  facts: { 'usdc.balance': '1200.50', rate: 1.0831 },
  rulesFired: ['rebalance-when-low'],
  rationale: 'balance under threshold',
  confidence: 0.9,
  model: null,
  action: { type: 'transfer', amount: '100', asset: 'USDC' },
  verdict: { status: 'approved', by: 'governance', reason: 'within limits' },
  outcome: { status: 'succeeded', durationMs: 42, fees: { value: '0.12', asset: 'USDC' }, slippageBps: 2 },
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const snapshot = (agentId: string, seq: number, fence?: number): SnapshotRow => ({
  agentId,
  supervisorId: 'gov',
  snapshot: { status: 'active', value: { cycle: 'decide' }, context: { seq } },
  state: 'cycle.decide',
  seq,
  at: T0 + seq,
  ...(fence === undefined ? {} : { fence }),
});

export const transition = (actorId: string, seq: number): TransitionEvent => ({
  type: 'transition',
  seq,
  actorId,
  parentId: 'gov',
  actorKind: 'agent',
  from: 'idle',
  to: 'cycle.perceive',
  event: 'agent.tick',
  summary: { seq },
  at: T0 + seq,
});

/** A {@link SqlExecutor} over one node-postgres client. */
export function clientExecutor(client: pg.Client): SqlExecutor {
  return {
    async execute(sql, params = []) {
      // A parameterless text of several statements gives one result each; the last one's rows, as pgExecutor.
      const result = (await client.query(toPgPlaceholders(sql), params)) as unknown as
        { rows: unknown[] } | { rows: unknown[] }[];
      return Array.isArray(result) ? result.at(-1)!.rows : result.rows;
    },
  };
}

/**
 * Another writer of the chain (another node, with its own signer): appends `inputs` in a
 * transaction of `client`, left open when `commit` is false (the chain lock is then held).
 */
export async function appendByHand(
  client: pg.Client,
  inputs: AuditInput[],
  { commit = true, log = new AuditLog({ signer: AgentIdentity.generate(), checkpointEvery: 1000 }) } = {},
): Promise<{ seq: number; hash: string }> {
  await client.query('begin');
  const appended = await log.append(
    clientExecutor(client),
    inputs.map((input, i) => ({ entryId: `by-hand-${randomUUID()}-${i}`, input: parseAuditInput(input) })),
    { now: T0, inDoubt: false },
  );
  if (commit) await client.query('commit');
  const last = appended.entries.at(-1)!;
  return { seq: last.seq, hash: last.hash };
}

/** One statement the store's driver sent: its text, its error code, and its first row's `ok`. */
export interface SentStatement {
  sql: string;
  code?: string;
  ok?: unknown;
}

type Query = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Records what the store sends: spies on `Client.prototype.query` of the node-postgres copy
 * MikroORM's pool runs on (the store's pool), until `stop()`.
 */
export function recordStatements(): { sent: SentStatement[]; stop: () => void } {
  const fromOrm = createRequire(import.meta.resolve('@mikro-orm/postgresql'));
  const { Client } = fromOrm('pg') as typeof pg;
  const proto = Client.prototype as unknown as { query: Query };
  const original = proto.query;
  const sent: SentStatement[] = [];
  const settle = (s: SentStatement, error: unknown, result: unknown): void => {
    if (error !== undefined && error !== null) s.code = String((error as { code?: unknown }).code);
    else s.ok = (result as { rows?: { ok?: unknown }[] } | undefined)?.rows?.[0]?.ok;
  };
  const spy = vi.spyOn(proto, 'query').mockImplementation(function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const s: SentStatement = { sql: typeof first === 'string' ? first : (first?.text ?? '') };
    sent.push(s);
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (error: unknown, result: unknown) => void;
      args[last] = (error: unknown, result: unknown) => {
        settle(s, error, result);
        callback(error, result);
      };
      return original.apply(this, args);
    }
    const out = original.apply(this, args);
    if (out instanceof Promise)
      out.then(
        (r) => settle(s, undefined, r),
        (e: unknown) => settle(s, e, undefined),
      );
    return out;
  });
  return { sent, stop: () => spy.mockRestore() };
}

/** Whether a sent statement is the one-statement batch. */
export const isOneStatement = (s: SentStatement): boolean => s.sql.startsWith('with gate as');
/** Whether a sent statement opens an explicit transaction (the transaction path). */
export const isBegin = (s: SentStatement): boolean => /^begin\b/i.test(s.sql);
