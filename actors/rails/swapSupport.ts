/**
 * What the swap rails share: token configuration, ERC-20 approvals made exactly once through
 * the EVM rail, and reading the amount a swap actually delivered from its transaction logs.
 */
import { formatUnits, Interface, parseUnits, type JsonRpcApiProvider } from 'ethers';
import { ErrorCode, MandateError } from '../../kernel/index.ts';
import type { EvmRail } from './EvmRail.ts';
import { InvalidIntentError, UnsupportedIntentError } from './errors.ts';
import type { PaymentReceipt } from './PaymentReceipt.ts';
import type { SwapIntent } from './PaymentIntent.ts';

/** An ERC-20 token a swap rail may trade. */
export interface SwapToken {
  readonly address: string;
  readonly decimals: number;
}

/** ERC-20 fragments the swap rails use. */
export const ERC20_SWAP = new Interface([
  'function approve(address spender, uint256 value) returns (bool)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
]);

/** A swap intent resolved against the rail's tokens: what is sold, what is bought, and how many units are sold. */
export interface ResolvedSwap {
  tokenIn: SwapToken;
  tokenOut: SwapToken;
  amountIn: bigint;
}

/** Resolves both tokens and the input amount in base units, or throws a coded error. */
export function resolveSwap(
  intent: SwapIntent,
  tokens: Readonly<Record<string, SwapToken>>,
  rail: string,
): ResolvedSwap {
  const tokenIn = tokens[intent.assetIn];
  const tokenOut = tokens[intent.assetOut];
  for (const [symbol, token] of [
    [intent.assetIn, tokenIn],
    [intent.assetOut, tokenOut],
  ] as const) {
    if (token === undefined)
      throw new UnsupportedIntentError(
        `token "${symbol}" is not configured on ${rail}; configure it or use one of: ${Object.keys(tokens).join(', ')}`,
      );
  }
  if (intent.assetIn === intent.assetOut)
    throw new InvalidIntentError(
      `assetIn and assetOut are both "${intent.assetIn}"; a swap needs two different assets`,
    );
  let amountIn: bigint;
  try {
    amountIn = parseUnits(intent.amountIn, tokenIn!.decimals);
  } catch (cause) {
    throw new InvalidIntentError(
      `amountIn "${intent.amountIn}" has more than ${tokenIn!.decimals} decimals; round it`,
      { cause },
    );
  }
  if (amountIn === 0n) throw new InvalidIntentError('amountIn is zero; swap a positive amount');
  return { tokenIn: tokenIn!, tokenOut: tokenOut!, amountIn };
}

/** Makes sure `spender` may pull `amount` of `token` from the rail's address, approving exactly once per key (`<key>:approve`). */
export async function ensureAllowance(options: {
  rail: EvmRail;
  provider: JsonRpcApiProvider;
  owner: string;
  token: SwapToken;
  spender: string;
  amount: bigint;
  intent: Pick<SwapIntent, 'idempotencyKey' | 'agentId' | 'supervisorIds'>;
  /** Suffix of the approval's key; default `approve` (several approvals under one key need distinct ones). */
  suffix?: string;
  /** The placement lease token the approval is signed under (fenced rails). */
  fence?: number | undefined;
}): Promise<void> {
  const { rail, provider, owner, token, spender, amount, intent } = options;
  const data = ERC20_SWAP.encodeFunctionData('allowance', [owner, spender]);
  const allowance = BigInt((await provider.send('eth_call', [{ to: token.address, data }, 'latest'])) as string);
  if (allowance >= amount) return;
  const receipt = await rail.execute(
    {
      kind: 'call',
      idempotencyKey: `${intent.idempotencyKey}:${options.suffix ?? 'approve'}`,
      agentId: intent.agentId,
      supervisorIds: intent.supervisorIds,
      to: token.address,
      value: '0',
      data: ERC20_SWAP.encodeFunctionData('approve', [spender, amount]),
      purpose: `approve ${spender} for ${intent.idempotencyKey}`,
    },
    {
      fence: options.fence,
      build: async () => ({
        to: token.address,
        value: 0n,
        data: ERC20_SWAP.encodeFunctionData('approve', [spender, amount]),
      }),
    },
  );
  // In dry-run the approval is 'would-have-sent'; the swap's own preflight then reports that the allowance is missing.
  if (receipt.status !== 'confirmed' && receipt.status !== 'would-have-sent') {
    // Carry the approval's own code (limit, kill switch, fee cap, ...) so the swap fails for the same reason.
    throw new MandateError(
      receipt.failure?.code ?? ErrorCode.MANDATE_ERR_RAIL_UNSUPPORTED,
      `The token approval for swap "${intent.idempotencyKey}" ended ${receipt.status}: ${receipt.failure?.message ?? 'no reason given'}; nothing was swapped. Fix that cause, then submit the swap under a new idempotency key (this one keeps its failed approval).`,
      { details: { idempotencyKey: intent.idempotencyKey, approvalStatus: receipt.status } },
    );
  }
}

