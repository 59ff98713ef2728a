import type { PhaseError } from '../../machines/index.ts';
import { MandateError } from '../../kernel/index.ts';

/** Coded, JSON-safe form of anything a phase threw. */
export function toPhaseError(phase: string, error: unknown): PhaseError {
  if (error instanceof MandateError) return { code: error.code, message: error.message };
  return {
    code: `MANDATE_ERR_${phase.toUpperCase()}_FAILED`,
    message: error instanceof Error ? error.message : String(error),
  };
}
