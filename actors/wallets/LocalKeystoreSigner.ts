/**
 * A signer holding one key, loaded from an encrypted JSON keystore (Web3 Secret Storage, scrypt).
 */
import { Transaction, Wallet, encryptKeystoreJson, type TransactionLike } from 'ethers';
import { KeystoreError } from './errors.ts';
import type { DigestSigner, TransactionSigner } from './TransactionSigner.ts';

/** A {@link TransactionSigner} backed by a key decrypted from a local keystore. */
export class LocalKeystoreSigner implements TransactionSigner, DigestSigner {
  readonly kind = 'local-keystore';
  readonly #wallet: Wallet;

  private constructor(wallet: Wallet) {
    this.#wallet = wallet;
  }

  /**
   * Decrypts a keystore JSON with its password.
   * @example const signer = await LocalKeystoreSigner.fromKeystore(readFileSync('agent.json', 'utf8'), process.env.KEY_PASSWORD!);
   */
  static async fromKeystore(json: string, password: string): Promise<LocalKeystoreSigner> {
    try {
      const wallet = await Wallet.fromEncryptedJson(json, password);
      return new LocalKeystoreSigner(new Wallet(wallet.privateKey));
    } catch (cause) {
      throw new KeystoreError(
        `could not decrypt the keystore (${(cause as Error).message}); check the password and that the file is a Web3 Secret Storage JSON`,
        { cause },
      );
    }
  }

  /** Wraps a raw private key (tests, or keys already held by a secret manager). */
  static fromPrivateKey(privateKey: string): LocalKeystoreSigner {
    try {
      return new LocalKeystoreSigner(new Wallet(privateKey));
    } catch (cause) {
      throw new KeystoreError('the private key is not a 32-byte hex string; pass it as 0x followed by 64 hex digits', {
        cause,
      });
    }
  }

  /** Encrypts a private key into a keystore JSON (`scryptN` lowers the cost for tests only). */
  static async encrypt(privateKey: string, password: string, scryptN?: number): Promise<string> {
    const wallet = new Wallet(privateKey);
    const account = { address: wallet.address, privateKey: wallet.privateKey };
    return encryptKeystoreJson(account, password, scryptN === undefined ? {} : { scrypt: { N: scryptN } });
  }

  async getAddress(): Promise<string> {
    return this.#wallet.address;
  }

  /** Signs a 32-byte digest as is (no message prefix), e.g. a Safe transaction hash; returns r‖s‖v. */
  async signDigest(digest: string): Promise<string> {
    return this.#wallet.signingKey.sign(digest).serialized;
  }

  async signTransaction(tx: TransactionLike<string>): Promise<string> {
    const unsigned = Transaction.from(tx);
    unsigned.signature = this.#wallet.signingKey.sign(unsigned.unsignedHash);
    return unsigned.serialized;
  }
}
