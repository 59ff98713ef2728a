/**
 * Bearer tokens, kept only as sha-256 hashes, each mapped to a name and a role.
 */
import { hash, randomBytes } from 'node:crypto';
import type { Role } from './roles.ts';

/** One stored token: its name (used as the principal id in the audit log), role and hash. */
export interface TokenEntry {
  name: string;
  role: Role;
  /** Lower-case hex sha-256 of the token's UTF-8 bytes. */
  sha256: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds after which the token is refused; absent: it does not expire. */
  expiresAt?: number;
}

/** The identity behind a valid token. */
export interface TokenIdentity {
  name: string;
  role: Role;
}

/** Prefix of every token Mandate issues, so leaked tokens are easy to scan for. */
export const TOKEN_PREFIX = 'mdt_';

/** Hex sha-256 of a token, as stored. */
export function hashToken(token: string): string {
  // The one-shot hash: every authenticated request runs this, and it skips building a Hash object.
  return hash('sha256', token, 'hex');
}

/** A new random token: the prefix plus 32 random bytes in base64url. */
export function generateToken(random: (size: number) => Buffer = randomBytes): string {
  return TOKEN_PREFIX + random(32).toString('base64url');
}

/**
 * Looks tokens up by hash. The plaintext is never stored; a lookup hashes the
 * presented token first, so timing reveals nothing about stored tokens.
 */
export class TokenStore {
  private readonly byHash = new Map<string, TokenEntry>();

  constructor(entries: Iterable<TokenEntry> = []) {
    for (const entry of entries) this.add(entry);
  }

  /** Adds an entry; a duplicate hash replaces nothing and throws. */
  add(entry: TokenEntry): void {
    if (this.byHash.has(entry.sha256))
      throw new Error(`Token "${entry.name}" duplicates the hash of "${this.byHash.get(entry.sha256)?.name}"`);
    this.byHash.set(entry.sha256, { ...entry });
  }

  /** Creates a token for `name` with `role`, stores its hash and returns the plaintext (show it once). */
  issue(
    name: string,
    role: Role,
    options: { now?: number; expiresAt?: number } = {},
  ): { token: string; entry: TokenEntry } {
    const token = generateToken();
    const entry: TokenEntry = { name, role, sha256: hashToken(token), createdAt: options.now ?? Date.now() };
    if (options.expiresAt !== undefined) entry.expiresAt = options.expiresAt;
    this.add(entry);
    return { token, entry };
  }

  /** Removes every token named `name`; returns how many were removed. */
  revoke(name: string): number {
    let removed = 0;
    for (const [hash, entry] of this.byHash)
      if (entry.name === name) {
        this.byHash.delete(hash);
        removed++;
      }
    return removed;
  }

  /** Replaces every entry at once with another store's (a token file changed on disk). */
  replaceWith(other: TokenStore): void {
    this.byHash.clear();
    for (const entry of other.entries()) this.byHash.set(entry.sha256, entry);
  }

  /** The identity behind `token`, or undefined (unknown, revoked, or expired at `now`). */
  verify(token: string, now: number = Date.now()): TokenIdentity | undefined {
    const entry = this.byHash.get(hashToken(token));
    if (entry === undefined || (entry.expiresAt !== undefined && now >= entry.expiresAt)) return undefined;
    return { name: entry.name, role: entry.role };
  }

  /** Every stored entry (hashes only). */
  entries(): TokenEntry[] {
    return [...this.byHash.values()].map((e) => ({ ...e }));
  }

  /** How many tokens are stored. */
  get size(): number {
    return this.byHash.size;
  }
}
