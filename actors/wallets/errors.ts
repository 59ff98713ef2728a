/**
 * Errors of the wallets and signers. Each has a stable code listed in docs/errors.md.
 */
import { MandateError } from '../../kernel/index.ts';

type Opts = ErrorOptions & { details?: Record<string, unknown> };

/** A keystore could not be decrypted (wrong password or malformed JSON). */
export class KeystoreError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_WALLET_KEYSTORE', message, { ...options, status: 400 });
    this.name = 'KeystoreError';
  }
}

/** The kill switch is engaged for this agent: the signer refuses to sign. */
export class SigningHaltedError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_WALLET_SIGNING_HALTED', message, { ...options, status: 423 });
    this.name = 'SigningHaltedError';
  }
}

/** A multisig transaction was executed or checked below its signature threshold. */
export class MultisigThresholdError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_MULTISIG_THRESHOLD', message, { ...options, status: 409 });
    this.name = 'MultisigThresholdError';
  }
}

/** A multisig signature is not from an owner, does not match the transaction, or the proposal was altered. */
export class MultisigSignatureError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_MULTISIG_SIGNATURE', message, { ...options, status: 403 });
    this.name = 'MultisigSignatureError';
  }
}

/** The Lit network (or the optional Lit SDK) cannot be reached, so the PKP cannot sign. */
export class LitUnavailableError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_WALLET_LIT_UNAVAILABLE', message, { ...options, status: 503 });
    this.name = 'LitUnavailableError';
  }
}

/** The Lit network returned a signature that does not recover to the PKP's address. */
export class LitSignatureError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_WALLET_LIT_SIGNATURE', message, { ...options, status: 502 });
    this.name = 'LitSignatureError';
  }
}