/** What one swap rail supplies to {@link executeSwap}: its quote, who pulls the tokens, and the call it signs. */
export interface SwapPlan<Q> {
  rail: EvmRail;
  provider: JsonRpcApiProvider;
  intent: SwapIntent;
  swap: ResolvedSwap;
  /** The receipt's rail name (`uniswap-v2:<chain>`, `aggregator:<name>`). */
  name: string;
  /** The counterparty the limit reservation is held against. */
  counterparty: string;
  fence?: number | undefined;
  /** Fetches and checks a quote (throws the coded quote or slippage error). */
  quote(): Promise<Q>;
  /** Who the token approval is for, given the first quote. */
  spender(quote: Q): string;
  /** The transaction to sign, from a quote taken right before signing. */
  call(quote: Q): { to: string; value: bigint; data: string };
  /** What the pool's mid price gave for that quote, when the rail knows it (realized P&L). */
  mid?(quote: Q): bigint;
}

/**
 * Swaps exactly once under the intent's key: checks the bound before approving anything, approves the
 * spender once (`<key>:approve`), then executes with a fresh quote checked again right before signing,
 * and adds the amount received from the logs.
 */
export async function executeSwap<Q>(plan: SwapPlan<Q>): Promise<PaymentReceipt> {
  const { rail, intent, name, fence } = plan;
  const { tokenIn, tokenOut, amountIn } = plan.swap;
  const owner = rail.address;
  const previous = await rail.receipt(intent.idempotencyKey).catch(() => undefined);
  if (previous === undefined || previous.status === 'pending') {
    const first = await plan.quote().catch((error: unknown) => error as Error);
    if (!(first instanceof Error)) {
      const approval = await ensureAllowance({
        rail,
        provider: plan.provider,
        owner,
        token: tokenIn,
        spender: plan.spender(first),
        amount: amountIn,
        intent,
        fence,
      }).catch((error: unknown) => error as Error);
      // A refused approval refuses the swap with the same code (recorded under the swap's key).
      if (approval instanceof Error)
        return rail.execute(intent, { receiptRail: name, fence, build: () => Promise.reject(approval) });
    }
  }
  let mid: bigint | undefined; // known when this call quoted the swap (not when it only reconciles one)
  const receipt = await rail.execute(intent, {
    receiptRail: name,
    fence,
    reservation: {
      asset: intent.assetIn,
      counterparty: plan.counterparty,
      amountNative: amountIn,
      amountReference: await rail.referenceValue(intent.assetIn, amountIn),
    },
    build: async () => {
      const q = await plan.quote();
      mid = plan.mid?.(q);
      return plan.call(q);
    },
  });
  return withAmountOut(receipt, plan.provider, { token: tokenOut, recipient: owner, asset: intent.assetOut, mid });
}

/** What a swap pays out: tokens of `token` (symbol `asset`) to `recipient`; `mid` what the pool's mid price gave when it was quoted. */
export interface SwapProceeds {
  token: SwapToken;
  recipient: string;
  asset?: string;
  mid?: bigint | undefined;
}

/**
 * Adds `amountOut` (tokens of `token` received by `recipient`, from the logs) to a confirmed swap
 * receipt and, when the quote's mid is known, `realizedPnl`: received minus the mid, in `asset` (`realizedPnlAsset`)
 * (the swap's cost against the pool's fair price; below 0 is a loss).
 */
export async function withAmountOut(
  receipt: PaymentReceipt,
  provider: JsonRpcApiProvider,
  { token: tokenOut, recipient, asset, mid }: SwapProceeds,
): Promise<PaymentReceipt> {
  if (receipt.status !== 'confirmed' || receipt.reference === null) return receipt;
  const rpc = (await provider.send('eth_getTransactionReceipt', [receipt.reference])) as {
    logs: { address: string; topics: string[]; data: string }[];
  } | null;
  let out = 0n;
  for (const log of rpc?.logs ?? []) {
    if (log.address.toLowerCase() !== tokenOut.address.toLowerCase()) continue;
    const parsed = ERC20_SWAP.parseLog(log);
    if (parsed?.name === 'Transfer' && String(parsed.args[1]).toLowerCase() === recipient.toLowerCase())
      out += parsed.args[2] as bigint;
  }
  const details: Record<string, string | number | boolean | null> = { ...receipt.details, amountOut: out.toString() };
  if (mid !== undefined && asset !== undefined) {
    details.realizedPnl = formatUnits(out - mid, tokenOut.decimals);
    details.realizedPnlAsset = asset;
  }
  return { ...receipt, details };
}
