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
  MANDATE_ERR_X402_NOT_LIVE: {
    status: null,
    kind: 'error',
    meaning:
      'an x402 actuator that cannot pay live: built without `authorizations` or `signerOf` (refused when built), or built with `dryRun: true` and asked to pay by an agent acting live; nothing was signed: give it both, or keep the agent in dry-run',
  },
  MANDATE_ERR_X402_PAYMENT_REQUIRED: {
    status: 402,
    kind: 'error',
    meaning:
      'a sold capability (`GET` or `POST /x402/:capability`) was asked for without a payment, or with one that does not match its offer or that the facilitator did not verify; the `PAYMENT-REQUIRED` header says what to pay; nothing ran',
  },
  MANDATE_ERR_X402_SALE_REFUSED: {
    status: 403,
    kind: 'error',
    meaning:
      "a paid request's governed task was denied, rejected or failed; the payment was not settled and the authorization stays unused",
  },
  MANDATE_ERR_X402_SETTLE_FAILED: {
    status: 402,
    kind: 'error',
    meaning:
      'the task of a sold capability ran but the facilitator refused to settle and the chain shows the authorization unused; the result is withheld and kept: a retry with the same authorization settles it without running the task again',
  },
  MANDATE_ERR_X402_FACILITATOR_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning:
      'the facilitator did not answer a verify or settle in time; nothing ran (verify) or the result is kept (settle): a retry with the same authorization resolves it, on chain when an `authorizationUsed` check is configured, and never runs the task twice',
  },
  MANDATE_ERR_X402_SALE_IN_PROGRESS: {
    status: 409,
    kind: 'error',
    meaning:
      "the sale of this authorization is being carried out elsewhere, or was interrupted while its task ran; the task is never run twice for one authorization: retry later, or see the task's decision record",
  },
  MANDATE_ERR_X402_SALE_INTERRUPTED: {
    status: 409,
    kind: 'error',
    meaning:
      "the process selling this authorization stopped while its task ran, the authorization is unused on chain and still valid, and the offer is not `resumable`: whether the task ran is not known, so it is not run again by itself; an operator resumes (the retry runs it, settled once) or releases it (`mandate x402 resolve`, `POST /api/x402/sales/:id/resolve`), or it expires unsettled at the authorization's `validBefore`. Raised as an alert once per sale, by the seller's scan at start (or the first look at the sale), not again after a restart",
  },
  MANDATE_ERR_X402_SALE_EXPIRED: {
    status: 402,
    kind: 'error',
    meaning:
      'the task of a sold capability ran, but its settle was never recorded (the seller died in between, or every settle failed) and the authorization passed its `validBefore` unused on chain: it can never settle, nothing was charged and the result is withheld; the sale ends `expired` (audited, and raised as an alert once); sign a new payment',
  },
  MANDATE_ERR_X402_CHAIN_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning:
      "settling a delivered x402 sale needed the chain's `authorizationState(payer, nonce)` (an earlier settle may have gone through unrecorded) and the chain did not answer; nothing was settled or changed: the sale stays delivered for the next scan or a retry with the same payment",
  },
} as const satisfies Record<string, CodeEntry>;
