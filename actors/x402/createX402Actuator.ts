import { decodePaymentResponseHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import type { PaymentPayload } from '@x402/core/types';
import { keccak256, toUtf8Bytes } from 'ethers';
import { ErrorCode } from '../../kernel/index.ts';
import type { Outcome, ProposedAction } from '../../machines/index.ts';
import type { ActContext, Actuator } from '../Actuator.ts';
import type { DigestSigner, Eip3009Authorizations, TransferAuthorization } from '../wallets/index.ts';
import { checkX402Action, prepareX402 } from './checkX402Action.ts';
import { X402NotLiveError, X402SettlementUnknownError } from './errors.ts';
import type { X402Asset } from './x402Quote.ts';

/** Most of a paid resource's body kept in the receipt (the audit trail), in characters. */
const MAX_BODY = 4_000;

interface X402ActuatorCommon {
  readonly asset: X402Asset;
  /** How long a paid request may take before its settlement counts as unknown (default 30 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** A live x402 actuator: it signs, writes ahead and pays. */
export interface X402LiveOptions extends X402ActuatorCommon {
  readonly dryRun?: false;
  /** Where authorizations are signed, written ahead and checked on chain (the kill switch cancels them). */
  readonly authorizations: Eip3009Authorizations;
  /** The agent's wallet key (signs the EIP-712 digest). */
  signerOf(agentId: string): DigestSigner;
}

/**
 * A dry-run x402 actuator: no authorizations and no keys. It checks and describes a payment
 * (`prepare`, what a dry-run records as would-have-sent) and refuses to pay: asked to, it throws
 * `MANDATE_ERR_X402_NOT_LIVE` and nothing is signed.
 */
export interface X402DryRunOptions extends X402ActuatorCommon {
  readonly dryRun: true;
}

/** Options of {@link createX402Actuator}: live (authorizations and a signer) or `dryRun: true` (neither). */
export type X402ActuatorOptions = X402LiveOptions | X402DryRunOptions;

/** The EIP-3009 nonce of one payment: derived from the agent and the idempotency key, so a key can pay once. */
export function x402Nonce(agentId: string, idempotencyKey: string): string {
  return keccak256(toUtf8Bytes(`mandate:x402:${agentId}:${idempotencyKey}`));
}

/** Why a payment failed: its code, and a message (default: the code). */
interface PaymentFailure {
  code: ErrorCode;
  message?: string;
}

function outcome(status: 'succeeded' | 'failed', receipt: Record<string, unknown>, failure?: PaymentFailure): Outcome {
  return failure === undefined
    ? { status, receipt }
    : { status, receipt, error: { code: failure.code, message: failure.message ?? failure.code } };
}

/**
 * The actuator that pays x402 resources (HTTP 402 + EIP-3009 `transferWithAuthorization`) for approved
 * `x402.pay` actions. The price was a proposal first: the action carries the requirements of the 402
 * answer, and its amount and counterparty (what governance checked: limits, budgets, allowlists,
 * approvals) must be exactly those, or nothing is signed. Exactly once: the authorization's nonce is
 * derived from the idempotency key and written ahead before the request is sent, so a retry, a restart
 * or a parallel act of the same key resends the same authorization, which the token settles at most
 * once. A paid request without an answer is resolved on chain (`authorizationState`): used means
 * paid; unused throws `MANDATE_ERR_X402_SETTLEMENT_UNKNOWN` and the runtime's act retry resends it.
 * With `dryRun: true` it needs no authorizations or keys: it only prepares (what a dry-run records).
 *
 * @example
 * createX402Actuator({ authorizations, asset, signerOf: (id) => chain.wallets.forAgent(id) }); // live
 * createX402Actuator({ dryRun: true, asset }); // dry-run: describes payments, never signs
 */
export function createX402Actuator(options: X402ActuatorOptions, name = 'x402'): Actuator {
  if (options.dryRun === true) return dryRunX402Actuator(options, name);
  const live = options; // narrowed: the closures below see a live actuator's options
  // For callers the types do not reach (JavaScript, a cast): refused when built, not at the first payment.
  if (live.authorizations === undefined || typeof live.signerOf !== 'function')
    throw new X402NotLiveError(
      `${name}: a live x402 actuator needs authorizations (an Eip3009Authorizations) and signerOf; pass dryRun: true for one that only prepares payments.`,
    );
  const fetchFn = live.fetch ?? fetch;
  const { asset, authorizations } = live;

  async function settledOnChain(auth: TransferAuthorization): Promise<boolean> {
    return authorizations.usedOnChain(auth.from, auth.nonce);
  }

  function paidReceipt(
    url: string,
    auth: TransferAuthorization,
    extra: Record<string, unknown>,
  ): Record<string, unknown> {
    return { url, nonce: auth.nonce, from: auth.from, payTo: auth.to, value: auth.value.toString(), ...extra };
  }

  async function pay(action: ProposedAction, ctx: ActContext): Promise<Outcome> {
    const call = checkX402Action(action, asset);
    if (typeof call === 'string')
      return outcome('failed', { params: action.params }, { code: ErrorCode.MANDATE_ERR_X402_MISMATCH, message: call });
    const { url, requirements, value } = call;
    const nonce = x402Nonce(ctx.agentId, ctx.idempotencyKey);
    const recorded = await authorizations.find(nonce);
    if (recorded?.status === 'cancelled')
      return outcome('failed', paidReceipt(url, recorded, { settled: false }), {
        code: ErrorCode.MANDATE_ERR_X402_CANCELLED,
        message: `authorization ${nonce} was cancelled on chain`,
      });
    const auth =
      recorded ??
      (await authorizations.authorize({
        agentId: ctx.agentId,
        signer: live.signerOf(ctx.agentId),
        to: requirements.payTo,
        value,
        validForSeconds: requirements.maxTimeoutSeconds,
        nonce,
        // As x402 clients do: the facilitator simulates against the latest block, which may be older than now.
        backdateSeconds: 600,
      }));
    const payload: PaymentPayload = {
      x402Version: 2,
      accepted: requirements,
      payload: {
        signature: auth.signature,
        authorization: {
          from: auth.from,
          to: auth.to,
          value: auth.value.toString(),
          validAfter: auth.validAfter.toString(),
          validBefore: auth.validBefore.toString(),
          nonce: auth.nonce,
        },
      },
      // The payment-identifier extension's id (`[a-z0-9_-]`, 3–128 characters): the same key, the same id.
      extensions: { 'payment-identifier': { info: { required: false, id: `pay_${nonce.slice(2)}` } } },
    };
    let res: Response;
    let body: string;
    try {
      res = await fetchFn(url, {
        headers: { 'payment-signature': encodePaymentSignatureHeader(payload) },
        signal: AbortSignal.timeout(live.timeoutMs ?? 30_000),
      });
      body = await res.text();
    } catch (cause) {
      return unanswered(url, auth, `no answer: ${(cause as Error).message}`);
    }
    if (res.status >= 500) return unanswered(url, auth, `answered ${res.status}`);
    const settleHeader = res.headers.get('payment-response');
    if (res.ok) {
      await authorizations.markSettled(nonce);
      const settle = settleHeader === null ? undefined : decodePaymentResponseHeader(settleHeader);
      return outcome('succeeded', {
        ...paidReceipt(url, auth, { settled: true, delivered: true }),
        ...(settle?.transaction === undefined
          ? {}
          : { reference: settle.transaction, transaction: settle.transaction }),
        body: body.slice(0, MAX_BODY),
      });
    }
    if (await settledOnChain(auth)) {
      await authorizations.markSettled(nonce);
      return outcome('succeeded', paidReceipt(url, auth, { settled: true, delivered: false, status: res.status }));
    }
    return outcome('failed', paidReceipt(url, auth, { settled: false, status: res.status }), {
      code: ErrorCode.MANDATE_ERR_X402_PAYMENT_REJECTED,
      message: `${url} refused the payment (${res.status}): ${body.slice(0, 300)}`,
    });
  }

  /** A paid request without an answer: the chain says whether it settled. */
  async function unanswered(url: string, auth: TransferAuthorization, why: string): Promise<Outcome> {
    if (await settledOnChain(auth)) {
      await authorizations.markSettled(auth.nonce);
      return outcome('succeeded', paidReceipt(url, auth, { settled: true, delivered: false, note: why }));
    }
    throw new X402SettlementUnknownError(
      `${url}: ${why}; authorization ${auth.nonce} is unused on chain, so it is sent again (never a second one) on retry.`,
      { details: { url, nonce: auth.nonce } },
    );
  }

  return {
    name,
    effect: 'external',
    prepare: async (action) => prepareX402(action, asset),
    execute: pay,
    async reconcile(action, ctx) {
      const recorded = await authorizations.find(x402Nonce(ctx.agentId, ctx.idempotencyKey));
      if (recorded === undefined) return undefined; // never signed: nothing can have been paid
      if (await settledOnChain(recorded)) {
        if (recorded.status === 'cancelled')
          return outcome(
            'failed',
            { nonce: recorded.nonce, settled: false },
            { code: ErrorCode.MANDATE_ERR_X402_CANCELLED },
          );
        await authorizations.markSettled(recorded.nonce);
        const url = typeof action.params.url === 'string' ? action.params.url : '';
        return outcome(
          'succeeded',
          paidReceipt(url, recorded, { settled: true, delivered: false, note: 'found settled on chain' }),
        );
      }
      return undefined; // unused: execute resends the same authorization
    },
  };
}

/** The dry-run actuator: it checks and describes a payment, and refuses to make one (it holds no authorizations). */
function dryRunX402Actuator(options: X402DryRunOptions, name: string): Actuator {
  return {
    name,
    effect: 'external',
    prepare: async (action) => prepareX402(action, options.asset),
    execute: async (_action, ctx) => {
      throw new X402NotLiveError(
        `${name} was built with dryRun: true and cannot pay for agent "${ctx.agentId}" (mode ${ctx.mode}); build it with authorizations and signerOf to act live. Nothing was signed.`,
      );
    },
    reconcile: async () => undefined, // never signed: nothing can have been paid
  };
}
