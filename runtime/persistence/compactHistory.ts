import { z } from 'zod';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import { parseInput } from './storeSchemas.ts';

/** How much history to keep for one agent. */
export interface AgentRetention {
  /** Transitions kept per actor (newest). */
  journalKeepLast: number;
  /** Transitions older than this are dropped even within `journalKeepLast`; omit to keep by count only. */
  journalMaxAgeMs?: number;
  /** Snapshots kept per agent (newest; at least 1, the one resumption needs). */
  snapshotsKeepLast: number;
}

/** Retention of journal and snapshot history: a default and per-agent overrides. The audit log is never compacted. */
export interface RetentionPolicy extends AgentRetention {
  perAgent?: Record<string, AgentRetention>;
}

/** Rows removed by one compaction. */
export interface CompactionResult {
  journalDeleted: number;
  snapshotsDeleted: number;
}

/** The default policy: 10 000 transitions and 20 snapshots per agent. */
export const DEFAULT_RETENTION: RetentionPolicy = { journalKeepLast: 10_000, snapshotsKeepLast: 20 };

const agentRetention = z.object({
  journalKeepLast: z.number().int().nonnegative(),
  journalMaxAgeMs: z.number().int().positive().optional(),
  snapshotsKeepLast: z.number().int().min(1),
});
/** Schema of a {@link RetentionPolicy}. */
export const retentionPolicySchema = agentRetention.extend({
  perAgent: z.record(z.string(), agentRetention).optional(),
});

/**
 * Deletes journal and snapshot rows beyond the policy, per agent, in the caller's transaction.
 * The newest snapshot of an agent is always kept, so compaction never breaks resumption.
 */
export async function compactHistory(tx: SqlExecutor, policy: RetentionPolicy, now: number): Promise<CompactionResult> {
  const p = parseInput(retentionPolicySchema, policy, 'retention policy');
  const overrides = Object.entries(p.perAgent ?? {});
  const result: CompactionResult = { journalDeleted: 0, snapshotsDeleted: 0 };
  const scopes: { filter: string; params: unknown[]; rule: AgentRetention }[] = [
    {
      filter: overrides.length === 0 ? 'true' : `actor not in (${overrides.map(() => '?').join(', ')})`,
      params: overrides.map(([id]) => id),
      rule: p,
    },
    ...overrides.map(([id, rule]) => ({ filter: 'actor = ?', params: [id] as unknown[], rule })),
  ];
  for (const { filter, params, rule } of scopes) {
    const journalFilter = filter.replaceAll('actor', 'actor_id');
    const cutoff = rule.journalMaxAgeMs === undefined ? -1 : now - rule.journalMaxAgeMs;
    const journal = (await tx.execute(
      `delete from mandate_transition t using (
         select id from (select id, at, row_number() over (partition by actor_id order by id desc) as rn from mandate_transition where ${journalFilter}) x
         where x.rn > ? or x.at < ?
       ) d where t.id = d.id returning t.id`,
      [...params, rule.journalKeepLast, cutoff],
    )) as unknown[];
    const snapshotFilter = filter.replaceAll('actor', 'agent_id');
    const snapshots = (await tx.execute(
      `delete from mandate_snapshot s using (
         select agent_id, seq from (select agent_id, seq, row_number() over (partition by agent_id order by seq desc) as rn from mandate_snapshot where ${snapshotFilter}) x
         where x.rn > ?
       ) d where s.agent_id = d.agent_id and s.seq = d.seq returning s.seq`,
      [...params, rule.snapshotsKeepLast],
    )) as unknown[];
    result.journalDeleted += journal.length;
    result.snapshotsDeleted += snapshots.length;
  }
  return result;
}
