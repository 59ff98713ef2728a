import type { z } from 'zod';
import { IdempotencyConflictError } from '../../kernel/index.ts';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import { assertFenced } from './fenceStatements.ts';
import type { IntentRow } from './RuntimeStore.ts';
import { intentFromRow, type IntentDbRow } from './rowMappers.ts';
import type { storeSchemas } from './storeSchemas.ts';

const json = (v: Record<string, unknown> | undefined): string | null => (v === undefined ? null : JSON.stringify(v));

/** Inserts a `pending` intent unless its key exists; returns the stored intent and whether this call created it. */
export async function insertIntent(
  tx: SqlExecutor,
  i: z.infer<typeof storeSchemas.intentBegin>,
): Promise<{ intent: IntentRow; created: boolean }> {
  await assertFenced(tx, { agentId: i.agentId, fence: i.fence }, `intent "${i.key}"`);
  const inserted = (await tx.execute(
    `insert into mandate_intent (key, agent_id, decision_id, params_hash, params, status, reference, receipt, error, attempts, created_at, updated_at)
     values (?, ?, ?, ?, ?::jsonb, 'pending', ?, ?::jsonb, ?::jsonb, 0, ?, ?) on conflict (key) do nothing returning *`,
    [
      i.key,
      i.agentId,
      i.decisionId,
      i.paramsHash,
      JSON.stringify(i.params),
      i.reference ?? null,
      json(i.receipt),
      json(i.error),
      i.at,
      i.at,
    ],
  )) as IntentDbRow[];
  if (inserted[0] !== undefined) return { intent: intentFromRow(inserted[0]), created: true };
  const existing = (await tx.execute('select * from mandate_intent where key = ?', [i.key])) as IntentDbRow[];
  return { intent: intentFromRow(existing[0]!), created: false };
}

/** Applies a patch to an intent (absent fields unchanged); returns the updated keys (none when the key is unknown). */
export async function patchIntent(
  tx: SqlExecutor,
  key: string,
  p: z.infer<typeof storeSchemas.intentPatch>,
): Promise<unknown[]> {
  const owner = (await tx.execute('select agent_id from mandate_intent where key = ?', [key])) as {
    agent_id: string;
  }[];
  if (owner[0] === undefined) return [];
  await assertFenced(tx, { agentId: owner[0].agent_id, fence: p.fence }, `the update of intent "${key}"`);
  return (await tx.execute(
    `update mandate_intent set status = coalesce(?, status), reference = coalesce(?, reference), receipt = coalesce(?::jsonb, receipt), error = coalesce(?::jsonb, error),
     attempts = coalesce(?, attempts), updated_at = ? where key = ? returning key`,
    [p.status ?? null, p.reference ?? null, json(p.receipt), json(p.error), p.attempts ?? null, p.at, key],
  )) as unknown[];
}

/** Throws {@link IdempotencyConflictError} when an existing intent under the key was begun with other parameters. */
export function checkSameParams(
  result: { intent: IntentRow; created: boolean },
  i: { key: string; paramsHash: string },
): void {
  if (!result.created && result.intent.paramsHash !== i.paramsHash) {
    throw new IdempotencyConflictError(
      `Intent "${i.key}" already exists with other parameters (params hash ${result.intent.paramsHash}, now ${i.paramsHash}). An idempotency key names one effect; derive a new key for a different payment.`,
      { details: { key: i.key } },
    );
  }
}
