/**
 * The machine layer's own errors (the base class lives in the kernel).
 */
import { MandateError } from '../kernel/index.ts';

/** An event of the wrong shape was sent to an agent or supervisor actor. */
export class InvalidEventError extends MandateError {
  constructor(message: string, options: ErrorOptions & { details?: Record<string, unknown> } = {}) {
    super('MANDATE_ERR_EVENT_INVALID', message, { ...options, status: 400 });
    this.name = 'InvalidEventError';
  }
}
