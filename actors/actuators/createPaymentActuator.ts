import type { Outcome, ProposedAction } from '../../machines/index.ts';
import type { ActContext, Actuator } from '../Actuator.ts';
import { PaymentActionError } from '../errors.ts';
import type { PaymentReceipt } from '../rails/PaymentReceipt.ts';
import type { PaymentExecutor } from '../rails/Rail.ts';
import type { SafePaymentRail } from '../rails/SafePaymentRail.ts';

/** Where a pseudonymous counterparty gets paid (looked up in the personal-data vault, never stored in actions). */
export type Payee = { kind: 'crypto'; address: string } | { kind: 'fiat'; name: string; iban: string };

/** Options of {@link createPaymentActuator}. */
export interface PaymentActuatorOptions {
  name?: string;
  executor: PaymentExecutor;
  /** Resolves an action's pseudonymous `counterparty` to payment details. */
  payee: (counterparty: string) => Promise<Payee>;
  /** Supervisors whose budgets a payment also draws on, e.g. the agent's sandbox and governance. */
  supervisorIds?: (agentId: string) => string[];
  /**
   * Payments governance holds for approval go through this Safe: the approvals are the approvers'
   * signatures over its transaction, and the act executes it once they reach its threshold.
   */
  multisig?: SafePaymentRail;
}

/** The refusal of an action that cannot be turned into a payment intent, saying why and how to fix it. */
function unpayable(action: ProposedAction, why: string): PaymentActionError {
  return new PaymentActionError(`Action "${action.type}" cannot be paid: ${why}.`, { details: { type: action.type } });
}

const SUCCEEDED = new Set(['confirmed', 'settled', 'submitted', 'pending']);

/** A normalized receipt as an outcome. `submitted`/`pending` count as done: the rail tracks settlement itself. */
export function receiptOutcome(receipt: PaymentReceipt): Outcome {
  const fee = receipt.fees[0];
  const out: Outcome = {
    status:
      receipt.status === 'would-have-sent' ? 'would-have-sent' : SUCCEEDED.has(receipt.status) ? 'succeeded' : 'failed',
    receipt: { ...receipt },
  };
  if (receipt.failure !== null) out.error = { code: receipt.failure.code, message: receipt.failure.message };
  if (fee !== undefined) out.fees = { value: fee.amount, asset: fee.asset };
  const slippage = receipt.details.slippageBps;
  if (typeof slippage === 'number') out.slippageBps = slippage;
  const { realizedPnl, realizedPnlAsset } = receipt.details;
  if (typeof realizedPnl === 'string' && typeof realizedPnlAsset === 'string')
    out.pnl = { value: realizedPnl, asset: realizedPnlAsset };
  return out;
}

/**
 * The bridge from agents to the payment rails: `payment.send` becomes
 * `sendCrypto` or `sendFiat` (by the payee's kind), `fx.swap` becomes
 * `swapAssets`, each under the decision's idempotency key, so a retry or a
 * restart reconciles through the rail instead of paying twice.
 */
export function createPaymentActuator(options: PaymentActuatorOptions): Actuator {
  const intentOf = async (action: ProposedAction, ctx: ActContext) => {
    const common = {
      idempotencyKey: ctx.idempotencyKey,
      agentId: ctx.agentId,
      supervisorIds: options.supervisorIds?.(ctx.agentId) ?? [],
    };
    const amount = action.amount;
    if (amount === undefined) throw unpayable(action, 'it has no amount; give it an amount { value, asset }');
    if (action.type === 'fx.swap') {
      const { sell, buy, maxSlippageBps } = action.params;
      if (typeof sell !== 'string' || typeof buy !== 'string')
        throw unpayable(
          action,
          `params.sell (${JSON.stringify(sell)}) and params.buy (${JSON.stringify(buy)}) must name the assets, e.g. "EUR" and "USD"`,
        );
      return {
        kind: 'swap' as const,
        ...common,
        assetIn: sell,
        assetOut: buy,
        amountIn: amount.value,
        maxSlippageBps: Number(maxSlippageBps ?? 100),
      };
    }
    if (action.type !== 'payment.send')
      throw unpayable(action, 'only payment.send and fx.swap actions are payments; give this action its own actuator');
    if (action.counterparty === undefined)
      throw unpayable(action, 'it names no counterparty; set its counterparty to a payee id');
    const payee = await options.payee(action.counterparty);
    const memo = typeof action.params.reference === 'string' ? action.params.reference : undefined;
    if (payee.kind === 'crypto')
      return {
        kind: 'crypto' as const,
        ...common,
        asset: amount.asset,
        amount: amount.value,
        to: payee.address,
        ...(memo === undefined ? {} : { memo }),
      };
    return {
      kind: 'fiat' as const,
      ...common,
      currency: amount.asset,
      amount: amount.value,
      creditor: { name: payee.name, iban: payee.iban },
      ...(memo === undefined ? {} : { reference: memo }),
    };
  };
  const run = async (action: ProposedAction, ctx: ActContext): Promise<Outcome> => {
    if (ctx.signatures !== undefined && options.multisig !== undefined) {
      const supervisorIds = options.supervisorIds?.(ctx.agentId) ?? [];
      const receipt = await options.multisig.execute({ ...ctx, supervisorIds }, ctx.signatures);
      return { ...receiptOutcome(receipt), receipt: { ...receipt, approvals: ctx.signatures.signatures } };
    }
    const intent = await intentOf(action, ctx);
    const e = options.executor;
    // The placement lease the act runs under: fenced rails refuse it once a successor holds the agent.
    const call = { fence: ctx.fence };
    const receipt =
      intent.kind === 'swap'
        ? await e.swapAssets(intent, call)
        : intent.kind === 'crypto'
          ? await e.sendCrypto(intent, call)
          : await e.sendFiat(intent, call);
    return receiptOutcome(receipt);
  };
  return {
    name: options.name ?? 'payments.rail',
    effect: 'external',
    async prepare(action, ctx) {
      const intent = await intentOf(action, ctx);
      // Never echo personal data into receipts or logs: the creditor is summarised.
      return intent.kind === 'fiat'
        ? { ...intent, creditor: { name: '(vault)', iban: `${intent.creditor.iban.slice(0, 4)}…` } }
        : { ...intent };
    },
    execute: run,
    // The rails are idempotent by key and reconcile against the chain or the bank themselves.
    reconcile: run,
    ...(options.multisig === undefined ? {} : { signatures: options.multisig }),
  };
}
