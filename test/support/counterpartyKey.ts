/**
 * The counterparty key the rail and limit tests give `SpendingLimits` (a store would hand out
 * `store.vault.counterpartyKey`). Fixed, so worker processes racing on one budget hash alike.
 */
export const TEST_COUNTERPARTY_KEY = new Uint8Array(32).fill(7);
