import { decodePaymentResponseHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { keccak256, parseUnits, toUtf8Bytes } from 'ethers';
import { z } from 'zod';
import { ErrorCode } from '../../kernel/index.ts';
import { PaymentActionError } from '../errors.ts';
import type { Outcome, ProposedAction } from '../../machines/index.ts';
import type { ActContext, Actuator } from '../Actuator.ts';
import type { DigestSigner, Eip3009Authorizations, TransferAuthorization } from '../wallets/index.ts';
import { X402SettlementUnknownError } from './errors.ts';
import type { X402Asset } from './x402Quote.ts';

/** The action type of a governed x402 payment. */
export const X402_PAY = 'x402.pay';

/** Most of a paid resource's body kept in the receipt (the audit trail), in characters. */
const MAX_BODY = 4_000;

const requirementsSchema = z
  .object({
    scheme: z.literal('exact'),
    network: z.string(),
    asset: z.string(),
    amount: z.string().regex(/^\d+$/),
    payTo: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    maxTimeoutSeconds: z.number().int().positive(),
    extra: z.record(z.string(), z.unknown()).default({}),
  })
  .passthrough();
const paramsSchema = z.object({ url: z.url(), requirements: requirementsSchema }).passthrough();

/** Options of {@link createX402Actuator}. */
export interface X402ActuatorOptions {
  /** Where authorizations are signed, written ahead and checked on chain (the kill switch cancels them). */
  readonly authorizations: Eip3009Authorizations;
  readonly asset: X402Asset;
  /** The agent's wallet key (signs the EIP-712 digest). */
  signerOf(agentId: string): DigestSigner;
  /** How long a paid request may take before its settlement counts as unknown (default 30 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

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
 */
export function createX402Actuator(options: X402ActuatorOptions, name = 'x402'): Actuator {
  const fetchFn = options.fetch ?? fetch;
  const { asset, authorizations } = options;

  function checked(action: ProposedAction): { url: string; requirements: PaymentRequirements; value: bigint } | string {
    const parsed = paramsSchema.safeParse(action.params);
    if (action.type !== X402_PAY || !parsed.success)
      return `an x402.pay action needs params { url, requirements } (exact scheme)`;
    const { url, requirements } = parsed.data;
    const value = BigInt(requirements.amount);
    if (
      requirements.network !== `eip155:${asset.chainId}` ||
      requirements.asset.toLowerCase() !== asset.address.toLowerCase()
    )
      return `the requirements ask for ${requirements.asset} on ${requirements.network}, not ${asset.symbol} on eip155:${asset.chainId}`;
    if (action.amount?.asset !== asset.symbol || parseUnits(action.amount.value, asset.decimals) !== value)
      return `the approved amount ${action.amount?.value ?? '(none)'} ${action.amount?.asset ?? ''} is not the price asked (${requirements.amount} base units of ${asset.symbol})`;
    if (action.counterparty?.toLowerCase() !== requirements.payTo.toLowerCase())
      return `the approved counterparty ${action.counterparty ?? '(none)'} is not the payee asked (${requirements.payTo})`;
    return { url, requirements: requirements as PaymentRequirements, value };
  }

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
    const call = checked(action);
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
        signer: options.signerOf(ctx.agentId),
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
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
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
    async prepare(action) {
      const call = checked(action);
      if (typeof call === 'string') throw new PaymentActionError(call);
      return { url: call.url, payTo: call.requirements.payTo, value: call.value.toString(), asset: asset.symbol };
    },
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
