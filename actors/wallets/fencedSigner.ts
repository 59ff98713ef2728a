/**
 * Puts the placement fence in the signing path, as {@link guardSigner} puts the kill switch there:
 * the returned signer runs `assertCurrent` before every signature, so a node whose lease on the
 * agent was taken over cannot sign for it, whichever caller (a payment, a replacement, a recovery
 * pass) asks.
 */
import type { TransactionSigner } from './TransactionSigner.ts';

/**
 * Wraps `signer` so every `signTransaction` first awaits `assertCurrent`, which throws (the rails
 * throw `MANDATE_ERR_FENCE_STALE`) when the lease the signature would be made under is no longer the
 * agent's current one. The rails create one per database transaction, with a check that runs in it.
 * @example const signer = fencedSigner(railSigner, () => assertLease(tx, { agentId, token }, 'a signature'));
 */
export function fencedSigner(signer: TransactionSigner, assertCurrent: () => Promise<void>): TransactionSigner {
  return {
    kind: signer.kind,
    getAddress: () => signer.getAddress(),
    async signTransaction(tx) {
      await assertCurrent();
      return signer.signTransaction(tx);
    },
  };
}
