/**
 * A Safe multisig wallet through @safe-global/protocol-kit: an agent proposes a transaction,
 * M of N owners co-sign it (agents with their digest signers, humans by handing in the
 * signature their wallet made through the approval flow), and once the threshold is reached
 * the execution call is built for the EVM rail, which sends it exactly once.
 *
 * Proposals are plain JSON, so the multisig proposal machine can persist and pass them around;
 * every signature is checked against the Safe's owners and the hash is always recomputed from
 * the transaction data, never trusted from the proposal.
 */
import { createRequire } from 'node:module';
import type * as SafeKitModule from '@safe-global/protocol-kit';
import { recoverAddress } from 'ethers';
import { MultisigSignatureError, MultisigThresholdError, SigningHaltedError } from './errors.ts';
import type { DigestSigner, KillSwitch } from './TransactionSigner.ts';

// The package's types are CommonJS-flavoured: depending on how the install hoisted its typings,
// the class sits at `default` or one `default` deeper under NodeNext. Accept both.
type Unwrap<M> = M extends { default: { default: infer C } } ? C : M extends { default: infer C } ? C : never;
type SafeClass = Unwrap<typeof SafeKitModule>;
type Safe = Awaited<ReturnType<SafeClass['init']>>;
type SafeTransaction = Awaited<ReturnType<Safe['createTransaction']>>;

/** The Safe transaction fields (strings, as protocol-kit holds them). */
export interface SafeTransactionFields {
  readonly to: string;
  readonly value: string;
  readonly data: string;
  readonly operation: number;
  readonly safeTxGas: string;
  readonly baseGas: string;
  readonly gasPrice: string;
  readonly gasToken: string;
  readonly refundReceiver: string;
  readonly nonce: number;
}

/** A proposed Safe transaction and the owner signatures collected so far. */
export interface SafeProposal {
  readonly safeAddress: string;
  readonly chainId: number;
  readonly safeTxHash: string;
  readonly transaction: SafeTransactionFields;
  /** Lower-case owner address → 65-byte signature over `safeTxHash`. */
  readonly signatures: Readonly<Record<string, string>>;
}

/** An agent co-signer: its digest signer, checked against the kill switch before each signature. */
export interface SafeAgentSigner {
  readonly agentId: string;
  readonly signer: DigestSigner;
}

/** Options of {@link SafeMultisig.connect}. */
export interface SafeMultisigOptions {
  /** JSON-RPC URL of the chain. */
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly safeAddress: string;
  readonly killSwitch: KillSwitch;
  /** protocol-kit `contractNetworks` for chains without canonical Safe deployments. */
  readonly contractNetworks?: Record<string, Record<string, string>>;
}

/** A Safe multisig account. */
export class SafeMultisig {
  readonly #kit: Safe;
  readonly #o: SafeMultisigOptions;

  private constructor(kit: Safe, options: SafeMultisigOptions) {
    this.#kit = kit;
    this.#o = options;
  }

  /** Connects (read-only) to a deployed Safe. */
  static async connect(options: SafeMultisigOptions): Promise<SafeMultisig> {
    // protocol-kit ships CJS and ESM builds whose default export differs under tsx: normalise.
    const mod = createRequire(import.meta.url)('@safe-global/protocol-kit') as { default: SafeClass };
    const kit = await mod.default.init({
      provider: options.rpcUrl,
      safeAddress: options.safeAddress,
      ...(options.contractNetworks ? { contractNetworks: options.contractNetworks } : {}),
    } as Parameters<SafeClass['init']>[0]);
    return new SafeMultisig(kit, options);
  }

