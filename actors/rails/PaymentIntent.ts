/**
 * Payment intents: what an actuator asks a rail to do. Every intent carries an idempotency
 * key; the same key with the same parameters returns the first result, with different
 * parameters it is an {@link IdempotencyConflictError}.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, parseOrThrow } from '../../kernel/index.ts';
import { InvalidIntentError } from './errors.ts';

/** A positive decimal amount in the asset's display units, e.g. `"12.5"` USDC. Never a float. */
export const DecimalAmount = z.string().regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'a decimal string such as "12.50"');

const common = {
  idempotencyKey: z.string().min(8).max(200),
  agentId: z.string().min(1),
  /** Supervisors whose budgets this payment also draws on (governance, sandbox, ...). */
  supervisorIds: z.array(z.string().min(1)).default([]),
  memo: z.string().max(500).optional(),
};

/** A crypto transfer: native coin or ERC-20 token on an EVM chain. */
export const CryptoIntentSchema = z.strictObject({
  kind: z.literal('crypto'),
  ...common,
  asset: z.string().min(1),
  amount: DecimalAmount,
  to: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address'),
  /**
   * The chain, as a CAIP-2 id (`eip155:31337`); its namespace picks the rail family in
   * `createPaymentExecutor`. Absent: the executor's EVM rail.
   */
  chain: z
    .string()
    .regex(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/, 'a CAIP-2 chain id such as "eip155:1"')
    .optional(),
});
/** A crypto transfer intent. */
export type CryptoIntent = z.infer<typeof CryptoIntentSchema>;

/** A fiat credit transfer through a payment-initiation rail. */
export const FiatIntentSchema = z.strictObject({
  kind: z.literal('fiat'),
  ...common,
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as "EUR"'),
  amount: DecimalAmount,
  creditor: z.strictObject({ name: z.string().min(1), iban: z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/) }),
  reference: z.string().max(140).optional(),
});
/** A fiat payment intent. */
export type FiatIntent = z.infer<typeof FiatIntentSchema>;

/** A swap of one asset for another with a slippage bound in basis points. */
export const SwapIntentSchema = z.strictObject({
  kind: z.literal('swap'),
  ...common,
  assetIn: z.string().min(1),
  assetOut: z.string().min(1),
  amountIn: DecimalAmount,
  maxSlippageBps: z.number().int().min(0).max(5_000),
});
/** A swap intent. */
export type SwapIntent = z.infer<typeof SwapIntentSchema>;

/**
 * A raw contract call made exactly once under its own key (e.g. the token approval a swap
 * needs). Built by rails, not by agents: agents ask for payments and swaps.
 */
export const ContractCallIntentSchema = z.strictObject({
  kind: z.literal('call'),
  ...common,
  to: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  /** Wei, integer string. */
  value: z.string().regex(/^\d+$/),
  data: z.string().regex(/^0x([0-9a-fA-F]{2})*$/),
  purpose: z.string().min(1).max(100),
});
/** A contract call intent. */
export type ContractCallIntent = z.infer<typeof ContractCallIntentSchema>;

/** Any payment intent. */
export type PaymentIntent = CryptoIntent | FiatIntent | SwapIntent | ContractCallIntent;

/** Parses an intent of the given schema, throwing {@link InvalidIntentError} naming the first bad field and quoting its value. */
export function parseIntent<T extends PaymentIntent>(schema: z.ZodType<T>, input: unknown): T {
  return parseOrThrow(schema, input, {
    what: 'payment intent',
    error: InvalidIntentError,
    fix: 'fix this field and send the intent again',
  });
}

/** SHA-256 over the canonical JSON (RFC 8785) of an intent: the idempotency fingerprint stored in `rail_intents`. */
export function intentFingerprint(intent: PaymentIntent): string {
  return createHash('sha256').update(canonicalJson(intent)).digest('hex');
}
