/**
 * The token file: a JSON document holding token hashes and roles.
 *
 * ```json
 * { "version": 1, "tokens": [ { "name": "alice", "role": "operator", "sha256": "<64 hex>", "createdAt": 1763700000000 } ] }
 * ```
 * Add a token with `hashToken(token)`; the plaintext never goes in the file.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { readFile, writeFile, rename, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { TokenFileError, TokenLastAdminError, TokenNameTakenError, TokenUnknownError } from './errors.ts';
import { TokenStore } from './TokenStore.ts';
import { ROLES, type Role } from './roles.ts';

/** The token file's schema. */
export const TokenFileSchema = z.object({
  version: z.literal(1),
  tokens: z.array(
    z.object({
      name: z
        .string()
        .min(1)
        .max(100)
        .regex(/^[\w.@-]+$/, 'letters, digits, _ . @ - only'),
      role: z.enum(ROLES),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex sha-256'),
      createdAt: z.number().int().nonnegative(),
      expiresAt: z.number().int().nonnegative().optional(),
    }),
  ),
});

/** Reads and validates a token file; a missing file gives undefined. */
export async function loadTokenFile(path: string): Promise<TokenStore | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TokenFileError(
      `Cannot read token file "${path}": ${(err as Error).message}; check its permissions, or move it away to issue a new admin token`,
      { cause: err },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TokenFileError(`Token file "${path}" is not JSON; fix or delete it to issue a new admin token`, {
      cause: err,
    });
  }
  const parsed = TokenFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new TokenFileError(
      `Token file "${path}" is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      {
        details: { path, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      },
    );
  }
  try {
    return new TokenStore(parsed.data.tokens);
  } catch (err) {
    throw new TokenFileError(`Token file "${path}" is invalid: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Writes the store's hashes to `path` atomically, readable by the owner only. A write that fails
 * leaves the file as it was and throws `MANDATE_ERR_TOKEN_FILE` saying why.
 */
export async function saveTokenFile(path: string, store: TokenStore): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, JSON.stringify({ version: 1, tokens: store.entries() }, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, path);
  } catch (cause) {
    await unlink(tmp).catch(() => undefined);
    throw new TokenFileError(
      `Could not write token file "${path}" (${(cause as Error).message}); it was left as it was — make its directory writable by this process and try again`,
      { cause },
    );
  }
}

/**
 * Loads the token file, creating it with one admin token when it is missing or
 * holds no admin. Returns the plaintext admin token only when it was just made,
 * so the CLI prints it once at first start.
 *
 * @example
 * const { tokens, adminToken } = await ensureAdminToken('.mandate/tokens.json');
 * if (adminToken) console.log(`admin token (shown once): ${adminToken}`);
 */
export async function ensureAdminToken(
  path: string,
  now: number = Date.now(),
): Promise<{ tokens: TokenStore; adminToken: string | undefined }> {
  const tokens = (await loadTokenFile(path)) ?? new TokenStore();
  if (tokens.entries().some((e) => e.role === 'admin')) return { tokens, adminToken: undefined };
  const taken = new Set(tokens.entries().map((e) => e.name));
  let name = 'admin';
  for (let i = 2; taken.has(name); i++) name = `admin-${i}`;
  const { token } = tokens.issue(name, 'admin', { now });
  await saveTokenFile(path, tokens);
  return { tokens, adminToken: token };
}

/** A token to issue: its name and role, when it is issued (`now`, default the clock) and when it expires (`expiresAt`, default never). */
export interface TokenRequest {
  name: string;
  role: Role;
  now?: number;
  expiresAt?: number;
}

/**
 * Adds a token for `name` with `role` to the token file (creating it) and
 * returns the plaintext, to be shown once. A name that exists is refused, so
 * a token is never replaced by accident; revoke it with {@link revokeToken}.
 *
 * @example
 * const token = await issueToken('.mandate/tokens.json', { name: 'alice', role: 'operator' });
 */
export async function issueToken(path: string, { name, role, ...options }: TokenRequest): Promise<string> {
  const entry = TokenFileSchema.shape.tokens.element.pick({ name: true, role: true }).safeParse({ name, role });
  if (!entry.success)
    throw new TokenFileError(
      `Cannot issue a token for "${name}" with role "${role}": ${entry.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const tokens = (await loadTokenFile(path)) ?? new TokenStore();
  if (tokens.entries().some((e) => e.name === name))
    throw new TokenNameTakenError(
      `Token file "${path}" already has a token named "${name}"; pick another name or revoke that token first`,
      { details: { name } },
    );
  const { token } = tokens.issue(name, role, options);
  await saveTokenFile(path, tokens);
  return token;
}

/**
 * Removes the token named `name` from the token file; a running gateway that watches the file
 * ({@link watchTokenFile}) refuses it within a second. Refuses to remove the last admin, so the
 * console cannot be locked out by accident.
 */
export async function revokeToken(path: string, name: string): Promise<void> {
  const tokens = await loadTokenFile(path);
  const entry = tokens?.entries().find((e) => e.name === name);
  if (tokens === undefined || entry === undefined)
    throw new TokenUnknownError(
      `Token file "${path}" has no token named "${name}"; \`mandate token list\` shows the names`,
      {
        details: { name },
      },
    );
  if (entry.role === 'admin' && tokens.entries().filter((e) => e.role === 'admin').length === 1)
    throw new TokenLastAdminError(
      `"${name}" is the last admin token in "${path}"; create another admin token first, then revoke this one`,
      { details: { name } },
    );
  tokens.revoke(name);
  await saveTokenFile(path, tokens);
}

/**
 * Keeps `store` in step with the token file: checked every `intervalMs` (default 1 s), a changed
 * file replaces the store's tokens, so tokens created or revoked by `mandate token` take effect on
 * a running gateway without a restart. A file that does not parse keeps the tokens already loaded
 * and is reported through `onProblem`. Returns the function that stops watching.
 */
export function watchTokenFile(
  path: string,
  store: TokenStore,
  options: { onProblem: (error: TokenFileError) => void; intervalMs?: number },
): () => void {
  const reload = (): void => {
    loadTokenFile(path).then(
      (next) => {
        if (next === undefined)
          options.onProblem(
            new TokenFileError(`Token file "${path}" disappeared; the tokens loaded before stay valid`),
          );
        else store.replaceWith(next);
      },
      (error: unknown) =>
        options.onProblem(
          error instanceof TokenFileError
            ? error
            : new TokenFileError(`Token file "${path}" could not be reloaded: ${String(error)}`, { cause: error }),
        ),
    );
  };
  const listener = (now: { mtimeMs: number }, before: { mtimeMs: number }): void => {
    if (now.mtimeMs !== before.mtimeMs) reload();
  };
  watchFile(path, { interval: options.intervalMs ?? 1_000, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}
