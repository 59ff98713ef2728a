/**
 * Errors of the treasury strategies. Each has a stable code from the kernel's table (docs/errors.md).
 */
import { createError } from '../../kernel/index.ts';

/** A strategy action would leave less than the keep-liquid floor in the wallet. */
export class LiquidityFloorError extends createError('MANDATE_ERR_TREASURY_FLOOR', 'LiquidityFloorError') {}

/** A pool's fee APR is below the strategy's minimum: liquidity is not provided. */
export class MinimumAprError extends createError('MANDATE_ERR_TREASURY_APR', 'MinimumAprError') {}

/** A strategy action names an amount, share or asset the strategy cannot act on. */
export class StrategyActionError extends createError('MANDATE_ERR_TREASURY_ACTION', 'StrategyActionError') {}
