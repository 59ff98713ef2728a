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
 * A step that succeeded carries the positions valued right after it (`Outcome.positions`: value,
 * cost basis, unrealized and realized P&L); unstake and remove also carry what they realized (`pnl`).
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
  /** A succeeded step with the positions valued after it and, for a removal (`from`), what it realized. */
  const valued = async (outcome: Outcome, from?: Erc4626Vault | UniswapV2Liquidity): Promise<Outcome> => {
    const tx = outcome.receipt?.reference;
    if (outcome.status !== 'succeeded') return outcome;
    try {
      const positions = await Promise.all(
        [options.vault, options.liquidity].flatMap((p) => (p === undefined ? [] : [p.valuation()])),
      );
      const pnl = from !== undefined && typeof tx === 'string' ? await from.realizedIn(tx) : undefined;
      return { ...outcome, positions, ...(pnl === undefined ? {} : { pnl }) };
    } catch {
      return outcome; // the step took effect: a valuation the chain did not answer is left out, not a failure
    }
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
          return valued(receiptOutcome(await need(options.vault, action).deposit({ ...step, amount })));
        }
        case 'treasury.unstake': {
          const vault = need(options.vault, action);
          return valued(receiptOutcome(await vault.withdraw({ ...step, amount: amountOf(action) })), vault);
        }
        case 'treasury.liquidity.add': {
          const amount = amountOf(action);
          await floorCheck(action, amount);
          const minAprBps = Number(action.params.minAprBps ?? 500);
          return valued(
            receiptOutcome(
              await need(options.liquidity, action).add({
                ...step,
                amountA: amount,
                minAprBps,
                maxSlippageBps: slippage,
              }),
            ),
          );
        }
        case 'treasury.liquidity.remove': {
          const liquidity = need(options.liquidity, action);
          const receipt = await liquidity.remove({
            ...step,
            shareBps: Number(action.params.shareBps ?? 10_000),
            maxSlippageBps: slippage,
          });
          return valued(receiptOutcome(receipt), liquidity);
        }
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
