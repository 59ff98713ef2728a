/**
 * The treasury example's own errors, declared the way any system built on Mandate declares its
 * errors: one class per code of the table (docs/errors.md), made with the kernel's `createError`.
 */
import { createError } from 'mandate/kernel';

/** Thrown by the simulated statement feed now and then, on purpose: a perceiver crash the supervisor restarts. */
export class StatementParseError extends createError('MANDATE_ERR_PERCEIVE_FAILED', 'StatementParseError') {
  constructor(line: number) {
    super(
      `bank statement line ${line} is malformed (simulated parser crash); the supervisor restarts the perceiver, nothing to fix`,
      { details: { line } },
    );
  }
}

/** A simulated payment whose amount is not a positive number. */
export class PaymentAmountError extends createError('MANDATE_ERR_AMOUNT_INVALID', 'PaymentAmountError') {
  constructor(value: string | undefined) {
    super(`payment amount "${value}" is not a positive number; the decider must propose an amount above zero`, {
      details: { value: value ?? null },
    });
  }
}

/** The live treasury cannot start as configured (no database for its rails). */
export class LiveSetupError extends createError('MANDATE_ERR_USAGE', 'LiveSetupError') {}
