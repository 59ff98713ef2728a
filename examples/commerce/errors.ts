/** The commerce example's own errors, one class per code of the table (docs/errors.md), made with the kernel's `createError`. */
import { createError } from 'mandate/kernel';

/** The live commerce example cannot start as configured (no database for the buyer's authorizations). */
export class CommerceSetupError extends createError('MANDATE_ERR_USAGE', 'CommerceSetupError') {}
