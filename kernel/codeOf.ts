import { isErrorCode, type ErrorCode } from './errorCodes.ts';
import { isMandateError } from './MandateError.ts';

/**
 * The code of anything caught: a `MandateError`'s own code, a table code another copy of Mandate
 * put on a plain error (`{ code }`), else `fallback`. Foreign codes (a driver's `23505`, `ECONNRESET`)
 * are not table codes and give `fallback`; the original error stays the `cause`.
 *
 * @example
 * alert({
 *   severity: 'critical',
 *   code: codeOf(error, ErrorCode.MANDATE_ERR_STORE),
 *   message: `persisting state failed: ${message}`,
 * });
 */
export function codeOf(error: unknown, fallback: ErrorCode): ErrorCode {
  if (isMandateError(error)) return error.code;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return isErrorCode(code) ? code : fallback;
}
