/**
 * Errors of the wallets and signers. Each has a stable code listed in docs/errors.md.
 */
import { createError } from '../../kernel/index.ts';

/** A keystore could not be decrypted (wrong password or malformed JSON). */
export class KeystoreError extends createError('MANDATE_ERR_WALLET_KEYSTORE', 'KeystoreError') {}

/** The kill switch is engaged for this agent: the signer refuses to sign. */
export class SigningHaltedError extends createError('MANDATE_ERR_WALLET_SIGNING_HALTED', 'SigningHaltedError') {}

/** A multisig transaction was executed or checked below its signature threshold. */
export class MultisigThresholdError extends createError('MANDATE_ERR_MULTISIG_THRESHOLD', 'MultisigThresholdError') {}

/** A multisig signature is not from an owner, does not match the transaction, or the proposal was altered. */
export class MultisigSignatureError extends createError('MANDATE_ERR_MULTISIG_SIGNATURE', 'MultisigSignatureError') {}

/** The Lit network (or the optional Lit SDK) cannot be reached, so the PKP cannot sign. */
export class LitUnavailableError extends createError('MANDATE_ERR_WALLET_LIT_UNAVAILABLE', 'LitUnavailableError') {}

/** The Lit network returned a signature that does not recover to the PKP's address. */
export class LitSignatureError extends createError('MANDATE_ERR_WALLET_LIT_SIGNATURE', 'LitSignatureError') {}
