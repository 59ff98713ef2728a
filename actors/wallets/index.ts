/** Wallets: key custody behind one signer interface, with the kill switch in the signing path. */
export { LocalKeystoreSigner } from './LocalKeystoreSigner.ts';
export { HdWallets, OPERATOR_PATH } from './HdWallets.ts';
export { guardSigner } from './guardSigner.ts';
export type { GuardSignerOptions } from './guardSigner.ts';
export { SafeMultisig } from './SafeMultisig.ts';
export { Eip3009Authorizations } from './Eip3009Authorizations.ts';
export type {
  AuthorizationRetraction,
  Eip3009AuthorizationsOptions,
  TransferAuthorization,
} from './Eip3009Authorizations.ts';
export type {
  Eip1193Provider,
  SafeMultisigOptions,
  SafeProposal,
  SafeAgentSigner,
  SafeTransactionFields,
} from './SafeMultisig.ts';
export { LitPkpSigner, litSignatureToHex } from './LitPkpSigner.ts';
export type { LitPkpSignerOptions, LitPkpClient, LitSigResponse } from './LitPkpSigner.ts';
export type { KillSwitch, TransactionSigner, DigestSigner } from './TransactionSigner.ts';
export {
  KeystoreError,
  SigningHaltedError,
  MultisigThresholdError,
  MultisigSignatureError,
  LitUnavailableError,
  LitSignatureError,
} from './errors.ts';
