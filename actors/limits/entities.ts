/**
 * The spending-limit reservations table as a MikroORM entity schema (no decorators).
 * Re-exported through `railEntities` in `actors/rails/entities.ts`.
 */
import { EntitySchema } from '@mikro-orm/core';

/** A row of `limit_reservations`: one per (payment, budget scope). */
export interface LimitReservationRow {
  id: string;
  idempotencyKey: string;
  scope: string;
  asset: string;
  counterparty: string;
  amountNative: string;
  amountReference: string;
  status: string;
  createdAt: Date;
}

/** Spending reservations, counted against limits until released. */
export const LimitReservationEntity = new EntitySchema<LimitReservationRow>({
  name: 'LimitReservation',
  tableName: 'limit_reservations',
  properties: {
    id: { type: 'string', primary: true },
    idempotencyKey: { type: 'string', fieldName: 'idempotency_key', index: true },
    scope: { type: 'string' },
    asset: { type: 'string', length: 32 },
    counterparty: { type: 'string' },
    amountNative: { type: 'decimal', precision: 78, scale: 0, fieldName: 'amount_native' },
    amountReference: { type: 'decimal', precision: 78, scale: 0, fieldName: 'amount_reference' },
    status: { type: 'string', length: 16 },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
  },
  indexes: [{ properties: ['scope', 'createdAt'] }],
});

/** Every table of the limits area. */
export const limitEntities = [LimitReservationEntity] as const;
