/** Treasury strategies: staking in an ERC-4626 vault, Uniswap V2 liquidity with a minimum APR, a keep-liquid floor. */
export { Erc4626Vault } from './Erc4626Vault.ts';
export type { Erc4626VaultOptions, StrategyStep } from './Erc4626Vault.ts';
export { UniswapV2Liquidity } from './UniswapV2Liquidity.ts';
export type { LiquidityStep, UniswapV2LiquidityOptions } from './UniswapV2Liquidity.ts';
export { createTreasuryStrategyActuator, TREASURY_ACTIONS } from './createTreasuryStrategyActuator.ts';
export type { LiquidFloor, TreasuryStrategyOptions } from './createTreasuryStrategyActuator.ts';
export { LiquidityFloorError, MinimumAprError, StrategyActionError } from './errors.ts';
