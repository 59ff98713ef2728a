import type { CodeEntry } from './CodeEntry.ts';

/** Codes of what phases call: rules, policies, actuators, rails, wallets, limits, oracles, LLM providers. Documented in docs/errors.md, "Actors: rules, policies, actuators, rails, wallets, limits, oracles, models (actors)". */
export const ACTOR_CODES = {
  MANDATE_ERR_RULE_INVALID: {
    status: 400,
    kind: 'error',
    meaning: 'a rule or governance YAML file is invalid; the message names the field',
  },
  MANDATE_ERR_AMOUNT_INVALID: { status: 400, kind: 'error', meaning: 'an amount is not a plain decimal string' },
  MANDATE_ERR_POLICY_EVALUATION: {
    status: 500,
    kind: 'error',
    meaning: 'a supervisor policy threw while evaluating a proposal; the proposal is not approved',
  },
  MANDATE_ERR_PAYMENT_ACTION: {
    status: 400,
    kind: 'error',
    meaning: 'an action cannot be turned into a payment intent (no amount, no counterparty, unknown type)',
  },
  MANDATE_ERR_RAIL_INTENT_INVALID: {
    status: 400,
    kind: 'error',
    meaning: 'a payment/swap intent failed validation (field list in the message); nothing was recorded',
  },
  MANDATE_ERR_RAIL_UNSUPPORTED: {
    status: 422,
    kind: 'error',
    meaning: 'no rail, asset or token is configured for what the intent asks',
  },
  MANDATE_ERR_RAIL_INTENT_NOT_FOUND: {
    status: 404,
    kind: 'error',
    meaning: 'no payment is recorded under that idempotency key',
  },
  MANDATE_ERR_RAIL_PAYEE_VAULT: {
    status: 409,
    kind: 'error',
    meaning:
      "a recorded fiat payment's creditor is a vault pseudonym that cannot be opened: the subject was erased, or the rail was built without the vault (`payees`); nothing is sent",
  },
  MANDATE_ERR_RAIL_FEE_CAP: {
    status: 422,
    kind: 'error',
    meaning: 'network fees are above the configured EIP-1559 cap; nothing was signed',
  },
  MANDATE_ERR_RAIL_PREFLIGHT: {
    status: 422,
    kind: 'error',
    meaning: 'the transfer/call would revert on chain (e.g. insufficient token balance); nothing was signed',
  },
  MANDATE_ERR_RAIL_BROADCAST: {
    status: 502,
    kind: 'error',
    meaning:
      'the node (or bank) rejected a signed payment for a reason other than "already known"; the signed bytes stay stored and are retried',
  },
  MANDATE_ERR_RAIL_REPLACEMENT: {
    status: 409,
    kind: 'error',
    meaning: 'a stuck transaction cannot be replaced or cancelled (already final, or the bump passes the fee cap)',
  },
  MANDATE_ERR_RAIL_REVERTED: {
    status: null,
    kind: 'outcome',
    meaning: "the payment's transaction was mined but reverted (receipt outcome; fees were paid)",
  },
  MANDATE_ERR_RAIL_RECONCILE: {
    status: null,
    kind: 'outcome',
    meaning:
      "the sender's nonce was used by a transaction this rail did not sign; the payment was not made (receipt outcome). Also the alert when a fiat settlement check fails without a code of its own",
  },
  MANDATE_ERR_RAIL_BANK_REJECTED: {
    status: null,
    kind: 'outcome',
    meaning:
      "the bank rejected the payment (ISO 20022 `RJCT`); nothing was paid, the message has the bank's reason and `details.bankStatus` its status (receipt outcome)",
  },
  MANDATE_ERR_RAIL_BANK_RETURNED: {
    status: null,
    kind: 'outcome',
    meaning:
      "the payment settled and the payee's bank returned it (ISO 20022 `RTND`); the money is back on the account (receipt outcome)",
  },
  MANDATE_ERR_SWAP_SLIPPAGE: {
    status: 422,
    kind: 'error',
    meaning:
      "a swap's quoted price impact is above the agent's bound; nothing was signed (the treasury example's FX desk reports it as an outcome)",
  },
  MANDATE_ERR_SWAP_QUOTE: {
    status: 502,
    kind: 'error',
    meaning: 'an AMM or aggregator quote is malformed, for another trade, or targets a contract not on the allowlist',
  },
  MANDATE_ERR_LIMIT_EXCEEDED: {
    status: 403,
    kind: 'error',
    meaning: 'a payment would take an agent or supervisor budget past a limit; nothing was reserved or signed',
  },
  MANDATE_ERR_LIMIT_CONFIG: {
    status: 400,
    kind: 'error',
    meaning: 'a spending-limit rule is malformed (bad amount, unknown asset, native limit without asset)',
  },
  MANDATE_ERR_WALLET_SIGNING_HALTED: {
    status: 423,
    kind: 'error',
    meaning: 'the kill switch is engaged for the agent: the signer refused to sign',
  },
  MANDATE_ERR_WALLET_KEYSTORE: {
    status: 400,
    kind: 'error',
    meaning: 'a keystore could not be decrypted, or a private key is malformed',
  },
  MANDATE_ERR_WALLET_LIT_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning: 'the Lit network (or the optional Lit SDK) cannot be reached, so the PKP cannot sign',
  },
  MANDATE_ERR_WALLET_LIT_SIGNATURE: {
    status: 502,
    kind: 'error',
    meaning: 'the Lit network returned a signature that does not recover to the PKP address',
  },
  MANDATE_ERR_MULTISIG_THRESHOLD: {
    status: 409,
    kind: 'error',
    meaning: 'a Safe transaction has fewer owner signatures than its threshold',
  },
  MANDATE_ERR_MULTISIG_SIGNATURE: {
    status: 403,
    kind: 'error',
    meaning: "a Safe signature is not an owner's, or the proposal was altered",
  },
  MANDATE_ERR_ORACLE_INVALID: {
    status: 502,
    kind: 'error',
    meaning:
      'a price source answered, or a price update (`priceUpdate`) carried, data failing validation (shape, sign, round, pair, timestamp)',
  },
  MANDATE_ERR_ORACLE_STALE: { status: 503, kind: 'error', meaning: 'a price is older than its allowed age' },
  MANDATE_ERR_ORACLE_BOUNDS: { status: 502, kind: 'error', meaning: 'a price is outside its plausible bounds' },
  MANDATE_ERR_ORACLE_DEVIATION: {
    status: 502,
    kind: 'error',
    meaning: 'price sources disagree beyond the allowed deviation from their median',
  },
  MANDATE_ERR_ORACLE_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning: 'a price source cannot be reached, or too few sane sources remain',
  },
  MANDATE_ERR_PLATFORM_AUTH: {
    status: 502,
    kind: 'error',
    meaning:
      'an external platform (Salesforce, an OData service) refused the credentials, also after a fresh authentication',
  },
  MANDATE_ERR_PLATFORM_REQUEST: {
    status: 502,
    kind: 'error',
    meaning: 'an external platform cannot be reached, or answered an error or something that is not its format',
  },
  MANDATE_ERR_PLATFORM_CONFLICT: {
    status: 409,
    kind: 'error',
    meaning: 'a conditional write to a platform lost: the record changed since the version it was based on',
  },
  MANDATE_ERR_PLATFORM_CONFIG: {
    status: 400,
    kind: 'error',
    meaning: 'a platform sync mapping, conflict policy or adapter setting is malformed; the message names it',
  },
  MANDATE_ERR_KYB_CONFIG: {
    status: 400,
    kind: 'error',
    meaning: 'a KYB list file or provider setting is malformed; the message names the entry',
  },
  MANDATE_ERR_KYB_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning:
      'a KYB provider cannot be reached or answered something that is not a KYB record (payments to that counterparty then wait for a human)',
  },
  MANDATE_ERR_CHAINDATA_INVALID: {
    status: 502,
    kind: 'error',
    meaning:
      'an indexer (GraphQL subgraph, Covalent-style REST) answered with data failing validation or with query errors',
  },
  MANDATE_ERR_CHAINDATA_STALE: {
    status: 503,
    kind: 'error',
    meaning: "an indexer's latest indexed block is older than its allowed age, or it reports indexing errors",
  },
  MANDATE_ERR_CHAINDATA_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning: 'an indexer cannot be reached, answered with an HTTP error or flagged its answer as an error',
  },
  MANDATE_ERR_CHAINDATA_TRUNCATED: {
    status: 502,
    kind: 'error',
    meaning: 'indexed data has more pages than the perceiver may read; nothing partial is returned',
  },
  MANDATE_ERR_LLM_HTTP: {
    status: 502,
    kind: 'error',
    meaning: 'a model API answered with an error status or could not be reached (429/5xx/network retried)',
  },
  MANDATE_ERR_LLM_OUTPUT: {
    status: 502,
    kind: 'error',
    meaning: 'a model answered without a usable decision (format, JSON, refusal, schema); it is not used',
  },
  MANDATE_ERR_LLM_BUDGET: {
    status: 429,
    kind: 'error',
    meaning:
      "an agent's model token budget (`llm.budget`) is spent for the current period: the model is not asked until the period rolls over",
  },
  MANDATE_ERR_INSUFFICIENT_FUNDS: {
    status: null,
    kind: 'outcome',
    meaning: "the treasury example's sandbox bank has too little balance (outcome)",
  },
  MANDATE_ERR_TREASURY_FLOOR: {
    status: 422,
    kind: 'error',
    meaning: 'a stake or add-liquidity would leave less than the keep-liquid floor in the wallet; nothing was signed',
  },
  MANDATE_ERR_TREASURY_APR: {
    status: 422,
    kind: 'error',
    meaning: "the pool's fee APR is below the strategy's minimum; liquidity is not provided",
  },
  MANDATE_ERR_TREASURY_ACTION: {
    status: 400,
    kind: 'error',
    meaning:
      'a strategy action has no amount, an invalid share, no rail configured, or asks to unstake more than the position holds',
  },
} as const satisfies Record<string, CodeEntry>;
