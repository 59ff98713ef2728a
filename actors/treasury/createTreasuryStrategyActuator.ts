/**
 * The treasury strategies as one actuator, with action names presets can target:
 *
 * | action | does |
 * |---|---|
 * | `treasury.stake` | deposits `amount` into the ERC-4626 vault |
 * | `treasury.unstake` | withdraws `amount` from the vault |
 * | `treasury.liquidity.add` | provides `amount` of token A (+ B at the pool price), only if the pool's fee APR ≥ `params.minAprBps` |
 * | `treasury.liquidity.remove` | withdraws `params.shareBps` of the agent's LP position |
 *
 * Stake and add-liquidity keep the liquid floor: they are refused when the wallet's liquid balance
 * of the floor asset would drop below `floor.min` (`MANDATE_ERR_TREASURY_FLOOR`). Each step runs
 * through the agent's EVM rail under the act's idempotency key, so a retry or a restart reconciles.
 */
import { formatUnits, parseUnits } from 'ethers';
import { MandateError } from '../../kernel/index.ts';
import type { Outcome, ProposedAction } from '../../machines/index.ts';
import type { ActContext, Actuator } from '../Actuator.ts';
import { receiptOutcome } from '../actuators/createPaymentActuator.ts';
import type { Erc4626Vault } from './Erc4626Vault.ts';
import { LiquidityFloorError, MinimumAprError, StrategyActionError } from './errors.ts';
import type { UniswapV2Liquidity } from './UniswapV2Liquidity.ts';

/** The action types the strategy actuator executes. */
export const TREASURY_ACTIONS = [
  'treasury.stake',
  'treasury.unstake',
  'treasury.liquidity.add',
  'treasury.liquidity.remove',
] as const;

/** The keep-liquid floor. */
export interface LiquidFloor {
  readonly asset: string;
  readonly decimals: number;
  /** Decimal amount that must stay liquid. */
  readonly min: string;
  /** The wallet's liquid balance of `asset`, in base units (read from the chain). */
  balance(): Promise<bigint>;
}

/** Options of {@link createTreasuryStrategyActuator}. */
export interface TreasuryStrategyOptions {
  readonly name?: string;
  readonly vault?: Erc4626Vault;
  readonly liquidity?: UniswapV2Liquidity;
  readonly floor: LiquidFloor;
  readonly supervisorIds?: (agentId: string) => string[];
}

function refused(error: MandateError): Outcome {
  return { status: 'failed', error: { code: error.code, message: error.message } };
}

/** The treasury strategies' actuator (see the module comment). */
export function createTreasuryStrategyActuator(options: TreasuryStrategyOptions): Actuator {
  const floorCheck = async (action: ProposedAction, amount: string): Promise<void> => {
    const f = options.floor;
    if (action.amount?.asset !== f.asset) return;
    const left = (await f.balance()) - parseUnits(amount, f.decimals);
    if (left < parseUnits(f.min, f.decimals))
      throw new LiquidityFloorError(
        `${action.type} of ${amount} ${f.asset} would leave ${formatUnits(left, f.decimals)} liquid, below the keep-liquid floor of ${f.min} ${f.asset}; act on less`,
        { details: { floor: f.min, left: formatUnits(left, f.decimals) } },
      );
  };
  const run = async (action: ProposedAction, ctx: ActContext): Promise<Outcome> => {
    const step = {
      idempotencyKey: ctx.idempotencyKey,
      agentId: ctx.agentId,
      supervisorIds: options.supervisorIds?.(ctx.agentId) ?? [],
      fence: ctx.fence,
    };
    const slippage = Number(action.params.maxSlippageBps ?? 100);
    try {
      switch (action.type) {
        case 'treasury.stake': {
          const amount = amountOf(action);
          await floorCheck(action, amount);
          return receiptOutcome(await need(options.vault, action).deposit({ ...step, amount }));
        }
        case 'treasury.unstake':
          return receiptOutcome(await need(options.vault, action).withdraw({ ...step, amount: amountOf(action) }));
        case 'treasury.liquidity.add': {
          const amount = amountOf(action);
          await floorCheck(action, amount);
          const minAprBps = Number(action.params.minAprBps ?? 500);
          return receiptOutcome(
            await need(options.liquidity, action).add({
              ...step,
              amountA: amount,
              minAprBps,
              maxSlippageBps: slippage,
            }),
          );
        }
        case 'treasury.liquidity.remove':
          return receiptOutcome(
            await need(options.liquidity, action).remove({
              ...step,
              shareBps: Number(action.params.shareBps ?? 10_000),
              maxSlippageBps: slippage,
            }),
          );
        default:
          throw new StrategyActionError(
            `"${action.type}" is not a treasury strategy action; use one of ${TREASURY_ACTIONS.join(', ')}`,
          );
      }
    } catch (error) {
      if (
        error instanceof LiquidityFloorError ||
        error instanceof MinimumAprError ||
        error instanceof StrategyActionError
      )
        return refused(error);
      throw error;
    }
  };
  return {
    name: options.name ?? 'treasury.strategies',
    effect: 'external',
    async prepare(action) {
      const plan: Record<string, unknown> = {
        action: action.type,
        amount: action.amount?.value,
        asset: action.amount?.asset,
      };
      if (action.type === 'treasury.liquidity.add' && options.liquidity !== undefined)
        plan.feeAprBps = await options.liquidity.feeAprBps();
      return plan;
    },
    execute: run,
    reconcile: run,
  };
}

function amountOf(action: ProposedAction): string {
  if (action.amount === undefined) throw new StrategyActionError(`${action.type} needs an amount`);
  return action.amount.value;
}

function need<T>(rail: T | undefined, action: ProposedAction): T {
  if (rail === undefined) throw new StrategyActionError(`${action.type} has no rail configured for this agent`);
  return rail;
}
