import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkPrivateFile } from './checkPrivateFile.ts';
import { SecretUnsealError, StoreConfigError } from './errors.ts';

const VERSION = 'v1';

/**
 * AES-256-GCM sealing of secrets at rest (agent seeds, vault records). Each value gets a fresh
 * 96-bit nonce; the associated data binds a ciphertext to its row (e.g. the agent id), so a sealed
 * seed copied onto another agent's row does not open.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== 32)
      throw new StoreConfigError(
        `A secret key is 32 bytes, got ${key.length}. Generate one with: openssl rand -base64 32`,
      );
    this.#key = Buffer.from(key);
  }

  /**
   * The box for `MANDATE_SECRET_KEY` (32 bytes as base64, base64url or hex) when given; otherwise the
   * key in `keyFile`, generated with mode 0600 on first use. A key file that group or others can
   * read (or whose directory they can write) is refused with `MANDATE_ERR_STORE_FILE_MODE`.
   */
  static load(options: { secretKey?: string; keyFile: string }): SecretBox {
    if (options.secretKey !== undefined && options.secretKey !== '')
      return new SecretBox(decodeKey(options.secretKey, 'MANDATE_SECRET_KEY'));
    checkPrivateFile(options.keyFile, 'The data key file');
    if (existsSync(options.keyFile))
      return new SecretBox(decodeKey(readFileSync(options.keyFile, 'utf8').trim(), options.keyFile));
    mkdirSync(dirname(options.keyFile), { recursive: true });
    const key = randomBytes(32);
    writeFileSync(options.keyFile, key.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(options.keyFile, 0o600);
    return new SecretBox(key);
  }

  /** A 32-byte subkey for `label` (HKDF-SHA-256), e.g. the vault's lookup HMAC key. */
  derive(label: string): Uint8Array {
    return new Uint8Array(hkdfSync('sha256', this.#key, Buffer.alloc(0), `mandate:${label}`, 32));
  }

  /** `v1.<nonce>.<tag>.<ciphertext>` (base64url parts). */
  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ct.toString('base64url'),
    ].join('.');
  }

  /** Opens a value sealed with the same key and associated data; throws {@link SecretUnsealError}. */
  open(sealed: string, aad: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION)
      throw new SecretUnsealError(
        `A sealed value for "${aad}" is not in ${VERSION} form; the row was altered, restore it from a backup.`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(parts[1]!, 'base64url'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(parts[2]!, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new SecretUnsealError(
        `The sealed value for "${aad}" does not open: MANDATE_SECRET_KEY (or the key file) is not the key it was sealed with, or the row was altered.`,
        { cause },
      );
    }
  }
}

function decodeKey(text: string, source: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64url');
  if (key.length !== 32) {
    throw new StoreConfigError(
      `The secret key from ${source} decodes to ${key.length} bytes; it must be 32 bytes (base64 or hex). Generate one with: openssl rand -base64 32`,
    );
  }
  return key;
}
