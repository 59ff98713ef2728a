/** The Solana rail's table as a MikroORM entity schema (included in `railEntities`). */
import { EntitySchema } from '@mikro-orm/core';

/** A row of `rail_solana_attempts`. */
export interface RailSolanaAttemptRow {
  signature: string;
  idempotencyKey: string;
  cluster: string;
  fromAddress: string;
  wireTx: string;
  blockhash: string;
  lastValidBlockHeight: string;
  status: string;
  reason: string | null;
  createdAt: Date;
}

/** Signed Solana transactions, stored with their blockhash window before they are sent. */
export const RailSolanaAttemptEntity = new EntitySchema<RailSolanaAttemptRow>({
  name: 'RailSolanaAttempt',
  tableName: 'rail_solana_attempts',
  properties: {
    signature: { type: 'string', primary: true, length: 88 },
    idempotencyKey: { type: 'string', fieldName: 'idempotency_key', index: true },
    cluster: { type: 'string', length: 44 },
    fromAddress: { type: 'string', length: 44, fieldName: 'from_address' },
    wireTx: { type: 'text', fieldName: 'wire_tx' },
    blockhash: { type: 'string', length: 44 },
    lastValidBlockHeight: { type: 'decimal', precision: 20, scale: 0, fieldName: 'last_valid_block_height' },
    status: { type: 'string', length: 16 },
    reason: { type: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
  },
});
