/**
 * The rails' tables as MikroORM entity schemas (no decorators). The persistence layer includes
 * {@link railEntities} in its migrations; tests create them with the schema generator.
 *
 * - `rail_intents`: one row per idempotency key — the write-ahead record made before signing.
 * - `rail_attempts`: every signed transaction (raw bytes and hash stored before broadcast).
 * - `rail_nonces`: the next nonce per (chain, sender), advanced in the same transaction that
 *   stores the signed transaction, so a nonce is never handed out without a transaction for it.
 * - `rail_solana_attempts`: signed Solana transactions with their blockhash window (`solana/`).
 * - `rail_x402_sales`: capabilities sold behind x402, one row per authorization (`x402/`).
 * - `limit_reservations`: spending-limit reservations (see `actors/limits`).
 */
import { EntitySchema } from '@mikro-orm/core';
import { limitEntities } from '../limits/entities.ts';
import { RailSolanaAttemptEntity } from './solana/entities.ts';
import { RailX402SaleEntity } from '../x402/entities.ts';

/** A row of `rail_intents`. */
export interface RailIntentRow {
  idempotencyKey: string;
  kind: string;
  rail: string;
  agentId: string;
  fingerprint: string;
  params: Record<string, unknown>;
  status: string;
  receipt: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Payment intents, keyed by idempotency key. */
export const RailIntentEntity = new EntitySchema<RailIntentRow>({
  name: 'RailIntent',
  tableName: 'rail_intents',
  properties: {
    idempotencyKey: { type: 'string', primary: true, fieldName: 'idempotency_key' },
    kind: { type: 'string', length: 16 },
    rail: { type: 'string', length: 64 },
    agentId: { type: 'string', fieldName: 'agent_id', index: true },
    fingerprint: { type: 'string', length: 64 },
    params: { type: 'json', columnType: 'jsonb' },
    status: { type: 'string', length: 24, index: true },
    receipt: { type: 'json', columnType: 'jsonb', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'updated_at' },
  },
});

/** A row of `rail_attempts`. */
export interface RailAttemptRow {
  txHash: string;
  idempotencyKey: string;
  chainId: number;
  fromAddress: string;
  nonce: string;
  purpose: string;
  rawTx: string;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  status: string;
  createdAt: Date;
}

/** Signed transactions, stored before they are broadcast. */
export const RailAttemptEntity = new EntitySchema<RailAttemptRow>({
  name: 'RailAttempt',
  tableName: 'rail_attempts',
  properties: {
    txHash: { type: 'string', primary: true, length: 66, fieldName: 'tx_hash' },
    idempotencyKey: { type: 'string', fieldName: 'idempotency_key', index: true },
    chainId: { type: 'integer', fieldName: 'chain_id' },
    fromAddress: { type: 'string', length: 42, fieldName: 'from_address' },
    nonce: { type: 'decimal', precision: 20, scale: 0 },
    purpose: { type: 'string', length: 16 },
    rawTx: { type: 'text', fieldName: 'raw_tx' },
    maxFeePerGas: { type: 'decimal', precision: 78, scale: 0, fieldName: 'max_fee_per_gas' },
    maxPriorityFeePerGas: { type: 'decimal', precision: 78, scale: 0, fieldName: 'max_priority_fee_per_gas' },
    status: { type: 'string', length: 16 },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
  },
  indexes: [{ properties: ['chainId', 'fromAddress', 'nonce'] }],
});

/** A row of `rail_nonces`. */
export interface RailNonceRow {
  chainId: number;
  address: string;
  nextNonce: string;
  updatedAt: Date;
}

/** The next nonce per chain and sender. */
export const RailNonceEntity = new EntitySchema<RailNonceRow>({
  name: 'RailNonce',
  tableName: 'rail_nonces',
  properties: {
    chainId: { type: 'integer', primary: true, fieldName: 'chain_id' },
    address: { type: 'string', primary: true, length: 42 },
    nextNonce: { type: 'decimal', precision: 20, scale: 0, fieldName: 'next_nonce' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'updated_at' },
  },
});

/** A row of `rail_authorizations`. */
export interface RailAuthorizationRow {
  nonce: string;
  chainId: number;
  token: string;
  agentId: string;
  fromAddress: string;
  toAddress: string;
  value: string;
  validAfter: string;
  validBefore: string;
  signature: string;
  status: string;
  cancelTx: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** EIP-3009 transfer authorizations an agent signed: `signed` until settled or cancelled (the kill switch). */
export const RailAuthorizationEntity = new EntitySchema<RailAuthorizationRow>({
  name: 'RailAuthorization',
  tableName: 'rail_authorizations',
  properties: {
    nonce: { type: 'string', primary: true, length: 66 },
    chainId: { type: 'integer', fieldName: 'chain_id' },
    token: { type: 'string', length: 42 },
    agentId: { type: 'string', fieldName: 'agent_id' },
    fromAddress: { type: 'string', length: 42, fieldName: 'from_address' },
    toAddress: { type: 'string', length: 42, fieldName: 'to_address' },
    value: { type: 'decimal', precision: 78, scale: 0 },
    validAfter: { type: 'decimal', precision: 20, scale: 0, fieldName: 'valid_after' },
    validBefore: { type: 'decimal', precision: 20, scale: 0, fieldName: 'valid_before' },
    signature: { type: 'text' },
    status: { type: 'string', length: 16 },
    cancelTx: { type: 'string', length: 66, nullable: true, fieldName: 'cancel_tx' },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'updated_at' },
  },
  indexes: [{ properties: ['status', 'agentId'] }],
});

/** Every table of the rails area, for MikroORM `entities` and migrations. */
export const railEntities = [
  RailIntentEntity,
  RailAttemptEntity,
  RailNonceEntity,
  RailAuthorizationEntity,
  RailSolanaAttemptEntity,
  RailX402SaleEntity,
  ...limitEntities,
] as const;
