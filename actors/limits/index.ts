/** Spending limits and budgets per agent and per supervisor. */
export { SpendingLimits } from './SpendingLimits.ts';
export { counterpartyDigest, COUNTERPARTY_DIGEST_PREFIX } from './counterpartyDigest.ts';
export type { ReservationRequest, SpendingLimitsOptions } from './SpendingLimits.ts';
export { LimitRuleSchema, compileLimitRules } from './LimitRule.ts';
export type { LimitRule, CompiledLimitRule } from './LimitRule.ts';
export { LimitExceededError, LimitConfigError } from './errors.ts';
export { limitEntities, LimitReservationEntity } from './entities.ts';
export type { LimitReservationRow } from './entities.ts';
