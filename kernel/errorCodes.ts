/**
 * Every code Mandate raises, in one typed table: its HTTP status and what it means. The rows live
 * in `codes/`, one file per area (the sections of docs/errors.md); this file joins them.
 */
import { ACTOR_CODES } from './codes/actorCodes.ts';
import { ALERT_CODES } from './codes/alertCodes.ts';
import type { CodeEntry } from './codes/CodeEntry.ts';
import { DECISION_CODES } from './codes/decisionCodes.ts';
import { GATEWAY_CODES } from './codes/gatewayCodes.ts';
import { KERNEL_CODES } from './codes/kernelCodes.ts';
import { MCP_CODES } from './codes/mcpCodes.ts';
import { MESSAGING_CODES } from './codes/messagingCodes.ts';
import { OBSERVABILITY_CODES } from './codes/observabilityCodes.ts';
import { PERSISTENCE_CODES } from './codes/persistenceCodes.ts';
import { PLACEMENT_CODES } from './codes/placementCodes.ts';
import { RUNTIME_CODES } from './codes/runtimeCodes.ts';
import { X402_CODES } from './codes/x402Codes.ts';
import { SANDBOX_CODES } from './codes/sandboxCodes.ts';

/**
 * The code table. `MandateError` takes its HTTP status from here, never from the call site.
 *
 * @example
 * ERROR_CODES.MANDATE_ERR_NOT_FOUND.status; // 404
 * ERROR_CODES.MANDATE_GATE_CLOSED.kind; // 'alert'
 */
export const ERROR_CODES = {
  ...KERNEL_CODES,
  ...RUNTIME_CODES,
  ...MESSAGING_CODES,
  ...PERSISTENCE_CODES,
  ...PLACEMENT_CODES,
  ...ACTOR_CODES,
  ...DECISION_CODES,
  ...SANDBOX_CODES,
  ...GATEWAY_CODES,
  ...MCP_CODES,
  ...X402_CODES,
  ...ALERT_CODES,
  ...OBSERVABILITY_CODES,
} as const satisfies Record<string, CodeEntry>;

/** One code of the table: `MANDATE_ERR_*` for errors and outcomes, `MANDATE_*` for alert-only codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Every code by name, so source never spells a code as a free string: a misspelt code does not
 * compile, and "find references" finds every place that raises it.
 *
 * @example
 * alert({ severity: 'info', code: ErrorCode.MANDATE_GATE_CLOSED, message: `${id} waits: gate "${gate}" is closed` });
 */
export const ErrorCode = Object.freeze(Object.fromEntries(Object.keys(ERROR_CODES).map((code) => [code, code]))) as {
  readonly [C in ErrorCode]: C;
};

/** Whether `value` is a code of the table (e.g. a code read back from a peer or the database). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
