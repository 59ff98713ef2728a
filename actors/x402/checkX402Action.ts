import type { PaymentRequirements } from '@x402/core/types';
import { parseUnits } from 'ethers';
import { z } from 'zod';
import type { ProposedAction } from '../../machines/index.ts';
import { PaymentActionError } from '../errors.ts';
import type { X402Asset } from './x402Quote.ts';

/** The action type of a governed x402 payment. */
export const X402_PAY = 'x402.pay';

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

/** An `x402.pay` action that may be paid: where, the requirements of its 402 answer, and their amount in base units. */
export interface X402Call {
  url: string;
  requirements: PaymentRequirements;
  value: bigint;
}

/**
 * Checks an `x402.pay` action against `asset`: its amount and counterparty (what governance
 * approved) must be exactly the requirements it carries. Returns the call, or why it may not be paid.
 */
export function checkX402Action(action: ProposedAction, asset: X402Asset): X402Call | string {
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

/** An x402 actuator's `prepare`: the payment it would make (what a dry-run records), or `MANDATE_ERR_PAYMENT_ACTION`. */
export function prepareX402(action: ProposedAction, asset: X402Asset): Record<string, unknown> {
  const call = checkX402Action(action, asset);
  if (typeof call === 'string') throw new PaymentActionError(call);
  return { url: call.url, payTo: call.requirements.payTo, value: call.value.toString(), asset: asset.symbol };
}
