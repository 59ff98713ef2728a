import type { CodeEntry } from './CodeEntry.ts';

/** Codes of x402 payments (HTTP 402, EIP-3009). Documented in docs/errors.md, "x402 payments (actors/x402)". */
export const X402_CODES = {
  MANDATE_ERR_X402_REQUIREMENTS: {
    status: 502,
    kind: 'error',
    meaning:
      'a resource answered 402 without a usable `PAYMENT-REQUIRED` (not decodable, or no `exact` requirement on this chain in the configured token); nothing was signed',
  },
  MANDATE_ERR_X402_MISMATCH: {
    status: null,
    kind: 'outcome',
    meaning:
      'an `x402.pay` action whose amount, asset or counterparty differ from the payment requirements it carries: governance approved something else; nothing was signed',
  },
  MANDATE_ERR_X402_PAYMENT_REJECTED: {
    status: null,
    kind: 'outcome',
    meaning:
      'the resource answered the payment with 402 again (verification or settlement refused) and the authorization is unused on chain; a retry under the same key sends the same authorization',
  },
  MANDATE_ERR_X402_SETTLEMENT_UNKNOWN: {
    status: 503,
    kind: 'error',
    meaning:
      'a paid request got no answer (timeout, lost connection, 5xx) and the chain shows the authorization unused; no new authorization is signed for this key: the retry resends the same one, which can settle at most once',
  },
  MANDATE_ERR_X402_CANCELLED: {
    status: null,
    kind: 'outcome',
    meaning:
      'the authorization for this payment was cancelled on chain (kill switch); it can never settle, nothing is paid',
  },
} as const satisfies Record<string, CodeEntry>;
