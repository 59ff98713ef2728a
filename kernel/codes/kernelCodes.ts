import type { CodeEntry } from './CodeEntry.ts';

/** Codes of the shared primitives, whichever layer hits them. Documented in docs/errors.md, "Shared by several layers (kernel)". */
export const KERNEL_CODES = {
  MANDATE_ERR_IDEMPOTENCY_CONFLICT: {
    status: 409,
    kind: 'error',
    meaning:
      "an idempotency key was reused with different parameters: by the runtime's intent log (the approved action differs) or by the rails' ledger (the payment differs, e.g. the payee's account changed); use a new key for a new effect",
  },
  MANDATE_ERR_CANONICAL_JSON: {
    status: 400,
    kind: 'error',
    meaning: 'a value has no RFC 8785 canonical JSON form (NaN, Infinity, lone surrogate, non-plain object)',
  },
} as const satisfies Record<string, CodeEntry>;
