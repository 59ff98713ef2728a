/**
 * The machine layer's own errors (the base class lives in the kernel).
 */
import { createError } from '../kernel/index.ts';

/** An event of the wrong shape was sent to an agent or supervisor actor. */
export class InvalidEventError extends createError('MANDATE_ERR_EVENT_INVALID', 'InvalidEventError') {}
