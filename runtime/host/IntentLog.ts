import { createHash } from 'node:crypto';
import { canonicalJson, IdempotencyConflictError } from '../../kernel/index.ts';
import { IntentUnknownError } from '../persistence/errors.ts';
import type { IntentRow, RuntimeStore } from '../persistence/RuntimeStore.ts';

/**
 * The runtime's write-ahead intent log (`mandate_intent` in the store): one record per external
 * effect of an act phase, for any actuator, keyed by the act's idempotency key (the decision id,
 * or `<agent>:<params.idempotencyKey>`). It owns "did this approved act start, and what came of
 * it"; what happens to a payment on a rail (receipts, nonces, signed bytes) is the rail ledger's
 * (`rail_intents`, actors/rails/IntentLedger.ts). See actors/rails/README.md, "Two write-ahead
 * records, two jobs".
 */
export type IntentLog = Pick<RuntimeStore, 'beginIntent' | 'updateIntent' | 'findIntent'>;

/** sha-256 (hex) of the canonical parameters (keys sorted, as the audit chain hashes them). */
export function paramsHash(params: unknown): string {
  return createHash('sha256').update(canonicalJson(params)).digest('hex');
}

/**
 * The write-ahead log without a database: idempotency holds within one
 * process (used when the runtime runs without a store, e.g. simulations).
 */
export class MemoryIntentLog implements IntentLog {
  readonly #rows = new Map<string, IntentRow>();

  async beginIntent(row: Parameters<IntentLog['beginIntent']>[0]): Promise<{ intent: IntentRow; created: boolean }> {
    const existing = this.#rows.get(row.key);
    if (existing !== undefined) {
      if (existing.paramsHash !== row.paramsHash) {
        throw new IdempotencyConflictError(
          `Idempotency key "${row.key}" was already used with different parameters; use a new key for a different effect.`,
          { details: { key: row.key } },
        );
      }
      return { intent: { ...existing }, created: false };
    }
    const { at, fence: _fence, ...rest } = row;
    const intent: IntentRow = { ...rest, status: 'pending', attempts: 0, createdAt: at, updatedAt: at };
    this.#rows.set(row.key, intent);
    return { intent: { ...intent }, created: true };
  }

  async updateIntent(key: string, patch: Parameters<IntentLog['updateIntent']>[1]): Promise<void> {
    const row = this.#rows.get(key);
    if (row === undefined)
      throw new IntentUnknownError(
        `No intent "${key}" exists to update; call beginIntent() before executing the effect.`,
        {
          details: { key },
        },
      );
    const { at, fence: _fence, ...rest } = patch; // one process, one owner: nothing to fence in memory
    Object.assign(row, rest, { updatedAt: at });
  }

  async findIntent(key: string): Promise<IntentRow | undefined> {
    const row = this.#rows.get(key);
    return row === undefined ? undefined : { ...row };
  }
}
