import type { Phase, PhaseError } from '../../machines/index.ts';
import { codeOf, type ErrorCode } from '../../kernel/index.ts';
import { phaseFailedCode } from '../errors.ts';

/** Coded, JSON-safe form of anything a phase threw: its own table code, else `MANDATE_ERR_<PHASE>_FAILED`. */
export function toPhaseError(phase: Phase, error: unknown): PhaseError & { code: ErrorCode } {
  return {
    code: codeOf(error, phaseFailedCode(phase)),
    message: error instanceof Error ? error.message : String(error),
  };
}
