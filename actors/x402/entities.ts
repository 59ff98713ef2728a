/**
 * `rail_x402_sales`: one row per EIP-3009 authorization a sold capability was paid with, claimed
 * before the facilitator verifies it, so one authorization runs the task at most once — across
 * parallel requests, retries and processes — and a retry gets the stored answer.
 */
import { EntitySchema } from '@mikro-orm/core';
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';

/** A row of `rail_x402_sales`. */
export interface RailX402SaleRow {
  /** `<network>:<payer>:<nonce>`, lower-case. */
  id: string;
  capability: string;
  payer: string;
  payTo: string;
  nonce: string;
  value: string;
  /** The authorization's signature: a retry must present the same one to get the stored answer. */
  signature: string;
  /**
   * `working` → `settling` → `settled`, or `held` (approval) or `refused`. `settling` is held by
   * the one process that settles (compare-and-set, `x402Settle.ts`); a settle that failed leaves
   * `delivered`, taken over later by the start-up scan or a buyer's retry, and a delivered sale
   * whose authorization passed `validBefore` unsettled ends `expired`. A `working` sale whose
   * holder stopped touching it (crashed) is recovered (`x402SaleRecovery.ts`): `void` (the
   * authorization was used on chain elsewhere), `expired` (past `validBefore`, unused),
   * `resumable` (its offer allows running again), or `interrupted` until an operator
   * makes it `resumable` or `released`.
   */
  status: string;
  /** The authorization's `validBefore`, Unix seconds (null on rows claimed before it was kept). */
  validBefore: string | null;
  /** The whole signed payment (x402 payload: EIP-3009 authorization and signature); null on rows claimed before it was kept. */
  payment: PaymentPayload | null;
  /** The requirement it paid; null on rows claimed before it was kept. */
  requirements: PaymentRequirements | null;
  /** The task's answer (status and body) once it ran. */
  result: Record<string, unknown> | null;
  /** The facilitator's settle response. */
  settlement: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Sales of capabilities behind x402, keyed by authorization. */
export const RailX402SaleEntity = new EntitySchema<RailX402SaleRow>({
  name: 'RailX402Sale',
  tableName: 'rail_x402_sales',
  properties: {
    id: { type: 'string', primary: true, length: 160 },
    capability: { type: 'string' },
    payer: { type: 'string', length: 42 },
    payTo: { type: 'string', length: 42, fieldName: 'pay_to' },
    nonce: { type: 'string', length: 66 },
    value: { type: 'decimal', precision: 78, scale: 0 },
    signature: { type: 'text' },
    status: { type: 'string', length: 16 },
    validBefore: { type: 'bigint', fieldName: 'valid_before', nullable: true },
    payment: { type: 'json', columnType: 'jsonb', nullable: true },
    requirements: { type: 'json', columnType: 'jsonb', nullable: true },
    result: { type: 'json', columnType: 'jsonb', nullable: true },
    settlement: { type: 'json', columnType: 'jsonb', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'updated_at' },
  },
  indexes: [{ properties: ['status', 'capability'] }],
});
