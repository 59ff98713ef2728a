/**
 * Payments whose approvals are signatures: above governance's threshold an agent pays from a
 * Safe whose owners are the agent and the approvers, with the Safe's threshold as the quorum.
 * Governance's approval request carries the Safe transaction (its EIP-712 hash and typed data);
 * each approver's approval is their signature over it, checked here against the Safe's owners;
 * once the threshold is collected the agent executes `execTransaction` through its own EVM rail's
 * write-ahead path (one intent under the act's key, persisted nonce, kill switch at signing),
 * so a crash mid-execution reconciles instead of paying twice — the Safe's own nonce refuses a
 * second execution as well. The agent does not sign: one approver is never enough.
 */
import { Interface, parseUnits, recoverAddress } from 'ethers';
import type { ActContext, CollectedSignatures, SignatureRequest, SignatureScheme } from '../Actuator.ts';
import type { ProposedAction } from '../../machines/index.ts';
import { MultisigSignatureError } from '../wallets/errors.ts';
import { SafeMultisig, type SafeProposal } from '../wallets/SafeMultisig.ts';
import type { EvmRail } from './EvmRail.ts';
import { InvalidIntentError } from './errors.ts';
import type { PaymentReceipt } from './PaymentReceipt.ts';

const ERC20 = new Interface(['function transfer(address to, uint256 value) returns (bool)']);

/** Options of {@link SafePaymentRail}. */
export interface SafePaymentRailOptions {
  readonly safe: SafeMultisig;
  readonly safeAddress: string;
  readonly chainId: number;
  /** The agent's own EVM rail: it sends (and pays the gas of) `execTransaction`. */
  readonly rail: EvmRail;
  /** Tokens the Safe pays in, by symbol. */
  readonly tokens: Readonly<Record<string, { readonly address: string; readonly decimals: number }>>;
  /** Approver principal (`human:treasurer`) → their owner address. */
  readonly approvers: Readonly<Record<string, string>>;
  /** Resolves a pseudonymous counterparty to the address it is paid at. */
  payee(counterparty: string): Promise<string>;
}

/** A {@link SignatureScheme} over a Safe, and the execution of its signed proposals. */
export class SafePaymentRail implements SignatureScheme {
  readonly #o: SafePaymentRailOptions;

  constructor(options: SafePaymentRailOptions) {
    this.#o = options;
  }

  /** The Safe's threshold and owners. */
  policy(): Promise<{ owners: string[]; threshold: number }> {
    return this.#o.safe.policy();
  }

  async request(action: ProposedAction): Promise<SignatureRequest | undefined> {
    const amount = action.amount;
    const token = amount === undefined ? undefined : this.#o.tokens[amount.asset];
    if (
      action.type !== 'payment.send' ||
      amount === undefined ||
      token === undefined ||
      action.counterparty === undefined
    )
      return undefined;
    const to = await this.#o.payee(action.counterparty);
    const proposal = await this.#o.safe.draft({
      to: token.address,
      value: 0n,
      data: ERC20.encodeFunctionData('transfer', [to, parseUnits(amount.value, token.decimals)]),
    });
    const { threshold } = await this.#o.safe.policy();
    return {
      scheme: 'safe',
      digest: proposal.safeTxHash,
      threshold,
      signers: { ...this.#o.approvers },
      typedData: SafeMultisig.typedData(proposal),
      payload: proposal as unknown as Record<string, unknown>,
    };
  }

  async verify(request: SignatureRequest, signature: string): Promise<string> {
    let recovered: string;
    try {
      recovered = recoverAddress(request.digest, signature);
    } catch (cause) {
      throw new MultisigSignatureError(
        `"${signature.slice(0, 20)}…" is not a 65-byte ECDSA signature over Safe transaction ${request.digest}; sign the typed data with eth_signTypedData_v4`,
        { cause },
      );
    }
    const { owners } = await this.#o.safe.policy();
    if (!owners.some((o) => o.toLowerCase() === recovered.toLowerCase()))
      throw new MultisigSignatureError(
        `the signature over Safe transaction ${request.digest} recovers to ${recovered}, which is not an owner of Safe ${this.#o.safeAddress} (${owners.join(', ')})`,
      );
    return recovered;
  }

  /**
   * Executes the proposal of `collected` (threshold reached) through the agent's rail, exactly
   * once under `ctx.idempotencyKey`. The receipt names the Safe transaction and its signers.
   */
  async execute(
    ctx: Pick<ActContext, 'idempotencyKey' | 'agentId' | 'fence'> & { supervisorIds: string[] },
    collected: CollectedSignatures,
  ): Promise<PaymentReceipt> {
    const proposal = collected.request.payload as unknown as SafeProposal;
    if (proposal.safeAddress?.toLowerCase() !== this.#o.safeAddress.toLowerCase())
      throw new InvalidIntentError(
        `the signed proposal is for Safe ${String(proposal.safeAddress)}, not ${this.#o.safeAddress}`,
      );
    const signed: SafeProposal = {
      ...proposal,
      signatures: Object.fromEntries(
        Object.values(collected.signatures).map((s) => [s.address.toLowerCase(), s.signature]),
      ),
    };
    const call = await this.#o.safe.executionCall(signed);
    const receipt = await this.#o.rail.execute(
      {
        kind: 'call',
        idempotencyKey: ctx.idempotencyKey,
        agentId: ctx.agentId,
        supervisorIds: ctx.supervisorIds,
        to: call.to,
        value: '0',
        data: call.data,
        purpose: `Safe ${this.#o.safeAddress} transaction ${proposal.safeTxHash}`,
      },
      {
        receiptRail: `safe:${this.#o.chainId}:${this.#o.safeAddress.toLowerCase()}`,
        fence: ctx.fence,
        build: async () => call,
      },
    );
    return {
      ...receipt,
      details: {
        ...receipt.details,
        safeAddress: this.#o.safeAddress,
        safeTxHash: proposal.safeTxHash,
        safeNonce: proposal.transaction.nonce,
        signers: Object.entries(collected.signatures)
          .map(([who, s]) => `${who}=${s.address}`)
          .join(','),
      },
    };
  }
}
