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

/** An EIP-1193 provider (the embedded chain's `request`). */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] | object }): Promise<unknown>;
}

/** Options of {@link SafeMultisig.connect}. */
export interface SafeMultisigOptions {
  /** JSON-RPC URL of the chain, or an EIP-1193 provider (the embedded chain). */
  readonly rpcUrl: string | Eip1193Provider;
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
    });
    return new SafeMultisig(kit, options);
  }

  /**
   * Deploys a new Safe proxy with `owners` and `threshold` (protocol-kit's predicted-Safe flow,
   * the deployment sent by `send`, e.g. the node operator) and returns its address. The same
   * owners, threshold and `saltNonce` always give the same address.
   */
  static async deploy(options: {
    rpcUrl: string | Eip1193Provider;
    contractNetworks: Record<string, Record<string, string>>;
    chainId: number;
    owners: readonly string[];
    threshold: number;
    saltNonce: string;
    send(tx: { to: string; data: string; value: bigint }): Promise<void>;
  }): Promise<string> {
    const mod = createRequire(import.meta.url)('@safe-global/protocol-kit') as { default: SafeClass };
    const kit = await mod.default.init({
      provider: options.rpcUrl,
      predictedSafe: {
        safeAccountConfig: { owners: [...options.owners], threshold: options.threshold },
        safeDeploymentConfig: { safeVersion: '1.5.0', saltNonce: options.saltNonce },
      },
      contractNetworks: options.contractNetworks,
    });
    const address = await kit.getAddress();
    if (!(await kit.isSafeDeployed())) {
      const tx = await kit.createSafeDeploymentTransaction();
      await options.send({ to: tx.to, data: tx.data, value: BigInt(tx.value) });
    }
    return address;
  }

  /**
   * The EIP-712 typed data of a proposal, as an approver's wallet signs it (`eth_signTypedData_v4`):
   * its hash is the proposal's `safeTxHash`.
   */
  static typedData(proposal: SafeProposal): Record<string, unknown> {
    return {
      types: {
        EIP712Domain: [
          { name: 'chainId', type: 'uint256' },
          { name: 'verifyingContract', type: 'address' },
        ],
        SafeTx: [
          { name: 'to', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'data', type: 'bytes' },
          { name: 'operation', type: 'uint8' },
          { name: 'safeTxGas', type: 'uint256' },
          { name: 'baseGas', type: 'uint256' },
          { name: 'gasPrice', type: 'uint256' },
          { name: 'gasToken', type: 'address' },
          { name: 'refundReceiver', type: 'address' },
          { name: 'nonce', type: 'uint256' },
        ],
      },
      primaryType: 'SafeTx',
      domain: { chainId: proposal.chainId, verifyingContract: proposal.safeAddress },
      message: { ...proposal.transaction },
    };
  }

  /** The Safe's current nonce: a proposal with a lower one can never execute. */
  async nonce(): Promise<number> {
    return this.#kit.getNonce();
  }

  /** Current owners (checksummed) and threshold. */
  async policy(): Promise<{ owners: string[]; threshold: number }> {
    return { owners: await this.#kit.getOwners(), threshold: await this.#kit.getThreshold() };
  }

  /** Proposes a call from the Safe; the proposer (an owner) signs it first. */
  async propose(call: { to: string; value: bigint; data: string }, proposer: SafeAgentSigner): Promise<SafeProposal> {
    return this.confirm(await this.draft(call), proposer);
  }

  /** A proposal of a call from the Safe at its current nonce (or `nonce`), with no signature yet. */
  async draft(call: { to: string; value: bigint; data: string }, nonce?: number): Promise<SafeProposal> {
    const tx = await this.#kit.createTransaction({
      transactions: [{ to: call.to, value: call.value.toString(), data: call.data }],
      ...(nonce === undefined ? {} : { options: { nonce } }),
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
    return proposal;
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
