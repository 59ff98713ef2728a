import type { ErrorCode } from './errorCodes.ts';
import { MandateError, type MandateErrorOptions } from './MandateError.ts';

/** A class made by {@link createError}: `new X(message, options?)`. */
export interface MandateErrorClass<C extends ErrorCode> {
  new (message: string, options?: MandateErrorOptions): MandateError<C>;
}

/** A class made by {@link createError} with a default message: `new X(message?, options?)`. */
export interface MandateErrorClassWithDefault<C extends ErrorCode> {
  new (message?: string, options?: MandateErrorOptions): MandateError<C>;
}

/**
 * Builds a named `MandateError` subclass for one code of the table (fastify's `createError`,
 * with the HTTP status taken from the table). Each folder's `errors.ts` declares its classes with
 * it, one line each; a class body only adds a message builder.
 *
 * @example
 * export class StoreLockedError extends createError('MANDATE_ERR_STORE_LOCKED', 'StoreLockedError') {}
 * export class UiNotBuiltError extends createError('MANDATE_ERR_UI_NOT_BUILT', 'UiNotBuiltError', 'The dashboard is not built; run "npm run build:ui"') {}
 * throw new StoreLockedError(`The data directory "${dir}" is in use; stop the other process.`, { details: { dir } });
 */
export function createError<C extends ErrorCode>(code: C, name: string): MandateErrorClass<C>;
export function createError<C extends ErrorCode>(
  code: C,
  name: string,
  defaultMessage: string,
): MandateErrorClassWithDefault<C>;
export function createError<C extends ErrorCode>(
  code: C,
  name: string,
  defaultMessage?: string,
): MandateErrorClassWithDefault<C> {
  const Created = class extends MandateError<C> {
    constructor(message?: string, options: MandateErrorOptions = {}) {
      super(code, message ?? defaultMessage ?? name, options);
      this.name = name;
    }
  };
  Object.defineProperty(Created, 'name', { value: name });
  return Created;
}