  /** Current owners (checksummed) and threshold. */
  async policy(): Promise<{ owners: string[]; threshold: number }> {
    return { owners: await this.#kit.getOwners(), threshold: await this.#kit.getThreshold() };
  }

  /** Proposes a call from the Safe; the proposer (an owner) signs it first. */
  async propose(call: { to: string; value: bigint; data: string }, proposer: SafeAgentSigner): Promise<SafeProposal> {
    const tx = await this.#kit.createTransaction({
      transactions: [{ to: call.to, value: call.value.toString(), data: call.data }],
    });
    const d = tx.data;
    const proposal: SafeProposal = {
      safeAddress: this.#o.safeAddress,
      chainId: this.#o.chainId,
      safeTxHash: await this.#kit.getTransactionHash(tx),
      transaction: {
        to: d.to,
        value: String(d.value),
        data: d.data,
        operation: Number(d.operation),
        safeTxGas: String(d.safeTxGas),
        baseGas: String(d.baseGas),
        gasPrice: String(d.gasPrice),
        gasToken: d.gasToken,
        refundReceiver: d.refundReceiver,
        nonce: Number(d.nonce),
      },
      signatures: {},
    };
    return this.confirm(proposal, proposer);
  }

  /** An agent owner co-signs (kill switch checked first). */
  async confirm(proposal: SafeProposal, coSigner: SafeAgentSigner): Promise<SafeProposal> {
    const hash = await this.#verifiedHash(proposal);
    if (await this.#o.killSwitch.isEngaged(coSigner.agentId, ['wallet.multisig.sign'])) {
      throw new SigningHaltedError(
        `kill switch engaged for agent "${coSigner.agentId}": refusing to co-sign Safe transaction ${hash}; an operator must release it first`,
      );
    }
    return this.addSignature(proposal, await coSigner.signer.getAddress(), await coSigner.signer.signDigest(hash));
  }

  /** Adds a signature made elsewhere (a human owner's wallet), after checking it. */
  async addSignature(proposal: SafeProposal, owner: string, signature: string): Promise<SafeProposal> {
    const hash = await this.#verifiedHash(proposal);
    const { owners } = await this.policy();
    const isOwner = owners.some((o) => o.toLowerCase() === owner.toLowerCase());
    let recovered = '';
    try {
      recovered = recoverAddress(hash, signature);
    } catch {
      // falls through to the error below
    }
    if (!isOwner || recovered.toLowerCase() !== owner.toLowerCase()) {
      throw new MultisigSignatureError(
        `signature for Safe transaction ${hash} is not a valid signature by an owner (claimed ${owner}, recovered ${recovered || 'nothing'}); owners are ${owners.join(', ')}`,
      );
    }
    return { ...proposal, signatures: { ...proposal.signatures, [owner.toLowerCase()]: signature } };
  }

  /** True once enough owner signatures are collected. */
  async isExecutable(proposal: SafeProposal): Promise<boolean> {
    return Object.keys(proposal.signatures).length >= (await this.#kit.getThreshold());
  }

  /**
   * The call that executes the proposal (`execTransaction` with the sorted signatures), to
   * hand to `EvmRail.execute`. Throws {@link MultisigThresholdError} below the threshold.
   */
  async executionCall(proposal: SafeProposal): Promise<{ to: string; value: bigint; data: string }> {
    await this.#verifiedHash(proposal);
    const threshold = await this.#kit.getThreshold();
    const count = Object.keys(proposal.signatures).length;
    if (count < threshold) {
      throw new MultisigThresholdError(
        `Safe transaction ${proposal.safeTxHash} has ${count} of ${threshold} required signatures; collect ${threshold - count} more before executing`,
      );
    }
    const tx = await this.#rebuild(proposal);
    const { EthSafeSignature } = createRequire(import.meta.url)('@safe-global/protocol-kit') as {
      EthSafeSignature: new (signer: string, data: string) => never;
    };
    for (const [owner, sig] of Object.entries(proposal.signatures)) tx.addSignature(new EthSafeSignature(owner, sig));
    return { to: this.#o.safeAddress, value: 0n, data: await this.#kit.getEncodedTransaction(tx) };
  }

  async #rebuild(p: SafeProposal): Promise<SafeTransaction> {
    const t = p.transaction;
    return this.#kit.createTransaction({
      transactions: [{ to: t.to, value: t.value, data: t.data, operation: t.operation }],
      options: {
        safeTxGas: t.safeTxGas,
        baseGas: t.baseGas,
        gasPrice: t.gasPrice,
        gasToken: t.gasToken,
        refundReceiver: t.refundReceiver,
        nonce: t.nonce,
      },
    });
  }

  async #verifiedHash(p: SafeProposal): Promise<string> {
    if (p.safeAddress.toLowerCase() !== this.#o.safeAddress.toLowerCase())
      throw new MultisigSignatureError(
        `proposal is for Safe ${p.safeAddress}, not ${this.#o.safeAddress}; give it to the co-signer of that Safe`,
      );
    const hash = await this.#kit.getTransactionHash(await this.#rebuild(p));
    if (hash !== p.safeTxHash)
      throw new MultisigSignatureError(
        `proposal fields hash to ${hash}, not the stated ${p.safeTxHash}: the proposal was altered; discard it`,
      );
    return hash;
  }
}
