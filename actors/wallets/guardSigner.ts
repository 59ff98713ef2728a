/**
 * Puts the kill switch in the signing path itself: the returned signer asks the kill switch
 * before every signature, so no caller — a retry, a recovery pass, a plugin — can sign around it.
 */
import { SigningHaltedError } from './errors.ts';
import type { KillSwitch, TransactionSigner } from './TransactionSigner.ts';

/** Options of {@link guardSigner}. */
export interface GuardSignerOptions {
  readonly killSwitch: KillSwitch;
  readonly agentId: string;
  /** Capabilities this signature exercises, e.g. `['payments.crypto.send']`. */
  readonly capabilities: readonly string[];
}

/**
 * Wraps `signer` so every `signTransaction` first checks the kill switch.
 * @example const signer = guardSigner(LocalKeystoreSigner.fromPrivateKey(key), { killSwitch, agentId, capabilities: ['payments.crypto.send'] });
 */
export function guardSigner(signer: TransactionSigner, options: GuardSignerOptions): TransactionSigner {
  return {
    kind: signer.kind,
    getAddress: () => signer.getAddress(),
    async signTransaction(tx) {
      const capabilities = [...options.capabilities];
      if (await options.killSwitch.isEngaged(options.agentId, capabilities)) {
        throw new SigningHaltedError(
          `kill switch engaged for agent "${options.agentId}" (capabilities ${capabilities.join(', ')}): refusing to sign; an operator must release the kill switch first`,
          { details: { agentId: options.agentId, capabilities } },
        );
      }
      return signer.signTransaction(tx);
    },
  };
}
